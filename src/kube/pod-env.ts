// A container's environment as kubelet builds it from the pod spec: envFrom first (later sources win), then
// env[] (each entry wins over what came before; `$(VAR)` in a literal value expands from the variables above
// it). Values from a ConfigMap or Secret come from what the API returned. Pure.
import type { ContainerSpec } from './objects.ts';

export type SourceKind = 'configmap' | 'secret';

/** What the API gave for each ConfigMap and Secret the spec names (Secret data decoded); absent = not read. */
export interface EnvObjects {
  configmap: Readonly<Record<string, Readonly<Record<string, string>> | undefined>>;
  secret: Readonly<Record<string, Readonly<Record<string, string>> | undefined>>;
}

export interface EnvVar {
  value: string;
  /** Where a value from an object came from: "configmap shop-config key REDIS_URL". Absent for a literal. */
  via?: string;
}

export interface ContainerEnv {
  env: Map<string, EnvVar>;
  /** Variables left out: from a Secret while Secrets are not read, or from an object the API did not give. */
  unread: { name: string; kind: SourceKind; object: string }[];
}

/** The ConfigMaps and Secrets the containers' env and envFrom name (Secrets only when asked). */
export function envObjectNames(containers: readonly ContainerSpec[], secrets: boolean): Record<SourceKind, string[]> {
  const names: Record<SourceKind, Set<string>> = { configmap: new Set(), secret: new Set() };
  for (const c of containers) {
    for (const f of c.envFrom ?? []) {
      if (f.configMapRef?.name) names.configmap.add(f.configMapRef.name);
      if (secrets && f.secretRef?.name) names.secret.add(f.secretRef.name);
    }
    for (const e of c.env ?? []) {
      if (e.valueFrom?.configMapKeyRef?.name) names.configmap.add(e.valueFrom.configMapKeyRef.name);
      if (secrets && e.valueFrom?.secretKeyRef?.name) names.secret.add(e.valueFrom.secretKeyRef.name);
    }
  }
  return { configmap: [...names.configmap].sort(), secret: [...names.secret].sort() };
}

/** kubelet's rule for envFrom keys: others are skipped (it records an InvalidEnvironmentVariableNames event). */
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

export function containerEnv(c: ContainerSpec, objects: EnvObjects): ContainerEnv {
  const env = new Map<string, EnvVar>();
  const unread: ContainerEnv['unread'] = [];
  for (const f of c.envFrom ?? []) {
    const [kind, ref] = f.configMapRef ? (['configmap', f.configMapRef] as const) : f.secretRef ? (['secret', f.secretRef] as const) : [];
    if (!kind || !ref?.name) continue;
    const data = objects[kind][ref.name];
    if (!data) {
      unread.push({ name: `${f.prefix ?? ''}*`, kind, object: ref.name });
      continue;
    }
    for (const [key, value] of Object.entries(data)) {
      const name = `${f.prefix ?? ''}${key}`;
      if (ENV_NAME.test(name)) env.set(name, { value, via: `${kind} ${ref.name} key ${key}` });
    }
  }
  for (const e of c.env ?? []) {
    if (!e.name) continue;
    const from = e.valueFrom;
    const [kind, ref] = from?.configMapKeyRef ? (['configmap', from.configMapKeyRef] as const) : from?.secretKeyRef ? (['secret', from.secretKeyRef] as const) : [];
    if (kind && ref?.name && ref.key !== undefined) {
      const value = objects[kind][ref.name]?.[ref.key];
      if (value === undefined) {
        // An optional key that is absent leaves the variable unset; a required one keeps the pod from starting.
        if (!objects[kind][ref.name] || !ref.optional) unread.push({ name: e.name, kind, object: ref.name });
        env.delete(e.name);
      } else env.set(e.name, { value, via: `${kind} ${ref.name} key ${ref.key}` });
      continue;
    }
    if (from) continue; // fieldRef, resourceFieldRef: the pod's own facts, never a dependency
    env.set(e.name, { value: expand(e.value ?? '', (n) => env.get(n)?.value) });
  }
  return { env, unread };
}

/**
 * kubelet's `$(VAR)` expansion: `$(NAME)` becomes NAME's value when defined above, else stays as written;
 * `$$` is a literal `$`.
 */
export function expand(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const c = input[i] as string;
    const next = input[i + 1];
    if (c !== '$' || next === undefined) {
      out += c;
    } else if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(' && input.indexOf(')', i + 2) > 0) {
      const close = input.indexOf(')', i + 2);
      const name = input.slice(i + 2, close);
      out += lookup(name) ?? `$(${name})`;
      i = close;
    } else {
      out += c;
    }
  }
  return out;
}

/** Secret data as the API serves it (base64) → text. */
export function decodeSecretData(data: Readonly<Record<string, string>> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
}
