// Kubernetes-aware context and the node-side probe.
// This module must stay cheap to import: @kubernetes/client-node (~0.6 s) is only loaded by
// session.ts, which is imported dynamically when a call actually needs the API.
import type { MissingFact, PodContext } from '../context/types.ts';
import type { ProbeReport } from '../probe/types.ts';
import { findCredentials } from './credentials.ts';
import { missingHints } from './hints.ts';
import { manualCommand, probeImage } from './manual.ts';

export interface KubeOptions {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  pod?: string;
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
  report?: ProbeReport;
  error?: string;
  /** `kubectl debug node/NAME ... -- podreach probe TARGET -o json`: the same report by hand, for --node-report. */
  manualCommand: string;
  podName?: string;
}

export interface NodeProbeOptions {
  image?: string;
  timeoutMs: number;
  signal?: AbortSignal;
  extraArgs?: string[];
}

const DEFAULT_KUBE_TIMEOUT_MS = 3000;

/** The API read under way: the caller decides how long the verdict waits for it. */
export interface KubeLoad {
  /** Never rejects; bounded by the options' timeoutMs. */
  context: Promise<KubeContext>;
  /** True once the server has answered at all: then it is worth the rest of the budget, not just a grace. */
  answered(): boolean;
  /** Stops what is in flight and says why there is no API context ("no answer within N ms (…)"). */
  giveUp(waitedMs: number): KubeContext;
}

/** Reads the pod, its node and the cluster's network signals. Never throws; bounded by timeoutMs. */
export function loadKubeContext(opts: KubeOptions): Promise<KubeContext> {
  return startKubeContext(opts).context;
}

/**
 * Starts the API read: credentials (plain fs), a preflight GET /version (node:https), and only for a server
 * that answers, the client (@kubernetes/client-node) and the reads. The client's import (CPU, ~0.6 s) is
 * not counted against timeoutMs.
 */
export function startKubeContext(opts: KubeOptions & { signal?: AbortSignal }): KubeLoad {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_KUBE_TIMEOUT_MS;
  const env = opts.env ?? process.env;
  const stop = new AbortController();
  const signal = opts.signal ? AbortSignal.any([stop.signal, opts.signal]) : stop.signal;
  let answered = false;
  let stage = 'looking for credentials';
  let describe = '';
  const context = (async (): Promise<KubeContext> => {
    const cred = findCredentials({ ...opts, env });
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
    const deadline = Date.now() + timeoutMs;
    const { endpointOf, preflight } = await import('./reach.ts');
    const ep = await endpointOf(cred, opts.context);
    if (ep) {
      describe = `${ep.server}, ${cred.describe}`;
      stage = `GET ${ep.server}/version`;
      const reach = await preflight(ep, deadline, signal);
      if (!reach.alive) return failed(reach.access, `API: ${ep.server} (${cred.describe}): ${reach.fault}; using what the pod itself shows`);
    }
    answered = true;
    stage = 'loading the API client';
    const { loadContext } = await import('./session.ts');
    stage = 'reading the pod, node and cluster';
    // The import took CPU, not round trips: the reads get the whole budget again.
    const readsBy = Date.now() + timeoutMs;
    return await withDeadline(loadContext(cred, { ...opts, env }, readsBy, signal), readsBy, () =>
      failed('unreachable', `API: no answer from ${cred.describe} within ${timeoutMs} ms; using what the pod itself shows`),
    );
  })().catch((err: unknown) => failed('error', `API: ${oneLine(err)}; using what the pod itself shows`));
  return {
    context,
    answered: () => answered,
    giveUp(waitedMs) {
      stop.abort();
      const where = describe ? `${describe}; ` : '';
      return failed(answered ? 'error' : 'unreachable', `API: no answer within ${Math.round(waitedMs)} ms (${where}${stage}); verdict from what the pod itself shows`);
    },
  };
}

/** How long the verdict waits, once the probes are done, for a server that has not answered at all. */
export const API_GRACE_MS = 400;

/**
 * The API context the verdict can have: whatever arrived while the probes ran; after them, a server that
 * answered gets the rest of its budget, a silent one only `graceMs`, then it is given up with a note.
 */
export async function kubeWithin(load: KubeLoad, probesDone: Promise<unknown>, graceMs = API_GRACE_MS): Promise<KubeContext> {
  const t0 = performance.now();
  const settled = probesDone.then(
    () => undefined,
    () => undefined,
  );
  const early = await Promise.race([load.context, settled]);
  if (early) return early;
  const late = await Promise.race([load.context, new Promise<undefined>((ok) => setTimeout(() => ok(undefined), graceMs))]);
  if (late) return late;
  return load.answered() ? load.context : load.giveUp(performance.now() - t0);
}

function failed(access: KubeAccess, note: string): KubeContext {
  return { access, facts: {}, missing: missingHints({}, access), notes: [note] };
}

/** Runs `podreach probe TARGET -o json` in a short-lived hostNetwork pod on our node. Never throws. */
export async function runNodeProbe(
  ctx: KubeContext,
  targetInput: string,
  opts: NodeProbeOptions,
): Promise<NodeProbeResult> {
  const image = probeImage(ctx.session, opts.image);
  const command = manualCommand(ctx.session?.nodeName ?? ctx.facts.nodeName?.value, image, targetInput, opts.extraArgs);
  if (!ctx.session) {
    return {
      manualCommand: command,
      error: `node probe needs the Kubernetes API (${ctx.access}); run the command below and pass its output with --node-report`,
    };
  }
  try {
    const { runProbePod } = await import('./node-probe.ts');
    return await runProbePod(ctx.session, targetInput, { ...opts, image }, command);
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
