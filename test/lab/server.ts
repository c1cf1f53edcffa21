// The lab's servers, one process per namespace:
//   server.ts [--http PORT --body TEXT] [--redis PORT] [--mysql PORT --mysql-allow CIDR,...] [--dns PORT] [--ready-fd N]
// Logs `ready <proto> <port>` per listener and then `ready`; with --ready-fd it also writes `ready` to that
// inherited fd (a pipe lab.ts reads, so it learns at once) and closes it.
import { createSocket } from 'node:dgram';
import { closeSync, writeSync } from 'node:fs';
import { createServer } from 'node:net';
import { parseArgs } from 'node:util';
import { inCidr } from '../../src/net/ip.ts';
import { answer } from './dns.ts';

let values: { http?: string; body?: string; redis?: string; mysql?: string; 'mysql-allow'?: string; dns?: string; 'ready-fd'?: string; bind?: string };
try {
  ({ values } = parseArgs({
    options: {
      http: { type: 'string' },
      body: { type: 'string' },
      redis: { type: 'string' },
      mysql: { type: 'string' },
      'mysql-allow': { type: 'string' },
      dns: { type: 'string' },
      'ready-fd': { type: 'string' },
      // `::` serves both families (the IPv6 lab); the default stays IPv4, where the VPC lab turns IPv6 off.
      bind: { type: 'string' },
    },
  }));
} catch (e) {
  process.stderr.write(`server: ${(e as Error).message}\n`);
  process.exit(2);
}

function port(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    process.stderr.write(`server: bad port ${v}\n`);
    process.exit(2);
  }
  return n;
}

const pending: Promise<void>[] = [];
const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);
const fail = (e: Error) => {
  process.stderr.write(`server: ${e.message}\n`);
  process.exit(1);
};

if (values.http) {
  const p = port(values.http);
  const body = `${values.body ?? 'ok'}\n`;
  // Raw TCP, not node:http: answers any request line with one 200 and closes.
  const srv = createServer((sock) => {
    log(`http from ${sock.remoteAddress}`);
    sock.setTimeout(5000, () => sock.destroy());
    sock.once('data', () => {
      sock.end(`HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
    });
    sock.on('error', () => {});
  });
  srv.on('error', fail);
  pending.push(new Promise((res) => srv.listen(p, values.bind ?? '0.0.0.0', () => (log(`ready http ${p}`), res()))));
}

if (values.redis) {
  const p = port(values.redis);
  const srv = createServer((sock) => {
    log(`redis from ${sock.remoteAddress}`);
    sock.setTimeout(5000, () => sock.destroy());
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      if (buf.length > 4096) return sock.destroy();
      let i = buf.indexOf('\r\n');
      while (i >= 0) {
        const cmd = buf.slice(0, i).trim().toUpperCase();
        buf = buf.slice(i + 2);
        sock.write(cmd === 'PING' ? '+PONG\r\n' : '-ERR unknown command\r\n');
        i = buf.indexOf('\r\n');
      }
    });
    sock.on('error', () => {});
  });
  srv.on('error', fail);
  pending.push(new Promise((res) => srv.listen(p, values.bind ?? '0.0.0.0', () => (log(`ready redis ${p}`), res()))));
}

/** A MySQL packet: 3-byte little-endian length, sequence id 0, payload. */
function mysqlPacket(payload: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUIntLE(payload.length, 0, 3);
  return Buffer.concat([head, payload]);
}

if (values.mysql) {
  const p = port(values.mysql);
  const allow = (values['mysql-allow'] ?? '').split(',').filter(Boolean);
  // As mysqld does before authentication: a protocol-10 greeting for hosts some account matches, and
  // error 1130 naming the client address for the rest, then close.
  const srv = createServer((sock) => {
    const from = sock.remoteAddress ?? '';
    const known = allow.some((c) => inCidr(from, c));
    log(`mysql from ${from} ${known ? 'greeting' : 'error 1130'}`);
    sock.on('error', () => {});
    if (!known) {
      const err = Buffer.alloc(3);
      err[0] = 0xff;
      err.writeUInt16LE(1130, 1);
      sock.end(mysqlPacket(Buffer.concat([err, Buffer.from(`Host '${from}' is not allowed to connect to this MySQL server`)])));
      return;
    }
    const greeting = Buffer.concat([Buffer.from([0x0a]), Buffer.from('8.0.36-lab\0'), Buffer.alloc(4, 1), Buffer.from('saltsalt\0'), Buffer.alloc(26)]);
    sock.setTimeout(5000, () => sock.destroy());
    sock.write(mysqlPacket(greeting));
  });
  srv.on('error', fail);
  pending.push(new Promise((res) => srv.listen(p, '0.0.0.0', () => (log(`ready mysql ${p}`), res()))));
}

if (values.dns) {
  const p = port(values.dns);
  const sock = createSocket(values.bind?.includes(':') ? 'udp6' : 'udp4');
  sock.on('message', (msg, rinfo) => {
    const reply = answer(msg);
    log(`dns from ${rinfo.address} ${reply ? `rcode ${(reply[3] ?? 0) & 0xf}` : 'dropped'}`);
    if (reply) sock.send(reply, rinfo.port, rinfo.address);
  });
  sock.on('error', fail);
  pending.push(new Promise((res) => sock.bind(p, values.bind ?? '0.0.0.0', () => (log(`ready dns ${p}`), res()))));
}

if (pending.length === 0) {
  process.stderr.write('server: nothing to serve (use --http, --redis, --mysql or --dns)\n');
  process.exit(2);
}
await Promise.all(pending);
log('ready');
if (values['ready-fd'] !== undefined) {
  const fd = Number(values['ready-fd']);
  writeSync(fd, 'ready\n');
  closeSync(fd);
}
