// The API client's streamed GET (rest.ts `stream`, what a watch reads): lines handed over as they arrive, and
// every way a stream ends — stopped, closed, broken, refused, malformed, too long, too slow, aborted — as one
// Outcome, never a throw or a hang. Against a scripted HTTP server on 127.0.0.1.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rest, type StreamOptions } from '../../src/kube/rest.ts';

const TOKEN = 'sekrit-token-never-in-a-message';
const ev = (type: string, rv: number) => `${JSON.stringify({ type, object: { metadata: { name: 'p', resourceVersion: String(rv) } } })}\n`;

/** What the server does for each path. */
const scripts: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
  '/one-then-silence': (_, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write(ev('MODIFIED', 1));
  },
  '/two-then-end': (_, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write(ev('MODIFIED', 1));
    // The last line without its newline, and a line split across two writes.
    const last = ev('MODIFIED', 2).trim();
    res.write(last.slice(0, 10));
    setTimeout(() => res.end(last.slice(10)), 20);
  },
  '/not-json': (_, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write(ev('MODIFIED', 1));
    res.write('<html>Please sign in</html>\n');
  },
  '/many': (_, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    for (let i = 0; i < 50; i++) res.write(ev('BOOKMARK', i));
  },
  '/huge': (_, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write(`{"type":"MODIFIED","object":{"pad":"${'x'.repeat(100_000)}`);
  },
  '/cut': (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write(ev('MODIFIED', 1), () => req.socket.destroy());
  },
  '/forbidden': (_, res) => {
    res.writeHead(403, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ kind: 'Status', status: 'Failure', reason: 'Forbidden', code: 403, message: 'pods is forbidden: User "u" cannot watch resource "pods"' }));
  },
  '/silent': () => undefined,
  '/plain': (_, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{}');
  },
};

let server: Server;
let rest: Rest;
const seenAuth: string[] = [];
/** The connection of each request, by path. */
const sockets: [string, Socket][] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seenAuth.push(req.headers.authorization ?? '');
    sockets.push([req.url ?? '', req.socket]);
    scripts[new URL(req.url ?? '/', 'http://x').pathname]?.(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  rest = new Rest({ server: `http://127.0.0.1:${port}`, insecure: true, user: 'test', auth: { kind: 'token', token: TOKEN } });
});
afterAll(async () => {
  rest.close();
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

async function read(path: string, o: Partial<StreamOptions> = {}, stopAt?: (v: unknown) => boolean) {
  const lines: unknown[] = [];
  const t0 = performance.now();
  const r = await rest.stream(path, {
    ms: 5000,
    maxLines: 20,
    maxBytes: 64 * 1024,
    onLine: (v) => {
      lines.push(v);
      return stopAt?.(v) ?? false;
    },
    ...o,
  });
  if (!r.ok) {
    expect(r.message).not.toContain('\n');
    expect(r.message).not.toContain(TOKEN);
  }
  return { r, lines, ms: performance.now() - t0 };
}

describe('Rest.stream', () => {
  it('hands each line over as it arrives: stopped on the first, while the server still holds the stream open', async () => {
    const { r, lines, ms } = await read('/one-then-silence', {}, () => true);
    expect(r).toEqual({ ok: true, value: 'stopped' });
    expect(lines).toHaveLength(1);
    expect(ms).toBeLessThan(4000); // not the 5 s bound: the line was read before the stream ended
    expect(seenAuth.at(-1)).toBe(`Bearer ${TOKEN}`);
  });

  it('a stream the server ends: every line read, a split one joined, the last without its newline taken', async () => {
    const { r, lines } = await read('/two-then-end');
    expect(r).toEqual({ ok: true, value: 'closed' });
    expect(lines.map((l) => (l as { object: { metadata: { resourceVersion: string } } }).object.metadata.resourceVersion)).toEqual(['1', '2']);
  });

  it('a line that is not JSON → one line saying so, after the good lines', async () => {
    const { r, lines } = await read('/not-json');
    expect(lines).toHaveLength(1);
    expect(r).toMatchObject({ ok: false, status: 'error', message: 'the stream sent a line that is not JSON ("<html>Please sign in</html>")' });
  });

  it('more lines than the cap → stops reading, says so', async () => {
    const { r, lines } = await read('/many', { maxLines: 10 });
    expect(lines).toHaveLength(10);
    expect(r).toMatchObject({ ok: false, status: 'error', message: 'the stream sent more than 10 lines' });
  });

  it('more bytes than the cap (one endless line) → stops reading, says so', async () => {
    const { r, lines } = await read('/huge', { maxBytes: 32 * 1024 });
    expect(lines).toEqual([]);
    expect(r).toMatchObject({ ok: false, status: 'error', message: `the stream passed ${32 * 1024} bytes` });
  });

  it('the connection cut mid-stream → unreachable, "the stream broke"', async () => {
    const { r, lines } = await read('/cut');
    expect(lines).toHaveLength(1);
    expect(r).toMatchObject({ ok: false, status: 'unreachable' });
    expect(!r.ok && r.message).toMatch(/^the stream broke/);
  });

  it('refused → the Status message, as a call gives it', async () => {
    const { r } = await read('/forbidden');
    expect(r).toMatchObject({ ok: false, status: 'forbidden', code: 403, message: 'pods is forbidden: User "u" cannot watch resource "pods"' });
  });

  it('nothing comes → timeout at `ms`; an abort ends it at once', async () => {
    const slow = await read('/silent', { ms: 300 });
    expect(slow.r).toMatchObject({ ok: false, status: 'timeout', message: 'the stream did not end within 300 ms' });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const cut = await read('/silent', { ms: 20_000, signal: ac.signal });
    expect(cut.r).toMatchObject({ ok: false, status: 'error', message: 'aborted' });
    expect(cut.ms).toBeLessThan(10_000);
    const before = new AbortController();
    before.abort();
    expect((await read('/silent', { ms: 20_000, signal: before.signal })).r).toMatchObject({ ok: false, message: 'aborted' });
  });

  it('a connection of its own: the pooled one stays warm for the next call (no new handshake after a stop)', async () => {
    sockets.length = 0;
    expect((await rest.request('/plain', { ms: 5000 })).ok).toBe(true);
    expect((await read('/one-then-silence', {}, () => true)).r).toEqual({ ok: true, value: 'stopped' });
    expect((await rest.request('/plain', { ms: 5000 })).ok).toBe(true);
    const [a, w, b] = sockets.map(([, sock]) => sock);
    expect(sockets.map(([path]) => path)).toEqual(['/plain', '/one-then-silence', '/plain']);
    expect(b).toBe(a);
    expect(w).not.toBe(a);
  });
});
