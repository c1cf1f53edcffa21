// `podreach fleet TARGET...`: the same question from every node group, run by Kubernetes itself. Reads the
// nodes, groups them (context/groups.ts), runs one probe pod per group and vantage point (kube/fleet.ts),
// names what differs between the groups that reach each target and those that do not (diagnose/fleet.ts).
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { type GroupBy, groupNodes, type NodeGroup, pickNode } from '../context/groups.ts';
import { flagFacts, nodeSubnetFlag } from '../context/flags.ts';
import type { ClusterNet, FleetVantage, GroupObserved, GroupOutcome } from '../diagnose/index.ts';
import type { ProbeReport } from '../probe/types.ts';
import { DEFAULT_TIMEOUT_MS, MAX_PLAN_ITEMS } from '../probe/plan.ts';
import { parseTarget } from '../probe/target.ts';
import type { FleetPod } from '../render/fleet.ts';
import { oneLine, quoted, UsageError } from './errors.ts';
import { EXIT } from './exit-codes.ts';
import { withFlags } from './net-flags.ts';

export interface FleetOptions {
  by: GroupBy;
  selector?: string;
  maxPods: number;
  vantage: 'pod' | 'node' | 'both' | 'auto';
  output: 'text' | 'json' | 'junit';
  /** A terminal and no -o: the groups × targets matrix fills in as the pods finish, then the text. */
  live?: boolean;
  port?: number;
  timeout: number;
  nodeSubnet?: string[];
  networkModel?: string;
  containerCidr?: string;
  vpcCidr?: string[];
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  image?: string;
  cleanup?: boolean;
  color: boolean;
  version: string;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
}

export const MAX_PODS_LIMIT = 100;
/** The API read before any pod: generous for a loaded API server, bounded. */
const API_READ_MS = 8000;

const fail = (line: string): number => {
  process.stderr.write(`podreach: fleet: ${oneLine(line)}\n`);
  return EXIT.failed;
};

/** 130 / 143 / 129 after Ctrl-C, SIGTERM or SIGHUP, once the pods are gone. */
function interruptedCode(signal: AbortSignal): number {
  const sig = (signal.reason as Error | undefined)?.message;
  return 128 + (sig === 'SIGTERM' ? 15 : sig === 'SIGHUP' ? 1 : 2);
}

/** The command line, checked before anything is read: the targets, the flags as facts, --node-subnet. Throws UsageError. */
function checkInput(inputs: readonly string[], o: FleetOptions) {
  if (o.cleanup && inputs.length) throw new UsageError('--cleanup deletes leftover probe pods and takes no TARGET');
  if (!o.cleanup && inputs.length === 0) throw new UsageError('no TARGET given (podreach fleet TARGET..., or --cleanup)');
  if (inputs.length > MAX_PLAN_ITEMS) throw new UsageError(`${inputs.length} targets: at most ${MAX_PLAN_ITEMS} in one run`);
  if (o.maxPods < 1 || o.maxPods > MAX_PODS_LIMIT) throw new UsageError(`--max-pods: ${o.maxPods} is outside 1–${MAX_PODS_LIMIT}`);
  if (o.selector !== undefined && !/^[A-Za-z0-9._/-]+(=[A-Za-z0-9._-]*)?(,[A-Za-z0-9._/-]+(=[A-Za-z0-9._-]*)?)*$/.test(o.selector)) {
    throw new UsageError(`--selector: ${quoted(o.selector)} is not a label selector (key=value,key2=value2)`);
  }
  const targets = inputs.map((t) => parseTarget(t, o.port));
  const flags = flagFacts({ networkModel: o.networkModel, containerCidr: o.containerCidr, vpcCidr: o.vpcCidr });
  const subnets = nodeSubnetFlag(o.nodeSubnet);
  if (o.kubeconfig && !existsSync(o.kubeconfig)) throw new UsageError(`--kubeconfig ${o.kubeconfig}: no such file`);
  return { targets, flags, subnets };
}

/**
 * Which vantage points each group is probed from, and the jobs (one pod each): the pod's own view where the model
 * gives pods their own source; the node's where SNAT makes them one, i.e. only where every family is SNATed to
 * the node (Calico may masquerade IPv4 and not IPv6).
 */
function planJobs(groups: NodeGroup[], net: ClusterNet, vantage: FleetOptions['vantage']) {
  const allSnat = [net.model, ...Object.values(net.modelByFamily ?? {})].every((m) => m?.value === 'tunnel');
  const vantages: FleetVantage[] = vantage === 'both' ? ['node', 'pod'] : vantage === 'auto' ? [allSnat ? 'node' : 'pod'] : [vantage];
  const jobs = groups.flatMap((g) => {
    const node = pickNode(g);
    return node ? vantages.map((v) => ({ group: g, node, vantage: v })) : [];
  });
  const notes: string[] = [];
  if (!net.model) notes.push('network model unknown (not detected from the API): pass --network-model tunnel|vpc|eni to name the source each group shows');
  for (const g of groups) if (!pickNode(g)) notes.push(`group ${g.key}: no ready node with an InternalIP; not probed`);
  return { vantages, jobs, notes };
}

/** --cleanup: the probe pods a run left behind, deleted. */
async function cleanup(k: typeof import('../kube/fleet.ts'), session: FleetSession, signal: AbortSignal): Promise<number> {
  const c = await k.cleanupLeftovers(session, signal);
  if (c.error) return fail(c.error);
  for (const p of c.deleted) process.stdout.write(`deleted pod ${p}\n`);
  if (c.deleted.length === 0 && c.failed.length === 0) process.stdout.write(`no podreach probe pods in ${session.namespace}\n`);
  for (const p of c.failed) process.stderr.write(`podreach: fleet --cleanup: could not delete ${p}\n`);
  return c.failed.length ? EXIT.failed : EXIT.reachable;
}

type FleetSession = Awaited<ReturnType<typeof import('../kube/fleet.ts').fleetSession>>;
type FleetResult = Awaited<ReturnType<typeof import('../kube/fleet.ts').runFleetPods>>[number];

/** Each group's reports per vantage point, for the diagnosis, and its pods, for the report. */
function observe(groups: NodeGroup[], results: FleetResult[]): { observed: GroupObserved[]; pods: FleetPod[][]; notes: string[] } {
  const observed: GroupObserved[] = groups.map((g) => ({
    by: g.by,
    key: g.key,
    nodes: g.nodes,
    ...(pickNode(g) ? { probedFrom: pickNode(g)?.name } : {}),
    vantages: results.filter((r) => r.group === g).map((r) => ({ vantage: r.vantage, ...(r.reports ? { reports: r.reports } : {}), ...(r.error ? { error: r.error } : {}) })),
  }));
  const notes = results.filter((r) => r.error).map((r) => `group ${r.group.key} (${r.vantage} network on ${r.node.name}): ${r.error}; by hand: ${r.manualCommand}`);
  const pods: FleetPod[][] = groups.map((g) => results.filter((r) => r.group === g).map((r) => ({ vantage: r.vantage, node: r.node.name, ...(r.podName ? { name: r.podName } : {}), ms: r.ms, ...(r.error ? { error: r.error } : {}) })));
  return { observed, pods, notes };
}

export async function runFleet(inputs: readonly string[], o: FleetOptions): Promise<number> {
  const { targets, flags, subnets } = checkInput(inputs, o);
  const t0 = performance.now();
  const k = await import('../kube/fleet.ts');
  const { ClusterError, readCluster } = await import('../kube/cluster.ts');
  const api = { kubeconfig: o.kubeconfig, context: o.context, env: o.env, signal: o.signal };
  let session: FleetSession;
  let view: Awaited<ReturnType<typeof readCluster>> | undefined;
  try {
    // The cluster read and the session for the pods in parallel: planning is the API's round trips, no more.
    [session, view] = await Promise.all([
      k.fleetSession({ ...api, namespace: o.namespace }),
      o.cleanup ? undefined : readCluster({ ...api, nodeSubnets: subnets, labelSelector: o.selector, timeoutMs: API_READ_MS }),
    ]);
  } catch (err) {
    if (err instanceof ClusterError) return fail(err.message);
    throw err;
  }
  if (o.cleanup || !view) return cleanup(k, session, o.signal);
  const groups = groupNodes(view.nodes, o.by);
  const net = withFlags(view.net, flags);
  const { vantages, jobs, notes: planNotes } = planJobs(groups, net, o.vantage);

  const { makePlan } = await import('../probe/plan.ts');
  const plan = makePlan(targets, o.timeout ?? DEFAULT_TIMEOUT_MS);
  let planMs: number | undefined;
  const screen = o.live ? await liveView(targets.map((t) => t.input), groups.map((g) => ({ key: g.key, probedFrom: pickNode(g)?.name, jobs: jobs.filter((j) => j.group === g).length })), fleetHeaderArgs(o, vantages, net), o.color) : undefined;
  const results = await k.runFleetPods(session, jobs, plan, k.newRunId(), {
    image: o.image,
    maxPods: o.maxPods,
    signal: o.signal,
    onStart: (job) => {
      planMs ??= performance.now() - t0;
      screen?.started(job.group.key);
    },
    onDone: (r) => screen?.done(r.group.key, r.vantage, r.reports),
  });
  screen?.clear();
  if (o.signal.aborted) return interruptedCode(o.signal);

  const { observed, pods, notes: podNotes } = observe(groups, results);
  const { diagnoseFleet } = await import('../diagnose/index.ts');
  const verdicts = diagnoseFleet({ targets, groups: observed, net });
  const render = await import('../render/fleet.ts');
  const doc = render.buildFleet({
    version: o.version,
    by: o.by,
    vantages,
    selector: o.selector,
    namespace: session.namespace,
    context: { networkModel: net.model ?? null, containerCidr: net.containerCidr ?? null, vpcCidrs: net.vpcCidrs ?? null, ...(net.containerCidrs ? { containerCidrs: net.containerCidrs } : {}), ...(net.families ? { families: net.families } : {}) },
    groups: observed,
    pods,
    verdicts,
    notes: [...view.notes, ...planNotes, ...podNotes],
    timings: { planMs: Math.round(planMs ?? performance.now() - t0), totalMs: Math.round(performance.now() - t0) },
  });
  if (o.output === 'json') process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
  else if (o.output === 'junit') process.stdout.write(render.renderFleetJunit(doc));
  else {
    const { COLOR, PLAIN } = await import('../render/text.ts');
    process.stdout.write(render.renderFleetText(doc, o.color ? COLOR : PLAIN));
  }
  return verdicts.every((v) => v.diagnosis.reachable) ? EXIT.reachable : EXIT.notReachable;
}

type HeaderArgs = Parameters<typeof import('../render/fleet.ts').fleetHeader>;
function fleetHeaderArgs(o: FleetOptions, vantages: FleetVantage[], net: ClusterNet): (targets: number, groups: number) => HeaderArgs {
  return (targets, groups) => [targets, groups, o.by, vantages, net.model?.value];
}

/**
 * The live view: the matrix redrawn in place (cursor up over the last frame, erase down) as pods start and
 * finish; cleared before the final text. A frame is short lines: a narrow terminal that wraps them is drawn below.
 */
async function liveView(targets: string[], groups: { key: string; probedFrom?: string; jobs: number }[], header: (t: number, g: number) => HeaderArgs, color: boolean) {
  const { fleetHeader, liveFrame } = await import('../render/fleet.ts');
  const { outcomeOf } = await import('../diagnose/index.ts');
  const { COLOR, PLAIN } = await import('../render/text.ts');
  const state = {
    header: fleetHeader(...header(targets.length, groups.length)),
    targets,
    groups: groups.map((g) => ({ key: g.key, ...(g.probedFrom ? { probedFrom: g.probedFrom } : {}), state: (g.jobs ? 'waiting' : 'done') as 'waiting' | 'running' | 'done', outcomes: undefined as GroupOutcome[] | undefined, left: g.jobs, vantage: undefined as FleetVantage | undefined })),
  };
  let lines = 0;
  const up = () => (lines ? `\x1b[${lines}F\x1b[J` : '');
  const draw = () => {
    const frame = liveFrame(state, color ? COLOR : PLAIN);
    process.stdout.write(`${up()}${frame.join('\n')}\n`);
    lines = frame.length;
  };
  draw();
  return {
    started(key: string) {
      const g = state.groups.find((x) => x.key === key);
      if (g && g.state === 'waiting') g.state = 'running';
      draw();
    },
    done(key: string, vantage: FleetVantage, reports: ProbeReport[] | undefined) {
      const g = state.groups.find((x) => x.key === key);
      if (!g) return;
      g.left--;
      // The pod network's view decides where both ran, as in the diagnosis.
      if (reports && (g.outcomes === undefined || vantage === 'pod')) g.outcomes = reports.map((r) => outcomeOf(r).outcome);
      if (g.left <= 0) g.state = 'done';
      draw();
    },
    clear() {
      process.stdout.write(up());
      lines = 0;
    },
  };
}
