// Messages between the main thread (src/cli/tui.ts: probes, terminal) and the live view's thread
// (src/render/tui/ui-worker.tsx: ink). Runs are numbered: r starts run n + 1.
import type { ContextReport } from '../../context/types.ts';
import type { ProbeEvent, Target } from '../../probe/types.ts';
import type { PodreachReport } from '../report.ts';
import type { Ending } from './app.tsx';
import type { RunSeed } from './live.ts';

export interface UiStart {
  t: 'start';
  seed: RunSeed;
  /** stdin is a terminal: keys work and the screen stays until q. */
  keys: boolean;
  color: boolean;
  columns: number;
  rows: number;
  maxFps: number;
}

export type ToUi =
  | UiStart
  | { t: 'event'; n: number; e: ProbeEvent }
  | { t: 'context'; n: number; context: ContextReport; target: Target }
  | { t: 'done'; n: number; report: PodreachReport }
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
