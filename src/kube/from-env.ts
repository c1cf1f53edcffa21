// --from-env over the API: the dependencies the target pod's containers are configured with (env, envFrom
// ConfigMaps, and Secrets only when asked), each with the pod, container, variable and object it came from.
// Values never leave this module except as redacted targets (deps.ts); notes name objects and variables only.
import { UsageError } from '../cli/errors.ts';
import { type Dependency, dependenciesFromEnv, mergeDependencies } from '../context/deps.ts';
import { findCredentials } from './credentials.ts';
import type { ConfigMapObject, ContainerSpec, Outcome, PodObject, SecretObject } from './objects.ts';
import { containerEnv, decodeSecretData, type EnvObjects, envObjectNames, type SourceKind } from './pod-env.ts';
import { call } from './rest.ts';
import { connect, podNameOf } from './session.ts';

export interface PodEnvOptions {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  /** Given by the user (--pod): a fault reading it is an error. Else our own pod, when we run in one. */
  pod?: string;
  /** Only this container (--container). */
  container?: string;
  /** --from-env=secrets: also read the Secrets the spec names. */
  secrets: boolean;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface PodEnvResult {
  deps: Dependency[];
  /** The pod as read: the run's API context takes it from here instead of reading it again. */
  pod?: PodObject;
  /** One line each, for stderr: what was not read and the grant that would allow it. */
  notes: string[];
}

/** The pod read for --from-env waits at most this long: the targets themselves come from it. */
export const FROM_ENV_API_MS = 3000;

/** A fault that stops --from-env (the pod named by --pod cannot be read); the CLI exits 3 with its one line. */
export class PodEnvError extends Error {
  override name = 'PodEnvError';
}

const RBAC = { configmap: 'manifests/rbac-from-env.yaml', secret: 'manifests/rbac-from-env-secrets.yaml' } as const;
const PLURAL = { configmap: 'configmaps', secret: 'secrets' } as const;
const seg = encodeURIComponent;

/**
 * The pod's dependencies, or undefined when there is no pod to read (no credentials or not in a pod, and no
 * --pod). Throws PodEnvError when the pod cannot be read and the user named it; else that is a note.
 */
export async function podDependencies(o: PodEnvOptions): Promise<PodEnvResult | undefined> {
  const explicit = o.pod !== undefined;
  const cred = findCredentials({ kubeconfig: o.kubeconfig, context: o.context, env: o.env });
  if (!cred) {
    if (!explicit) return undefined;
    throw new PodEnvError(`--from-env --pod ${o.pod}: no API credentials (no service-account token, no $KUBECONFIG or ~/.kube/config): pass --kubeconfig`);
  }
  const podName = podNameOf(cred, { pod: o.pod }, o.env);
  if (!podName) return undefined;
  const deadline = Date.now() + o.timeoutMs;
  let api: Awaited<ReturnType<typeof connect>>;
  try {
    api = await connect(cred, o.context);
  } catch (err) {
    return fault(`API: ${(err as Error).message.split('\n')[0]}`);
  }
  try {
    const namespace = o.namespace || api.namespace || o.env.POD_NAMESPACE || 'default';
    const where = `pod ${namespace}/${podName}`;
    const get = <T>(path: string) => call<T>(api.rest, path, { ms: Math.max(50, deadline - Date.now()), signal: o.signal });
    const pod = await get<PodObject>(`/api/v1/namespaces/${seg(namespace)}/pods/${seg(podName)}`);
    if (!pod.ok) return fault(`${failWords(pod)} getting ${where} from ${api.server}${grant(pod, `get pods in ${namespace} (manifests/rbac.yaml)`)}`);

    const all = pod.value.spec?.containers ?? [];
    const containers = o.container === undefined ? all : all.filter((c) => c.name === o.container);
    if (containers.length === 0 && o.container !== undefined) {
      throw new UsageError(`--container ${o.container}: no such container in ${where} (containers: ${all.map((c) => c.name).join(', ') || 'none'})`);
    }
    const names = envObjectNames(containers, o.secrets);
    const notes: string[] = [];
    const objects: { [K in keyof EnvObjects]: Record<string, Record<string, string>> } = { configmap: {}, secret: {} };
    const read = async (kind: SourceKind, name: string) => {
      const r = await get<ConfigMapObject | SecretObject>(`/api/v1/namespaces/${seg(namespace)}/${PLURAL[kind]}/${seg(name)}`);
      if (r.ok) objects[kind][name] = kind === 'secret' ? decodeSecretData(r.value.data) : (r.value.data ?? {});
      // Not there: nothing to read (an optional reference; a required one keeps the pod from starting).
      else if (r.status === 'not-found') objects[kind][name] = {};
      else notes.push(`${failWords(r)} getting ${kind} ${namespace}/${name}${grant(r, `get ${PLURAL[kind]} in ${namespace} (${RBAC[kind]})`)}`);
    };
    await Promise.all([...names.configmap.map((n) => read('configmap', n)), ...names.secret.map((n) => read('secret', n))]);

    const deps: Dependency[][] = [];
    for (const c of containers) {
      const { env, unread } = containerEnv(c, objects);
      const values = Object.fromEntries([...env].map(([k, v]) => [k, v.value]));
      const via = (n: string) => (env.get(n)?.via ? `${n} (${env.get(n)?.via})` : n);
      deps.push(dependenciesFromEnv(values, `${where} container ${c.name} env`, via));
      notes.push(...unreadNotes(where, c, unread, o.secrets));
    }
    return { deps: mergeDependencies(...deps), notes, pod: pod.value };
  } finally {
    api.rest.close();
  }

  function fault(line: string): PodEnvResult {
    if (explicit) throw new PodEnvError(`--from-env: ${line}`);
    return { deps: [], notes: [`${line}; only this container's environment is read`] };
  }
}

/** One note per container and kind: the variables left out, and how to have them. */
function unreadNotes(where: string, c: ContainerSpec, unread: ReturnType<typeof containerEnv>['unread'], secrets: boolean): string[] {
  const out: string[] = [];
  for (const kind of ['configmap', 'secret'] as const) {
    const vars = unread.filter((u) => u.kind === kind);
    if (vars.length === 0) continue;
    const list = vars.map((u) => `${u.name} (${kind} ${u.object})`).join(', ');
    const why = kind === 'secret' && !secrets ? 'from Secrets, not read without --from-env=secrets' : 'not read';
    out.push(`${where} container ${c.name}: ${list}: ${why}`);
  }
  return out;
}

type Failure = Extract<Outcome<unknown>, { ok: false }>;

function failWords(f: Failure): string {
  const words = f.words ?? f.status;
  return f.message === f.words || f.message === '' ? words : `${words}: ${f.message}`;
}

function grant(f: Failure, rule: string): string {
  return f.status === 'forbidden' ? ` (grant ${rule})` : f.status === 'timeout' ? ' (the targets come from the pod: --from-env waits for it)' : '';
}
