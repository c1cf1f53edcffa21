// The live view's probes run in a worker thread (src/cli/diagnose-thread.ts), and a worker takes
// ~45 ms to boot. The entry starts it here, before the CLI has loaded, when the run looks like the
// live view; the probes then start about when text mode's do. A wrong guess costs an idle thread.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

let workerUrl: URL | undefined;
let spare: Worker | undefined;

/** `diagnose` with a terminal on stdout and no -o / help / version: main.ts's test for the live view. */
export function liveViewLikely(argv: readonly string[], stdoutIsTty: boolean): boolean {
  return stdoutIsTty && argv[0] === 'diagnose' && !argv.some((a) => /^(-o|--output(=|$)|-h$|--help$|-V$|--version$)/.test(a));
}

/** Records where the bundled worker is (next to the entry) and starts one when the live view is likely. */
export function prestartWorker(url: URL, argv: readonly string[], stdoutIsTty: boolean): void {
  if (!existsSync(fileURLToPath(url))) return;
  workerUrl = url;
  if (!liveViewLikely(argv, stdoutIsTty)) return;
  const w = new Worker(url);
  // Idle until claimed: it must never hold the process open, and an early failure is not ours to report.
  w.unref();
  w.on('error', () => {});
  w.once('exit', () => spare === w && (spare = undefined));
  spare = w;
}

/** The bundled worker's URL; undefined when running unbundled (probes then run in this thread). */
export const bundledWorker = (): URL | undefined => workerUrl;

/** The pre-started worker, once; undefined when there is none or it has already ended. */
export function claimSpareWorker(): Worker | undefined {
  const w = spare;
  spare = undefined;
  w?.ref();
  return w;
}
