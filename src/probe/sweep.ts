// Runs a whole plan: every target probed with bounded concurrency, each address pinged (and its path MTU
// tried) once however many targets (ports) share it, the gateway once for all.
import { probeIcmp, type IcmpOptions } from './icmp.ts';
import { probePathMtu } from './pmtu.ts';
import type { ProbePlan } from './plan.ts';
import { type RunOptions, runProbes } from './run.ts';
import type { ProbeEvent, ProbeReport } from './types.ts';

/** Targets probed at once by default: see `npm run bench` (sweep). */
export const DEFAULT_CONCURRENCY = 16;

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
export function sharedProbes(): Pick<RunOptions, 'icmp' | 'pmtu'> {
  return {
    icmp: once(probeIcmp, (ip: string, o?: IcmpOptions) => `${ip} ${JSON.stringify(o ?? null)}`),
    pmtu: once(probePathMtu, (ip: string, mtu: number) => `${ip} ${mtu}`),
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

/** Probes every item of the plan from here; reports in plan order. Never rejects. */
export async function runPlan(plan: ProbePlan, opts: PlanOptions): Promise<ProbeReport[]> {
  const shared = sharedProbes();
  const { concurrency = DEFAULT_CONCURRENCY, onEvent, onReport, ...run } = opts;
  return mapLimit(
    plan.items,
    concurrency,
    async (item, i) => {
      const report = await runProbes(item.target, {
        ...run,
        timeoutMs: plan.timeoutMs,
        ...shared,
        onEvent: onEvent ? (e) => onEvent(i, e) : undefined,
      });
      onReport?.(i, report);
      return report;
    },
  );
}
