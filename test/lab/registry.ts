// Which labs exist and who owns them: /run/podreach-lab/<prefix>.pid holds "<owner pid> <owner start time>".
// The start time guards against pid reuse. Teardown is synchronous so it can run from process 'exit'.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REGISTRY_DIR = '/run/podreach-lab';
const PREFIX_RE = /^pl[0-9a-z]{6}$/;

function startTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "(comm)": state is field 3, starttime is field 22.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

export function ownerAlive(pid: number, start: string | undefined): boolean {
  const now = startTime(pid);
  return now !== null && (start === undefined || now === start);
}

/** Namespace names that exist now, from `ip netns list` ("name (id: 3)" lines). */
export function listNamespaces(): string[] {
  const r = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8', timeout: 5000 });
  return (r.stdout ?? '').split('\n').map((l) => l.split(' ')[0] ?? '').filter(Boolean);
}

export function newPrefix(): string {
  const taken = new Set(listNamespaces().map((n) => n.split('-')[0]));
  for (let i = 0; i < 20; i++) {
    const pidPart = (process.pid % 36 ** 3).toString(36).padStart(3, '0');
    const rnd = Math.floor(Math.random() * 36 ** 3).toString(36).padStart(3, '0');
    const p = `pl${pidPart}${rnd}`;
    if (!taken.has(p) && !existsSync(`${REGISTRY_DIR}/${p}.pid`)) return p;
  }
  throw new Error('could not pick a free lab prefix');
}

export function register(prefix: string): void {
  mkdirSync(REGISTRY_DIR, { recursive: true });
  writeFileSync(`${REGISTRY_DIR}/${prefix}.pid`, `${process.pid} ${startTime(process.pid) ?? ''}\n`);
}

/** Kills every process in the lab's namespaces, deletes the namespaces, their /etc/netns dirs and the lab's scratch dirs. */
export function teardown(prefix: string): void {
  if (!PREFIX_RE.test(prefix)) throw new Error(`refusing to tear down "${prefix}": not a lab prefix`);
  const mine = listNamespaces().filter((n) => n.startsWith(`${prefix}-`));
  for (const ns of mine) {
    const r = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8', timeout: 5000 });
    for (const pid of (r.stdout ?? '').split('\n').map(Number).filter((n) => n > 1)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
    }
  }
  if (mine.length > 0) {
    // -force: keep going past a namespace someone already removed.
    spawnSync('ip', ['-force', '-batch', '-'], { input: mine.map((n) => `netns del ${n}\n`).join(''), timeout: 10_000 });
  }
  for (const parent of ['/etc/netns', tmpdir()]) {
    for (const dir of safeReaddir(parent)) {
      if (dir.startsWith(`${prefix}-`)) rmSync(join(parent, dir), { recursive: true, force: true });
    }
  }
  rmSync(`${REGISTRY_DIR}/${prefix}.pid`, { force: true });
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

export interface LabEntry {
  prefix: string;
  pid: number;
  alive: boolean;
  namespaces: string[];
}

export function listLabs(): LabEntry[] {
  const all = listNamespaces();
  return safeReaddir(REGISTRY_DIR)
    .filter((f) => f.endsWith('.pid') && PREFIX_RE.test(f.slice(0, -4)))
    .map((f) => {
      const prefix = f.slice(0, -4);
      const [pid, start] = readFileSync(`${REGISTRY_DIR}/${f}`, 'utf8').trim().split(' ');
      const n = Number(pid);
      return {
        prefix,
        pid: n,
        alive: Number.isInteger(n) && n > 0 && ownerAlive(n, start || undefined),
        namespaces: all.filter((ns) => ns.startsWith(`${prefix}-`)),
      };
    });
}

/** Removes labs whose owner is gone; leaves live ones alone. */
export function clean(): { removed: LabEntry[]; kept: LabEntry[] } {
  const labs = listLabs();
  const removed = labs.filter((l) => !l.alive);
  for (const l of removed) teardown(l.prefix);
  return { removed, kept: labs.filter((l) => l.alive) };
}

/** Used by tests: does any namespace of this lab still exist? */
export function namespacesOf(prefix: string): string[] {
  return listNamespaces().filter((n) => n.startsWith(`${prefix}-`));
}

