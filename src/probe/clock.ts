// The process's own clock of "time it could see". A wait that says "nothing came back in 300 ms" is
// only true if podreach was running for those 300 ms: a CPU-throttled pod, a stopped process (SIGSTOP,
// a debugger, a frozen cgroup) or a long GC pause lets the wall clock run while no answer can be read.
// A sampler timer measures when the event loop could not run (its ticks come late: timer drift), and
// waits count only the time outside those stalls.
import { performance } from 'node:perf_hooks';

const TICK_MS = 10;
/** Lateness below this is ordinary timer jitter on a busy node, not a stall. */
const JITTER_MS = 20;
/** A wait is stretched by at most this much: a process starved for longer reports its timeout as uncertain. */
export const MAX_STRETCH_MS = 3000;
/** Stall in a probe's wait worth reporting, ms. */
export const STALL_NOTE_MS = 50;

interface Gap {
  from: number;
  to: number;
}

const overlap = (g: Gap, from: number, to: number): number => Math.max(0, Math.min(g.to, to) - Math.max(g.from, from));

/** Timer-drift sampler: records the spans during which the event loop did not run. */
class LoopClock {
  #gaps: Gap[] = [];
  #last = 0;
  #timer: NodeJS.Timeout | undefined;
  #holders = 0;

  /** Starts sampling (if not already) for as long as the returned release has not been called. */
  hold(): () => void {
    if (this.#holders++ === 0) {
      this.#last = performance.now();
      this.#timer = setInterval(this.#tick, TICK_MS).unref();
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.#holders === 0) {
        clearInterval(this.#timer);
        this.#gaps = [];
      }
    };
  }

  #tick = (): void => {
    const now = performance.now();
    if (now - this.#last - TICK_MS > JITTER_MS) this.#gaps.push({ from: this.#last + TICK_MS, to: now });
    this.#last = now;
  };

  /** ms within [from, to] during which the event loop could not run (0 when nobody holds the clock). */
  stalled(from: number, to: number = performance.now()): number {
    if (this.#holders === 0) return 0;
    let sum = 0;
    for (const g of this.#gaps) sum += overlap(g, from, to);
    // The gap still open: we are inside a late callback and the sampler has not caught up yet.
    const open: Gap = { from: this.#last + TICK_MS, to: performance.now() };
    if (open.to - open.from > JITTER_MS) sum += overlap(open, from, to);
    return Math.round(sum);
  }
}

export const loopClock = new LoopClock();

/** What a wait saw: its wall time, the stall within it, and the rest (what the process could observe). */
export interface WaitSeen {
  ms: number;
  stalledMs: number;
  observedMs: number;
}

export function seen(since: number, now: number = performance.now()): WaitSeen {
  const stalledMs = loopClock.stalled(since, now);
  return { ms: Math.round(now - since), stalledMs, observedMs: Math.max(0, Math.round(now - since - stalledMs)) };
}

/** Adds `stalledMs` (and `observedMs`, for a timeout) to a result when the process was stalled during it. */
export function withStall<T extends object>(result: T, w: WaitSeen, timedOut: boolean): T {
  if (w.stalledMs < STALL_NOTE_MS) return result;
  return { ...result, stalledMs: w.stalledMs, ...(timedOut ? { observedMs: w.observedMs } : {}) };
}

/**
 * Calls `fire` once `wait()` ms of observed time have passed since `since` (performance.now()): time
 * the event loop could not run does not count, up to MAX_STRETCH_MS more. `wait` is re-read at every
 * check (the TCP wait shrinks as RTT samples arrive). The decision is taken in the check phase
 * (setImmediate), after the I/O poll: an answer that arrived while the process was stopped is read
 * before a late timer can call it silence. Returns the cancel function. Holds the loop clock meanwhile.
 */
export function observedTimeout(since: number, wait: () => number, fire: () => void): () => void {
  const release = loopClock.hold();
  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;
  const cancel = (): void => {
    clearTimeout(timer);
    clearImmediate(immediate);
    release();
  };
  const check = (): void => {
    const now = performance.now();
    const left = wait() - (now - since - loopClock.stalled(since, now));
    const stretchedOut = now - since - wait() >= MAX_STRETCH_MS;
    if (left <= 0 || stretchedOut) {
      cancel();
      fire();
    } else {
      timer = setTimeout(() => (immediate = setImmediate(check)), Math.max(1, left));
    }
  };
  const first = Math.max(0, since + wait() - performance.now());
  timer = setTimeout(() => (immediate = setImmediate(check)), first);
  return cancel;
}
