// podreach fleet's side of the API: the cluster's nodes, and per node group one short-lived probe pod per
// vantage point pinned to a node of the group — the node-probe pod (node-probe.ts) with the node's network,
// or its own pod network for the view of a pod on that node — at most --max-pods in flight. `--cleanup`
// deletes what a killed run left behind, by label.
import { randomBytes } from 'node:crypto';
import type { NodeFacts, NodeGroup } from '../context/groups.ts';
import { ClusterError } from './cluster.ts';
import { findCredentials } from './credentials.ts';
import { DEFAULT_CONCURRENCY, type ProbePlan } from '../probe/plan.ts';
import type { ProbeReport } from '../probe/types.ts';
import type { KubeContext, KubeSession } from './index.ts';
import { runNodeProbe } from './index.ts';
import type { PodObject } from './objects.ts';
import { call } from './rest.ts';
import { type Api, connect, ownImage, podNameOf } from './session.ts';

/** Where a group's probe pod stands: the node's own network (hostNetwork), or a pod's on that node. */
export type FleetVantage = 'pod' | 'node';

/** Every fleet pod carries the run's id: a person (or --cleanup) can find what one run made. */
export const FLEET_RUN_LABEL = 'podreach.io/fleet-run';
const FLEET_LABELS = { 'app.kubernetes.io/component': 'fleet-probe' };
/** What --cleanup deletes: podreach's probe pods (node-probe and fleet-probe), by their managed-by label. */
export const LEFTOVER_SELECTOR = 'app.kubernetes.io/name=podreach,app.kubernetes.io/managed-by=podreach';

export interface FleetJob {
  group: NodeGroup;
  node: NodeFacts;
  vantage: FleetVantage;
}

export interface FleetJobResult extends FleetJob {
  /** One report per plan item, in plan order. */
  reports?: ProbeReport[];
  error?: string;
  podName?: string;
  /** The same probes by hand (kubectl debug node/...). */
  manualCommand: string;
  ms: number;
}

type List<T> = { items?: T[] };
const API_MS = 5000;

export interface SessionOptions {
  kubeconfig?: string;
  context?: string;
  /** -n: where the probe pods go (default: the credentials' namespace, else default). */
  namespace?: string;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

/**
 * What the probe pods are created with: the API, their namespace, and — when podreach itself runs in a pod of
 * that namespace — that pod as their owner (the garbage collector removes them with it) and its image.
 * Throws ClusterError (one line) when there are no credentials or the kubeconfig is wrong.
 */
export async function fleetSession(o: SessionOptions): Promise<KubeSession> {
  const cred = findCredentials({ kubeconfig: o.kubeconfig, context: o.context, env: o.env });
  if (!cred) throw new ClusterError('no API credentials (no service-account token, no $KUBECONFIG or ~/.kube/config): pass --kubeconfig');
  const api = await connect(cred, o.context).catch((err: unknown) => {
    throw new ClusterError(`${cred.describe}: ${(err as Error).message}`);
  });
  const namespace = o.namespace || api.namespace || 'default';
  const session: KubeSession = { kind: 'podreach.kube-session', credentials: cred.describe, namespace, api };
  const podName = podNameOf(cred, {}, o.env);
  if (podName && (api.namespace ?? 'default') === namespace) {
    const got = await call<PodObject>(api.rest, `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(podName)}`, { ms: API_MS, signal: o.signal });
    if (got.ok) Object.assign(session, { podName: got.value.metadata?.name, podUid: got.value.metadata?.uid, ownImage: ownImage(got.value) });
  }
  return session;
}

/** How long one group's pod may take: every target's probes, in rounds of the probe's concurrency, and a pod start. */
export function podBudgetMs(plan: ProbePlan): number {
  const rounds = Math.ceil(plan.items.length / DEFAULT_CONCURRENCY);
  return Math.max(20_000, plan.timeoutMs * 8, rounds * plan.timeoutMs + 20_000);
}

export interface FleetPodOptions {
  image?: string;
  maxPods: number;
  signal?: AbortSignal;
  /** A job's pod is about to be created / is done (the live view, the bench). */
  onStart?: (job: FleetJob) => void;
  onDone?: (result: FleetJobResult) => void;
}

/** A fresh id for one run's pods. */
export const newRunId = (): string => randomBytes(4).toString('hex');

/**
 * Runs the plan in one probe pod per job, at most maxPods at once; results in job order. Never throws. Each
 * pod is deleted whatever happens to it (node-probe.ts); once the signal is aborted no new pod is created.
 */
export async function runFleetPods(session: KubeSession, jobs: readonly FleetJob[], plan: ProbePlan, runId: string, opts: FleetPodOptions): Promise<FleetJobResult[]> {
  const out = new Array<FleetJobResult>(jobs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const i = next++;
      const job = jobs[i] as FleetJob;
      const t0 = performance.now();
      if (opts.signal?.aborted) {
        out[i] = { ...job, error: 'cancelled', manualCommand: '', ms: 0 };
        continue;
      }
      opts.onStart?.(job);
      // The node probe of diagnose, pinned to this group's node: one pod lifecycle for both commands.
      const pinned: KubeContext = { access: 'ok', facts: {}, missing: [], notes: [], session: { ...session, nodeName: job.node.name } };
      const r = await runNodeProbe(pinned, plan, {
        image: opts.image,
        timeoutMs: podBudgetMs(plan),
        signal: opts.signal,
        hostNetwork: job.vantage === 'node',
        extraArgs: ['--role', job.vantage],
        labels: { ...FLEET_LABELS, [FLEET_RUN_LABEL]: runId },
      });
      out[i] = { ...job, ...r, ms: Math.round(performance.now() - t0) };
      opts.onDone?.(out[i] as FleetJobResult);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.maxPods, jobs.length)) }, worker));
  return out;
}

/** Deletes podreach's probe pods left in the namespace (a run killed hard); names what it deleted or could not. */
export async function cleanupLeftovers(session: KubeSession, signal?: AbortSignal): Promise<{ deleted: string[]; failed: string[]; error?: string }> {
  const api = session.api as Api;
  const ns = session.namespace;
  const got = await call<List<PodObject>>(api.rest, `/api/v1/namespaces/${encodeURIComponent(ns)}/pods?labelSelector=${encodeURIComponent(LEFTOVER_SELECTOR)}`, { ms: API_MS, signal });
  if (!got.ok) return { deleted: [], failed: [], error: `listing podreach's pods in ${ns}: ${got.words ?? got.status}: ${got.message}` };
  const { remove } = await import('./node-probe.ts');
  const deleted: string[] = [];
  const failed: string[] = [];
  for (const p of got.value.items ?? []) {
    const name = p.metadata?.name;
    if (!name) continue;
    const err = await remove(api, ns, name);
    if (err) failed.push(`${ns}/${name} (${err})`);
    else deleted.push(`${ns}/${name}`);
  }
  return { deleted, failed };
}
