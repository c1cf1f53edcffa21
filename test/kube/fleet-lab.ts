// The fleet lab with the test API server: its nodes served with pool and zone labels, each probe pod run in
// the namespace of the node it is pinned to; podreach fleet runs from the "laptop" (the admin namespace)
// with a kubeconfig.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FleetLab, type FleetScenario, fleetNodeObjects, withFleetLab } from '../lab/fleet.ts';
import { type ExecResult, NODE } from '../lab/lab.ts';
import { type Api, BUNDLE, withApiIn } from './lab-api.ts';

export interface FleetRun {
  lab: FleetLab;
  api: Api;
  /** podreach fleet with the scenario's targets and --by, the lab's model and VPC CIDR, and more flags. */
  fleet(extra?: string[], opts?: { timeoutMs?: number; targets?: string[] }): Promise<ExecResult>;
  /** The command in a terminal (a pty from util-linux `script`, 100 columns): what a person sees, escapes and all. */
  fleetInTerminal(extra?: string[]): Promise<ExecResult>;
  /** The same command as a child to signal (ip netns exec and env exec it: its pid is podreach's). */
  spawnFleet(extra?: string[], targets?: string[]): { child: ChildProcess; done: Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> };
}

/** `faults`: FaultRule[] as JSON-able objects (path: a regex source) the API server serves mid-run. */
export function withFleet<T>(s: FleetScenario, fn: (r: FleetRun) => Promise<T>, faults?: object[]): Promise<T> {
  return withFleetLab(s, (lab) =>
    withApiIn(
      { podNs: lab.ns('admin'), nodeNs: lab.ns('node-a1'), flavour: s.model === 'vpc' ? 'cce-vpc' : 'cce-tunnel', objects: fleetNodeObjects(s.model, s.ipv6 !== undefined), nodeMap: lab.nodeMap, drop: ['Node', 'Pod'] },
      (api) => {
        const argv = (extra: string[], targets = s.targets) =>
          ['env', 'HOME=/nonexistent', NODE, BUNDLE, 'fleet', ...targets, '--by', s.by, '--kubeconfig', api.kubeconfig, '--network-model', s.model, '--vpc-cidr', '192.168.0.0/16', '-n', 'podreach', ...(s.flags ?? []), ...extra];
        return fn({
          lab,
          api,
          fleet: (extra = [], opts = {}) => lab.exec('admin', argv(extra, opts.targets), { timeoutMs: opts.timeoutMs ?? 120_000 }),
          fleetInTerminal(extra = []) {
            const q = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;
            return lab.exec('admin', ['script', '-qfec', `stty cols 100 rows 40 && exec ${argv(extra).map(q).join(' ')}`, '/dev/null'], { timeoutMs: 120_000 });
          },
          spawnFleet(extra = [], targets) {
            const child = spawn('ip', ['netns', 'exec', lab.ns('admin'), ...argv(extra, targets)], { stdio: ['ignore', 'pipe', 'pipe'] });
            let stdout = '';
            let stderr = '';
            child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
            child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
            const done = new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((ok) => child.on('close', (code, signal) => ok({ code, signal, stdout, stderr })));
            return { child, done };
          },
        });
      },
      ['--rbac', 'rbac-fleet.yaml', ...(faults ? ['--faults', faultsFile(faults)] : [])],
    ),
  );
}

function faultsFile(faults: object[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'podreach-faults-')), 'faults.json');
  writeFileSync(file, JSON.stringify(faults));
  return file;
}
