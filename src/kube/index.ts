// Kubernetes-aware context and the node-side probe.
// This module stays cheap to import: session.ts (the reads) and node-probe.ts load when a call needs them.
import type { MissingFact, PodContext } from '../context/types.ts';
import type { ProbePlan } from '../probe/plan.ts';
import type { ProbeReport } from '../probe/types.ts';
import type { PodObject } from './objects.ts';
import { type Credentials, findCredentials } from './credentials.ts';
import { missingHints } from './hints.ts';
import type { Progress } from './session.ts';
import { manualCommand, probeImage } from './manual.ts';

export interface KubeOptions {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  pod?: string;
  /** The pod object already read (--from-env): not read again. */
  podObject?: PodObject;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

export type KubeAccess = 'ok' | 'partial' | 'no-credentials' | 'forbidden' | 'unreachable' | 'error';

export interface KubeContext {
  access: KubeAccess;
  /** Each Fact has source 'api', a confidence and a note naming the object/field/label. */
  facts: PodContext;
  missing: MissingFact[];
  /** One line each: "API: 403 listing daemonsets in kube-system (grant list daemonsets)". */
  notes: string[];
  /** Opaque handle for runNodeProbe. */
  session?: KubeSession;
}

/** Opaque to callers: what runNodeProbe needs to create the probe pod next to us. */
export interface KubeSession {
  readonly kind: 'podreach.kube-session';
  /** Where the credentials came from, for messages ("service account", "kubeconfig ~/.kube/config"). */
  credentials: string;
  namespace: string;
  podName?: string;
  podUid?: string;
  nodeName?: string;
  /** Image of the podreach container in our own pod spec, if found. */
  ownImage?: string;
  /** The loaded API handle (an Api from session.ts); unknown here to keep this file import-free. */
  api: unknown;
}

export interface NodeProbeResult {
  /** One report per plan item, in plan order. */
  reports?: ProbeReport[];
  error?: string;
  /** `kubectl debug node/NAME ... -- podreach probe --plan PLAN -o json`: the same reports by hand, for --node-report. */
  manualCommand: string;
  podName?: string;
}

export interface NodeProbeOptions {
  image?: string;
  timeoutMs: number;
  signal?: AbortSignal;
  extraArgs?: string[];
  /** The pod's network: the node's (default, the node's view) or its own (fleet: the view of a pod on that node). */
  hostNetwork?: boolean;
  /** More labels (fleet: the run that owns the pod, for --cleanup). */
  labels?: Record<string, string>;
}

const DEFAULT_KUBE_TIMEOUT_MS = 3000;

/** The API read under way: the caller decides how long the verdict waits for it. */
export interface KubeLoad {
  /** Never rejects; bounded by the options' timeoutMs. */
  context: Promise<KubeContext>;
  /** performance.now() at the start. */
  started: number;
  /** True once the server has answered anything: alive, so worth more than a silent one. */
  answered(): boolean;
  /** Resolves once our pod was read (a probe pod can be placed), or with the context's session when it is in first. Never rejects. */
  session: Promise<KubeSession | undefined>;
  /** Stops what is in flight and says why there is no API context ("no answer within N ms (…)"). */
  giveUp(waitedMs: number): KubeContext;
}

/** Reads the pod, its node and the cluster's network signals. Never throws; bounded by timeoutMs. */
export function loadKubeContext(opts: KubeOptions): Promise<KubeContext> {
  return startKubeContext(opts).context;
}

/** Starts the API read: credentials (plain fs; `credentials` when the caller looked already, null for none), then the reads in parallel (rest.ts, node:https). */
export function startKubeContext(opts: KubeOptions & { signal?: AbortSignal; credentials?: Credentials | null }): KubeLoad {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_KUBE_TIMEOUT_MS;
  const env = opts.env ?? process.env;
  const stop = new AbortController();
  const signal = opts.signal ? AbortSignal.any([stop.signal, opts.signal]) : stop.signal;
  const started = performance.now();
  let early: (s: KubeSession | undefined) => void = () => {};
  const session = new Promise<KubeSession | undefined>((r) => (early = r));
  const progress: Progress = { answered: false, onSession: early };
  let stage = 'looking for credentials';
  let describe = '';
  const context = (async (): Promise<KubeContext> => {
    const cred = opts.credentials === undefined ? findCredentials({ ...opts, env }) : opts.credentials;
    if (!cred) {
      return {
        access: 'no-credentials',
        facts: {},
        missing: missingHints({}, 'no-credentials'),
        notes: [
          'API: no credentials (no service-account token, no $KUBECONFIG or ~/.kube/config); using what the pod itself shows. Pass --kubeconfig, or run with a service account bound to manifests/rbac.yaml',
        ],
      };
    }
    describe = cred.describe;
    stage = 'reading the pod, node and cluster';
    const { loadContext } = await import('./session.ts');
    const deadline = Date.now() + timeoutMs;
    return await withDeadline(loadContext(cred, { ...opts, env }, deadline, signal, progress), deadline, () =>
      failed('unreachable', `API: no answer from ${cred.describe} within ${timeoutMs} ms; using what the pod itself shows`),
    );
  })().catch((err: unknown) => failed('error', `API: ${oneLine(err)}; using what the pod itself shows`));
  void context.then((c) => early(c.session));
  return {
    context,
    started,
    session,
    answered: () => progress.answered,
    giveUp(waitedMs) {
      stop.abort();
      const where = [progress.server, describe].filter(Boolean).map((w) => `${w}; `).join('');
      if (progress.answered) return failed('error', `API: the reads did not finish within ${Math.round(waitedMs)} ms (${where}the server answers, slowly); verdict from what the pod itself shows`);
      return failed('unreachable', `API: no answer within ${Math.round(waitedMs)} ms (${where}${stage}); verdict from what the pod itself shows`);
    },
  };
}

/**
 * How long the verdict waits for the API, counted from the API's start: the reads run on while the probes
 * do; once the probes are done, the verdict waits for the rest of API_BUDGET_MS (and at least API_GRACE_MS
 * more, so a fast verdict does not cut a healthy server short), or of API_ALIVE_BUDGET_MS when the server has
 * answered something (alive, only slow: a loaded API server, a cold one).
 */
export const API_BUDGET_MS = 400;
export const API_GRACE_MS = 450;
export const API_ALIVE_BUDGET_MS = 2500;

/** The API context the verdict can have within the budget; after it, the API is given up with a note. */
export async function kubeWithin(load: KubeLoad, probesDone: Promise<unknown>, budgetMs = API_BUDGET_MS, aliveMs = API_ALIVE_BUDGET_MS): Promise<KubeContext> {
  const settled = probesDone.then(
    () => undefined,
    () => undefined,
  );
  const early = await Promise.race([load.context, settled]);
  if (early) return early;
  const wait = async (ms: number) => {
    let timer: NodeJS.Timeout | undefined;
    const out = new Promise<undefined>((ok) => (timer = setTimeout(() => ok(undefined), Math.max(0, ms))));
    return Promise.race([load.context, out]).finally(() => clearTimeout(timer));
  };
  const late =
    (await wait(Math.max(load.started + budgetMs, performance.now() + API_GRACE_MS) - performance.now())) ??
    (load.answered() ? await wait(load.started + Math.max(aliveMs, budgetMs) - performance.now()) : undefined);
  return late ?? load.giveUp(performance.now() - load.started);
}

function failed(access: KubeAccess, note: string): KubeContext {
  return { access, facts: {}, missing: missingHints({}, access), notes: [note] };
}

/** Runs the plan (`podreach probe --plan ...`) in one short-lived hostNetwork pod on our node. Never throws. */
export async function runNodeProbe(ctx: KubeContext, plan: ProbePlan, opts: NodeProbeOptions): Promise<NodeProbeResult> {
  const image = probeImage(ctx.session, opts.image);
  const command = manualCommand(ctx.session?.nodeName ?? ctx.facts.nodeName?.value, image, plan, opts.extraArgs);
  if (!ctx.session) {
    return {
      manualCommand: command,
      error: `node probe needs the Kubernetes API (${ctx.access}); run the command below and pass its output with --node-report`,
    };
  }
  try {
    const { runProbePod } = await import('./node-probe.ts');
    return await runProbePod(ctx.session, plan, { ...opts, image }, command);
  } catch (err) {
    return { manualCommand: command, error: `node probe failed: ${oneLine(err)}` };
  }
}

function withDeadline<T>(p: Promise<T>, deadline: number, onTimeout: () => T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(onTimeout()), Math.max(0, deadline - Date.now()) + 250);
    timer.unref();
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

function oneLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n')[0]?.slice(0, 300) ?? 'unknown error';
}
