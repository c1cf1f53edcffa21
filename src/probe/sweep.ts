// Runs a whole plan: every target probed with bounded concurrency, each address pinged once however many
// targets (ports) share it, the gateway once for all.
import { probeIcmp, type IcmpOptions } from './icmp.ts';
import type { ProbePlan } from './plan.ts';
import { type RunOptions, runProbes } from './run.ts';
import type { IcmpResult, ProbeEvent, ProbeReport } from './types.ts';

/** Targets probed at once by default: see `npm run bench` (sweep). */
export const DEFAULT_CONCURRENCY = 16;

export interface PlanOptions extends Omit<RunOptions, 'timeoutMs' | 'onEvent' | 'icmp'> {
  concurrency?: number;
  onEvent?: (index: number, e: ProbeEvent) => void;
  /** Called as each target's report is in (in completion order). */
  onReport?: (index: number, report: ProbeReport) => void;
}

/** One echo run per (address, options): the second target on the same address gets the first's answer. */
export function sharedPing(): typeof probeIcmp {
  const seen = new Map<string, Promise<IcmpResult>>();
  return (ip: string, o?: IcmpOptions) => {
    const key = `${ip} ${JSON.stringify(o ?? null)}`;
    let p = seen.get(key);
    if (!p) {
      p = probeIcmp(ip, o);
      seen.set(key, p);
    }
    return p;
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
  const icmp = sharedPing();
  const { concurrency = DEFAULT_CONCURRENCY, onEvent, onReport, ...run } = opts;
  return mapLimit(
    plan.items,
    concurrency,
    async (item, i) => {
      const report = await runProbes(item.target, {
        ...run,
        timeoutMs: plan.timeoutMs,
        icmp,
        onEvent: onEvent ? (e) => onEvent(i, e) : undefined,
      });
      onReport?.(i, report);
      return report;
    },
  );
}
