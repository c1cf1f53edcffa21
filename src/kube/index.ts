// Kubernetes-aware context and the node-side probe.
// This module must stay cheap to import: @kubernetes/client-node (~0.6 s) is only loaded by
// session.ts, which is imported dynamically when a call actually needs the API.
import type { MissingFact, PodContext } from '../context/types.ts';
import type { ProbePlan } from '../probe/plan.ts';
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
}

const DEFAULT_KUBE_TIMEOUT_MS = 3000;

/** Reads the pod, its node and the cluster's network signals. Never throws; bounded by timeoutMs. */
export async function loadKubeContext(opts: KubeOptions): Promise<KubeContext> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_KUBE_TIMEOUT_MS;
  const env = opts.env ?? process.env;
  try {
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
    // The budget is for the API round trips; the client's import (CPU, ~0.6 s) is not counted against it.
    const { loadContext } = await import('./session.ts');
    const deadline = Date.now() + timeoutMs;
    return await withDeadline(loadContext(cred, { ...opts, env }, deadline), deadline, () => ({
      access: 'unreachable' as const,
      facts: {},
      missing: missingHints({}, 'unreachable'),
      notes: [`API: no answer from ${cred.describe} within ${timeoutMs} ms; using what the pod itself shows`],
    }));
  } catch (err) {
    return {
      access: 'error',
      facts: {},
      missing: missingHints({}, 'error'),
      notes: [`API: ${oneLine(err)}; using what the pod itself shows`],
    };
  }
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
