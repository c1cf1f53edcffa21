// The TUI path of `diagnose`: probing starts here, before ink (~0.4 s to import) has loaded, so the
// first frame already shows probes running and the TUI adds nothing to time-to-verdict.
import type { ProbeReport } from '../probe/types.ts';
import type { PodreachReport } from '../render/report.ts';
import { type LiveRun, type RunSnapshot, startRun } from '../render/tui/live.ts';
import { type DiagnoseOptions, readNodeReport } from './diagnose.ts';
import { runDiagnoseThreaded } from './diagnose-thread.ts';
import { EXIT } from './exit-codes.ts';

export interface TuiOptions {
  color: boolean;
  stdout?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
  /** The bundled diagnosis worker: probes keep their clock while ink loads on this thread. */
  workerUrl?: URL;
}

/** 128 + SIGINT, as a shell reports a Ctrl-C'd command. */
const EXIT_INTERRUPTED = 130;

const ready = (s: RunSnapshot): boolean => Boolean(s.context || s.error || s.report);

/** The run has validated its input (context known) or failed; bounded so the UI never waits long. */
function untilContextOrError(run: LiveRun): Promise<void> {
  if (ready(run.snapshot())) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, 500);
    // A settled run has its report or error in the snapshot, so this also ends the wait on failure.
    const off = run.subscribe((s) => ready(s) && done());
    function done() {
      clearTimeout(timer);
      off();
      resolve();
    }
  });
}

export async function runTui(targetInput: string, opts: DiagnoseOptions, ui: TuiOptions): Promise<number> {
  const stdout = ui.stdout ?? process.stdout;
  const stdin = ui.stdin ?? process.stdin;
  let node: ProbeReport | undefined;
  try {
    node = opts.nodeReport ? readNodeReport(opts.nodeReport) : undefined;
  } catch {
    // runDiagnose reports the same error in its own words
  }
  const begin = (n: number): LiveRun =>
    startRun((hooks) => runDiagnoseThreaded(targetInput, { ...opts, ...hooks }, ui.workerUrl), n, node, targetInput);
  const first = begin(1);
  // Bad input fails before probing starts: say so without loading ink at all.
  await untilContextOrError(first);
  const early = first.snapshot().error;
  if (early) throw early;

  // ink paints through chalk, which turns colour off whenever CI is set, even in a real terminal.
  // Colour is our decision (TTY, NO_COLOR, --no-color): tell chalk before ink loads it.
  process.env.FORCE_COLOR = ui.color ? '1' : '0';
  let showTui: typeof import('../render/tui/app.tsx').showTui;
  try {
    ({ showTui } = await import('../render/tui/app.tsx'));
  } catch (e) {
    // Only unbundled (node src/cli/main.ts): Node strips types but does not compile JSX.
    if ((e as NodeJS.ErrnoException).code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw e;
    const report = await first.done;
    const { renderText, COLOR, PLAIN } = await import('../render/text.ts');
    stdout.write(renderText(report, ui.color ? COLOR : PLAIN));
    return verdictCode(report);
  }
  const session = await showTui({
    first,
    rerun: begin,
    keys: stdin.isTTY === true,
    color: ui.color,
    stdout,
    stdin,
  });

  if (session.ending === 'interrupted') {
    // Ctrl-C read as a key in raw mode: raise the real SIGINT so main's handler cleans up what
    // podreach created (the node-probe pod) exactly as for a signal; it ends the process itself.
    if (!session.signalled) process.kill(process.pid, 'SIGINT');
    await session.done?.catch(() => {});
    return EXIT_INTERRUPTED;
  }
  if (!session.settled) {
    // q before the verdict: probes may still be in flight (each is bounded, but why wait).
    await flush(stdout);
    process.exit(EXIT_INTERRUPTED);
  }
  if (session.error) throw session.error;
  if (!session.report) return EXIT.failed;
  if (session.ending === 'json') stdout.write(`${JSON.stringify(session.report, null, 2)}\n`);
  return verdictCode(session.report);
}

const verdictCode = (r: PodreachReport): number => (r.diagnosis.reachable ? EXIT.reachable : EXIT.notReachable);

function flush(s: NodeJS.WriteStream): Promise<void> {
  return new Promise((r) => (s.writableLength === 0 ? r() : s.write('', () => r())));
}
