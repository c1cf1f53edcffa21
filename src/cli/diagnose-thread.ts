import { Worker } from 'node:worker_threads';
import type { PodreachReport } from '../render/report.ts';
import { type DiagnoseOptions, runDiagnose } from './diagnose.ts';
import type { WorkerJob, WorkerMessage } from './diagnose-worker.ts';
import { UsageError } from './errors.ts';
import { bundledWorker, claimSpareWorker } from './prestart.ts';

/**
 * runDiagnose in a worker thread when the bundled worker exists (dist/diagnose-worker.mjs, next to the
 * entry), else in this thread. Same hooks, same result, same errors. The first call takes the worker the
 * entry started early (src/cli/prestart.ts).
 */
export function runDiagnoseThreaded(targetInput: string, opts: DiagnoseOptions): Promise<PodreachReport> {
  const url = bundledWorker();
  if (!url) return runDiagnose(targetInput, opts);
  const { onEvent, onContext, signal, env: _env, ...plain } = opts;
  const worker = claimSpareWorker() ?? new Worker(url);
  worker.postMessage({ target: targetInput, opts: plain } satisfies WorkerJob);
  const onAbort = () => worker.postMessage('abort');
  signal?.addEventListener('abort', onAbort, { once: true });
  return new Promise<PodreachReport>((resolve, reject) => {
    worker.on('message', (m: WorkerMessage) => {
      if (m.t === 'event') onEvent?.(m.e);
      else if (m.t === 'context') onContext?.(m.context, m.target);
      else if (m.t === 'done') resolve(m.report);
      else reject(m.usage ? new UsageError(m.message) : new Error(m.message));
    });
    worker.on('error', reject);
    worker.on('exit', (code) => reject(new Error(`diagnosis worker exited (${code}) without a verdict`)));
  }).finally(() => signal?.removeEventListener('abort', onAbort));
}
