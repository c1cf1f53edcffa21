// The TUI path of `diagnose`: probing starts here, in a worker thread, before ink (~0.15 s to import,
// blocking this thread) has loaded, so the first frame already shows probes running and their timers
// keep their clock while ink loads.
import type { PodreachReport } from '../render/report.ts';
import { type LiveRun, type RunSeed, startRun } from '../render/tui/live.ts';
import { type DiagnoseOptions, prepareDiagnose } from './diagnose.ts';
import { runDiagnoseThreaded } from './diagnose-thread.ts';
import { EXIT } from './exit-codes.ts';

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

export async function runTui(targetInput: string, opts: DiagnoseOptions, ui: TuiOptions): Promise<number> {
  const stdout = ui.stdout ?? process.stdout;
  const stdin = ui.stdin ?? process.stdin;
  // Bad input fails here, synchronously, before a worker starts or ink loads (the worker checks again:
  // nothing is sent before its input is known good). The first frame draws this context at once.
  const { target, fileNode, early } = prepareDiagnose(targetInput, opts);
  const seed: RunSeed = { input: targetInput, target, context: early, node: fileNode };
  const begin = (n: number): LiveRun =>
    startRun((hooks) => runDiagnoseThreaded(targetInput, { ...opts, ...hooks }), n, seed);
  const first = begin(1);

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
  // The import blocked this thread: let the worker's queued messages land before the first frame,
  // which then shows the verdict itself when the probes finished while ink loaded.
  await new Promise((r) => setImmediate(r));
  const session = await showTui({
    maxFps: MAX_FPS,
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
