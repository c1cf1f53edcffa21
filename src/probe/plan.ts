// A probe plan: what to send to each target, as data. The pod runs it, and the node-side probe (the probe pod,
// or `kubectl debug node/...` by hand) receives the very same plan as JSON, never a re-parsed command line.
import { isIP } from 'node:net';
import { UsageError } from '../cli/errors.ts';
import { parseTarget } from './target.ts';
import type { Target } from './types.ts';

export interface PlanItem {
  /** The target as the pod parsed it: host, port (from TARGET, scheme or --port), scheme, and ip once known. */
  target: Target;
}

export interface ProbePlan {
  kind: 'podreach.plan';
  schemaVersion: 1;
  /** Overall budget for each target's probes, ms (--timeout). */
  timeoutMs: number;
  /** --patience: the least wait for a path slower than podreach can measure, ms (probe/rtt.ts). */
  patienceMs?: number;
  items: PlanItem[];
}

/** The overall budget of one target's probes (--timeout), ms. */
export const DEFAULT_TIMEOUT_MS = 2500;
/** Targets probed at once by default: `npm run bench` (sweep) gives 1000 targets in 12 s at 16, 7 s at 32 (86 fds), 4 s at 64. */
export const DEFAULT_CONCURRENCY = 32;

/** Enough for any app's dependencies and a port sweep; a plan travels in a pod's argv. */
export const MAX_PLAN_ITEMS = 5000;
const MAX_PLAN_BYTES = 1 << 20;

/** With --patience, the budget grows to hold two of its waits (DNS, then the probes) and the gateway's. */
export function makePlan(targets: readonly Target[], timeoutMs: number, patienceMs?: number): ProbePlan {
  const items = targets.map((target) => ({ target: { ...target } }));
  if (patienceMs === undefined) return { kind: 'podreach.plan', schemaVersion: 1, timeoutMs, items };
  return { kind: 'podreach.plan', schemaVersion: 1, timeoutMs: Math.max(timeoutMs, 2 * patienceMs + 200), patienceMs, items };
}

/** Compact JSON: one argv word. */
export function encodePlan(plan: ProbePlan): string {
  return JSON.stringify(plan);
}

function bad(why: string): never {
  throw new UsageError(`--plan: ${why}`);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The target as data, checked field by field with the same rules as TARGET on the command line. */
function checkTarget(v: unknown, i: number): Target {
  const at = `items[${i}].target`;
  if (!isObject(v)) bad(`${at} is not an object`);
  const { input, host, ip, port, scheme, portSource } = v;
  if (typeof input !== 'string' || input.length === 0 || input.length > 2048) bad(`${at}.input must be a non-empty string`);
  if (typeof host !== 'string') bad(`${at}.host must be a string`);
  let checked: Target;
  try {
    checked = parseTarget(host.includes(':') ? `[${host}]` : host);
  } catch {
    bad(`${at}.host "${host.slice(0, 80)}" is not a host name or IP address`);
  }
  if (port !== undefined && (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535)) bad(`${at}.port must be 1-65535`);
  if (ip !== undefined && (typeof ip !== 'string' || isIP(ip) === 0)) bad(`${at}.ip must be an IP address`);
  if (scheme !== undefined && (typeof scheme !== 'string' || !/^[a-z][a-z0-9+.-]{0,31}$/.test(scheme))) bad(`${at}.scheme is not a URL scheme`);
  if (portSource !== undefined && portSource !== 'target' && portSource !== 'scheme' && portSource !== 'flag') bad(`${at}.portSource is not target, scheme or flag`);
  const target: Target = { input, host: checked.host };
  if (checked.ip !== undefined) target.ip = checked.ip;
  if (typeof ip === 'string') target.ip = ip;
  if (typeof port === 'number') target.port = port;
  if (typeof scheme === 'string') target.scheme = scheme;
  if (portSource !== undefined) target.portSource = portSource;
  return target;
}

/** A plan from outside (argv, a file): strictly checked, unknown fields dropped. Throws UsageError. */
export function parsePlan(text: string): ProbePlan {
  if (text.length > MAX_PLAN_BYTES) bad(`larger than ${MAX_PLAN_BYTES} bytes`);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    bad('not JSON (expected the plan podreach writes)');
  }
  if (!isObject(v) || v.kind !== 'podreach.plan') bad('not a podreach plan (kind "podreach.plan")');
  if (v.schemaVersion !== 1) bad(`schemaVersion ${String(v.schemaVersion).slice(0, 20)} is not 1`);
  const { timeoutMs, patienceMs, items } = v;
  if (typeof timeoutMs !== 'number' || !Number.isInteger(timeoutMs) || timeoutMs < 200 || timeoutMs > 60_000) bad('timeoutMs must be 200-60000');
  if (patienceMs !== undefined && (typeof patienceMs !== 'number' || !Number.isInteger(patienceMs) || patienceMs < 1 || patienceMs > 20_000)) bad('patienceMs must be 1-20000');
  if (!Array.isArray(items) || items.length === 0) bad('items must be a non-empty list');
  if (items.length > MAX_PLAN_ITEMS) bad(`more than ${MAX_PLAN_ITEMS} items`);
  return {
    kind: 'podreach.plan',
    schemaVersion: 1,
    timeoutMs,
    ...(patienceMs !== undefined ? { patienceMs } : {}),
    items: items.map((item, i) => {
      if (!isObject(item)) bad(`items[${i}] is not an object`);
      return { target: checkTarget(item.target, i) };
    }),
  };
}
