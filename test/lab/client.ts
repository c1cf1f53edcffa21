// Plain probes the selftest runs inside a namespace; prints one JSON line and exits 0.
//   client.ts tcp IP PORT [--send TEXT [--expect TEXT]] [--timeout MS] → {status: open|refused|timeout|unreachable|error, errno, ms, reply}
//   client.ts dns NAME [--aaaa] [--timeout MS]            → {status: ok|nxdomain|no-data|refused|timeout|error, addresses, errno, ms}
import { promises as dnsp } from 'node:dns';
import { connect } from 'node:net';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { send: { type: 'string' }, expect: { type: 'string' }, timeout: { type: 'string', default: '1500' }, aaaa: { type: 'boolean' } },
});
const timeoutMs = Math.min(Math.max(Number(values.timeout) || 1500, 50), 10_000);
const t0 = performance.now();
const out = (o: object) => {
  process.stdout.write(`${JSON.stringify({ ...o, ms: Math.round(performance.now() - t0) })}\n`);
  process.exit(0);
};

const [mode, a, b] = positionals;
if (mode === 'tcp' && a && b) {
  const sock = connect({ host: a, port: Number(b) });
  let reply = '';
  const timer = setTimeout(() => out({ status: reply ? 'open' : sock.connecting ? 'timeout' : 'open', reply }), timeoutMs);
  sock.on('connect', () => {
    if (values.send === undefined) return out({ status: 'open' });
    sock.write(values.send.replaceAll('\\r', '\r').replaceAll('\\n', '\n'));
  });
  sock.on('data', (d) => {
    reply += d.toString('latin1');
    // Servers like Redis keep the connection open: stop once the expected answer is in.
    if (values.expect && reply.includes(values.expect)) (clearTimeout(timer), out({ status: 'open', reply }));
    if (reply.length > 256) sock.destroy();
  });
  sock.on('end', () => (clearTimeout(timer), out({ status: 'open', reply })));
  sock.on('error', (e: NodeJS.ErrnoException) => {
    clearTimeout(timer);
    const errno = e.code ?? 'EUNKNOWN';
    if (errno === 'ECONNREFUSED') out({ status: 'refused', errno });
    if (errno === 'ENETUNREACH' || errno === 'EHOSTUNREACH') out({ status: 'unreachable', errno });
    if (errno === 'ECONNRESET' && reply) out({ status: 'open', reply });
    out({ status: 'error', errno });
  });
} else if (mode === 'dns' && a) {
  const r = new dnsp.Resolver({ timeout: timeoutMs, tries: 1 });
  try {
    out({ status: 'ok', addresses: values.aaaa ? await r.resolve6(a) : await r.resolve4(a) });
  } catch (e) {
    const errno = (e as NodeJS.ErrnoException).code ?? 'EUNKNOWN';
    const status = { ENOTFOUND: 'nxdomain', EREFUSED: 'refused', ETIMEOUT: 'timeout', ENODATA: 'no-data' }[errno] ?? 'error';
    out({ status, errno, addresses: [] });
  }
} else {
  process.stderr.write('usage: client.ts tcp IP PORT [--send TEXT] [--timeout MS] | client.ts dns NAME [--aaaa] [--timeout MS]\n');
  process.exit(2);
}
