import type { RttEstimate } from './types.ts';

export type RttBasis = Exclude<RttEstimate['basis'], 'none'>;

/** One round trip observed on the way: what answered and how long it took, ms. */
export interface RttSample {
  basis: RttBasis;
  ms: number;
}

export interface WaitPolicy {
  /** Multiple of the RTT to wait before calling an attempt silent. */
  k: number;
  floorMs: number;
  /** Wait while nothing has answered yet. */
  noSampleMs: number;
  /** Upper bound, from the overall --timeout. */
  capMs: number;
}

/*
 * Why these numbers. Linux starts a SYN with a 1 s RTO only because it knows nothing about the path;
 * we usually do. A SYN-ACK needs one RTT plus the peer's accept-path work, and the sample we have may
 * come from the gateway (a shorter path than the target), so k = 8 sits well above RFC 6298's
 * first-sample RTO of srtt + 4·rttvar = 3·rtt. Cloud VPC RTTs are sub-ms to a few ms and cross-region
 * peering tens of ms, so k·rtt is almost always below the floor: 300 ms covers a 30 ms path ten times
 * over plus scheduling stalls on a busy 2-core node, and a slow path (≥ 40 ms) raises the wait itself.
 * With nothing answering at all we know nothing, so we wait longer (500 ms); the ICMP probe's own
 * 1 s deadline (the shortest iputils allows) bounds the run anyway.
 */
export const DEFAULT_WAIT: WaitPolicy = { k: 8, floorMs: 300, noSampleMs: 500, capMs: 1200 };

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

/** Pure: wait = clamp(k·rtt, floor, cap), or the no-sample wait (capped) when nothing answered. */
export function waitFor(rttMs: number | null, p: WaitPolicy): number {
  if (rttMs === null) return Math.round(Math.min(p.noSampleMs, p.capMs));
  return Math.round(Math.min(Math.max(p.k * rttMs, p.floorMs), p.capMs));
}

/**
 * Collects RTT samples while probes run and tells waiters when the wait changes. The TCP probe reads
 * `waitMs` when it arms its timer and re-arms on every change, so a gateway reply arriving 2 ms into
 * a silent connect shortens the wait that connect is already sitting in.
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
    return waitFor(bestSample(this.#samples)?.ms ?? null, this.policy);
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
