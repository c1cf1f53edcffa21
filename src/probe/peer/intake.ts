// --peer-report: a `podreach peer -o json` document from the target host, read bounded like the node report
// and rebuilt field by field (what podreach does not know is dropped, never copied on). Each problem is one
// line naming the field.
import { isIp } from '../../net/ip.ts';
import { parseBounded, readBoundedText } from '../report.ts';
import type { Arrival, ArrivalMethod, Covering, Listener, PeerFirewall, PeerReport, PeerRoute, PeerSource } from './types.ts';

export const MAX_PEER_BYTES = 1024 * 1024;
const NOT_A_PEER = 'not a podreach peer report (kind "podreach.peer", schemaVersion 1; the output of `podreach peer --source IP -o json`)';

class Bad extends Error {}

type Obj = Record<string, unknown>;
const obj = (v: unknown, at: string): Obj => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Bad(`${at} must be an object`);
  return v as Obj;
};
const str = (v: unknown, at: string): string => {
  if (typeof v !== 'string') throw new Bad(`${at} must be a string`);
  return v;
};
const bool = (v: unknown, at: string): boolean => {
  if (typeof v !== 'boolean') throw new Bad(`${at} must be a boolean`);
  return v;
};
const int = (v: unknown, at: string, min = 0, max = Number.MAX_SAFE_INTEGER): number => {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new Bad(`${at} must be a whole number from ${min} to ${max}`);
  return v;
};
const ip = (v: unknown, at: string): string => {
  if (!isIp(str(v, at))) throw new Bad(`${at} must be an IP address`);
  return v as string;
};
const oneOf = <T extends string>(v: unknown, at: string, allowed: readonly T[]): T => {
  if (!allowed.includes(v as T)) throw new Bad(`${at} must be one of ${allowed.join(', ')}`);
  return v as T;
};
const list = <T>(v: unknown, at: string, each: (x: unknown, at: string) => T, max = 1024): T[] => {
  if (!Array.isArray(v) || v.length > max) throw new Bad(`${at} must be a list (at most ${max})`);
  return v.map((x, i) => each(x, `${at}/${i}`));
};
const opt = <T>(o: Obj, k: string, at: string, each: (x: unknown, at: string) => T): Partial<Record<string, T>> => (o[k] === undefined ? {} : { [k]: each(o[k], `${at}/${k}`) });

function route(v: unknown, at: string): PeerRoute {
  const o = obj(v, at);
  return {
    kind: oneOf(o.kind, `${at}/kind`, ['gateway', 'connected', 'local', 'unreachable'] as const),
    ...(opt(o, 'dev', at, str) as { dev?: string }),
    ...(opt(o, 'via', at, ip) as { via?: string }),
    ...(opt(o, 'src', at, ip) as { src?: string }),
    defaultDev: bool(o.defaultDev, `${at}/defaultDev`),
    bridge: bool(o.bridge, `${at}/bridge`),
    docker: bool(o.docker, `${at}/docker`),
    line: str(o.line, `${at}/line`).slice(0, 300),
  };
}

function cover(v: unknown, at: string): Covering {
  const o = obj(v, at);
  return {
    dev: str(o.dev, `${at}/dev`),
    cidr: str(o.cidr, `${at}/cidr`),
    via: oneOf(o.via, `${at}/via`, ['address', 'route'] as const),
    bridge: bool(o.bridge, `${at}/bridge`),
    docker: bool(o.docker, `${at}/docker`),
    state: oneOf(o.state, `${at}/state`, ['up', 'no-carrier', 'down'] as const),
    ...(opt(o, 'linkdown', at, bool) as { linkdown?: boolean }),
  };
}

function firewall(v: unknown, at: string): PeerFirewall {
  const o = obj(v, at);
  return {
    verdict: oneOf(o.verdict, `${at}/verdict`, ['accept', 'drop', 'reject', 'no-rules', 'not-readable'] as const),
    tool: str(o.tool, `${at}/tool`),
    ...(opt(o, 'rule', at, str) as { rule?: string }),
    ...(opt(o, 'chain', at, str) as { chain?: string }),
    ...(opt(o, 'why', at, str) as { why?: string }),
    ...(opt(o, 'unsure', at, (x, a) => list(x, a, str)) as { unsure?: string[] }),
  };
}

function method(v: unknown, at: string): ArrivalMethod {
  const o = obj(v, at);
  return {
    method: oneOf(o.method, `${at}/method`, ['socket-states', 'firewall-counters', 'capture'] as const),
    needs: str(o.needs, `${at}/needs`),
    available: bool(o.available, `${at}/available`),
    ...(opt(o, 'seen', at, (x, a) => int(x, a)) as { seen?: number }),
    detail: str(o.detail, `${at}/detail`),
  };
}

function arrival(v: unknown, at: string): Arrival {
  const o = obj(v, at);
  return { seen: bool(o.seen, `${at}/seen`), windowMs: int(o.windowMs, `${at}/windowMs`), states: list(o.states, `${at}/states`, str), methods: list(o.methods, `${at}/methods`, method) };
}

function source(v: unknown, at: string): PeerSource {
  const o = obj(v, at);
  return {
    ip: ip(o.ip, `${at}/ip`),
    route: route(o.route, `${at}/route`),
    covering: list(o.covering, `${at}/covering`, cover),
    ...(opt(o, 'firewall', at, firewall) as { firewall?: PeerFirewall }),
    ...(opt(o, 'arrived', at, arrival) as { arrived?: Arrival }),
  };
}

function listener(v: unknown, at: string): Listener | null {
  if (v === null) return null;
  const o = obj(v, at);
  return { port: int(o.port, `${at}/port`, 1, 65535), listening: bool(o.listening, `${at}/listening`), on: list(o.on, `${at}/on`, str) };
}

/** A parsed peer report, checked and rebuilt; or why it cannot be used. */
export function checkPeerReport(v: unknown): { report: PeerReport; why?: undefined } | { report?: undefined; why: string } {
  const r = v as Obj | null;
  if (typeof r !== 'object' || r === null || Array.isArray(r) || r.kind !== 'podreach.peer') return { why: NOT_A_PEER };
  try {
    if (r.schemaVersion !== 1) throw new Bad('/schemaVersion must be 1');
    const tool = obj(r.tool, '/tool');
    const host = obj(r.host, '/host');
    const sources = list(r.sources, '/sources', source, 64);
    if (sources.length === 0) throw new Bad('/sources must name at least one source');
    return {
      report: {
        kind: 'podreach.peer',
        schemaVersion: 1,
        tool: { name: 'podreach', version: str(tool.version, '/tool/version') },
        generatedAt: str(r.generatedAt, '/generatedAt'),
        host: { hostname: str(host.hostname, '/host/hostname').slice(0, 253), addresses: list(host.addresses, '/host/addresses', ip), uid: int(host.uid, '/host/uid', -1) },
        port: r.port === null ? null : int(r.port, '/port', 1, 65535),
        listener: listener(r.listener, '/listener'),
        sources,
        notes: list(r.notes, '/notes', str, 64),
      },
    };
  } catch (e) {
    if (e instanceof Bad) return { why: e.message };
    throw e;
  }
}

/** Reads --peer-report: a regular file or a pipe on stdin, at most 1 MB, within `timeoutMs`. */
export async function readPeerReportFile(path: string, timeoutMs: number, stdin: NodeJS.ReadableStream = process.stdin) {
  const limit = '1 MB a peer report';
  const got = await readBoundedText(path, timeoutMs, MAX_PEER_BYTES, stdin, limit);
  return 'why' in got ? got : parseBounded(got.text, MAX_PEER_BYTES, async (v) => checkPeerReport(v), limit);
}
