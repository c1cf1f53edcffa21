import type { RttEstimate } from './types.ts';

export type RttBasis = Exclude<RttEstimate['basis'], 'none'>;

/** One round trip observed on the way: what answered and how long it took, ms. */
export interface RttSample {
  basis: RttBasis;
  ms: number;
}

export interface WaitPolicy {
  /** Multiple of the measured RTT to wait before calling the target silent. */
  k: number;
  /** Least wait once the target itself has answered something: its path is measured. */
  floorMs: number;
  /** Least wait while only the gateway (or nothing) has answered: the path beyond it is not measured. */
  blindMs: number;
  /** --patience: the least wait for a path known to be slower than podreach can measure (cross-region peering). */
  patienceMs?: number;
  /** Upper bound, from the overall --timeout. */
  capMs: number;
}

/*
 * The rule (README, "How long podreach waits"): a target is silent once nothing has come back for
 * clamp(k·rtt, floor, cap) since the first packet was sent, rtt being the best round trip measured on
 * the way. k = 8 sits well above RFC 6298's first-sample RTO (srtt + 4·rttvar = 3·rtt). When the target
 * itself has answered (an echo reply, a RST, a SYN-ACK), the path is measured end to end and the floor
 * only covers scheduling on a busy node: 100 ms is a thousand VPC round trips. When only the gateway
 * answered, the path beyond it is unmeasured and the blind floor holds: 350 ms outlasts any path a
 * cloud's intranet has short of intercontinental peering (150 ms each way still answers in time:
 * test/lab, scenario vpc-slow-link). Slower links take --patience. The cap comes from --timeout.
 */
export const DEFAULT_WAIT: WaitPolicy = { k: 8, floorMs: 100, blindMs: 350, capMs: 1200 };

/** Samples from the target itself beat the gateway: they cover the whole path. */
const TARGET_PATH: ReadonlySet<RttBasis> = new Set(['icmp-target', 'tcp-rst', 'tcp-open']);

/** Pure: the best estimate among samples (lowest RTT on the target path, else lowest gateway RTT). */
export function bestSample(samples: readonly RttSample[]): RttSample | null {
  const onPath = samples.filter((s) => TARGET_PATH.has(s.basis));
  const pool = onPath.length > 0 ? onPath : samples;
  let best: RttSample | null = null;
  for (const s of pool) if (best === null || s.ms < best.ms) best = s;
  return best;
}

/** Pure: the silence window = clamp(k·rtt, floor, cap); the blind floor (or --patience) unless the target answered. */
export function waitFor(sample: RttSample | null, p: WaitPolicy): number {
  const blind = Math.max(p.blindMs, p.patienceMs ?? 0);
  const floor = sample !== null && TARGET_PATH.has(sample.basis) ? p.floorMs : blind;
  return Math.round(Math.min(Math.max(p.k * (sample?.ms ?? 0), floor), p.capMs));
}

/**
 * Collects RTT samples while probes run and tells waiters when the wait changes. The TCP and ICMP
 * probes read `waitMs` when they arm their timers and re-arm on every change, so an echo reply arriving
 * 2 ms into a silent connect shortens the wait that connect is already sitting in, and a slow gateway
 * lengthens it.
 */
export class RttTracker {
  readonly policy: WaitPolicy;
  #samples: RttSample[] = [];
  #listeners = new Set<() => void>();

  constructor(policy: Partial<WaitPolicy> = {}) {
    this.policy = { ...DEFAULT_WAIT, ...policy };
  }

  observe(sample: RttSample): void {
    if (!Number.isFinite(sample.ms) || sample.ms < 0) return;
    this.#update(() => this.#samples.push(sample));
  }

  get waitMs(): number {
    return waitFor(bestSample(this.#samples), this.policy);
  }

  get estimate(): RttEstimate {
    const best = bestSample(this.#samples);
    return best
      ? { ms: Math.round(best.ms * 1000) / 1000, basis: best.basis, waitMs: this.waitMs }
      : { ms: null, basis: 'none', waitMs: this.waitMs };
  }

  /** Lowers the cap (what is left of the run's budget); waiters are told if the wait shrinks. */
  capAt(ms: number): void {
    this.#update(() => (this.policy.capMs = Math.min(this.policy.capMs, ms)));
  }

  /** Applies a change and tells the listeners if it moved the wait. */
  #update(change: () => void): void {
    const before = this.waitMs;
    change();
    if (this.waitMs !== before) for (const fn of [...this.#listeners]) fn();
  }

  /** Calls `fn` whenever `waitMs` changes; returns the unsubscribe function. */
  onChange(fn: () => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }
}
