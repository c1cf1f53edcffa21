// Probe reports for the intake tests: complete ones (every optional part present) to mutate, and the
// mutations themselves, shared by the in-process property test and the spawned sample.
import fc from 'fast-check';
import type { ProbeReport, Target } from '../../../src/probe/types.ts';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** A node report with every part the schema knows: DNS, gateway, TCP, application, path MTU. */
export function fullReport(target: Target): ProbeReport {
  return {
    kind: 'podreach.probe',
    schemaVersion: 1,
    from: { role: 'node', hostname: 'node-1', addresses: ['192.168.10.11', 'fe80::1'], gateway: '192.168.10.1' },
    target,
    dns: {
      status: 'ok',
      name: target.host,
      addresses: [target.ip ?? '192.168.20.10', 'fd00::10'],
      a: [target.ip ?? '192.168.20.10'],
      aaaa: ['fd00::10'],
      first: { family: 'IPv4', why: 'no IPv6 default route' },
      ms: 3,
      servers: ['10.247.3.10'],
    },
    icmp: { status: 'reply', sent: 3, received: 3, rttMs: 0.4, ms: 52 },
    gateway: { status: 'reply', sent: 1, received: 1, rttMs: 0.1, ms: 10, ip: '192.168.10.1' },
    tcp: { status: 'open', port: target.port ?? 80, ms: 1, attempts: 1, waitMs: 450 },
    app: { protocol: 'mysql', status: 'denied', reply: "Host '192.168.10.11' is not allowed", seenSource: '192.168.10.11', ms: 4 },
    otherFamily: { family: 'IPv6', ip: 'fd00::10', tcp: { status: 'timeout', port: target.port ?? 80, ms: 350, attempts: 2, waitMs: 350 }, ms: 350 },
    pmtu: { status: 'dropped', mtu: 1500, pathMtu: 1450, tried: [{ mtu: 1450, fits: true }, { mtu: 1480, fits: false }], ms: 900 },
    rtt: { ms: 0.4, basis: 'icmp-target', waitMs: 450 },
    startedAt: '2026-11-21T00:00:00.000Z',
    durationMs: 1000,
  };
}

/** Keys added by a mutation that the schema does not know: they must never reach the output. */
export const JUNK = 'junk·';

/** Values a mutation draws from: every enum value of the schema, addresses, and the odd ones. */
const STRINGS = [
  'reply', 'no-reply', 'unreachable', 'not-run', 'skipped', 'open', 'refused', 'timeout', 'error', 'ok', 'nxdomain',
  'no-data', 'servfail', 'fits', 'too-big', 'dropped', 'http', 'tls', 'redis', 'mysql', 'postgres', 'auth-required',
  'denied', 'closed', 'unexpected', 'icmp-target', 'tcp-rst', 'tcp-open', 'gateway', 'none', 'pod', 'node',
  'podreach.probe', '192.168.10.52', '192.168.10.11', '172.16.1.10', '::1', '0.0.0.0', '999.1.1.1', '', ' ', 'x\ny',
];
const KEYS = [
  'kind', 'schemaVersion', 'from', 'target', 'dns', 'icmp', 'gateway', 'tcp', 'app', 'pmtu', 'rtt', 'startedAt',
  'durationMs', 'ip', 'port', 'host', 'status', 'addresses', 'ms', 'sent', 'received', 'rttMs', 'mtu', 'pathMtu', 'tried',
  'seenSource', 'reply', 'detail', '__proto__', 'constructor',
];

type Edit = { kind: 'replace' | 'same-kind' | 'delete' | 'add-known' | 'add-junk'; at: number; value: Json; str: string; num: number; key: string };

const edit: fc.Arbitrary<Edit> = fc.record({
  kind: fc.constantFrom('replace', 'same-kind', 'same-kind', 'delete', 'add-known', 'add-junk'),
  at: fc.nat(),
  value: fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
  str: fc.oneof(fc.constantFrom(...STRINGS), fc.string({ maxLength: 20 })),
  num: fc.oneof(fc.integer({ min: -2, max: 70_000 }), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(0, 1, 1e308, -1e-9)),
  key: fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 8 })),
});

/** One to three edits of a JSON value: replace, change within its kind, delete, or add a field. */
export const edits = fc.array(edit, { minLength: 1, maxLength: 3 });

export function mutate(base: unknown, list: Edit[]): Json {
  let root = structuredClone(base) as Json;
  for (const e of list) {
    const nodes = walk(root);
    const [parent, key, value] = nodes[e.at % nodes.length]!;
    const set = (v: Json | undefined) => {
      if (parent === undefined) root = v ?? null;
      else if (v === undefined) Array.isArray(parent) ? parent.splice(key as number, 1) : delete parent[key as string];
      else (parent as Record<string | number, Json>)[key] = v;
    };
    if (e.kind === 'replace') set(e.value);
    else if (e.kind === 'delete') set(undefined);
    else if (e.kind === 'same-kind') set(typeof value === 'string' ? e.str : typeof value === 'number' ? e.num : typeof value === 'boolean' ? !value : Array.isArray(value) ? [...value, e.value] : e.value);
    else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      Object.defineProperty(value, e.kind === 'add-junk' ? `${JUNK}${e.key}` : e.key, { value: e.value, enumerable: true, writable: true, configurable: true });
    } else set(e.value);
  }
  return root;
}

/** Every node of a JSON value with its parent and key (the root has none). */
function walk(v: Json, parent?: Json[] | { [k: string]: Json }, key?: string | number, out: [typeof parent, string | number, Json][] = []) {
  out.push([parent, key ?? '', v]);
  if (Array.isArray(v)) v.forEach((c, i) => walk(c, v, i, out));
  else if (v !== null && typeof v === 'object') for (const [k, c] of Object.entries(v)) walk(c, v, k, out);
  return out;
}
