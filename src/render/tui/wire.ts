// Messages between the main thread (src/cli/tui.ts: probes, terminal) and the live view's thread
// (src/render/tui/ui-worker.tsx: ink). Runs are numbered: r starts run n + 1. Within a run, `i` is the
// target's place in the input (always 0 for one target).
import type { ContextReport } from '../../context/types.ts';
import type { Diagnosis } from '../../diagnose/types.ts';
import type { ProbeEvent, Target } from '../../probe/types.ts';
import type { PodreachReport } from '../report.ts';
import type { Ending } from './screen.tsx';
import type { RunSeed } from './live.ts';

export interface UiStart {
  t: 'start';
  seed: RunSeed;
  /** Several targets: the sweep view, a seed per target (`seed` is the first's). */
  sweep?: SweepStart;
  /** stdin is a terminal: keys work and the screen stays until q. */
  keys: boolean;
  color: boolean;
  columns: number;
  rows: number;
  maxFps: number;
}

export interface SweepStart {
  seeds: RunSeed[];
  /** What a probed target's report is waiting for: "the other targets", "node/API". */
  waiting: string;
  /** Where each target came from (-f FILE, env VAR; undefined: an argument). */
  origins?: (string | undefined)[];
}

export type ToUi =
  | UiStart
  | { t: 'event'; n: number; i: number; e: ProbeEvent }
  | { t: 'context'; n: number; i: number; context: ContextReport; target: Target }
  /** A target's pod probes are over; `soFar`: their verdict alone, until the report comes. */
  | { t: 'probed'; n: number; i: number; soFar: Diagnosis }
  | { t: 'done'; n: number; i: number; report: PodreachReport }
  /** The whole run failed: every target's. */
  | { t: 'error'; n: number; message: string }
  | { t: 'keys'; data: string }
  | { t: 'resize'; columns: number; rows: number }
  /** A signal reached the process: end the view now. */
  | { t: 'quit' };

export interface UiEnd {
  t: 'end';
  /** 'failed': the view could not load or draw (said on stderr); the main thread prints text instead. */
  ending: Ending | 'failed';
  /** The latest run (r replaces it) and whether it had finished. */
  n: number;
  settled: boolean;
  signalled: boolean;
}

export type FromUi =
  | { t: 'out'; data: string }
  | { t: 'err'; data: string }
  | { t: 'raw'; on: boolean }
  | { t: 'rerun'; n: number }
  | UiEnd;
