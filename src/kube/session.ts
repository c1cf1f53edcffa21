// The pod, its node and the cluster's network signals, read over the API (rest.ts), and what access we had.
import { hostname } from 'node:os';
import type { Credentials } from './credentials.ts';
import { detect } from './detect.ts';
import { missingHints } from './hints.ts';
import type { KubeAccess, KubeContext, KubeOptions, KubeSession } from './index.ts';
import {
  type ClusterReads,
  type ConfigMapObject,
  type DaemonSetObject,
  type IpPoolObject,
  KUBE_SYSTEM_CONFIGMAPS,
  type NadObject,
  type NetworkPolicyObject,
  type NodeObject,
  type Outcome,
  type PodObject,
  type ServiceObject,
} from './objects.ts';
import { call, endpointOf, Rest } from './rest.ts';

/** What the caller can see while the reads run: for the note when it stops waiting. */
export interface Progress {
  server?: string;
  /** The server has answered something (any HTTP status). */
  answered: boolean;
  /** Our pod was read: enough to place a probe pod on its node while the other reads go on. */
  onSession?: (session: KubeSession) => void;
}

export interface Api {
  rest: Rest;
  server: string;
  /** "system:serviceaccount:ns:name" when known, for messages. */
  user: string;
  /** The credentials' own namespace: the service account's, or the kubeconfig context's. */
  namespace?: string;
}

export async function connect(cred: Credentials, ctxName?: string, onAnswer?: () => void): Promise<Api> {
  const ep = await endpointOf(cred, ctxName);
  return { rest: new Rest(ep, onAnswer), server: ep.server, user: ep.user, namespace: ep.namespace };
}

type List<T> = { items?: T[] };
const seg = encodeURIComponent;
const items = <T>(o: Outcome<List<T>>): Outcome<T[]> => (o.ok ? { ok: true, value: o.value.items ?? [] } : o);

export type NetworkReads = Pick<ClusterReads, 'daemonSets' | 'configMaps' | 'nads' | 'ipPools' | 'kubernetesService'>;

/** The cluster's network signals, pod-independent (CNI DaemonSets, kube-system ConfigMaps, NADs, IPPools), in parallel. */
export async function networkReads(get: <T>(path: string) => Promise<Outcome<T>>): Promise<NetworkReads> {
  const ks = 'kube-system';
  const [daemonSets, configMaps, nads, ipPools, kubernetesService] = await Promise.all([
    get<List<DaemonSetObject>>(`/apis/apps/v1/namespaces/${ks}/daemonsets`).then(items),
    Promise.all(KUBE_SYSTEM_CONFIGMAPS.map(async (name) => [name, await get<ConfigMapObject>(`/api/v1/namespaces/${ks}/configmaps/${name}`)] as const)),
    get<List<NadObject>>(`/apis/k8s.cni.cncf.io/v1/namespaces/${ks}/network-attachment-definitions`).then(items),
    get<List<IpPoolObject>>('/apis/crd.projectcalico.org/v1/ippools').then(items),
    get<ServiceObject>('/api/v1/namespaces/default/services/kubernetes'),
  ]);
  return { daemonSets, configMaps: Object.fromEntries(configMaps), nads, ipPools, kubernetesService };
}

/** Our own pod's name: --pod, the downward API, or (inside a pod) the hostname, which is the pod name. */
export function podNameOf(cred: Credentials, opts: KubeOptions, env: NodeJS.ProcessEnv): string | undefined {
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
  progress: Progress = { answered: false },
): Promise<KubeContext> {
  const env = opts.env;
  const api = await connect(cred, opts.context, () => {
    progress.answered = true;
  });
  progress.server = api.server;
  const namespace = opts.namespace || api.namespace || env.POD_NAMESPACE || 'default';
  const podName = podNameOf(cred, opts, env);
  const get = <T>(path: string) => call<T>(api.rest, path, { ms: Math.max(50, deadline - Date.now()), signal });
  const bulk = <T>(path: string) => call<T>(api.rest, path, { ms: Math.max(50, deadline - Date.now()), signal, bulk: true });

  // Everything that does not need the node name, in parallel.
  // --from-env read the pod a moment ago: the same object, not a second GET.
  const known = opts.podObject?.metadata?.name === podName && (opts.podObject?.metadata?.namespace ?? namespace) === namespace ? opts.podObject : undefined;
  const podP = known ? Promise.resolve<Outcome<PodObject>>({ ok: true, value: known }) : podName ? get<PodObject>(`/api/v1/namespaces/${seg(namespace)}/pods/${seg(podName)}`) : undefined;
  const networkP = networkReads(bulk);
  const npP = bulk<List<NetworkPolicyObject>>(`/apis/networking.k8s.io/v1/namespaces/${seg(namespace)}/networkpolicies`).then(items);

  const pod = podP ? await podP : undefined;
  const nodeName = (pod?.ok ? pod.value.spec?.nodeName : undefined) || env.NODE_NAME;
  const ownPod = pod?.ok ? pod.value : undefined;
  const session: KubeSession = { kind: 'podreach.kube-session', credentials: cred.describe, namespace, podName: ownPod?.metadata?.name, podUid: ownPod?.metadata?.uid, nodeName, ownImage: ownImage(ownPod), api };
  if (ownPod) progress.onSession?.(session);
  const node = nodeName ? await get<NodeObject>(`/api/v1/nodes/${seg(nodeName)}`) : undefined;

  const reads: ClusterReads = { namespace, podName, pod, node, ...(await networkP), networkPolicies: await npP };
  const { facts, notes } = detect(reads);
  const rbacNotes = accessNotes(reads, cred, api);
  const access = accessOf(reads);
  const refused = failures(reads).some((f) => f.status === 'forbidden' || f.status === 'unauthorized');
  return {
    access,
    facts,
    missing: missingHints(facts, access, refused),
    notes: [`API: ${api.server} as ${api.user} (${cred.describe}): ${access}`, ...notes, ...rbacNotes],
    ...(access === 'ok' || access === 'partial' ? { session } : {}),
  };
}

/** The podreach container's image in our own pod: ephemeral containers first (that is how kubectl debug runs us). */
export function ownImage(pod: PodObject | undefined): string | undefined {
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

/** Not even the "kubernetes" service exists: 404 is not an answer about the cluster but about the URL. */
function nothingFound(r: ClusterReads): boolean {
  const all = outcomes(r);
  return all.length > 2 && all.every((o) => !o.ok && o.status === 'not-found');
}

function accessOf(r: ClusterReads): KubeAccess {
  const all = outcomes(r);
  const fails = failures(r);
  if (nothingFound(r)) return 'error';
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
    const l = failLine(o, what, grant, cred);
    if (l) out.push(l);
  };
  if (nothingFound(r)) {
    return [`API: ${api.server}: every read answered 404 Not Found: not a Kubernetes API server at that URL (a path prefix missing?)`];
  }
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
  out.push(...networkNotes(r, cred));
  line(r.networkPolicies, `listing networkpolicies in ${r.namespace}`, `list networkpolicies.networking.k8s.io in ${r.namespace}`);
  return out;
}

/** One line per failed read, naming the RBAC grant that would allow it ("not found" is an answer). */
function failLine(o: Outcome<unknown> | undefined, what: string, grant: string, cred: Credentials): string | undefined {
  if (!o || o.ok || o.status === 'not-found') return undefined;
  const fix = o.status === 'forbidden' ? ` (grant ${grant})` : o.status === 'unauthorized' ? ` (credentials from ${cred.describe} rejected)` : '';
  const said = o.message === o.words ? '' : `: ${o.message}`;
  return `API: ${o.words ?? o.status} ${what}${fix}${said}`.replace(/\s+/g, ' ');
}

/** The failed network-signal reads (networkReads), one line each. */
export function networkNotes(r: NetworkReads, cred: Credentials): string[] {
  const lines = [
    failLine(r.daemonSets, 'listing daemonsets in kube-system', 'list daemonsets in kube-system', cred),
    ...Object.entries(r.configMaps).map(([name, o]) => failLine(o, `getting configmap kube-system/${name}`, `get configmaps ${name} in kube-system`, cred)),
    failLine(r.nads, 'listing network-attachment-definitions in kube-system', 'list network-attachment-definitions.k8s.cni.cncf.io in kube-system', cred),
    failLine(r.ipPools, 'listing ippools.crd.projectcalico.org', 'list ippools.crd.projectcalico.org (ClusterRole)', cred),
    failLine(r.kubernetesService, 'getting service default/kubernetes', 'get services kubernetes in default', cred),
  ];
  return lines.filter((l): l is string => l !== undefined);
}
