// One diagnosis run as the TUI sees it: probe events as they arrive, the context once it is known,
// then the report. No React here: src/cli/tui.ts creates the first run before ink has loaded.
import type { ContextReport } from '../../context/types.ts';
import type { Diagnosis } from '../../diagnose/types.ts';
import type { ProbeEvent, ProbeReport, Target } from '../../probe/types.ts';
import type { PodreachReport } from '../report.ts';

export interface RunHooks {
  onEvent: (e: ProbeEvent) => void;
  onContext: (context: ContextReport, target: Target) => void;
  /** The pod's probes are over, with their verdict alone; the report waits for the rest of the run (other targets, node, API). */
  onProbed: (soFar?: Diagnosis) => void;
}

export interface RunSnapshot {
  /** Counts runs in this session (r re-runs): 1, 2, ... */
  n: number;
  /** TARGET as typed: known before the run has parsed anything. */
  input?: string;
  events: readonly ProbeEvent[];
  context?: ContextReport;
  target?: Target;
  /** The node's probe report (--node-report), read before probing starts. */
  node?: ProbeReport;
  /** The pod's probes are over (a target of several: its report comes with the others'). */
  probed?: boolean;
  /** The verdict of the pod's probes alone, until the report brings the node's and the API's view. */
  soFar?: Diagnosis;
  report?: PodreachReport;
  error?: Error;
}

export interface LiveRun {
  readonly done: Promise<PodreachReport>;
  snapshot(): RunSnapshot;
  /** Calls fn on every change; returns the unsubscribe function. */
  subscribe(fn: (s: RunSnapshot) => void): () => void;
}

export type StartRun = (hooks: RunHooks) => Promise<PodreachReport>;

/** What the caller knows before the run reports anything: drawn in the first frame. */
export type RunSeed = Pick<RunSnapshot, 'input' | 'node' | 'context' | 'target'>;

/** Starts a run at once; events that arrive before anyone subscribes are kept in the snapshot. */
export function startRun(start: StartRun, n = 1, seed: RunSeed = {}): LiveRun {
  let snap: RunSnapshot = { n, events: [], ...seed };
  const listeners = new Set<(s: RunSnapshot) => void>();
  const update = (patch: Partial<RunSnapshot>): void => {
    snap = { ...snap, ...patch };
    for (const fn of listeners) fn(snap);
  };
  const hooks: RunHooks = {
    onEvent: (e) => update({ events: [...snap.events, e] }),
    onContext: (context, target) => update({ context, target }),
    onProbed: (soFar) => update({ probed: true, ...(soFar ? { soFar } : {}) }),
  };
  let done: Promise<PodreachReport>;
  try {
    done = start(hooks);
  } catch (e) {
    done = Promise.reject(e);
  }
  done.then(
    (report) => update({ report }),
    (e: unknown) => update({ error: e instanceof Error ? e : new Error(String(e)) }),
  );
  return {
    done,
    snapshot: () => snap,
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  };
}

/** Several targets diagnosed in one run (podreach diagnose T1 T2 ...): a LiveRun each, in input order. */
export interface SweepRun {
  n: number;
  targets: readonly LiveRun[];
}
