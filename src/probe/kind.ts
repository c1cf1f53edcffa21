// A probe kind: when it starts, how it runs, and how its result reads. The list is kinds/index.ts; run.ts
// schedules whatever that list holds, and the text line, the `probe` summary and the live view's rows read
// every result through its kind. A new probe is one file (see test/unit/probe/one-file.test.ts).
import type { Socket } from 'node:net';
import type { RttTracker } from './rtt.ts';
import type { RunOptions } from './run.ts';
import type { ProbeName, ProbeResults, Target } from './types.ts';

/** What a colour means in a view; the palette decides whether it is painted at all. */
export type Tone = 'good' | 'bad' | 'warn' | 'dim';

/** A result in a view's words: "open", "timeout" ... with a detail and a tone. */
export interface RowOutcome {
  outcome: string;
  detail?: string;
  tone: Tone;
}

/** Where the probes aim, for a row's destination column. */
export interface Aim {
  host: string;
  ip?: string;
  port?: number;
  gateway?: string;
}

/** What a running kind reads and shares: the target as resolved so far, the budget, the RTT samples, earlier results. */
export interface RunState {
  /** The target; DNS sets `ip` once the name resolved. */
  target: Target;
  opts: RunOptions;
  timeoutMs: number;
  /** ms of the run podreach could observe so far (a stall does not count). */
  usedMs(): number;
  tracker: RttTracker;
  gateway?: string;
  /** The IPv6 default route's gateway (zoned when link-local): the RTT baseline for an IPv6 target. */
  gateway6?: string;
  /** The default route's MTU: the full-size probe's size. */
  mtu?: number;
  /** This namespace's addresses (link-local left out), read once per run. */
  addresses(): string[];
  /** Results of the kinds that finished. */
  results: Partial<ProbeResults>;
  /** An open connection TCP handed over for the application exchange. */
  connected?: Socket;
}

export interface ProbeKind<N extends ProbeName = ProbeName> {
  name: N;
  /** The kind it waits for: it starts once that one finished, was cut short, or did not apply. A function decides at the run's start. */
  after?: ProbeName | ((s: RunState) => ProbeName | undefined);
  /** Starts the probe; undefined when it does not apply to this target (then it has no row and no result). */
  start(s: RunState): Promise<ProbeResults[N]> | undefined;
  /** This result answers the question by itself: kinds with `late` are waited for no longer than their grace. */
  settles?(r: ProbeResults[N]): boolean;
  /** Once the question is settled: how much longer it is waited for, and what is reported if it does not come. */
  late?: { graceMs(s: RunState): number; value(atMs: number): ProbeResults[N] | undefined };
  /** The row's label: "ping", "tcp/80". */
  label(aim: Aim, r?: ProbeResults[N]): string;
  /** What it probes: a name, an IP, IP:port. */
  dest(aim: Aim, r?: ProbeResults[N]): string;
  /** One clause of the text mode's probe line: "tcp/80 open 1.2 ms, 1 attempt". */
  text(r: ProbeResults[N]): string;
  /** The `podreach probe` summary's few words ("tcp/80 open"); none = not in the summary. */
  brief?(r: ProbeResults[N]): string;
  row(r: ProbeResults[N]): RowOutcome;
  /** Leave the finished row out of a report's rows (a ping never sent because DNS failed). */
  hidden?(r: ProbeResults[N], results: Partial<ProbeResults>): boolean;
}

/** A kind module: keeps its name as a literal type and its result type tied to it. */
export function defineProbe<N extends ProbeName>(kind: ProbeKind<N>): ProbeKind<N> {
  return kind;
}

/** A list of kinds whatever their names (a kind's methods take its own result type). */
export type AnyProbeKind = ProbeKind<any>;
