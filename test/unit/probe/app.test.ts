// The application exchange against real sockets on 127.0.0.1: tiny servers that answer the way MySQL,
// PostgreSQL, Redis and HTTP servers do (byte for byte where the protocol fixes the bytes).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { appProtocol, probeApp } from '../../../src/probe/app.ts';
import type { AppProtocol } from '../../../src/probe/types.ts';

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

/** A server on 127.0.0.1 that runs `onConnection`; resolves to its port. */
async function serve(onConnection: (s: Socket) => void): Promise<number> {
  const srv = createServer((s) => {
    s.on('error', () => {});
    onConnection(s);
  });
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const addr = srv.address();
  if (!addr || typeof addr === 'string') throw new Error('no port');
  return addr.port;
}

async function exchange(protocol: AppProtocol, onConnection: (s: Socket) => void, timeoutMs = 500) {
  const port = await serve(onConnection);
  const sock = connect({ host: '127.0.0.1', port });
  await new Promise<void>((r, j) => sock.once('connect', r).once('error', j));
  return probeApp(sock, protocol, 'db.internal', timeoutMs);
}

/** A MySQL packet: 3-byte length, sequence id, payload. */
const mysqlPacket = (payload: Buffer) => Buffer.concat([Buffer.from([payload.length & 0xff, (payload.length >> 8) & 0xff, 0, 0]), payload]);

function mysqlError(code: number, message: string): Buffer {
  const p = Buffer.alloc(3);
  p[0] = 0xff;
  p.writeUInt16LE(code, 1);
  return mysqlPacket(Buffer.concat([p, Buffer.from(message)]));
}

/** A PostgreSQL ErrorResponse. */
function pgError(code: string, message: string): Buffer {
  const body = Buffer.from(`SFATAL\0VFATAL\0C${code}\0M${message}\0\0`);
  const head = Buffer.alloc(5);
  head[0] = 'E'.charCodeAt(0);
  head.writeInt32BE(4 + body.length, 1);
  return Buffer.concat([head, body]);
}

describe('appProtocol', () => {
  it.each([
    [{ input: 'mysql://db:3307', host: 'db', port: 3307, scheme: 'mysql' }, 'mysql'],
    [{ input: 'postgresql://db', host: 'db', port: 5432, scheme: 'postgresql' }, 'postgres'],
    [{ input: 'db:6379', host: 'db', port: 6379 }, 'redis'],
    [{ input: 'db:8080', host: 'db', port: 8080 }, 'http'],
    [{ input: 'db:3306', host: 'db', port: 3306 }, 'mysql'],
    [{ input: 'https://db', host: 'db', port: 443, scheme: 'https' }, 'tls'],
    [{ input: 'db:8443', host: 'db', port: 8443 }, 'tls'],
    [{ input: 'amqp://db', host: 'db', port: 5672, scheme: 'amqp' }, undefined],
    [{ input: 'db:22', host: 'db', port: 22 }, undefined],
    [{ input: 'db', host: 'db' }, undefined],
  ] as const)('%j → %s', (target, expected) => {
    expect(appProtocol(target)).toBe(expected);
  });
});

describe('probeApp', () => {
  it('MySQL greeting: ok, with the server version', async () => {
    const greeting = mysqlPacket(Buffer.concat([Buffer.from([0x0a]), Buffer.from('8.0.36\0'), Buffer.alloc(40, 1)]));
    const r = await exchange('mysql', (s) => s.write(greeting));
    expect(r).toMatchObject({ protocol: 'mysql', status: 'ok', reply: 'greeting, server 8.0.36' });
  });

  it("MySQL 1130: denied, and the source the server sees comes out of its message", async () => {
    const r = await exchange('mysql', (s) => s.end(mysqlError(1130, "Host '192.168.10.11' is not allowed to connect to this MySQL server")));
    expect(r.status).toBe('denied');
    expect(r.seenSource).toBe('192.168.10.11');
    expect(r.reply).toBe("error 1130: Host '192.168.10.11' is not allowed to connect to this MySQL server");
  });

  it('MySQL split across TCP segments is reassembled', async () => {
    const err = mysqlError(1130, "Host '172.16.1.10' is not allowed to connect to this MySQL server");
    const r = await exchange('mysql', (s) => {
      s.write(err.subarray(0, 6));
      setTimeout(() => s.end(err.subarray(6)), 30);
    });
    expect(r).toMatchObject({ status: 'denied', seenSource: '172.16.1.10' });
  });

  it('MySQL 1040 (too many connections) is not a denial of this source', async () => {
    const r = await exchange('mysql', (s) => s.end(mysqlError(1040, 'Too many connections')));
    expect(r.status).toBe('unexpected');
  });

  it('PostgreSQL pg_hba rejection: denied, with the host the server sees', async () => {
    let startup = Buffer.alloc(0);
    const r = await exchange('postgres', (s) =>
      s.on('data', (d) => {
        startup = Buffer.concat([startup, d]);
        s.end(pgError('28000', 'no pg_hba.conf entry for host "172.16.1.10", user "podreach", database "podreach", no encryption'));
      }),
    );
    expect(r).toMatchObject({ protocol: 'postgres', status: 'denied', seenSource: '172.16.1.10' });
    // The StartupMessage: length, protocol 3.0, user and database podreach, no password.
    expect(startup.readInt32BE(0)).toBe(startup.length);
    expect(startup.readInt32BE(4)).toBe(196608);
    expect(startup.subarray(8).toString()).toContain('user\0podreach\0database\0podreach\0');
  });

  it('PostgreSQL asking for a password: the host got past pg_hba', async () => {
    const md5 = Buffer.from([0x52, 0, 0, 0, 12, 0, 0, 0, 5, 1, 2, 3, 4]);
    const r = await exchange('postgres', (s) => s.once('data', () => s.write(md5)));
    expect(r).toMatchObject({ status: 'auth-required', reply: 'authentication request 5' });
  });

  it('Redis: PONG is ok, NOAUTH wants auth, protected mode is a denial', async () => {
    const answer = (line: string) => (s: Socket) => s.once('data', (d) => d.toString() === 'PING\r\n' && s.write(`${line}\r\n`));
    expect((await exchange('redis', answer('+PONG'))).status).toBe('ok');
    expect((await exchange('redis', answer('-NOAUTH Authentication required.'))).status).toBe('auth-required');
    expect((await exchange('redis', answer('-DENIED Redis is running in protected mode because protected mode is enabled'))).status).toBe('denied');
  });

  it('HTTP: the status line of a HEAD request; 401 wants auth', async () => {
    let request = '';
    const answer = (status: string) => (s: Socket) =>
      s.once('data', (d) => {
        request = d.toString();
        s.end(`HTTP/1.1 ${status}\r\nContent-Length: 0\r\n\r\n`);
      });
    expect(await exchange('http', answer('200 OK'))).toMatchObject({ status: 'ok', reply: 'HTTP/1.1 200 OK' });
    expect(request).toMatch(/^HEAD \/ HTTP\/1\.1\r\nHost: db\.internal\r\n/);
    expect((await exchange('http', answer('401 Unauthorized'))).status).toBe('auth-required');
  });

  it('a server that closes without a word, or says nothing in time', async () => {
    expect((await exchange('mysql', (s) => s.end())).status).toBe('closed');
    const r = await exchange('mysql', () => {}, 150);
    expect(r.status).toBe('timeout');
    expect(r.ms).toBeGreaterThanOrEqual(140);
  });

  it('a reply in another protocol is unexpected, not ok', async () => {
    const r = await exchange('redis', (s) => s.once('data', () => s.write('SSH-2.0-OpenSSH_9.2\r\n')));
    expect(r).toMatchObject({ status: 'unexpected', reply: 'SSH-2.0-OpenSSH_9.2' });
  });
});

describe('probeApp: TLS', () => {
  /** A self-signed certificate for db.internal, made with openssl for this test. */
  function selfSigned(): { key: Buffer; cert: Buffer } {
    const dir = mkdtempSync(join(tmpdir(), 'podreach-tls-'));
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=db.internal',
        '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
      return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('a handshake: ok, with the protocol and what the certificate says (untrusted is still an answer)', async () => {
    const srv = createTlsServer(selfSigned(), (s) => s.on('error', () => {}));
    servers.push(srv);
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as { port: number }).port;
    const sock = connect({ host: '127.0.0.1', port });
    await new Promise<void>((r, j) => sock.once('connect', r).once('error', j));
    const r = await probeApp(sock, 'tls', 'db.internal', 1000);
    expect(r.status).toBe('ok');
    expect(r.reply).toMatch(/^TLSv1\.[23], certificate CN=db\.internal from db\.internal, valid to .+ \(not trusted here: DEPTH_ZERO_SELF_SIGNED_CERT\)$/);
  });

  it('plain text where TLS was expected: unexpected', async () => {
    const r = await exchange('tls', (s) => s.once('data', () => s.end('HTTP/1.1 400 Bad Request\r\n\r\n')));
    expect(r).toMatchObject({ status: 'unexpected', reply: 'the server answers in plain text, not TLS' });
  });
});
