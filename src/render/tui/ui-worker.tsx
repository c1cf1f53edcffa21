// The live view runs in this worker thread. Loading ink and drawing take ~150 ms of CPU; on the main
// thread they would hold up the probes' timers and sockets, and skew the times they measure. The main
// thread (src/cli/tui.ts) probes exactly as text mode does, relays the terminal, and sends the runs here.
import { EventEmitter } from 'node:events';
import { parentPort } from 'node:worker_threads';
import type { PodreachReport } from '../report.ts';
import { type LiveRun, type RunHooks, type RunSeed, startRun } from './live.ts';
import type { FromUi, ToUi, UiStart } from './wire.ts';

type Send = (m: FromUi) => void;

/** The terminal's output as ink sees it: writes go to the main thread, in order. */
class TerminalOut extends EventEmitter {
  readonly isTTY = true;
  private readonly send: Send;
  private readonly kind: 'out' | 'err';
  columns: number;
  rows: number;
  constructor(send: Send, kind: 'out' | 'err', columns: number, rows: number) {
    super();
    this.send = send;
    this.kind = kind;
    this.columns = columns;
    this.rows = rows;
  }
  write(data: string | Uint8Array, encoding?: unknown, callback?: unknown): boolean {
    const cb = typeof encoding === 'function' ? encoding : callback;
    if (data.length) this.send({ t: this.kind, data: typeof data === 'string' ? data : Buffer.from(data).toString('utf8') });
    if (typeof cb === 'function') queueMicrotask(() => cb());
    return true;
  }
  resize(columns: number, rows: number): void {
    this.columns = columns;
    this.rows = rows;
    this.emit('resize');
  }
}

/** The keyboard as ink sees it: keys come from the main thread, raw mode is set there. */
class TerminalIn extends EventEmitter {
  private readonly queue: string[] = [];
  private readonly send: Send;
  readonly isTTY: boolean;
  constructor(send: Send, isTTY: boolean) {
    super();
    this.send = send;
    this.isTTY = isTTY;
  }
  setRawMode(on: boolean): this {
    this.send({ t: 'raw', on });
    return this;
  }
  push(data: string): void {
    this.queue.push(data);
    this.emit('readable');
  }
  read(): string | null {
    return this.queue.shift() ?? null;
  }
  setEncoding(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
  resume(): this {
    return this;
  }
  pause(): this {
    return this;
  }
}

interface Run {
  live: LiveRun;
  hooks: RunHooks;
  settle: { resolve: (r: PodreachReport) => void; reject: (e: Error) => void };
}

const port = parentPort;
if (port) {
  const send: Send = (m) => port.postMessage(m);
  const runs = new Map<number, Run>();
  const open = (n: number, seed: RunSeed): Run => {
    const run = {} as Run;
    run.live = startRun(
      (hooks) =>
        new Promise<PodreachReport>((resolve, reject) => {
          run.hooks = hooks;
          run.settle = { resolve, reject };
        }),
      n,
      seed,
    );
    runs.set(n, run);
    return run;
  };
  let stdout: TerminalOut | undefined;
  let stdin: TerminalIn | undefined;
  const quit = new AbortController();

  async function show(start: UiStart): Promise<void> {
    stdout = new TerminalOut(send, 'out', start.columns, start.rows);
    stdin = new TerminalIn(send, start.keys);
    const stderr = new TerminalOut(send, 'err', start.columns, start.rows);
    let latest = 1;
    // chalk reads the colour level when it loads: set it first (ink turns colour off under CI otherwise).
    process.env.FORCE_COLOR = start.color ? '1' : '0';
    const { showTui } = await import('./app.tsx');
    const session = await showTui({
      maxFps: start.maxFps,
      first: runs.get(1)!.live,
      rerun: (n) => {
        latest = n;
        const run = open(n, start.seed);
        send({ t: 'rerun', n });
        return run.live;
      },
      keys: start.keys,
      color: start.color,
      stdout: stdout as unknown as NodeJS.WriteStream,
      stderr: stderr as unknown as NodeJS.WriteStream,
      stdin: stdin as unknown as NodeJS.ReadStream,
      interrupt: quit.signal,
    });
    send({ t: 'end', ending: session.ending ?? 'interrupted', n: latest, settled: session.settled, signalled: session.signalled === true });
    port?.close();
  }

  port.on('message', (m: ToUi) => {
    switch (m.t) {
      case 'start':
        open(1, m.seed);
        show(m).catch((e: unknown) => {
          const why = String((e as Error)?.message ?? e).split('\n')[0];
          send({ t: 'err', data: `podreach: live view failed (${why}); printing text instead\n` });
          send({ t: 'end', ending: 'failed', n: 1, settled: false, signalled: false });
        });
        break;
      case 'event':
        runs.get(m.n)?.hooks.onEvent(m.e);
        break;
      case 'context':
        runs.get(m.n)?.hooks.onContext(m.context, m.target);
        break;
      case 'done':
        runs.get(m.n)?.settle.resolve(m.report);
        break;
      case 'error':
        runs.get(m.n)?.settle.reject(new Error(m.message));
        break;
      case 'keys':
        stdin?.push(m.data);
        break;
      case 'resize':
        stdout?.resize(m.columns, m.rows);
        break;
      case 'quit':
        quit.abort();
        break;
    }
  });
}
