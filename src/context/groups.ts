// Nodes grouped the way clouds group them, so the same question can be asked once per group (fleet) and the
// source each group puts on the wire can be written down (allowlist). Pure: the API read is in kube/nodes.ts.
import { type Family, familyOf, firstMatch, subnetOf } from '../net/ip.ts';
import type { Fact } from './types.ts';

export type GroupBy = 'node' | 'pool' | 'zone' | 'subnet';
export const GROUP_BYS: readonly GroupBy[] = ['node', 'pool', 'zone', 'subnet'];

/** Node-pool labels, most specific first; the instance type stands in where no pool label exists. */
export const POOL_LABELS: readonly string[] = [
  'cce.cloud.com/cce-nodepool',
  'eks.amazonaws.com/nodegroup',
  'cloud.google.com/gke-nodepool',
  'kubernetes.azure.com/agentpool',
  'karpenter.sh/nodepool',
  'node.kubernetes.io/instance-type',
];
export const ZONE_LABELS: readonly string[] = ['topology.kubernetes.io/zone', 'failure-domain.beta.kubernetes.io/zone'];

/** What podreach knows of one node, each grouping key with where it came from. */
export interface NodeFacts {
  name: string;
  /** The node's first InternalIP (status.addresses order: the primary family). */
  internalIp?: string;
  /** Dual-stack nodes: one InternalIP per family, primary first (absent when the node has one family). */
  internalIps?: string[];
  /** spec.podCIDRs: the node's own container range (VPC model, host-local IPAM). */
  podCidrs: string[];
  pool?: Fact<string>;
  zone?: Fact<string>;
  /** The subnet of internalIp: a given --node-subnet that holds it (flag), else its /24 or IPv6 /64 (heuristic). */
  subnet?: Fact<string>;
  /** Dual-stack nodes: the subnet of each of internalIps, in the same order. */
  subnets?: Fact<string>[];
  ready: boolean;
}

export interface NodeGroup {
  by: GroupBy;
  /** pool name, zone, subnet CIDR or node name; `(none)` for nodes without the key. */
  key: string;
  nodes: NodeFacts[];
}

/** The heuristic's prefix when no --node-subnet covers a node: clouds hand out /24 node subnets by default. */
export const DEFAULT_SUBNET_PREFIX = 24;
/** IPv6 subnets are /64 (SLAAC needs it; AWS, Azure, GCP and Huawei Cloud give nothing else). */
export const DEFAULT_SUBNET_PREFIX6 = 64;

export const defaultSubnetPrefix = (family: Family | undefined): number => (family === 'IPv6' ? DEFAULT_SUBNET_PREFIX6 : DEFAULT_SUBNET_PREFIX);

export function nodeSubnet(ip: string | undefined, given: readonly string[]): Fact<string> | undefined {
  if (!ip) return undefined;
  const hit = firstMatch(ip, given);
  if (hit) return { value: hit, source: 'flag', confidence: 0.99, note: '--node-subnet' };
  const bits = defaultSubnetPrefix(familyOf(ip));
  return { value: subnetOf(ip, bits), source: 'heuristic', confidence: 0.5, note: `the /${bits} around ${ip}` };
}

/** The node's InternalIP of one family. */
export function nodeIpIn(n: NodeFacts, family: Family): string | undefined {
  return (n.internalIps ?? (n.internalIp ? [n.internalIp] : [])).find((ip) => familyOf(ip) === family);
}

/** The node's subnet of one family. */
export function nodeSubnetIn(n: NodeFacts, family: Family): Fact<string> | undefined {
  return (n.subnets ?? (n.subnet ? [n.subnet] : [])).find((s) => familyOf(s.value) === family);
}

/** The families of the nodes' InternalIPs, IPv4 first. */
export function nodeFamilies(nodes: readonly NodeFacts[]): Family[] {
  const has = (f: Family) => nodes.some((n) => nodeIpIn(n, f) !== undefined);
  return (['IPv4', 'IPv6'] as const).filter(has);
}

const NONE = '(none)';

function keyOf(n: NodeFacts, by: GroupBy): string {
  if (by === 'node') return n.name;
  if (by === 'pool') return n.pool?.value ?? NONE;
  if (by === 'zone') return n.zone?.value ?? NONE;
  return n.subnet?.value ?? NONE;
}

/** Groups in a stable order (by key), nodes within a group by name. */
export function groupNodes(nodes: readonly NodeFacts[], by: GroupBy): NodeGroup[] {
  const groups = new Map<string, NodeFacts[]>();
  for (const n of nodes) {
    const k = keyOf(n, by);
    const list = groups.get(k);
    if (list) list.push(n);
    else groups.set(k, [n]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a === NONE ? 1 : b === NONE ? -1 : a.localeCompare(b, 'en', { numeric: true })))
    .map(([key, list]) => ({ by, key, nodes: list.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true })) }));
}

/** The node a group's probes run on: the first ready one, by name. */
export function pickNode(g: NodeGroup): NodeFacts | undefined {
  return g.nodes.find((n) => n.ready && n.internalIp) ?? undefined;
}
