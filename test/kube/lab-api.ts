// The test API server inside a lab: the recorded CCE cluster of the scenario's model, served in the pod's
// network namespace (127.0.0.1 there), with an in-cluster-style service-account dir for podreach, which runs
// from a private copy of the bundle; probe pods run `podreach probe` in the node namespace.
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Lab } from '../lab/lab.ts';
import { NODE } from '../lab/lab.ts';
import { waitLine } from '../lab/wait.ts';
import { type Flavour, fakeToken, writeKubeconfig, writeServiceAccount } from './api-server.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
// A private copy: other suites rebuild dist/ while this one runs.
const PRIVATE = mkdtempSync(join(tmpdir(), 'podreach-bundle-'));
export const BUNDLE = join(PRIVATE, 'podreach.mjs');
cpSync(join(ROOT, 'dist'), PRIVATE, { recursive: true });
const dropCopy = () => rmSync(PRIVATE, { recursive: true, force: true });
// Under vitest, after the file; from a plain script (the bench), at exit.
if (process.env.VITEST) (await import('vitest')).afterAll(dropCopy);
else process.once('exit', dropCopy);
export const POD = 'test01-6cbbf97b78-krj6h';
const FLAVOUR = { tunnel: 'cce-tunnel', vpc: 'cce-vpc', eni: 'cce-turbo' } as const;

export interface Api {
  env: string[];
  /** A kubeconfig for the same server and token: podreach run from a "laptop" (fleet). */
  kubeconfig: string;
  state(): { created: string[]; deleted: string[]; live: string[]; requestLog: string[] };
}

export async function withApi<T>(lab: Lab, fn: (api: Api) => Promise<T>, extra: string[] = []): Promise<T> {
  const s = lab.scenario;
  // The recorded clusters use 172.16.0.0/16; a scenario on another container CIDR (172.17/16, 172.18/16) gets it rewritten.
  const prefix = `${s.build.containerCidr.split('.').slice(0, 2).join('.')}.`;
  const rewrite = prefix !== '172.16.' ? ['--rewrite', `172.16.=${prefix}`] : [];
  return withApiIn({ podNs: lab.ns('pod'), nodeNs: lab.ns('node'), flavour: FLAVOUR[s.model], objects: s.apiObjects }, fn, [...rewrite, ...extra]);
}

/** Where the server runs: its loopback is the pod namespace's; probe pods run in the node namespace. */
export interface ApiPlace {
  podNs: string;
  nodeNs: string;
  flavour: Flavour;
  /** Objects added to the recorded cluster. */
  objects?: object[];
  /** Fleet lab: node name → its node and pod namespaces (a pinned probe pod runs there). */
  nodeMap?: Record<string, { node: string; pod: string }>;
  /** Kinds of the recorded cluster left out (Node, when the lab serves its own). */
  drop?: string[];
}

/** The test API server in any namespace pair (an empty namespace for both is fine); `extra`: more flags (--rbac). */
export async function withApiIn<T>(place: ApiPlace, fn: (api: Api) => Promise<T>, extra: string[] = []): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'podreach-lab-api-'));
  const token = fakeToken();
  const stateFile = join(dir, 'state.json');
  const objects = place.objects ? join(dir, 'objects.json') : undefined;
  if (objects) writeFileSync(objects, JSON.stringify(place.objects));
  const nodeMap = place.nodeMap ? join(dir, 'node-map.json') : undefined;
  if (nodeMap) writeFileSync(nodeMap, JSON.stringify(place.nodeMap));
  const fleet = [...(nodeMap ? ['--node-map', nodeMap] : []), ...(place.drop ?? []).flatMap((k) => ['--drop', k])];
  const child: ChildProcess = spawn(
    'ip',
    ['netns', 'exec', place.podNs, NODE, join(ROOT, 'test/kube/api-server-main.ts'), '--flavour', place.flavour, '--node-ns', place.nodeNs,
      '--podreach', `${NODE} ${BUNDLE}`, '--token', token, '--state', stateFile, ...(objects ? ['--objects', objects] : []), ...fleet, ...extra],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  try {
    const [, url] = await waitLine(child, child.stdout as Readable, /^(\S+) ready$/, { what: 'API server', also: [child.stderr as Readable] });
    const state = () => JSON.parse(readFileSync(stateFile, 'utf8'));
    const sa = writeServiceAccount(mkdtempSync(join(dir, 'sa-')), token, state().caFile);
    const u = new URL(url as string);
    const env = [`KUBERNETES_SERVICE_HOST=${u.hostname}`, `KUBERNETES_SERVICE_PORT=${u.port}`, `PODREACH_SERVICEACCOUNT_DIR=${sa}`, `HOSTNAME=${POD}`, 'HOME=/nonexistent'];
    const kubeconfig = writeKubeconfig(mkdtempSync(join(dir, 'kc-')), url as string, token, state().caFile);
    return await fn({ env, kubeconfig, state });
  } finally {
    try {
      process.kill(-(child.pid ?? 0), 'SIGTERM');
    } catch {}
    await new Promise<void>((r) => {
      const t = setTimeout(() => {
        try {
          process.kill(-(child.pid ?? 0), 'SIGKILL');
        } catch {}
        r();
      }, 5000);
      if (child.exitCode !== null) {
        clearTimeout(t);
        r();
      } else
        child.on('close', () => {
          clearTimeout(t);
          r();
        });
    });
    rmSync(dir, { recursive: true, force: true });
  }
}
