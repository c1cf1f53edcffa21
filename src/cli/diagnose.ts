import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { gatherContext, localFacts } from '../context/index.ts';
import type { LocalFacts } from '../context/local.ts';
import type { ContextFlags } from '../context/flags.ts';
import type { ContextReport } from '../context/types.ts';
import { cidrFacts } from '../diagnose/cidr.ts';
import { diagnose } from '../diagnose/engine.ts';
import { measuredSnat } from '../diagnose/signals.ts';
import { DEFAULT_TIMEOUT_MS, runProbes } from '../probe/run.ts';
import { readProbeReportFile, shown, targetMismatch } from '../probe/report.ts';
import { parseTarget } from '../probe/target.ts';
import type { ProbeEvent, ProbeReport, Target } from '../probe/types.ts';
import { buildReport, type PodreachReport } from '../render/report.ts';
import type { KubeContext, KubeOptions } from '../kube/index.ts';
import { UsageError } from './errors.ts';

export interface DiagnoseOptions {
  port?: number;
  timeoutMs?: number;
  nodeReport?: string;
  context: ContextFlags;
  env: NodeJS.ProcessEnv;
  version: string;
  onEvent?: (e: ProbeEvent) => void;
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

/** The --node-report file, checked: every problem is a usage error naming the file and what is wrong. */
export async function readNodeReport(path: string, target: Target, timeoutMs: number): Promise<ProbeReport> {
  if (path === '') throw new UsageError('--node-report: the file name is empty');
  const refused = (why: string) => new UsageError(`--node-report ${shown(path)}: ${why}`);
  const got = await readProbeReportFile(path, timeoutMs);
  if (got.why !== undefined) throw refused(got.why);
  const wrong = targetMismatch(got.report, target);
  if (wrong !== undefined) throw refused(wrong);
  return got.report;
}

/** What is known before anything is sent: the input, checked, and the context from flags and the pod. */
export interface Prepared {
  target: Target;
  fileNode?: ProbeReport;
  local: LocalFacts;
  early: ContextReport;
}

/**
 * Validates the target and every flag, reads the node report file and gathers the early context; sends
 * nothing. Throws UsageError on bad input. The TUI calls it too, to fail (or draw the context) before ink loads.
 */
export async function prepareDiagnose(targetInput: string, opts: DiagnoseOptions): Promise<Prepared> {
  const target = parseTarget(targetInput, opts.port);
  const fileNode =
    opts.nodeReport === undefined ? undefined : await readNodeReport(opts.nodeReport, target, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const kubeconfig = opts.kube ? opts.kube.kubeconfig : undefined;
  if (kubeconfig && !existsSync(kubeconfig)) throw new UsageError(`--kubeconfig ${kubeconfig}: no such file`);
  const local = localFacts();
  const early = gatherContext({ flags: opts.context, env: opts.env, nodeReport: fileNode, local });
  return { target, fileNode, local, early };
}

/**
 * The whole pipeline: context → probe (pod, and node when it can) → diagnose → report. `prepared` is
 * prepareDiagnose's result when the caller already has it (the live view checks the input first).
 */
export async function runDiagnose(targetInput: string, opts: DiagnoseOptions, prepared?: Prepared): Promise<PodreachReport> {
  const t0 = performance.now();
  // Context first: it validates every flag, and nothing may be sent before the input is known good.
  const { target, fileNode, local, early } = prepared ?? (await prepareDiagnose(targetInput, opts));
  opts.onContext?.(early, target);
  // The route and MTU were just read for the context: the probes take them from there.
  const probing = runProbes(target, {
    role: 'pod',
    timeoutMs: opts.timeoutMs,
    onEvent: opts.onEvent,
    gateway: local.facts.gateway?.value ?? null,
    mtu: local.facts.mtu?.value ?? null,
  });
  // The API loads lazily and in parallel with probing; the verdict waits for it only within the API's budget.
  const kube = opts.kube === false ? undefined : await loadKube(opts.kube ?? {}, opts.env, probing, opts.signal);
  let node = fileNode;
  const notes: string[] = [];
  if (!node && kube && opts.nodeProbe !== false) {
    const { runNodeProbe } = await import('../kube/index.ts');
    const r = await runNodeProbe(kube, targetInput, {
      image: opts.image,
      timeoutMs: Math.max(20_000, (opts.timeoutMs ?? DEFAULT_TIMEOUT_MS) * 8),
      signal: opts.signal,
    });
    const wrong = r.report && targetMismatch(r.report, target);
    node = wrong ? undefined : r.report;
    if (!node) notes.push(`node side: ${wrong ? `the probe pod's report cannot be used: ${wrong}` : (r.error ?? 'no report')}; by hand: ${r.manualCommand}`);
  }
  const pod = await probing;
  const tProbe = performance.now();
  const context = gatherContext({
    flags: opts.context,
    env: opts.env,
    nodeReport: node,
    local,
    api: kube?.facts,
    apiNotes: [...(kube?.notes ?? []), ...notes],
    apiMissing: kube?.missing,
  });
  const resolved = { ...target, ip: pod.target.ip ?? target.ip };
  const cidr = cidrFacts(resolved.ip, context.facts);
  const evidence = { target: resolved, context: context.facts, pod, node, cidr };
  const diagnosis = diagnose(evidence);
  const snat = measuredSnat(evidence);
  if (snat && !context.facts.snat) context.facts.snat = snat;
  const tEnd = performance.now();
  return buildReport({
    version: opts.version,
    target: resolved,
    context,
    cidr,
    pod,
    node,
    diagnosis,
    timings: { probeMs: round(tProbe - t0), diagnoseMs: round(tEnd - tProbe), totalMs: round(tEnd - t0) },
  });
}

async function loadKube(opts: KubeOptions, env: NodeJS.ProcessEnv, probing: Promise<unknown>, signal?: AbortSignal): Promise<KubeContext> {
  const { kubeWithin, startKubeContext } = await import('../kube/index.ts');
  // PODREACH_API_BUDGET_MS: more time for a slow API (or a loaded test machine) than the default 400 ms.
  const budget = Number(env.PODREACH_API_BUDGET_MS) > 0 ? Number(env.PODREACH_API_BUDGET_MS) : undefined;
  return kubeWithin(startKubeContext({ ...opts, env, signal }), probing, budget);
}

const round = (n: number) => Math.round(n * 10) / 10;
