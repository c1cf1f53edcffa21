// Watching the built CLI from outside while it probes inside a lab namespace: its ping children, its exit,
// and signals sent to it (SIGSTOP/SIGCONT to starve it deterministically).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { NODE } from '../lab/lab.ts';
import { BUNDLE } from './podreach.ts';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Pids of the processes inside a network namespace. */
export function nsPids(ns: string): number[] {
  const r = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' });
  return r.stdout.split('\n').filter(Boolean).map(Number);
}

export function argv(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

/** Alive and not a zombie. */
export function alive(pid: number): boolean {
  try {
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Direct children of a process, with their arguments (cheap enough to poll every millisecond). */
export function children(pid: number): { pid: number; args: string[] }[] {
  let text = '';
  try {
    text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8');
  } catch {
    return [];
  }
  return text.split(' ').filter(Boolean).map((c) => ({ pid: Number(c), args: argv(Number(c)) }));
}

/** The ping processes in a namespace, with their arguments. */
export function pings(ns: string): { pid: number; args: string[] }[] {
  return nsPids(ns)
    .map((pid) => ({ pid, args: argv(pid) }))
    .filter((p) => /(^|\/)ping$/.test(p.args[0] ?? ''));
}

export async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(1);
  }
}

export interface Cli {
  child: ChildProcess;
  pid: number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  stdout(): string;
  stderr(): string;
}

/** dist/podreach.mjs under `ip netns exec NS` (which execs: the child's pid is podreach's), in its own process group. */
export function startCli(ns: string, args: string[]): Cli {
  const child = spawn('ip', ['netns', 'exec', ns, NODE, BUNDLE, ...args], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: performance.now() })),
  );
  if (child.pid === undefined) throw new Error('could not start podreach');
  return { child, pid: child.pid, exited, stdout: () => out, stderr: () => err };
}
