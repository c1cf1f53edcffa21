import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { gatherContext, localFacts } from '../context/index.ts';
import type { LocalFacts } from '../context/local.ts';
import type { ContextFlags } from '../context/flags.ts';
import type { ContextReport } from '../context/types.ts';
import { judge, peerObservation, podAndNode, podOnly } from '../diagnose/index.ts';
import type { Diagnosis } from '../diagnose/types.ts';
import { normalizeCidr } from '../net/ip.ts';
import { scopedGateway } from '../net/host.ts';
import type { PeerReport } from '../probe/peer/types.ts';
import { DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT_MS, makePlan, MAX_PLAN_ITEMS } from '../probe/plan.ts';
import { readProbeReportsFile, shown, targetMismatch } from '../probe/report.ts';
import { runPlan } from '../probe/sweep.ts';
import { parseTarget } from '../probe/target.ts';
import type { ProbeEvent, ProbeReport, Target } from '../probe/types.ts';
import { buildReport, type PodreachReport } from '../render/report.ts';
import { type Credentials, findCredentials } from '../kube/credentials.ts';
import type { KubeContext, KubeLoad, KubeOptions } from '../kube/index.ts';
import { UsageError } from './errors.ts';

export interface DiagnoseOptions {
  port?: number;
  timeoutMs?: number;
  /** --patience, ms (probe/rtt.ts). */
  patienceMs?: number;
  nodeReport?: string;
  /** --peer-report: what `podreach peer` read on the target host. */
  peerReport?: string;
  context: ContextFlags;
  env: NodeJS.ProcessEnv;
  version: string;
  /** Probe progress; `index` is the target's place in the input. */
  onEvent?: (e: ProbeEvent, index: number) => void;
  /**
   * A target's probes from this pod are over (completion order), with the verdict they give alone; its report
   * still waits for the node and the API.
   */
  onProbed?: (index: number, soFar: Diagnosis) => void;
  /** Targets probed at once (--concurrency). */
  concurrency?: number;
  /** Where each target came from ("-f deps.txt", "env DATABASE_URL"; undefined: an argument), in input order. */
  origins?: readonly (string | undefined)[];
  /** Called once the context is gathered, before probing: lets the TUI draw the context panel at once. */
  onContext?: (context: ContextReport, target: Target) => void;
  /** Kubernetes API use; `false` = don't try (--no-api). */
  kube?: KubeOptions | false;
  /** Run the probe from the node through a short-lived pod (default: when the API allows it). */
  nodeProbe?: boolean;
  /** Image for the node-probe pod (--image). */
  image?: string;
  signal?: AbortSignal;
}

/** The --node-report file (a probe report, or a probe set), checked: every problem is a usage error naming the file and what is wrong. */
async function readNodeReports(path: string, timeoutMs: number, count: number): Promise<ProbeReport[]> {
  if (path === '') throw new UsageError('--node-report: the file name is empty');
  const got = await readProbeReportsFile(path, timeoutMs, count);
  if (got.why !== undefined) throw new UsageError(`--node-report ${shown(path)}: ${got.why}`);
  return got.reports;
}

/** What is known before anything is sent: the input, checked, and the context from flags and the pod. */
export interface Prepared {
  targets: Target[];
  /** The node's report for each target from --node-report, where it has one. */
  fileNodes: (ProbeReport | undefined)[];
  /** The target host's report for each target from --peer-report, where it is that target's host. */
  peers: (PeerReport | undefined)[];
  local: LocalFacts;
  early: ContextReport;
}

/**
 * Validates every target and flag, reads the node report file and gathers the early context; sends nothing.
 * Throws UsageError on bad input. The TUI calls it too, to fail (or draw the context) before ink loads.
 */
export async function prepareDiagnose(targetInputs: readonly string[], opts: DiagnoseOptions): Promise<Prepared> {
  if (targetInputs.length === 0) throw new UsageError('no TARGET given');
  if (targetInputs.length > MAX_PLAN_ITEMS) throw new UsageError(`${targetInputs.length} targets: at most ${MAX_PLAN_ITEMS} in one run`);
  const targets = targetInputs.map((t) => parseTarget(t, opts.port));
  const fileNodes =
    opts.nodeReport === undefined
      ? targets.map(() => undefined)
      : matchNodeReports(targets, await readNodeReports(opts.nodeReport, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, targets.length), opts.nodeReport);
  const peers = opts.peerReport === undefined ? targets.map(() => undefined) : matchPeerReport(targets, await readPeerReport(opts.peerReport, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS), opts.peerReport);
  const kubeconfig = opts.kube ? opts.kube.kubeconfig : undefined;
  if (kubeconfig && !existsSync(kubeconfig)) throw new UsageError(`--kubeconfig ${kubeconfig}: no such file`);
  const local = localFacts();
  const early = gatherContext({ flags: opts.context, env: opts.env, nodeReport: fileNodes.find(Boolean), local });
  return { targets, fileNodes, peers, local, early };
}

async function readPeerReport(path: string, timeoutMs: number): Promise<PeerReport> {
  if (path === '') throw new UsageError('--peer-report: the file name is empty');
  const { readPeerReportFile } = await import('../probe/peer/intake.ts');
  const got = await readPeerReportFile(path, timeoutMs);
  if (got.why !== undefined) throw new UsageError(`--peer-report ${shown(path)}: ${got.why}`);
  return got.report;
}

/**
 * The peer report stands for the targets on its host (one of its addresses) and port. One target that it
 * cannot stand for is a usage error; in a sweep, the targets on other hosts simply go without.
 */
function matchPeerReport(targets: readonly Target[], peer: PeerReport, path: string): (PeerReport | undefined)[] {
  const why = (t: Target): string | undefined => {
    if (t.ip !== undefined && !peer.host.addresses.some((a) => normalizeCidr(a) === normalizeCidr(t.ip as string))) return `it was made on ${shown(peer.host.hostname)} (${peer.host.addresses.slice(0, 4).join(', ')}), not on ${t.ip}`;
    if (peer.port !== null && t.port !== undefined && peer.port !== t.port) return `it watched port ${peer.port}, not ${t.port}`;
    return undefined;
  };
  const [only] = targets;
  if (targets.length === 1 && only) {
    const wrong = why(only);
    if (wrong !== undefined) throw new UsageError(`--peer-report ${shown(path)}: ${wrong}`);
  }
  return targets.map((t) => (why(t) === undefined ? peer : undefined));
}

/**
 * One target and one report: it must be for that target. A probe set: each target takes the report that can
 * stand for it (same address or name, same port), if there is one.
 */
function matchNodeReports(targets: readonly Target[], reports: readonly ProbeReport[], path: string): (ProbeReport | undefined)[] {
  const [only] = reports;
  const [target] = targets;
  if (targets.length === 1 && reports.length === 1 && only && target) {
    const wrong = targetMismatch(only, target);
    if (wrong !== undefined) throw new UsageError(`--node-report ${shown(path)}: ${wrong}`);
    return [only];
  }
  return targets.map((t) => reports.find((r) => targetMismatch(r, t) === undefined));
}

/**
 * The whole pipeline: context → probe (pod, and node when it can) → diagnose → a report per target, in input
 * order. One context read, one API read and one node-probe pod for all targets: it runs the same plan the pod
 * runs. `prepared` is prepareDiagnose's result when the caller already has it (the live view checks the input
 * first).
 */
export async function runDiagnose(targetInputs: readonly string[], opts: DiagnoseOptions, prepared?: Prepared): Promise<PodreachReport[]> {
  const t0 = performance.now();
  // Context first: it validates every flag, and nothing may be sent before the input is known good.
  const { targets, fileNodes, peers, local, early } = prepared ?? (await prepareDiagnose(targetInputs, opts));
  opts.onContext?.(early, targets[0] as Target);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const plan = makePlan(targets, timeoutMs, opts.patienceMs);
  // Each target's verdict from the pod's own probes, once: the live table's first answer, and what tells
  // whether the node's view is needed at all.
  const alone: Diagnosis[] = [];
  const verdictAlone = (i: number, pod: ProbeReport): Diagnosis => (alone[i] ??= podOnly(targets[i] as Target, pod, early.facts));
  // With credentials, the API read is started (its modules loaded) before the probes: a TLS handshake and two
  // reads in series, it is the longer path to a verdict, and the node-probe pod waits for it. Without, what
  // stands in for it (the note, the by-hand command) loads once the probes are out, not in their way.
  const kubeOpts = opts.kube === false ? undefined : { ...(opts.kube ?? {}), env: opts.env, signal: opts.signal };
  const credentials = kubeOpts && (findCredentials(kubeOpts) ?? null);
  const kubeStart = kubeOpts && (credentials ? Promise.resolve(await startKube(kubeOpts, credentials)) : startKube(kubeOpts, null));
  // Targets that answered this pod already (a SYN-ACK, an echo reply): likely reachable, their node view waits for the pod's verdict.
  const answered = new Set<number>();
  // The route and MTU were just read for the context: the probes take them from there.
  const probing = runPlan(plan, {
    role: 'pod',
    concurrency: opts.concurrency,
    onEvent: (i, e) => {
      if (answers(e)) answered.add(i);
      opts.onEvent?.(e, i);
    },
    onReport: opts.onProbed ? (i, pod) => opts.onProbed?.(i, verdictAlone(i, pod)) : undefined,
    gateway: local.facts.gateway?.value ?? null,
    gateway6: local.route6 ? scopedGateway(local.route6) : null,
    mtu: local.facts.mtu?.value ?? null,
    addresses: () => local.addresses,
  });
  // The API loads lazily and in parallel with probing; the verdict waits for it only within the API's budget.
  const kubeLoad = kubeStart && withinBudget(kubeStart, opts.env, probing);
  const wantNode = kubeStart !== undefined && kubeLoad !== undefined && fileNodes.every((n) => !n) && opts.nodeProbe !== false;
  // The node-probe pod starts as soon as our pod was read, alongside the pod's own probes, and is
  // cancelled (deleted) once those prove every target reachable: the node's view cannot change that
  // verdict. Started only after a failure instead, a failing verdict would wait for the pod's probes too
  // (README, Benchmarks).
  const cancelNode = new AbortController();
  let decided: () => void = () => {};
  const podVerdicts = new Promise<void>((r) => (decided = r));
  const forward = (): void => cancelNode.abort(opts.signal?.reason);
  // Also tells the CLI's signal handler that a pod is being cleaned up.
  if (wantNode) opts.signal?.addEventListener('abort', forward);
  const nodeRun = wantNode
    ? kubeStart.then(async (load) => {
        // Our pod read is enough to place the probe pod: it does not wait for the other reads, unless the
        // verdict stops waiting for the API first.
        const session = await Promise.race([load.session, kubeLoad.then((k) => k.session)]);
        // Every target answered: the pod's verdicts are moments away and likely cancel the probe pod, whose
        // create and delete would then hold the verdict up. Started early only where the node's view is likely needed.
        if (answered.size === targets.length) await podVerdicts;
        const kube: KubeContext = session ? { access: 'partial', facts: {}, missing: [], notes: [], session } : await kubeLoad;
        const { runNodeProbe } = await import('../kube/index.ts');
        const rounds = Math.ceil(targets.length / (opts.concurrency ?? DEFAULT_CONCURRENCY));
        return runNodeProbe(kube, plan, { image: opts.image, timeoutMs: Math.max(20_000, timeoutMs * 8, rounds * timeoutMs + 20_000), signal: cancelNode.signal });
      })
    : undefined;
  const pods = await probing;
  // Without credentials no probe pod can start: nothing to cancel, and no pod-only verdicts to work out.
  const proven = nodeRun !== undefined && credentials !== null && pods.every((pod, i) => verdictAlone(i, pod).cause === 'reachable');
  if (proven) cancelNode.abort();
  decided();
  const kube = await kubeLoad;
  let nodes = fileNodes;
  const notes: string[] = [];
  const r = await nodeRun;
  opts.signal?.removeEventListener('abort', forward);
  if (r?.reports) {
    // A report that cannot stand for its target (another address or port) is left out, and said so.
    const wrong = r.reports.map((rep, i) => targetMismatch(rep, targets[i] as Target));
    nodes = r.reports.map((rep, i) => (wrong[i] === undefined ? rep : undefined));
    const first = wrong.findIndex((w) => w !== undefined);
    const which = targets.length > 1 ? ` for ${targets[first]?.input}` : '';
    if (first >= 0) notes.push(`node side: the probe pod's report${which} cannot be used: ${wrong[first]}; by hand: ${r.manualCommand}`);
  } else if (proven && kube?.session) notes.push(`node side: not needed: this pod reached ${targets.length > 1 ? 'every target' : 'the target'} (probe pod cancelled)`);
  else if (r) notes.push(`node side: ${r.error ?? 'no report'}; by hand: ${r.manualCommand}`);
  const tProbe = performance.now();
  const context = gatherContext({
    flags: opts.context,
    env: opts.env,
    nodeReport: nodes.find(Boolean),
    local,
    api: kube?.facts,
    apiNotes: [...(kube?.notes ?? []), ...notes],
    apiMissing: kube?.missing,
  });
  return targets.map((target, i) => {
    const t1 = performance.now();
    const peer = peers[i];
    const observations = [...podAndNode(pods[i] as ProbeReport, nodes[i], context.facts.nodeName?.value), ...(peer ? [peerObservation(peer)] : [])];
    const [pod, node] = observations.map((o) => o.report) as [ProbeReport, ProbeReport?];
    const resolved = { ...target, ip: pod.target.ip ?? target.ip };
    const { diagnosis, cidr, snat } = judge({ target: resolved, context: context.facts, observations });
    const facts = snat && !context.facts.snat ? { ...context.facts, snat } : context.facts;
    const tEnd = performance.now();
    // One target: the run's own clock. Several: this target's probes and diagnosis.
    const timings =
      targets.length === 1
        ? { probeMs: round(tProbe - t0), diagnoseMs: round(tEnd - tProbe), totalMs: round(tEnd - t0) }
        : { probeMs: round(pod.durationMs), diagnoseMs: round(tEnd - t1), totalMs: round(pod.durationMs + tEnd - t1) };
    return buildReport({ version: opts.version, target: resolved, from: opts.origins?.[i], context: { ...context, facts }, cidr, pod, node, peer, diagnosis, timings });
  });
}

/** A probe's result that shows the target is up: an open port, an echo reply. */
const answers = (e: ProbeEvent): boolean => e.type === 'finished' && ((e.probe === 'tcp' && e.result.status === 'open') || (e.probe === 'icmp' && e.result.status === 'reply'));

async function startKube(opts: KubeOptions & { env: NodeJS.ProcessEnv; signal?: AbortSignal }, credentials: Credentials | null): Promise<KubeLoad> {
  if (!credentials) await new Promise((r) => setImmediate(r));
  const [{ startKubeContext }] = await Promise.all([import('../kube/index.ts'), credentials && import('../kube/session.ts')]);
  return startKubeContext({ ...opts, credentials });
}

async function withinBudget(start: Promise<KubeLoad>, env: NodeJS.ProcessEnv, probing: Promise<unknown>): Promise<KubeContext> {
  const [load, { kubeWithin }] = await Promise.all([start, import('../kube/index.ts')]);
  // PODREACH_API_BUDGET_MS: more time for a slow API (or a loaded test machine) than the default 400 ms.
  const budget = Number(env.PODREACH_API_BUDGET_MS) > 0 ? Number(env.PODREACH_API_BUDGET_MS) : undefined;
  return kubeWithin(load, probing, budget);
}

const round = (n: number) => Math.round(n * 10) / 10;
