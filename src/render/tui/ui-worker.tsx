// The live view runs in this worker thread. Loading ink and drawing take ~150 ms of CPU; on the main
// thread they would hold up the probes' timers and sockets, and skew the times they measure. The main
// thread (src/cli/tui.ts) probes exactly as text mode does, relays the terminal, and sends the runs here.
import { EventEmitter } from 'node:events';
import { parentPort } from 'node:worker_threads';
import type { PodreachReport } from '../report.ts';
import { type LiveRun, type RunHooks, type RunSeed, startRun } from './live.ts';
import type { FromUi, ToUi, UiEnd, UiStart } from './wire.ts';

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
  // Run n's targets, in input order (one for the single-target view).
  const runs = new Map<number, Run[]>();
  const open = (n: number, seeds: readonly RunSeed[]): Run[] => {
    const targets = seeds.map((seed) => {
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
      return run;
    });
    runs.set(n, targets);
    return targets;
  };
  const target = (n: number, i: number): Run | undefined => runs.get(n)?.[i];
  let stdout: TerminalOut | undefined;
  let stdin: TerminalIn | undefined;
  const quit = new AbortController();

  async function show(start: UiStart): Promise<void> {
    stdout = new TerminalOut(send, 'out', start.columns, start.rows);
    stdin = new TerminalIn(send, start.keys);
    const stderr = new TerminalOut(send, 'err', start.columns, start.rows);
    let latest = 1;
    const seeds = start.sweep?.seeds ?? [start.seed];
    const rerun = (n: number): Run[] => {
      latest = n;
      const next = open(n, seeds);
      send({ t: 'rerun', n });
      return next;
    };
    // chalk reads the colour level when it loads: set it first (ink turns colour off under CI otherwise).
    process.env.FORCE_COLOR = start.color ? '1' : '0';
    const mount = {
      maxFps: start.maxFps,
      keys: start.keys,
      color: start.color,
      stdout: stdout as unknown as NodeJS.WriteStream,
      stderr: stderr as unknown as NodeJS.WriteStream,
      stdin: stdin as unknown as NodeJS.ReadStream,
      interrupt: quit.signal,
    };
    let session: { ending?: UiEnd['ending']; settled: boolean; signalled?: boolean };
    const { showSweepTui, showTui } = await import('./app.tsx');
    if (start.sweep) {
      const sweep = (n: number, targets: Run[]) => ({ n, targets: targets.map((r) => r.live) });
      session = await showSweepTui({
        ...mount,
        first: sweep(1, runs.get(1)!),
        rerun: (n) => sweep(n, rerun(n)),
        waiting: start.sweep.waiting,
        origins: start.sweep.origins,
      });
    } else {
      session = await showTui({ ...mount, first: runs.get(1)![0]!.live, rerun: (n) => rerun(n)[0]!.live });
    }
    send({ t: 'end', ending: session.ending ?? 'interrupted', n: latest, settled: session.settled, signalled: session.signalled === true });
    port?.close();
  }

  port.on('message', (m: ToUi) => {
    switch (m.t) {
      case 'start':
        open(1, m.sweep?.seeds ?? [m.seed]);
        show(m).catch((e: unknown) => {
          const why = String((e as Error)?.message ?? e).split('\n')[0];
          send({ t: 'err', data: `podreach: live view failed (${why}); printing text instead\n` });
          send({ t: 'end', ending: 'failed', n: 1, settled: false, signalled: false });
        });
        break;
      case 'event':
        target(m.n, m.i)?.hooks.onEvent(m.e);
        break;
      case 'context':
        target(m.n, m.i)?.hooks.onContext(m.context, m.target);
        break;
      case 'probed':
        target(m.n, m.i)?.hooks.onProbed(m.soFar);
        break;
      case 'done':
        target(m.n, m.i)?.settle.resolve(m.report);
        break;
      case 'error':
        for (const r of runs.get(m.n) ?? []) r.settle.reject(new Error(m.message));
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
