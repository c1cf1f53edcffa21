// podreach's own event loop blocked mid-probe (what a CPU-throttled pod or a big synchronous module load
// does): the answers arrive while the loop cannot run, and are read before a late timer can call them
// silence. Deterministic: Atomics.wait blocks this thread for a fixed time. Loopback only (127.0.0.0/8).
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveName } from '../../../src/probe/dns.ts';
import { loopClock, MAX_STRETCH_MS, observedTimeout } from '../../../src/probe/clock.ts';
import { runProbes } from '../../../src/probe/run.ts';
import { parseTarget } from '../../../src/probe/target.ts';
import { type FakeDns, startFakeDns } from './dns-server.ts';

const block = (ms: number): void => void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
const BLOCK_MS = 1500;

let server: Server;
let openPort = 0;
let dns: FakeDns;
const conns = new Set<Socket>();

beforeAll(async () => {
  server = createServer((s) => {
    conns.add(s);
    s.on('error', () => {}); // the client resets once it has its answer
    s.end('HTTP/1.1 200 OK\r\n\r\n');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  openPort = (server.address() as { port: number }).port;
  dns = await startFakeDns({ 'up.test': { a: ['127.0.0.1'] } });
});
afterAll(async () => {
  await dns.close();
  for (const s of conns) s.destroy();
  await new Promise<void>((r) => server.close(() => r()));
});

describe('a blocked event loop does not become a timeout', () => {
  it('DNS: the lookup is out, the loop blocks 1.5 s (past the 1 s guard) → still ok, with the stall reported', async () => {
    const conf = { nameservers: [dns.address], search: [], ndots: 1 };
    const pending = resolveName('up.test', { servers: [dns.address], conf, timeoutMs: 1000 });
    block(BLOCK_MS);
    const r = await pending;
    expect(r).toMatchObject({ status: 'ok', addresses: ['127.0.0.1'] });
    expect(r.stalledMs).toBeGreaterThanOrEqual(BLOCK_MS - 50);
    expect(r.observedMs).toBeUndefined(); // only timeouts carry it
  });

  it('the whole run: name, TCP and HTTP while the loop is blocked → resolved, open, answered', async () => {
    const conf = { nameservers: [dns.address], search: [], ndots: 1 };
    const pending = runProbes(parseTarget(`http://up.test:${openPort}/`), { role: 'pod', gateway: null, mtu: null, dns: { servers: [dns.address], conf } });
    block(BLOCK_MS);
    const r = await pending;
    expect(r.dns?.status).toBe('ok');
    expect(r.tcp?.status).toBe('open');
    expect(r.app).toMatchObject({ protocol: 'http', status: 'ok' });
    expect(r.stalledMs).toBeGreaterThanOrEqual(BLOCK_MS - 50);
  });

  it('a silent DNS server still times out, and says how much of the wait was observed', async () => {
    const silent = await startFakeDns({ 'up.test': 'drop' });
    try {
      const conf = { nameservers: [silent.address], search: [], ndots: 1 };
      const pending = resolveName('up.test', { servers: [silent.address], conf, timeoutMs: 600 });
      block(400);
      const r = await pending;
      expect(r.status).toBe('timeout');
      expect(r.stalledMs).toBeGreaterThanOrEqual(350);
      // Asked again after the starved timeout (bounded: once), and the wait counted observed time only.
      expect(r.attempts).toBe(2);
      expect(r.observedMs).toBeGreaterThanOrEqual(600);
      expect(r.ms).toBeLessThan(600 * 2 + 400 + MAX_STRETCH_MS);
    } finally {
      await silent.close();
    }
  });
});

describe('observedTimeout', () => {
  it('stretches a wait by the stall, and still fires when nothing stalls', async () => {
    const release = loopClock.hold();
    try {
      const t0 = performance.now();
      const fired = new Promise<number>((r) => observedTimeout(t0, () => 200, () => r(performance.now() - t0)));
      block(300);
      const after = await fired;
      // 300 ms blocked + 200 ms observed: a plain timer would have fired right after the block.
      expect(after).toBeGreaterThanOrEqual(480);
      const t1 = performance.now();
      const calm = await new Promise<number>((r) => observedTimeout(t1, () => 100, () => r(performance.now() - t1)));
      expect(calm).toBeGreaterThanOrEqual(99);
    } finally {
      release();
    }
  });
});
