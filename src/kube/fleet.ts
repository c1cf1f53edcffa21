// podreach fleet's side of the API: the cluster's nodes, and per node group one short-lived probe pod per
// vantage point pinned to a node of the group — the node-probe pod (node-probe.ts) with the node's network,
// or its own pod network for the view of a pod on that node — at most --max-pods in flight. `--cleanup`
// deletes what a killed run left behind, by label.
import { randomBytes } from 'node:crypto';
import type { NodeFacts, NodeGroup } from '../context/groups.ts';
import { DEFAULT_CONCURRENCY, type ProbePlan } from '../probe/plan.ts';
import type { ProbeReport } from '../probe/types.ts';
import type { KubeContext, KubeSession } from './index.ts';
import { runNodeProbe } from './index.ts';
import { nodeFacts } from './nodes.ts';
import type { NodeObject, PodObject } from './objects.ts';
import { call } from './rest.ts';
import type { Api } from './session.ts';

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

/** The nodes (a label selector narrows them), as NodeFacts; one line on failure. */
export async function listNodes(session: KubeSession, selector: string | undefined, subnets: readonly string[], signal?: AbortSignal): Promise<{ nodes?: NodeFacts[]; error?: string }> {
  const api = session.api as Api;
  const q = selector ? `?labelSelector=${encodeURIComponent(selector)}` : '';
  const got = await call<List<NodeObject>>(api.rest, `/api/v1/nodes${q}`, { ms: API_MS, signal });
  if (!got.ok) {
    const grant = got.status === 'forbidden' ? ' (grant list nodes: manifests/rbac-fleet.yaml)' : '';
    return { error: `listing nodes: ${got.words ?? got.status}${grant}: ${got.message}` };
  }
  return { nodes: (got.value.items ?? []).map((n) => nodeFacts(n, subnets)) };
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
export async function runFleetPods(ctx: KubeContext, jobs: readonly FleetJob[], plan: ProbePlan, runId: string, opts: FleetPodOptions): Promise<FleetJobResult[]> {
  const session = ctx.session;
  const out = new Array<FleetJobResult>(jobs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const i = next++;
      const job = jobs[i] as FleetJob;
      const t0 = performance.now();
      if (opts.signal?.aborted || !session) {
        out[i] = { ...job, error: opts.signal?.aborted ? 'cancelled' : 'no API session', manualCommand: '', ms: 0 };
        continue;
      }
      opts.onStart?.(job);
      // The node probe of diagnose, pinned to this group's node: one pod lifecycle for both commands.
      const pinned: KubeContext = { ...ctx, session: { ...session, nodeName: job.node.name } };
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
