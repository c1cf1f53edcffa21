// The live view runs in a worker thread (src/render/tui/ui-worker.tsx), and a worker takes ~45 ms to
// boot before it can start loading ink. The entry starts it here, before the CLI has loaded, when the
// run looks like the live view. A wrong guess costs an idle thread.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';

let uiUrl: URL | undefined;
let spare: Worker | undefined;

/**
 * A terminal that can draw: colour and the live view need one. TERM=dumb (Emacs shell, some CI consoles)
 * is a terminal that cannot; an unset TERM is not dumb (kubectl debug -it often leaves it unset).
 */
export function drawingTerminal(isTty: boolean, env: NodeJS.ProcessEnv): boolean {
  return isTty && env.TERM !== 'dumb';
}

/** `diagnose` with a terminal on stdout and no -o / help / version: main.ts's test for the live view. */
export function liveViewLikely(argv: readonly string[], stdoutIsTty: boolean): boolean {
  return stdoutIsTty && argv[0] === 'diagnose' && !argv.some((a) => /^(-o|--output(=|$)|-h$|--help$|-V$|--version$)/.test(a));
}

/**
 * Records where the bundled view is (next to the entry) and starts it when the live view is likely.
 * Nothing is read from disk otherwise: text, JSON and --version runs pay nothing for it.
 */
export function prestartUi(url: URL, argv: readonly string[], stdoutIsTty: boolean): void {
  uiUrl = url;
  if (!liveViewLikely(argv, stdoutIsTty) || !bundledUi()) return;
  // Loaded only here: runs that draw nothing do not load worker_threads.
  const { Worker } = process.getBuiltinModule('node:worker_threads');
  const w = new Worker(url);
  // Idle until claimed: it must never hold the process open, and an early failure is not ours to report.
  w.unref();
  w.on('error', () => {});
  w.once('exit', () => spare === w && (spare = undefined));
  spare = w;
}

/** The bundled view's URL; undefined when running unbundled (no live view then). */
export function bundledUi(): URL | undefined {
  if (uiUrl && !existsSync(fileURLToPath(uiUrl))) uiUrl = undefined;
  return uiUrl;
}

/** The pre-started view, once; undefined when there is none or it has already ended. */
export function claimSpareUi(): Worker | undefined {
  const w = spare;
  spare = undefined;
  w?.ref();
  return w;
}
