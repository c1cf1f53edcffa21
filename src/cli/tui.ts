// The live view's main thread. The probes run here, exactly as in text mode, and start before the view
// has loaded; the view (ink, ~150 ms of CPU to load and draw) runs in its own thread
// (src/render/tui/ui-worker.tsx, started early by the entry) and this thread relays the terminal to it.
import { Worker } from 'node:worker_threads';
import type { Target } from '../probe/types.ts';
import type { PodreachReport } from '../render/report.ts';
import type { FromUi, ToUi, UiEnd } from '../render/tui/wire.ts';
import { type DiagnoseOptions, type Prepared, prepareDiagnose, runDiagnose } from './diagnose.ts';
import { EXIT } from './exit-codes.ts';
import { bundledUi, claimSpareUi } from './prestart.ts';

export interface TuiOptions {
  color: boolean;
  stdout?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
}

/** 128 + SIGINT, as a shell reports a Ctrl-C'd command. */
const EXIT_INTERRUPTED = 130;

/**
 * ink re-renders at most this often. Its default (30) defers the frame after a change by up to 34 ms:
 * the verdict would wait behind a spinner frame. Changes come from probe events and the 80 ms spinner.
 */
const MAX_FPS = 250;

const SHOW_CURSOR = '\u001B[?25h';

export async function runTui(targetInput: string, opts: DiagnoseOptions, ui: TuiOptions): Promise<number> {
  const stdout = ui.stdout ?? process.stdout;
  const stdin = ui.stdin ?? process.stdin;
  // Bad input fails here, before anything is sent or drawn.
  const prepared = await prepareDiagnose([targetInput], opts);
  const { targets, fileNodes, early } = prepared;
  const target = targets[0] as Target;
  const fileNode = fileNodes[0];
  const one = async (o: DiagnoseOptions, p?: Prepared) => (await runDiagnose([targetInput], o, p))[0] as PodreachReport;
  const url = bundledUi();
  if (!url) return printText(await one(opts, prepared), ui.color, stdout);

  const view = claimSpareUi() ?? new Worker(url);
  const post = (m: ToUi) => view.postMessage(m);
  post({
    t: 'start',
    seed: { input: targetInput, target, context: early, node: fileNode },
    keys: stdin.isTTY === true,
    color: ui.color,
    columns: stdout.columns ?? 80,
    rows: stdout.rows ?? 24,
    maxFps: MAX_FPS,
  });
  const runs = new Map<number, Promise<PodreachReport>>();
  const begin = (n: number): void => {
    // A re-run (r) reads the pod's context afresh; the first one starts from what was just checked.
    const done = one(
      { ...opts, onEvent: (e) => post({ t: 'event', n, e }), onContext: (context, t) => post({ t: 'context', n, context, target: t }) },
      n === 1 ? prepared : undefined,
    );
    done.then(
      (report) => post({ t: 'done', n, report }),
      (e: unknown) => post({ t: 'error', n, message: (e as Error).message }),
    );
    runs.set(n, done);
  };
  begin(1);

  const end = await relay(view, stdout, stdin, begin);
  void view.terminate();
  const done = runs.get(end.n) ?? runs.get(1)!;
  if (end.ending === 'failed') return printText(await done, ui.color, stdout);
  if (end.ending === 'interrupted') {
    // Ctrl-C read as a key in raw mode: raise the real SIGINT so main's handler cleans up what
    // podreach created (the node-probe pod) exactly as for a signal; it ends the process itself.
    if (!end.signalled) process.kill(process.pid, 'SIGINT');
    await done.catch(() => {});
    return EXIT_INTERRUPTED;
  }
  if (!end.settled) {
    // q before the verdict: probes may still be in flight (each is bounded, but why wait).
    await flush(stdout);
    process.exit(EXIT_INTERRUPTED);
  }
  const report = await done;
  if (end.ending === 'json') stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  return verdictCode(report);
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
  const onSignal = () => post({ t: 'quit' });
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
async function printText(report: PodreachReport, color: boolean, stdout: NodeJS.WriteStream): Promise<number> {
  const { renderText, COLOR, PLAIN } = await import('../render/text.ts');
  stdout.write(renderText(report, color ? COLOR : PLAIN));
  return verdictCode(report);
}

const verdictCode = (r: PodreachReport): number => (r.diagnosis.reachable ? EXIT.reachable : EXIT.notReachable);

function flush(s: NodeJS.WriteStream): Promise<void> {
  return new Promise((r) => (s.writableLength === 0 ? r() : s.write('', () => r())));
}
