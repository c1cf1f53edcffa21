// The only module that imports @kubernetes/client-node (index.ts loads it with import()).
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  NetworkingV1Api,
  Observable,
  type ObservableMiddleware,
  type RequestContext,
  type ResponseContext,
} from '@kubernetes/client-node';
import type { Credentials } from './credentials.ts';
import { detect } from './detect.ts';
import { httpWords, retryAfterMs, transportWords } from './faults.ts';
import { missingHints } from './hints.ts';
import type { KubeAccess, KubeContext, KubeOptions, KubeSession } from './index.ts';
import {
  type ClusterReads,
  type ConfigMapObject,
  type DaemonSetObject,
  type FailStatus,
  type IpPoolObject,
  KUBE_SYSTEM_CONFIGMAPS,
  type NadObject,
  type NetworkPolicyObject,
  type NodeObject,
  type Outcome,
  type PodObject,
  type ServiceObject,
} from './objects.ts';

export interface Api {
  core: CoreV1Api;
  apps: AppsV1Api;
  custom: CustomObjectsApi;
  networking: NetworkingV1Api;
  server: string;
  /** "system:serviceaccount:ns:name" when known, for messages. */
  user: string;
  /** The credentials' own namespace: the service account's, or the kubeconfig context's. */
  namespace?: string;
}

type CallOptions = { middleware: ObservableMiddleware[]; middlewareMergeStrategy: 'append' };

/**
 * One API call, bounded: the request is aborted at `ms` (and on `signal`), and never throws. A 429 whose
 * Retry-After ends within `ms` is waited out and sent again; a later one is reported with its Retry-After.
 */
export async function call<T>(fn: (o: CallOptions) => Promise<T>, ms: number, signal?: AbortSignal): Promise<Outcome<T>> {
  const end = Date.now() + ms;
  for (;;) {
    const r = await callOnce(fn, Math.max(1, end - Date.now()), signal);
    const wait = !r.ok && r.code === 429 ? retryAfterMs(r.retryAfter) : undefined;
    if (wait === undefined || Date.now() + wait >= end || signal?.aborted) return r;
    await new Promise((ok) => setTimeout(ok, wait));
  }
}

async function callOnce<T>(fn: (o: CallOptions) => Promise<T>, ms: number, signal?: AbortSignal): Promise<Outcome<T> & { retryAfter?: string }> {
  const timeout = AbortSignal.timeout(Math.max(1, ms));
  const sig = signal ? AbortSignal.any([timeout, signal]) : timeout;
  // The ObjectParam APIs run observable middleware: wrap plain values.
  const mw: ObservableMiddleware = {
    pre: (ctx: RequestContext) => {
      ctx.setSignal(sig);
      return new Observable(Promise.resolve(ctx));
    },
    post: (rsp: ResponseContext) => new Observable(Promise.resolve(rsp)),
  };
  let timer: NodeJS.Timeout | undefined;
  // Belt and braces: exec credential plugins run before the request and ignore the signal.
  const guard = new Promise<Outcome<T>>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, status: 'timeout', message: `no answer within ${ms} ms` }), ms + 200);
  });
  try {
    const work = fn({ middleware: [mw], middlewareMergeStrategy: 'append' }).then(
      (value): Outcome<T> => ({ ok: true, value }),
      (err: unknown): Outcome<T> => classify(err, timeout.aborted ? 'timeout' : signal?.aborted ? 'aborted' : undefined, ms),
    );
    return await Promise.race([work, guard]);
  } finally {
    clearTimeout(timer);
  }
}

function classify(err: unknown, aborted: 'timeout' | 'aborted' | undefined, ms: number): Outcome<never> & { retryAfter?: string } {
  if (err instanceof ApiException) {
    const code = err.code;
    const status: FailStatus = code === 401 ? 'unauthorized' : code === 403 ? 'forbidden' : code === 404 ? 'not-found' : 'error';
    const headers = (err.headers ?? {}) as Record<string, string | undefined>;
    const retryAfter = headers['retry-after'];
    const detail = statusMessage(err.body);
    const later = code === 429 && retryAfter ? ' (beyond the API budget)' : '';
    const words = `${httpWords(code, retryAfter)}${later}`;
    return { ok: false, status, code, words, retryAfter, message: detail ?? words };
  }
  if (aborted === 'timeout') return { ok: false, status: 'timeout', message: `no answer within ${ms} ms` };
  if (aborted === 'aborted') return { ok: false, status: 'error', message: 'aborted' };
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  // A 2xx whose body the client could not read as JSON (a proxy's HTML page, a truncated reply).
  if (e?.name === 'SyntaxError' || /mediaType .* not supported|Unexpected token|JSON/i.test(e?.message ?? '')) {
    return { ok: false, status: 'error', message: `the reply is not JSON (${(e.message ?? '').split('\n')[0]?.slice(0, 120)})` };
  }
  const code = e?.cause?.code;
  if (code || e?.message === 'fetch failed') {
    return { ok: false, status: 'unreachable', message: code ? transportWords(code) : (e.cause?.message ?? 'fetch failed') };
  }
  return { ok: false, status: 'error', message: (e?.message ?? String(err)).split('\n')[0] ?? 'error' };
}

/** The message of a Kubernetes Status body (ApiException.body is a JSON string). */
function statusMessage(body: unknown): string | undefined {
  try {
    const j = (typeof body === 'string' ? JSON.parse(body) : body) as { message?: string };
    return typeof j?.message === 'string' ? j.message : undefined;
  } catch {
    return typeof body === 'string' && body ? body.slice(0, 200) : undefined;
  }
}

export function connect(cred: Credentials, ctxName?: string): Api {
  const kc = new KubeConfig();
  let user = 'kubeconfig user';
  let namespace: string | undefined;
  if (cred.kind === 'serviceaccount') {
    const token = readFileSync(join(cred.dir, 'token'), 'utf8').trim();
    namespace = readOptional(join(cred.dir, 'namespace'));
    const insecure = cred.server.startsWith('http:');
    kc.loadFromOptions({
      clusters: [{ name: 'in-cluster', server: cred.server, caFile: join(cred.dir, 'ca.crt'), skipTLSVerify: insecure }],
      users: [{ name: 'sa', token }],
      contexts: [{ name: 'in-cluster', cluster: 'in-cluster', user: 'sa' }],
      currentContext: 'in-cluster',
    });
    user = tokenSubject(token) ?? 'service account';
  } else {
    const [first, ...rest] = cred.files;
    loadKubeconfig(kc, first as string);
    for (const f of rest) {
      const more = new KubeConfig();
      loadKubeconfig(more, f);
      kc.mergeConfig(more);
    }
    if (ctxName) {
      if (!kc.getContextObject(ctxName)) throw new Error(`context "${ctxName}" not found in ${cred.files.join(', ')}`);
      kc.setCurrentContext(ctxName);
    }
    user = kc.getCurrentUser()?.name ?? user;
    namespace = kc.getContextObject(kc.getCurrentContext())?.namespace;
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error(`no current cluster in ${cred.describe}`);
  return {
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    custom: kc.makeApiClient(CustomObjectsApi),
    networking: kc.makeApiClient(NetworkingV1Api),
    server: cluster.server,
    user,
    namespace,
  };
}

/** Loads a kubeconfig file; a missing or malformed file is one line naming it. */
function loadKubeconfig(kc: KubeConfig, file: string): void {
  try {
    kc.loadFromFile(file);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new Error(`kubeconfig ${file}: ${e.code === 'ENOENT' ? 'no such file' : (e.message ?? String(err))}`);
  }
}

function readOptional(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** "system:serviceaccount:ns:name" from a service-account JWT (unverified: only for messages). */
function tokenSubject(token: string): string | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { sub?: string };
    return payload.sub;
  } catch {
    return undefined;
  }
}

/** Our own pod's name: --pod, the downward API, or (inside a pod) the hostname, which is the pod name. */
function podNameOf(cred: Credentials, opts: KubeOptions, env: NodeJS.ProcessEnv): string | undefined {
  if (opts.pod) return opts.pod;
  if (env.POD_NAME) return env.POD_NAME;
  if (cred.kind === 'serviceaccount' || env.KUBERNETES_SERVICE_HOST) return env.HOSTNAME || hostname();
  return undefined;
}

export async function loadContext(
  cred: Credentials,
  opts: KubeOptions & { env: NodeJS.ProcessEnv },
  deadline: number,
  signal?: AbortSignal,
): Promise<KubeContext> {
  const env = opts.env;
  const api = connect(cred, opts.context);
  const namespace = opts.namespace || api.namespace || env.POD_NAMESPACE || 'default';
  const podName = podNameOf(cred, opts, env);
  const left = () => Math.max(50, deadline - Date.now());
  const ks = 'kube-system';

  // Everything that does not need the node name, in parallel.
  const podP = podName
    ? call((o) => api.core.readNamespacedPod({ name: podName, namespace }, o) as Promise<PodObject>, left(), signal)
    : undefined;
  const dsP = call(async (o) => (await api.apps.listNamespacedDaemonSet({ namespace: ks }, o)).items as DaemonSetObject[], left(), signal);
  const cmP = Promise.all(
    KUBE_SYSTEM_CONFIGMAPS.map(async (name) => [name, await call((o) => api.core.readNamespacedConfigMap({ name, namespace: ks }, o) as Promise<ConfigMapObject>, left(), signal)] as const),
  );
  const nadP = call(
    async (o) =>
      ((await api.custom.listNamespacedCustomObject({ group: 'k8s.cni.cncf.io', version: 'v1', namespace: ks, plural: 'network-attachment-definitions' }, o)) as { items?: NadObject[] }).items ?? [],
    left(),
    signal,
  );
  const poolP = call(
    async (o) => ((await api.custom.listClusterCustomObject({ group: 'crd.projectcalico.org', version: 'v1', plural: 'ippools' }, o)) as { items?: IpPoolObject[] }).items ?? [],
    left(),
    signal,
  );
  const svcP = call((o) => api.core.readNamespacedService({ name: 'kubernetes', namespace: 'default' }, o) as Promise<ServiceObject>, left(), signal);
  const npP = call(async (o) => (await api.networking.listNamespacedNetworkPolicy({ namespace }, o)).items as NetworkPolicyObject[], left(), signal);

  const pod = podP ? await podP : undefined;
  const nodeName = (pod?.ok ? pod.value.spec?.nodeName : undefined) || env.NODE_NAME;
  const node = nodeName ? await call((o) => api.core.readNode({ name: nodeName }, o) as Promise<NodeObject>, left(), signal) : undefined;

  const reads: ClusterReads = {
    namespace,
    podName,
    pod,
    node,
    daemonSets: await dsP,
    configMaps: Object.fromEntries(await cmP),
    nads: await nadP,
    ipPools: await poolP,
    kubernetesService: await svcP,
    networkPolicies: await npP,
  };
  const { facts, notes } = detect(reads);
  const rbacNotes = accessNotes(reads, cred, api);
  const access = accessOf(reads);
  const refused = failures(reads).some((f) => f.status === 'forbidden' || f.status === 'unauthorized');
  const ownPod = pod?.ok ? pod.value : undefined;
  const session: KubeSession | undefined =
    access === 'ok' || access === 'partial'
      ? {
          kind: 'podreach.kube-session',
          credentials: cred.describe,
          namespace,
          podName: ownPod?.metadata?.name,
          podUid: ownPod?.metadata?.uid,
          nodeName,
          ownImage: ownImage(ownPod),
          api,
        }
      : undefined;
  return {
    access,
    facts,
    missing: missingHints(facts, access, refused),
    notes: [`API: ${api.server} as ${api.user} (${cred.describe}): ${access}`, ...notes, ...rbacNotes],
    session,
  };
}

/** The podreach container's image in our own pod: ephemeral containers first (that is how kubectl debug runs us). */
function ownImage(pod: PodObject | undefined): string | undefined {
  const all = [...(pod?.spec?.ephemeralContainers ?? []).slice().reverse(), ...(pod?.spec?.containers ?? [])];
  return all.find((c) => /podreach/i.test(c.image ?? ''))?.image;
}

type Failure = Extract<Outcome<unknown>, { ok: false }>;

/** Every read that was made. */
function outcomes(r: ClusterReads): Outcome<unknown>[] {
  const list: (Outcome<unknown> | undefined)[] = [r.pod, r.node, r.daemonSets, r.nads, r.ipPools, r.kubernetesService, r.networkPolicies, ...Object.values(r.configMaps)];
  return list.filter((o): o is Outcome<unknown> => o !== undefined);
}

/** The reads that failed; "not found" is an answer (no such CNI object), not a failure. */
function failures(r: ClusterReads): Failure[] {
  return outcomes(r).filter((o): o is Failure => !o.ok && o.status !== 'not-found');
}

function accessOf(r: ClusterReads): KubeAccess {
  const all = outcomes(r);
  const fails = failures(r);
  if (fails.length === 0 && r.pod?.ok && r.node?.ok) return 'ok';
  if (all.length > 0 && fails.length === all.length) {
    if (fails.every((f) => f.status === 'unreachable' || f.status === 'timeout')) return 'unreachable';
    if (fails.every((f) => f.status === 'forbidden' || f.status === 'unauthorized')) return 'forbidden';
    return 'error';
  }
  // The own pod is the anchor: without it the node and most facts are out of reach.
  if (r.pod && !r.pod.ok && (r.pod.status === 'forbidden' || r.pod.status === 'unauthorized') && !r.node?.ok) return 'forbidden';
  return 'partial';
}

/** One line per read that failed, naming the RBAC rule that would allow it. */
function accessNotes(r: ClusterReads, cred: Credentials, api: Api): string[] {
  const out: string[] = [];
  const line = (o: Outcome<unknown> | undefined, what: string, grant: string) => {
    if (!o || o.ok) return;
    if (o.status === 'not-found') return;
    const fix = o.status === 'forbidden' ? ` (grant ${grant})` : o.status === 'unauthorized' ? ` (credentials from ${cred.describe} rejected)` : '';
    const said = o.message === o.words ? '' : `: ${o.message}`;
    out.push(`API: ${o.words ?? o.status} ${what}${fix}${said}`.replace(/\s+/g, ' '));
  };
  // Collapse: when every read failed the same way (a dead, overloaded or foreign server), one line says it.
  const fails = failures(r);
  const first = fails[0];
  if (first && fails.length === outcomes(r).length && fails.length > 2 && first.status !== 'forbidden' && fails.every((f) => f.status === first.status && f.code === first.code)) {
    const fix = first.status === 'unauthorized' ? ` (credentials from ${cred.describe} rejected)` : '';
    const said = first.message === first.words ? '' : `: ${first.message}`;
    return [`API: ${api.server}: all ${fails.length} reads failed${fix}: ${first.words ?? first.status}${said}`];
  }
  if (!r.podName) out.push('API: own pod unknown (not running in a pod?): pass --pod NAME --namespace NS to read the pod and its node');
  line(r.pod, `getting pod ${r.podName} in ${r.namespace}`, `get pods in ${r.namespace}`);
  if (r.pod?.ok === false && r.pod.status === 'not-found') {
    out.push(`API: pod ${r.podName} not found in ${r.namespace}: pass --pod NAME --namespace NS`);
  }
  line(r.node, 'getting our node', 'get nodes (ClusterRole)');
  line(r.daemonSets, 'listing daemonsets in kube-system', 'list daemonsets in kube-system');
  for (const [name, o] of Object.entries(r.configMaps)) line(o, `getting configmap kube-system/${name}`, `get configmaps ${name} in kube-system`);
  line(r.nads, 'listing network-attachment-definitions in kube-system', 'list network-attachment-definitions.k8s.cni.cncf.io in kube-system');
  line(r.ipPools, 'listing ippools.crd.projectcalico.org', 'list ippools.crd.projectcalico.org (ClusterRole)');
  line(r.kubernetesService, 'getting service default/kubernetes', 'get services kubernetes in default');
  line(r.networkPolicies, `listing networkpolicies in ${r.namespace}`, `list networkpolicies.networking.k8s.io in ${r.namespace}`);
  return out;
}
