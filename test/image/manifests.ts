// Turns a container of a shipped manifest (manifests/job.yaml, manifests/initcontainer.yaml) into the
// podman run that does what kubelet would: same command/args, env (downward-API fields filled in from
// the lab), user, capabilities, read-only root, no privilege escalation, pod sysctls.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAllYaml } from '@kubernetes/client-node';
import { REPO, type RunAs, type RunOptions } from './podman.ts';

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath: string } };
}

interface ContainerSpec {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  securityContext?: SecurityContext;
}

interface SecurityContext {
  runAsUser?: number;
  runAsGroup?: number;
  runAsNonRoot?: boolean;
  allowPrivilegeEscalation?: boolean;
  readOnlyRootFilesystem?: boolean;
  capabilities?: { drop?: string[]; add?: string[] };
}

export interface PodSpec {
  securityContext?: SecurityContext & { sysctls?: { name: string; value: string }[] };
  containers: ContainerSpec[];
  initContainers?: ContainerSpec[];
  serviceAccountName?: string;
}

/** The pod template of the first Job / Deployment in a manifest file. */
export function podSpecOf(file: string, kind: 'Job' | 'Deployment'): PodSpec {
  const docs: { kind?: string; spec: { template: { spec: PodSpec } } }[] = loadAllYaml(readFileSync(join(REPO, 'manifests', file), 'utf8'));
  const doc = docs.find((d) => d?.kind === kind);
  if (!doc) throw new Error(`manifests/${file}: no ${kind}`);
  return doc.spec.template.spec;
}

/** The data of a ConfigMap in a manifest file. */
export function configMapData(file: string, name: string): Record<string, string> {
  const docs: { kind?: string; metadata?: { name?: string }; data?: Record<string, string> }[] = loadAllYaml(readFileSync(join(REPO, 'manifests', file), 'utf8'));
  const doc = docs.find((d) => d?.kind === 'ConfigMap' && d.metadata?.name === name);
  if (!doc?.data) throw new Error(`manifests/${file}: no ConfigMap ${name} with data`);
  return doc.data;
}

/** What the downward API would put in each fieldRef, in the lab. */
export interface Downward {
  'status.podIP': string;
  'status.podIPs': string;
  'status.hostIP': string;
  'spec.nodeName': string;
  'metadata.name': string;
  'metadata.namespace': string;
}

export function podmanFor(pod: PodSpec, c: ContainerSpec, downward: Downward, netns: string): { opts: RunOptions; args: string[] } {
  const env: Record<string, string> = {};
  for (const e of c.env ?? []) {
    const path = e.valueFrom?.fieldRef?.fieldPath;
    if (path !== undefined) {
      if (!(path in downward)) throw new Error(`${c.name}: env ${e.name}: fieldRef ${path} not handled`);
      env[e.name] = downward[path as keyof Downward];
    } else env[e.name] = e.value ?? '';
  }
  const sc = { ...pod.securityContext, ...c.securityContext };
  const as: RunAs = {
    capDrop: sc.capabilities?.drop ?? [],
    capAdd: sc.capabilities?.add ?? [],
    readOnly: sc.readOnlyRootFilesystem === true,
    noNewPrivileges: sc.allowPrivilegeEscalation === false,
  };
  if (sc.runAsUser !== undefined) as.user = `${sc.runAsUser}:${sc.runAsGroup ?? sc.runAsUser}`;
  const opts: RunOptions = { netns, as, env };
  if (c.command) opts.entrypoint = c.command;
  return { opts, args: c.args ?? [] };
}
