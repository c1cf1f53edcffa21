// The node-side probe: one short-lived hostNetwork pod on our node runs the plan (`podreach probe --plan ...`)
// for every target at once; we read its reports from the log and delete it, whatever happens (done, error,
// timeout, Ctrl-C).
// If podreach itself is killed hard, the pod's ownerReference (our own pod) lets the garbage collector remove
// it with us, and activeDeadlineSeconds stops it from running on.
import { randomBytes } from 'node:crypto';
import type { ProbePlan } from '../probe/plan.ts';
import { NOT_JSON, parseProbeReports, preloadReportChecks, reportsCap, type SetIntake } from '../probe/report.ts';
import type { KubeSession, NodeProbeOptions, NodeProbeResult } from './index.ts';
import { probeArgv } from './manual.ts';
import type { PodObject } from './objects.ts';
import { call } from './rest.ts';
import type { Api } from './session.ts';

export const PROBE_LABELS = {
  'app.kubernetes.io/name': 'podreach',
  'app.kubernetes.io/component': 'node-probe',
  'app.kubernetes.io/managed-by': 'podreach',
} as const;

/** Without a watch (refused, or not served): how often the pod is read. */
const POLL_MS = 200;
/** A watch: the streams opened before falling back to polling, and the bounds of each (a probe pod changes a few times). */
const WATCH_ATTEMPTS = 5;
const WATCH_MAX_LINES = 1000;
const WATCH_MAX_BYTES = 8 * 1024 * 1024;
const DELETE_TIMEOUT_MS = 4000;
/** Reasons a container will not start by itself: fail now rather than at the timeout. */
const STUCK = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'CreateContainerConfigError', 'CreateContainerError', 'ErrImageNeverPull']);

type ProbeOptions = NodeProbeOptions & { image: string };

/** The targets, for `kubectl get pod -o yaml` readers; the plan itself is in the command. */
function targetsNote(plan: ProbePlan): string {
  const all = plan.items.map((i) => i.target.input).join(' ');
  return all.length <= 1000 ? all : `${all.slice(0, 1000)}… (${plan.items.length} targets)`;
}

/** Exported for the Pod Security test (test/unit/manifests-pss.test.ts): the one pod podreach creates. */
export function probePodManifest(session: KubeSession, name: string, plan: ProbePlan, opts: ProbeOptions): object {
  const deadlineSeconds = Math.ceil(opts.timeoutMs / 1000) + 10;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: session.namespace,
      labels: { ...PROBE_LABELS, ...(session.podName ? { 'podreach.io/for-pod': session.podName.slice(0, 63) } : {}), ...opts.labels },
      annotations: {
        'podreach.io/target': targetsNote(plan),
        'podreach.io/cleanup': 'deleted by podreach when the probe ends; owned by the pod that started it',
        // The documented exception to Pod Security "restricted" (manifests/rbac-node-probe.yaml).
        'podreach.io/pod-security':
          opts.hostNetwork !== false
            ? 'privileged: hostNetwork and NET_RAW, to probe from the node\'s own network namespace'
            : 'baseline: NET_RAW, to ping from the pod network',
      },
      ...(session.podName && session.podUid
        ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: session.podName, uid: session.podUid, blockOwnerDeletion: false }] }
        : {}),
    },
    spec: {
      nodeName: session.nodeName,
      hostNetwork: opts.hostNetwork !== false,
      dnsPolicy: opts.hostNetwork !== false ? 'ClusterFirstWithHostNet' : 'ClusterFirst',
      restartPolicy: 'Never',
      activeDeadlineSeconds: deadlineSeconds,
      terminationGracePeriodSeconds: 0,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
      // Our node may be tainted; the pod is pinned to it by nodeName anyway.
      tolerations: [{ operator: 'Exists' }],
      containers: [
        {
          name: 'probe',
          image: opts.image,
          imagePullPolicy: 'IfNotPresent',
          command: probeArgv(plan, opts.extraArgs),
          resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { cpu: '200m', memory: '128Mi' } },
          securityContext: {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ['ALL'], add: ['NET_RAW'] },
          },
        },
      ],
    },
  };
}

export async function runProbePod(
  session: KubeSession,
  plan: ProbePlan,
  opts: ProbeOptions,
  manualCommand: string,
): Promise<NodeProbeResult> {
  if (!session.nodeName) {
    return { manualCommand, error: 'node probe: our node is unknown (own pod not readable); run the command below by hand' };
  }
  if (opts.signal?.aborted) return { manualCommand, error: 'node probe: cancelled' };

  // Hold a listener for the whole create → delete span: it tells the CLI's signal handler that cleanup is
  // in progress (it waits for us instead of exiting at once).
  const holding = () => undefined;
  opts.signal?.addEventListener('abort', holding);
  try {
    return { manualCommand, ...(await createRunDelete(session, plan, opts)) };
  } finally {
    opts.signal?.removeEventListener('abort', holding);
  }
}

async function createRunDelete(session: KubeSession, plan: ProbePlan, opts: ProbeOptions): Promise<Omit<NodeProbeResult, 'manualCommand'>> {
  const api = session.api as Api;
  const ns = session.namespace;
  const name = `podreach-probe-${randomBytes(3).toString('hex')}`;
  const deadline = Date.now() + opts.timeoutMs;
  const left = () => Math.max(1, deadline - Date.now());
  const body = probePodManifest(session, name, plan, opts);
  // Creation is not tied to the abort signal: if it was sent, we must know, so we can delete it.
  const pods = `/api/v1/namespaces/${encodeURIComponent(ns)}/pods`;
  const created = await call(api.rest, pods, { method: 'POST', body, ms: Math.min(left(), 5000) });
  if (!created.ok) {
    if (created.status === 'timeout' || created.status === 'unreachable') {
      // The server may have created it anyway.
      await remove(api, ns, name);
    }
    return { error: createError(created.status, created.message, ns) };
  }
  // The report checks load while the pod starts, not after its log is in.
  preloadReportChecks();
  let removing: Promise<string | undefined> | undefined;
  try {
    const done = await waitForEnd(api, ns, name, (created.value as { metadata?: { resourceVersion?: string } })?.metadata?.resourceVersion, deadline, opts.signal);
    if (done.error && !done.finished) return { podName: name, error: done.error };
    // One byte past the cap: a longer log is not a report, and is not read whole.
    const log = await call<string>(api.rest, `${pods}/${name}/log?container=probe&limitBytes=${reportsCap(plan.items.length) + 1}`, { text: true, ms: Math.max(1000, Math.min(left(), 5000)) });
    if (!log.ok) return { podName: name, error: `node probe: could not read the log of pod ${ns}/${name}: ${log.message}` };
    // The log is all the pod had to give: it goes while the report is checked.
    removing = remove(api, ns, name);
    const text = String(log.value);
    const { reports, why } = await parseReports(text, plan.items.length);
    if (reports?.length === plan.items.length) return { podName: name, reports };
    if (reports) return { podName: name, error: `node probe: pod ${ns}/${name} printed ${reports.length} reports for ${plan.items.length} targets` };
    if (why) return { podName: name, error: `node probe: pod ${ns}/${name} printed a report podreach cannot use: ${why}` };
    return { podName: name, error: `node probe: pod ${ns}/${name} ${done.error ?? 'ended'} without a podreach report (log: ${text.trim() ? JSON.stringify(text.trim().slice(0, 200)) : 'empty'})` };
  } finally {
    const err = await (removing ?? remove(api, ns, name));
    if (err) process.stderr.write(`podreach: could not delete probe pod ${ns}/${name} (${err}); delete it with: kubectl delete pod -n ${ns} ${name}\n`);
  }
}

type End = { finished: boolean; error?: string };

/** The pod's end, if this state of it is one: done, failed, or stuck where it will not start by itself. */
function endOf(pod: PodObject, ns: string, name: string): End | undefined {
  const st = pod.status;
  if (st?.phase === 'Succeeded') return { finished: true };
  if (st?.phase === 'Failed') {
    const term = st.containerStatuses?.[0]?.state?.terminated;
    return { finished: true, error: `failed (${st.reason ?? term?.reason ?? 'error'}${term?.exitCode !== undefined ? `, exit ${term.exitCode}` : ''})` };
  }
  const waiting = st?.containerStatuses?.[0]?.state?.waiting;
  if (waiting?.reason && STUCK.has(waiting.reason)) {
    return { finished: false, error: `node probe: pod ${ns}/${name} cannot start: ${waiting.reason}${waiting.message ? ` (${waiting.message})` : ''}; pass --image with an image the node can pull` };
  }
  return undefined;
}

const cancelled = (): End => ({ finished: false, error: 'node probe: cancelled' });
const disappeared = (ns: string, name: string): End => ({ finished: false, error: `node probe: pod ${ns}/${name} disappeared before it finished` });
const late = (ns: string, name: string): End => ({ finished: false, error: `node probe: pod ${ns}/${name} did not finish within the time allowed` });

/** Watched from the create's resourceVersion (the end is seen as it happens); polled when the watch is not to be had. */
async function waitForEnd(api: Api, ns: string, name: string, rv: string | undefined, deadline: number, signal: AbortSignal | undefined): Promise<End> {
  const watched = rv ? await watchForEnd(api, ns, name, rv, deadline, signal) : undefined;
  if (watched) return watched;
  for (let i = 0; i < 10_000 && Date.now() < deadline; i++) {
    if (signal?.aborted) return cancelled();
    const got = await call<PodObject>(api.rest, `/api/v1/namespaces/${encodeURIComponent(ns)}/pods/${name}`, { ms: Math.max(1, Math.min(deadline - Date.now(), 3000)), signal });
    const end = got.ok ? endOf(got.value, ns, name) : got.status === 'not-found' ? disappeared(ns, name) : undefined;
    if (end) return end;
    await sleep(Math.min(POLL_MS, Math.max(0, deadline - Date.now())), signal);
  }
  return signal?.aborted ? cancelled() : late(ns, name);
}

interface WatchEvent {
  type?: string;
  object?: PodObject & { metadata?: { resourceVersion?: string } };
}

/**
 * The pod's events from `rv` on. A stream that ends before the pod does is watched again from the last
 * resourceVersion seen; undefined (poll instead) when the watch is refused (RBAC, not served), the
 * resourceVersion is gone (410), the stream is not one (a line that is no event, not JSON, too long) or breaks
 * too often.
 */
async function watchForEnd(api: Api, ns: string, name: string, rv: string, deadline: number, signal: AbortSignal | undefined): Promise<End | undefined> {
  const pods = `/api/v1/namespaces/${encodeURIComponent(ns)}/pods`;
  for (let attempt = 0; attempt < WATCH_ATTEMPTS && Date.now() < deadline; attempt++) {
    if (signal?.aborted) return cancelled();
    let end: End | undefined;
    /** An ERROR event (410 Gone: rv is too old), or a line that is no event (a server that ignored watch=1). */
    let lost = false;
    const seconds = Math.max(1, Math.ceil((deadline - Date.now()) / 1000));
    const path = `${pods}?watch=1&fieldSelector=${encodeURIComponent(`metadata.name=${name}`)}&resourceVersion=${encodeURIComponent(rv)}&timeoutSeconds=${seconds}`;
    const r = await api.rest.stream(path, {
      ms: Math.max(1, deadline - Date.now()),
      signal,
      maxLines: WATCH_MAX_LINES,
      maxBytes: WATCH_MAX_BYTES,
      onLine: (line) => {
        const ev = line as WatchEvent;
        if (typeof ev?.type !== 'string' || ev.type === 'ERROR') return (lost = true);
        const seen = ev?.object?.metadata?.resourceVersion;
        if (seen) rv = seen;
        if (ev?.type === 'DELETED') end = disappeared(ns, name);
        else if (ev?.object && (ev.type === 'ADDED' || ev.type === 'MODIFIED')) end = endOf(ev.object, ns, name);
        return end !== undefined;
      },
    });
    if (end) return end;
    if (signal?.aborted) return cancelled();
    if (r.ok && !lost) continue; // the server ended it (timeoutSeconds, a restart): again from rv
    if (!r.ok && r.status === 'timeout') return late(ns, name);
    if (!r.ok && r.status === 'unreachable') continue; // broken mid-stream: again from rv
    return undefined; // refused, gone, or not a watch stream
  }
  return undefined;
}

/** Deletes the probe pod now (grace 0); bounded, independent of the caller's abort signal. */
export async function remove(api: Api, ns: string, name: string): Promise<string | undefined> {
  // A 500 or a connection closed mid-run must not leave the pod: asked again, a short pause apart, within the bound.
  const end = Date.now() + DELETE_TIMEOUT_MS;
  let last = '';
  for (let attempt = 0; attempt < 4 && Date.now() < end; attempt++) {
    if (attempt) await sleep(Math.min(250 * attempt, Math.max(0, end - Date.now())));
    const res = await call(api.rest, `/api/v1/namespaces/${encodeURIComponent(ns)}/pods/${name}?gracePeriodSeconds=0`, { method: 'DELETE', ms: Math.max(1, end - Date.now()) });
    if (res.ok || res.status === 'not-found') return undefined;
    if (res.status === 'forbidden' || res.status === 'unauthorized') return res.message;
    last = res.message;
  }
  return last;
}

function createError(status: string, message: string, ns: string): string {
  if (/violates PodSecurity/i.test(message)) {
    return `node probe: namespace ${ns} enforces Pod Security and refuses a hostNetwork pod (${message}); run the command below (kubectl debug node/...) or use --namespace with a privileged namespace`;
  }
  if (status === 'forbidden' || status === 'unauthorized') {
    return `node probe: not allowed to create pods in ${ns} (${message}); grant create/delete pods and get pods/log (manifests/rbac-node-probe.yaml) or run the command below`;
  }
  return `node probe: could not create the probe pod (${status}: ${message})`;
}

/**
 * The reports are the JSON object in the log (a probe report for one target, a probe set for several);
 * tolerate lines before it (warnings) and pretty-printing. `why` names what was wrong with the first
 * candidate that is JSON; neither when none is.
 */
async function parseReports(log: string, count: number): Promise<Partial<SetIntake>> {
  const cap = reportsCap(count);
  if (Buffer.byteLength(log) > cap) return { why: `its log is over the ${cap / 1024 / 1024} MB ${count === 1 ? 'a probe report' : `a probe set of ${count} reports`} can be` };
  const text = log.trim();
  const tries = [text];
  const a = text.indexOf('{');
  const b = text.lastIndexOf('}');
  if (a >= 0 && b > a) tries.push(text.slice(a, b + 1));
  for (const line of text.split('\n').reverse()) if (line.trim().startsWith('{')) tries.push(line.trim());
  let first: string | undefined;
  for (const t of tries) {
    const got = await parseProbeReports(t, cap);
    if (got.reports) return got;
    if (first === undefined && got.why !== NOT_JSON) first = got.why;
  }
  return { why: first };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
