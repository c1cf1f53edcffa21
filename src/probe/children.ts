// Every process the probes start (ping), in its own process group and tracked, so that podreach leaves
// nothing behind: on exit, and on SIGINT / SIGTERM / SIGHUP (the CLI calls killProbeChildren from its
// handler), each group is killed at once. Without this, a ping waiting out its -W deadline outlives
// podreach by a second or two, re-parented to pid 1.
import { type ChildProcess, spawn, type SpawnOptions } from 'node:child_process';

const live = new Set<ChildProcess>();

/** Kills every running probe child's process group (SIGKILL: ping's own SIGINT handler prints and lingers). */
export function killProbeChildren(): void {
  for (const child of live) {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
}

let hooked = false;

/** spawn(), in a new process group (detached), tracked until it exits. */
export function spawnProbeChild(file: string, args: string[], opts: SpawnOptions = {}): ChildProcess {
  if (!hooked) {
    hooked = true;
    process.on('exit', killProbeChildren);
  }
  const child = spawn(file, args, { ...opts, detached: true });
  if (child.pid !== undefined) {
    live.add(child);
    child.once('exit', () => live.delete(child));
  }
  return child;
}

/** How many probe children are running (tests). */
export const probeChildren = (): number => live.size;
