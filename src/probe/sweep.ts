// Runs a whole plan: every target probed with bounded concurrency, each address pinged (and its path MTU
// tried) once however many targets (ports) share it, the gateway once for all; silences that are a router's
// ICMP rate limit are asked again.
import { probeIcmp, type IcmpOptions } from './icmp.ts';
import { probePathMtu } from './pmtu.ts';
import { DEFAULT_CONCURRENCY, type ProbePlan } from './plan.ts';
import { type RunOptions, runProbes } from './run.ts';
import { localAddresses } from '../net/host.ts';
import { subnetOf } from '../net/ip.ts';
import type { IcmpResult, ProbeEvent, ProbeReport } from './types.ts';


export interface PlanOptions extends Omit<RunOptions, 'timeoutMs' | 'onEvent' | 'icmp' | 'pmtu'> {
  concurrency?: number;
  onEvent?: (index: number, e: ProbeEvent) => void;
  /** Called as each target's report is in (in completion order). */
  onReport?: (index: number, report: ProbeReport) => void;
}

/** Calls `fn` once per key: the second target on the same address gets the first's answer. */
function once<A extends unknown[], R>(fn: (...a: A) => Promise<R>, key: (...a: A) => string): (...a: A) => Promise<R> {
  const seen = new Map<string, Promise<R>>();
  return (...a: A) => {
    const k = key(...a);
    let p = seen.get(k);
    if (!p) {
      p = fn(...a);
      seen.set(k, p);
    }
    return p;
  };
}

/** ICMP, and the full-size probe, once per address (and size) for all the targets on it. */
export function sharedProbes(): Required<Pick<RunOptions, 'icmp' | 'pmtu' | 'addresses'>> {
  let addresses: string[] | undefined;
  return {
    icmp: once(probeIcmp, (ip: string, o?: IcmpOptions) => `${ip} ${JSON.stringify(o ?? null)}`),
    pmtu: once(probePathMtu, (ip: string, mtu: number) => `${ip} ${mtu}`),
    addresses: () => (addresses ??= localAddresses()),
  };
}

/** Runs `fn` over `items` with at most `limit` in flight; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

/**
 * A router sends one host only a burst of ICMP errors, then about one a second (Linux: a per-source token
 * bucket; an unroutable packet is charged twice, by the route error and by the ICMP send, so one every two
 * seconds): in a sweep, the targets behind one missing route after the first few get silence, not "network
 * unreachable", and would read as a firewall drop. A silent target next to one that did get the error (same
 * /24, or /64) is asked again, one echo at a time, a refill apart; at most MAX_REASKS of them (bounded time).
 */
const ICMP_REFILL_MS = 2200;
const MAX_REASKS = 3;
const REASK: IcmpOptions = { count: 1, intervalS: 0.2, waitS: 1 };

function neighbourhood(ip: string): string {
  return subnetOf(ip, ip.includes(':') ? 64 : 24);
}

export async function reaskRateLimited(reports: ProbeReport[], ping: typeof probeIcmp = probeIcmp, refillMs = ICMP_REFILL_MS): Promise<ProbeReport[]> {
  const errored = new Set(reports.filter((r) => r.icmp.status === 'unreachable' && r.target.ip).map((r) => neighbourhood(r.target.ip as string)));
  if (errored.size === 0) return reports;
  const silent = reports
    .map((r, i) => [r, i] as const)
    .filter(([r]) => r.icmp.status === 'no-reply' && r.target.ip && (!r.tcp || r.tcp.status === 'timeout') && errored.has(neighbourhood(r.target.ip)));
  const out = [...reports];
  const asked = new Map<string, Promise<IcmpResult>>();
  for (const [r, i] of silent.slice(0, MAX_REASKS)) {
    const ip = r.target.ip as string;
    let again = asked.get(ip);
    if (!again) {
      // The first pass has just spent the bucket: a refill before each asking, the first one too.
      await new Promise((ok) => setTimeout(ok, refillMs));
      again = ping(ip, REASK);
      asked.set(ip, again);
    }
    const got = await again;
    if (got.status === 'unreachable') {
      out[i] = { ...r, icmp: { ...r.icmp, status: 'unreachable', detail: `${got.detail ?? ''} (asked again: the first echoes met the router's ICMP rate limit)`.trim() } };
    }
  }
  return out;
}

/** Probes every item of the plan from here; reports in plan order. Never rejects. */
export async function runPlan(plan: ProbePlan, opts: PlanOptions): Promise<ProbeReport[]> {
  const shared = sharedProbes();
  const { concurrency = DEFAULT_CONCURRENCY, onEvent, onReport, ...run } = opts;
  const reports = await mapLimit(
    plan.items,
    concurrency,
    async (item, i) => {
      const report = await runProbes(item.target, {
        ...run,
        timeoutMs: plan.timeoutMs,
        patienceMs: plan.patienceMs,
        ...shared,
        addresses: run.addresses ?? shared.addresses,
        onEvent: onEvent ? (e) => onEvent(i, e) : undefined,
      });
      onReport?.(i, report);
      return report;
    },
  );
  return reports.length > 1 ? reaskRateLimited(reports, shared.icmp) : reports;
}
