// The live view's main thread. The probes run here, exactly as in text mode, and start before the view
// has loaded; the view (ink, ~150 ms of CPU to load and draw) runs in its own thread
// (src/render/tui/ui-worker.tsx, started early by the entry) and this thread relays the terminal to it.
import { Worker } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import type { PodreachReport } from '../render/report.ts';
import type { RunSeed } from '../render/tui/live.ts';
import type { FromUi, ToUi, UiEnd } from '../render/tui/wire.ts';
import { type DiagnoseOptions, prepareDiagnose, runDiagnose } from './diagnose.ts';
import { EXIT } from './exit-codes.ts';
import { bundledUi, claimSpareUi } from './prestart.ts';

export interface TuiOptions {
  color: boolean;
  stdout?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
}

/** 128 + SIGINT, as a shell reports a Ctrl-C'd command. */
const EXIT_INTERRUPTED = 130;
const SIGNAL_NUMBERS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;
/** The first signal that ended the view, if one did. */
let caught: keyof typeof SIGNAL_NUMBERS | undefined;

/**
 * ink re-renders at most this often. Its default (30) defers the frame after a change by up to 34 ms:
 * the verdict would wait behind a spinner frame. Changes come from probe events and the 80 ms spinner.
 */
const MAX_FPS = 250;

const SHOW_CURSOR = '\u001B[?25h';

/**
 * The live view of one target, or of several (a table; Enter opens a target's screen). Resolves with the
 * exit code: the verdict's (all reachable → 0), 130 when interrupted.
 */
export async function runTui(inputs: readonly string[], opts: DiagnoseOptions, ui: TuiOptions): Promise<number> {
  const stdout = ui.stdout ?? process.stdout;
  const stdin = ui.stdin ?? process.stdin;
  // Bad input fails here, before anything is sent or drawn.
  const prepared = await prepareDiagnose(inputs, opts);
  const { targets, fileNodes, early } = prepared;
  const several = targets.length > 1;
  const url = bundledUi();
  if (!url) {
    const t0 = performance.now();
    return printText(await runDiagnose(inputs, opts, prepared), performance.now() - t0, opts.version, ui.color, stdout);
  }

  const view = claimSpareUi() ?? new Worker(url);
  const post = (m: ToUi) => view.postMessage(m);
  const seeds: RunSeed[] = targets.map((target, i) => ({ input: target.input, target, context: early, node: fileNodes[i] }));
  // A probed target's report waits for the slowest target's probes, and for the node probe and API when used.
  const waiting = opts.kube === false ? 'the other targets' : 'the other targets, node and API';
  post({
    t: 'start',
    seed: seeds[0] as RunSeed,
    sweep: several ? { seeds, waiting, origins: opts.origins?.slice() } : undefined,
    keys: stdin.isTTY === true,
    color: ui.color,
    columns: stdout.columns ?? 80,
    rows: stdout.rows ?? 24,
    maxFps: MAX_FPS,
  });
  const runs = new Map<number, { done: Promise<PodreachReport[]>; ms: number }>();
  const begin = (n: number): void => {
    const t0 = performance.now();
    // A re-run (r) reads the pod's context afresh; the first one starts from what was just checked.
    const done = runDiagnose(
      inputs,
      {
        ...opts,
        onEvent: (e, i) => post({ t: 'event', n, i, e }),
        onContext: (context, first) => targets.forEach((t, i) => post({ t: 'context', n, i, context, target: i === 0 ? first : t })),
        onProbed: several ? (i, soFar) => post({ t: 'probed', n, i, soFar }) : undefined,
      },
      n === 1 ? prepared : undefined,
    );
    const run = { done, ms: 0 };
    done.then(
      (reports) => {
        run.ms = performance.now() - t0;
        reports.forEach((report, i) => post({ t: 'done', n, i, report }));
      },
      (e: unknown) => post({ t: 'error', n, message: (e as Error).message }),
    );
    runs.set(n, run);
  };
  begin(1);

  const end = await relay(view, stdout, stdin, begin);
  void view.terminate();
  const run = runs.get(end.n) ?? runs.get(1)!;
  if (end.ending === 'failed') return printText(await run.done, run.ms, opts.version, ui.color, stdout);
  if (end.ending === 'interrupted') {
    // Ctrl-C read as a key in raw mode: raise the real SIGINT so main's handler cleans up what
    // podreach created (the node-probe pod) exactly as for a signal; it ends the process itself.
    if (!end.signalled) process.kill(process.pid, 'SIGINT');
    await run.done.catch(() => {});
    // The signal's own conventional code (SIGTERM 143, SIGHUP 129), as main's handler gives it.
    return caught ? 128 + SIGNAL_NUMBERS[caught] : EXIT_INTERRUPTED;
  }
  if (!end.settled) {
    // q before the verdict: probes may still be in flight (each is bounded, but why wait).
    await flush(stdout);
    process.exit(EXIT_INTERRUPTED);
  }
  const reports = await run.done;
  if (end.ending === 'json') stdout.write(`${JSON.stringify(several ? await sweepOf(reports, run.ms, opts.version) : reports[0], null, 2)}\n`);
  return verdictCode(reports);
}

/**
 * Relays the view's output, raw mode and re-runs, the keyboard and the window size, until the view
 * ends. Signals end the view first; whatever way the process ends, the terminal is left usable.
 */
function relay(view: Worker, stdout: NodeJS.WriteStream, stdin: NodeJS.ReadStream, rerun: (n: number) => void): Promise<UiEnd> {
  const post = (m: ToUi) => view.postMessage(m);
  let raw = false;
  let drawn = false;
  const onKeys = (d: Buffer | string) => post({ t: 'keys', data: d.toString() });
  const setRaw = (on: boolean): void => {
    if (stdin.isTTY !== true || raw === on) return;
    raw = on;
    stdin.setRawMode(on);
    if (on) stdin.on('data', onKeys).resume();
    else stdin.off('data', onKeys).pause();
  };
  const onResize = () => post({ t: 'resize', columns: stdout.columns, rows: stdout.rows });
  const onSignal = (sig: keyof typeof SIGNAL_NUMBERS) => {
    caught ??= sig;
    post({ t: 'quit' });
  };
  // Ending without the view's own clean-up (a signal's quick exit): cooked mode, visible cursor.
  const onExit = () => {
    setRaw(false);
    if (drawn) stdout.write(SHOW_CURSOR);
  };
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const s of signals) process.on(s, onSignal);
  process.on('exit', onExit);
  stdout.on('resize', onResize);
  return new Promise<UiEnd>((resolve, reject) => {
    view.on('message', (m: FromUi) => {
      if (m.t === 'out') {
        drawn = true;
        stdout.write(m.data);
      } else if (m.t === 'err') process.stderr.write(m.data);
      else if (m.t === 'raw') setRaw(m.on);
      else if (m.t === 'rerun') rerun(m.n);
      else resolve(m);
    });
    view.on('error', reject);
    view.on('exit', (code) => reject(new Error(`live view ended (${code}) without a verdict`)));
  }).finally(() => {
    setRaw(false);
    for (const s of signals) process.off(s, onSignal);
    process.off('exit', onExit);
    stdout.off('resize', onResize);
  });
}

/** The live view could not run (unbundled: Node strips types but does not compile JSX; or it failed). */
async function printText(reports: PodreachReport[], ms: number, version: string, color: boolean, stdout: NodeJS.WriteStream): Promise<number> {
  const { renderText, COLOR, PLAIN } = await import('../render/text.ts');
  const paint = color ? COLOR : PLAIN;
  const [only] = reports;
  if (reports.length === 1 && only) stdout.write(renderText(only, paint));
  else {
    const { renderSweepText } = await import('../render/sweep.ts');
    stdout.write(renderSweepText(await sweepOf(reports, ms, version), paint));
  }
  return verdictCode(reports);
}

async function sweepOf(reports: PodreachReport[], ms: number, version: string) {
  const { buildSweep } = await import('../render/sweep.ts');
  return buildSweep(version, reports, ms);
}

/** The sweep's exit code as text mode's: 0 only when every target is reachable. */
const verdictCode = (reports: PodreachReport[]): number => (reports.every((r) => r.diagnosis.reachable) ? EXIT.reachable : EXIT.notReachable);

function flush(s: NodeJS.WriteStream): Promise<void> {
  return new Promise((r) => (s.writableLength === 0 ? r() : s.write('', () => r())));
}
