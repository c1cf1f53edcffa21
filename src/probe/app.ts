// One application exchange on the connection the TCP probe opened: it tells "the network lets this pod
// through" apart from "the service itself turns this source away". When the service names the address
// it sees (MySQL error 1130, PostgreSQL's pg_hba), the peer has answered the SNAT question itself.
// Read-only: nothing is sent that logs in, writes or changes state, and the connection is closed after.
import { isIP, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { performance } from 'node:perf_hooks';
import { observedTimeout, seen, withStall } from './clock.ts';
import type { AppProtocol, AppResult, AppStatus, Target } from './types.ts';

const SCHEMES: Readonly<Record<string, AppProtocol>> = {
  http: 'http',
  https: 'tls',
  redis: 'redis',
  mysql: 'mysql',
  postgres: 'postgres',
  postgresql: 'postgres',
};
const PORTS: Readonly<Record<number, AppProtocol>> = { 80: 'http', 8080: 'http', 443: 'tls', 8443: 'tls', 6379: 'redis', 3306: 'mysql', 5432: 'postgres' };

/** The protocol to speak: the URL scheme when TARGET was a URL, else the port's usual one. */
export function appProtocol(target: Target): AppProtocol | undefined {
  if (target.scheme) return SCHEMES[target.scheme];
  return target.port === undefined ? undefined : PORTS[target.port];
}

/** What the server says, as far as this probe needs it; undefined = not enough bytes yet. */
type Verdict = { status: AppStatus; reply: string; seenSource?: string } | undefined;

interface Speaker {
  /** Sent once connected; undefined when the server speaks first. */
  hello(host: string): Buffer | undefined;
  judge(data: Buffer): Verdict;
}

const firstLine = (b: Buffer): string | undefined => {
  const i = b.indexOf('\r\n');
  return i < 0 ? undefined : b.subarray(0, i).toString('latin1');
};

const clip = (s: string): string => (s.length > 200 ? `${s.slice(0, 199)}…` : s);

const http: Speaker = {
  hello: (host) => Buffer.from(`HEAD / HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: podreach\r\nConnection: close\r\n\r\n`),
  judge(data) {
    const line = firstLine(data);
    if (line === undefined) return undefined;
    if (!/^HTTP\/\d(\.\d)? \d{3}/.test(line)) return { status: 'unexpected', reply: line };
    // Any status means a web server answered this source; 401/407 ask for credentials.
    return { status: /^HTTP\/\S+ 40[17]/.test(line) ? 'auth-required' : 'ok', reply: line };
  },
};

const redis: Speaker = {
  hello: () => Buffer.from('PING\r\n'),
  judge(data) {
    const line = firstLine(data);
    if (line === undefined) return undefined;
    if (line === '+PONG') return { status: 'ok', reply: line };
    if (/^-(NOAUTH|WRONGPASS|NOPERM)/.test(line) || /^-ERR.*auth/i.test(line)) return { status: 'auth-required', reply: line };
    // Protected mode: no password set, so the server accepts only loopback clients.
    if (line.startsWith('-DENIED')) return { status: 'denied', reply: line };
    return { status: 'unexpected', reply: line };
  },
};

/** MySQL and MariaDB: the server speaks first, a greeting (0x0a) or an error packet (0xff). */
const mysql: Speaker = {
  hello: () => undefined,
  judge(data) {
    if (data.length < 5) return undefined;
    const len = data.readUIntLE(0, 3);
    if (data.length < 4 + Math.min(len, 512)) return undefined;
    const payload = data.subarray(4, 4 + len);
    if (payload[0] === 0x0a) {
      const version = payload.subarray(1, payload.indexOf(0, 1)).toString('latin1');
      return { status: 'ok', reply: `greeting, server ${version}` };
    }
    if (payload[0] === 0xff && payload.length >= 3) {
      const code = payload.readUInt16LE(1);
      // 4.1 error packets carry "#" and a 5-character SQL state before the message.
      const text = payload.subarray(payload[3] === 0x23 ? 9 : 3).toString('utf8');
      const reply = `error ${code}: ${text}`;
      // 1130: no account matches this client host; 1129: the host is blocked after connection errors.
      if (code === 1130 || code === 1129) return { status: 'denied', reply, seenSource: /Host '([^']+)'/.exec(text)?.[1] };
      return { status: 'unexpected', reply };
    }
    return { status: 'unexpected', reply: `0x${data.subarray(0, 8).toString('hex')}` };
  },
};

/** PostgreSQL: a StartupMessage for user and database "podreach"; no password is ever sent. */
const postgres: Speaker = {
  hello() {
    const params = Buffer.from('user\0podreach\0database\0podreach\0application_name\0podreach\0\0', 'latin1');
    const head = Buffer.alloc(8);
    head.writeInt32BE(8 + params.length, 0);
    head.writeInt32BE(196608, 4); // protocol 3.0
    return Buffer.concat([head, params]);
  },
  judge(data) {
    if (data.length < 5) return undefined;
    const kind = String.fromCharCode(data[0]!);
    const len = data.readInt32BE(1);
    if (kind === 'R') {
      if (data.length < 9) return undefined;
      const auth = data.readInt32BE(5);
      return auth === 0 ? { status: 'ok', reply: 'authentication ok (trust)' } : { status: 'auth-required', reply: `authentication request ${auth}` };
    }
    if (kind !== 'E') return { status: 'unexpected', reply: `message ${kind}` };
    if (data.length < 1 + Math.min(len, 1024)) return undefined;
    const fields = new Map<string, string>();
    for (const f of data.subarray(5, 1 + len).toString('utf8').split('\0')) if (f) fields.set(f[0]!, f.slice(1));
    const message = fields.get('M') ?? '';
    const reply = `${fields.get('S') ?? 'ERROR'} ${fields.get('C') ?? ''}: ${message}`;
    if (/no pg_hba\.conf entry/.test(message)) return { status: 'denied', reply, seenSource: /host "([^"]+)"/.exec(message)?.[1] };
    // Anything else (a missing database or role, a password failure) comes after pg_hba let this host in.
    return { status: 'auth-required', reply };
  },
};

const SPEAKERS: Readonly<Record<Exclude<AppProtocol, 'tls'>, Speaker>> = { http, redis, mysql, postgres };

/** What a certificate says, in one line: subject, issuer, expiry, and why it would not be trusted. */
function certLine(t: TLSSocket): string {
  const c = t.getPeerCertificate();
  const cn = (x: unknown) => (x && typeof x === 'object' && 'CN' in x ? String(x.CN) : '?');
  const trust = t.authorized ? 'trusted' : `not trusted here: ${String(t.authorizationError ?? 'unknown')}`;
  return `${t.getProtocol() ?? 'TLS'}, certificate CN=${cn(c?.subject)} from ${cn(c?.issuer)}, valid to ${c?.valid_to ?? '?'} (${trust})`;
}

type Finish = (status: AppStatus, reply?: string, seenSource?: string) => void;

/** One exchange, bounded by `timeoutMs`: the first `finish` closes what `close` closes and resolves. */
function exchange(protocol: AppProtocol, timeoutMs: number, close: () => void, run: (finish: Finish) => void): Promise<AppResult> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    let done = false;
    const finish: Finish = (status, reply, seenSource) => {
      if (done) return;
      done = true;
      cancelTimer();
      close();
      const w = seen(t0);
      const r: AppResult = { protocol, status, ms: w.ms };
      if (reply) r.reply = clip(reply.trim());
      if (seenSource) r.seenSource = seenSource;
      resolve(withStall(r, w, status === 'timeout'));
    };
    // Only time podreach could observe counts: a stall must not turn a greeting into "said nothing".
    const cancelTimer = observedTimeout(t0, () => timeoutMs, () => finish('timeout'));
    run(finish);
  });
}

/**
 * A TLS handshake on the open socket (SNI when the host is a name). The certificate is read, not
 * trusted or refused: an untrusted one is still a server that answered this client.
 */
function probeTls(socket: Socket, host: string, timeoutMs: number): Promise<AppResult> {
  // node:tls (and crypto behind it) loads only for a TLS target: ~10 ms of every other run's start.
  const tls = process.getBuiltinModule('node:tls').connect({ socket, rejectUnauthorized: false, ...(isIP(host) ? {} : { servername: host }), ALPNProtocols: ['http/1.1'] });
  const close = () => {
    tls.destroy();
    socket.destroy();
  };
  return exchange('tls', timeoutMs, close, (finish) => {
    tls.once('secureConnect', () => finish('ok', certLine(tls)));
    tls.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ECONNRESET' || e.code === 'EPIPE') return finish('closed', 'the server reset the connection during the handshake');
      // OpenSSL's words for "the first bytes back were not a TLS record": a plain-text service.
      if (/wrong version number|packet length too long|http request/i.test(e.message)) return finish('unexpected', 'the server answers in plain text, not TLS');
      finish('error', `${e.code ?? ''} ${e.message}`);
    });
    tls.once('close', () => finish('closed', 'the server closed the connection during the handshake'));
  });
}

/** Speaks `protocol` on an open socket for up to `timeoutMs`, then closes it. Never rejects. */
export function probeApp(socket: Socket, protocol: AppProtocol, host: string, timeoutMs: number): Promise<AppResult> {
  if (protocol === 'tls') return probeTls(socket, host, timeoutMs);
  const speaker = SPEAKERS[protocol];
  return exchange(protocol, timeoutMs, () => socket.destroy(), (finish) => {
    let data = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      const v = speaker.judge(data);
      if (v) finish(v.status, v.reply, v.seenSource);
      else if (data.length > 16_384) finish('unexpected', data.subarray(0, 80).toString('latin1'));
    });
    socket.on('end', () => {
      const v = data.length ? speaker.judge(data) : undefined;
      if (v) finish(v.status, v.reply, v.seenSource);
      else finish('closed', data.length ? data.subarray(0, 80).toString('latin1') : 'the server closed the connection without a word');
    });
    socket.on('error', (e: NodeJS.ErrnoException) => finish(e.code === 'ECONNRESET' ? 'closed' : 'error', `${e.code ?? ''} ${e.message}`));
    // Reset before this probe took the socket over: nothing more will come.
    if (socket.destroyed && socket.readableLength === 0) return finish('closed', 'the connection was reset before the exchange');
    const hello = speaker.hello(host);
    if (hello) socket.write(hello);
  });
}
