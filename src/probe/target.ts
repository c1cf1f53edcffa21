import { isIP } from 'node:net';
import { quoted, UsageError } from '../cli/errors.ts';
import type { Target } from './types.ts';

/** Default ports of the URL schemes people paste; `tcp://` has none on purpose. */
const SCHEME_PORTS: Readonly<Record<string, number>> = {
  http: 80,
  https: 443,
  redis: 6379,
  rediss: 6379,
  mysql: 3306,
  postgres: 5432,
  postgresql: 5432,
  amqp: 5672,
  amqps: 5671,
  kafka: 9092,
  mongodb: 27017,
  ssh: 22,
};

const LABEL = '[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?';
const HOSTNAME = new RegExp(`^${LABEL}(?:\\.${LABEL})*\\.?$`, 'i');

function fail(input: string, why: string): never {
  throw new UsageError(`invalid TARGET ${quoted(input)}: ${why}`);
}

function parsePort(input: string, text: string): number {
  if (!/^\d{1,5}$/.test(text)) fail(input, `port ${quoted(text)} is not a number from 1 to 65535`);
  const port = Number(text);
  if (port < 1 || port > 65535) fail(input, `port ${port} is outside 1-65535`);
  return port;
}

/** An IP literal, or a DNS name; anything that looks like a dotted quad must be a valid one. */
function checkHost(input: string, host: string): string {
  if (host === '') fail(input, 'the host is empty');
  if (isIP(host)) return host;
  if (/^[\d.]+$/.test(host)) fail(input, `${quoted(host)} is not a valid IPv4 address`);
  if (host.length > 254 || !HOSTNAME.test(host)) fail(input, `${quoted(host)} is not a valid host name or IP address`);
  return host.toLowerCase();
}

// scheme://[userinfo@]host[:port][/path...]; the host may be a bracketed IPv6 literal.
const URL_RE = /^([^:/?#]*):\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)(?::([^/?#]*))?(?:[/?#].*)?$/;

function fromUrl(input: string, portGiven: boolean): Omit<Target, 'input'> {
  const m = URL_RE.exec(input);
  if (!m) fail(input, 'it is not a valid URL');
  const scheme = (m[1] ?? '').toLowerCase();
  if (!/^[a-z][a-z0-9+.-]*$/.test(scheme)) fail(input, `${quoted(scheme)} is not a URL scheme`);
  const rawHost = m[2] ?? '';
  let host: string;
  if (rawHost.startsWith('[')) {
    host = rawHost.slice(1, -1);
    if (isIP(host) !== 6) fail(input, `${quoted(host)} inside brackets is not an IPv6 address`);
  } else {
    host = checkHost(input, rawHost);
  }
  if (m[3] !== undefined) return { host, port: parsePort(input, m[3]), scheme, portSource: 'target' };
  const port = SCHEME_PORTS[scheme];
  if (port === undefined && portGiven) return { host, scheme };
  if (port === undefined) fail(input, `scheme ${quoted(scheme)} has no default port; add one (${scheme}://host:PORT) or use --port`);
  return { host, port, scheme, portSource: 'scheme' };
}

function fromHostPort(input: string): Omit<Target, 'input'> {
  const bracket = /^\[([^\]]*)\](?::(.*))?$/.exec(input);
  if (bracket) {
    const host = bracket[1] ?? '';
    if (isIP(host) !== 6) fail(input, `${quoted(host)} inside brackets is not an IPv6 address`);
    if (bracket[2] === undefined) return { host };
    return { host, port: parsePort(input, bracket[2]), portSource: 'target' };
  }
  if (input.startsWith('[')) fail(input, 'an IPv6 address in brackets needs its closing "]"');
  const colons = input.split(':').length - 1;
  if (colons > 1) {
    if (isIP(input) === 6) return { host: input };
    fail(input, 'an IPv6 address with a port must be written [ADDRESS]:PORT');
  }
  if (colons === 1) {
    const i = input.indexOf(':');
    return { host: checkHost(input, input.slice(0, i)), port: parsePort(input, input.slice(i + 1)), portSource: 'target' };
  }
  return { host: checkHost(input, input) };
}

/**
 * TARGET as it may be shown: a URL's password (`user:pw@`) and password-like query parameters become `***`.
 * Applied before anything else reads the input, so no output, error or plan can carry the credential.
 */
export function redactTarget(input: string): string {
  return input
    .replace(/^([^:/?#]*:\/\/[^:@/?#]*):[^@/?#]*@/, '$1:***@')
    .replace(/([?&;](?:password|passwd|pwd|pass|secret|token|access_?key)=)[^&;#]*/gi, '$1***');
}

/**
 * TARGET is IP, IP:PORT, HOST, HOST:PORT, [v6]:PORT, a bare IPv6 address, or a URL whose scheme gives
 * the port. `portFlag` (--port) overrides any port in TARGET. Throws UsageError on malformed input.
 */
export function parseTarget(input: string, portFlag?: number): Target {
  const text = redactTarget(input.trim());
  if (text === '') throw new UsageError('TARGET is empty: give an IP, HOST, HOST:PORT or URL');
  const parsed = text.includes('://') ? fromUrl(text, portFlag !== undefined) : fromHostPort(text);
  const target: Target = { input: text, ...parsed };
  if (portFlag !== undefined) {
    if (!Number.isInteger(portFlag) || portFlag < 1 || portFlag > 65535) {
      throw new UsageError(`invalid --port ${portFlag}: it must be a number from 1 to 65535`);
    }
    target.port = portFlag;
    target.portSource = 'flag';
  }
  if (isIP(target.host)) target.ip = target.host;
  return target;
}

/** True when the host needs DNS before anything can be sent. */
export function needsDns(target: Target): boolean {
  return target.ip === undefined && !isIP(target.host);
}
