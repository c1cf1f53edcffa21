// Runs one diagnosis off the main thread for the TUI: importing ink blocks the main thread for a few
// hundred ms, and probes waiting on timers there would lose that time. Here they keep their own clock.
// It may be started before its job is known (src/cli/prestart.ts): the job comes as the first message.
import { parentPort } from 'node:worker_threads';
import { runDiagnose, type DiagnoseOptions } from './diagnose.ts';
import { UsageError } from './errors.ts';

export type WorkerOptions = Omit<DiagnoseOptions, 'onEvent' | 'onContext' | 'signal' | 'env'>;
export interface WorkerJob {
  target: string;
  opts: WorkerOptions;
}
export type WorkerMessage =
  | { t: 'event'; e: Parameters<NonNullable<DiagnoseOptions['onEvent']>>[0] }
  | { t: 'context'; context: Parameters<NonNullable<DiagnoseOptions['onContext']>>[0]; target: Parameters<NonNullable<DiagnoseOptions['onContext']>>[1] }
  | { t: 'done'; report: Awaited<ReturnType<typeof runDiagnose>> }
  | { t: 'error'; message: string; usage: boolean };

const port = parentPort;
if (port) {
  const abort = new AbortController();
  const { target, opts } = await new Promise<WorkerJob>((resolve) =>
    port.on('message', (m: WorkerJob | 'abort') => (m === 'abort' ? abort.abort() : resolve(m))),
  );
  const send = (m: WorkerMessage) => port.postMessage(m);
  try {
    const report = await runDiagnose(target, {
      ...opts,
      env: process.env,
      signal: abort.signal,
      onEvent: (e) => send({ t: 'event', e }),
      onContext: (context, t) => send({ t: 'context', context, target: t }),
    });
    send({ t: 'done', report });
  } catch (e) {
    send({ t: 'error', message: (e as Error).message, usage: e instanceof UsageError });
  }
  port.close();
}
