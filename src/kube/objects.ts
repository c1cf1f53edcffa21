// The few fields podreach reads from API objects, as plain JSON shapes (the typed client's models carry the
// same property names). Everything optional: recorded clusters and real ones omit things.
import type { EgressRule, LabelSelector } from '../context/types.ts';

export interface Meta {
  name?: string;
  namespace?: string;
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface ContainerSpec {
  name?: string;
  image?: string;
  args?: string[];
  command?: string[];
  env?: EnvVarSpec[];
  envFrom?: EnvFromSpec[];
}

/** A key of a ConfigMap or Secret, as env[].valueFrom names it. */
export interface KeyRef {
  name?: string;
  key?: string;
  optional?: boolean;
}

export interface EnvVarSpec {
  name: string;
  value?: string;
  valueFrom?: { configMapKeyRef?: KeyRef; secretKeyRef?: KeyRef; fieldRef?: { fieldPath?: string }; resourceFieldRef?: object };
}

/** envFrom[]: every key of a ConfigMap or Secret, each name behind `prefix`. */
export interface EnvFromSpec {
  prefix?: string;
  configMapRef?: { name?: string; optional?: boolean };
  secretRef?: { name?: string; optional?: boolean };
}

export interface PodObject {
  metadata?: Meta;
  spec?: { nodeName?: string; hostNetwork?: boolean; containers?: ContainerSpec[]; initContainers?: ContainerSpec[]; ephemeralContainers?: ContainerSpec[] };
  status?: {
    phase?: string;
    podIP?: string;
    podIPs?: { ip?: string }[];
    hostIP?: string;
    reason?: string;
    message?: string;
    containerStatuses?: ContainerStatus[];
  };
}

export interface ContainerStatus {
  name?: string;
  state?: {
    waiting?: { reason?: string; message?: string };
    running?: object;
    terminated?: { exitCode?: number; reason?: string; message?: string };
  };
}

export interface NodeObject {
  metadata?: Meta;
  spec?: { podCIDR?: string; podCIDRs?: string[]; providerID?: string };
  status?: {
    addresses?: { type?: string; address?: string }[];
    nodeInfo?: { kubeletVersion?: string };
    conditions?: { type?: string; status?: string }[];
  };
}

export interface DaemonSetObject {
  metadata?: Meta;
  spec?: { template?: { spec?: { containers?: ContainerSpec[] } } };
}

export interface ConfigMapObject {
  metadata?: Meta;
  data?: Record<string, string>;
}

/** data values are base64, as the API serves them. */
export interface SecretObject {
  metadata?: Meta;
  data?: Record<string, string>;
}

/** NetworkAttachmentDefinition (k8s.cni.cncf.io/v1): spec.config is a JSON string. */
export interface NadObject {
  metadata?: Meta;
  spec?: { config?: string };
}

/** Calico IPPool (crd.projectcalico.org/v1). */
export interface IpPoolObject {
  metadata?: Meta;
  spec?: { cidr?: string; ipipMode?: string; vxlanMode?: string; natOutgoing?: boolean; disabled?: boolean };
}

export interface ServiceObject {
  metadata?: Meta;
  spec?: { clusterIP?: string };
}

/** What one API read came back with. */
export interface NetworkPolicyObject {
  metadata?: Meta;
  spec?: {
    podSelector?: LabelSelector;
    policyTypes?: string[];
    egress?: EgressRule[];
  };
}

export type Outcome<T> =
  | { ok: true; value: T }
  /** `words`: an HTTP answer's code in words ("429 Too Many Requests, Retry-After 30 s"); `message`: the server's own. */
  | { ok: false; status: FailStatus; code?: number; words?: string; message: string };

export type FailStatus = 'unauthorized' | 'forbidden' | 'not-found' | 'unreachable' | 'timeout' | 'error';

/** Everything the detector reads; each entry is what the API answered (or why it did not). */
export interface ClusterReads {
  namespace: string;
  podName?: string;
  pod?: Outcome<PodObject>;
  node?: Outcome<NodeObject>;
  daemonSets?: Outcome<DaemonSetObject[]>;
  configMaps: Record<string, Outcome<ConfigMapObject>>;
  nads?: Outcome<NadObject[]>;
  ipPools?: Outcome<IpPoolObject[]>;
  kubernetesService?: Outcome<ServiceObject>;
  /** NetworkPolicies in the pod's namespace. */
  networkPolicies?: Outcome<NetworkPolicyObject[]>;
}

/** The ConfigMaps in kube-system podreach reads (get by name: RBAC can name them with resourceNames). */
export const KUBE_SYSTEM_CONFIGMAPS = [
  'kube-proxy', // kubeadm / GKE-style: data["config.conf"] clusterCIDR
  'kube-proxy-config', // EKS: data["config"] clusterCIDR
  'ip-masq-agent', // data["config"] nonMasqueradeCIDRs
  'calico-config', // calico_backend, veth_mtu
  'cilium-config', // routing-mode, cluster-pool-ipv4-cidr, ipv4-native-routing-cidr
  'kube-flannel-cfg', // net-conf.json Network / Backend.Type
] as const;
