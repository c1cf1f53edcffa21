import type { Family } from '../net/ip.ts';

/** Where a fact came from. Flags beat everything; heuristics are the weakest. */
export type FactSource =
  | 'flag'
  | 'env'
  | 'downward-api'
  | 'api'
  | 'interface'
  | 'resolv.conf'
  | 'node-report'
  | 'measured'
  | 'heuristic'
  | 'default';

/** One thing the agent believes, with its provenance and how sure it is (0..1). */
export interface Fact<T> {
  value: T;
  source: FactSource;
  confidence: number;
  /** Why, in a few words: "eth0 address", "label node.kubernetes.io/subnetid". */
  note?: string;
}

/** A Kubernetes label selector (matchLabels and matchExpressions); {} selects everything. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** One egress rule of a NetworkPolicy, as far as an address outside the cluster goes. */
export interface EgressRule {
  /** Peers; absent or empty = every destination. Only ipBlock peers can match an address outside the cluster. */
  to?: { ipBlock?: { cidr: string; except?: string[] }; podSelector?: LabelSelector; namespaceSelector?: LabelSelector }[];
  /** Ports; absent or empty = every port and protocol. */
  ports?: { protocol?: string; port?: number | string; endPort?: number }[];
}

/** A NetworkPolicy in the pod's namespace that restricts egress (policyTypes has Egress). */
export interface EgressPolicy {
  name: string;
  podSelector: LabelSelector;
  egress: EgressRule[];
}

export type NetworkModel = 'tunnel' | 'vpc' | 'eni';
/** More --vpc-cidr entries than any node has VPCs: a mistake, refused. */
export const MAX_VPC_CIDRS = 256;

export const NETWORK_MODELS: readonly NetworkModel[] = ['tunnel', 'vpc', 'eni'];

/** Everything known about where the pod sits. Every field is optional: a fact can be missing. */
export interface PodContext {
  /** The pod's primary address (status.podIP). Its other family, in a dual-stack cluster, is in podIps. */
  podIp?: Fact<string>;
  nodeIp?: Fact<string>;
  /** Every pod address, primary first, at most one per family (status.podIPs, the pod's interfaces). */
  podIps?: Fact<string[]>;
  /** The node's addresses, primary first, at most one per family (status.addresses InternalIP). */
  nodeIps?: Fact<string[]>;
  /** The container CIDR of each family, primary first (`--container-cidr v4,v6` as --cluster-cidr takes it). */
  containerCidrs?: Fact<string[]>;
  /** The cluster's IP families, primary first: [IPv6], or both (dual-stack); absent for IPv4 only. */
  ipFamilies?: Fact<Family[]>;
  /** Gateway of the IPv6 default route (/proc/net/ipv6_route), often link-local. */
  gateway6?: Fact<string>;
  nodeName?: Fact<string>;
  podName?: Fact<string>;
  namespace?: Fact<string>;
  /** Default gateway of the pod (or of the node, in a node report). */
  gateway?: Fact<string>;
  /** Interface of the default route. */
  interface?: Fact<string>;
  mtu?: Fact<number>;
  /** The cluster's container CIDR (VPC model: the range the peer must allow and route). */
  containerCidr?: Fact<string>;
  /** The node's own pod CIDR (spec.podCIDR), when known. */
  nodePodCidr?: Fact<string>;
  /** The node's VPC / subnet CIDRs. */
  vpcCidrs?: Fact<string[]>;
  serviceCidr?: Fact<string>;
  networkModel?: Fact<NetworkModel>;
  /**
   * Destinations (CIDRs) towards which pod egress keeps the pod IP (ip-masq-agent nonMasqueradeCIDRs,
   * Cilium native-routing CIDR...). Outside them the peer sees the node IP.
   */
  nonMasqueradeCidrs?: Fact<string[]>;
  /** Is this pod's traffic to the target SNATed to the node IP? Measured by the pod-vs-node comparison. */
  snat?: Fact<boolean>;
  dnsServers?: Fact<string[]>;
  searchDomains?: Fact<string[]>;
  cni?: Fact<string>;
  cloud?: Fact<string>;
  /** This pod's labels: what NetworkPolicy podSelectors match. */
  podLabels?: Fact<Record<string, string>>;
  /** The namespace's NetworkPolicies that restrict egress (all of them, selecting this pod or not). */
  egressPolicies?: Fact<EgressPolicy[]>;
}

export type FactName = keyof PodContext;

/** A fact the agent could not establish, and what would supply it. */
export interface MissingFact {
  fact: FactName;
  hint: string;
}

export interface ContextReport {
  facts: PodContext;
  missing: MissingFact[];
  notes: string[];
}
