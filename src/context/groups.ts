// Nodes grouped the way clouds group them, so the same question can be asked once per group (fleet) and the
// source each group puts on the wire can be written down (allowlist). Pure: the API read is in kube/nodes.ts.
import { firstMatch, subnetOf } from '../net/ip.ts';
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
  internalIp?: string;
  /** spec.podCIDRs: the node's own container range (VPC model, host-local IPAM). */
  podCidrs: string[];
  pool?: Fact<string>;
  zone?: Fact<string>;
  /** The node's subnet: a given --node-subnet that holds its IP (flag), else its IP's /24 (heuristic). */
  subnet?: Fact<string>;
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

export function nodeSubnet(ip: string | undefined, given: readonly string[]): Fact<string> | undefined {
  if (!ip || ip.includes(':')) return undefined;
  const hit = firstMatch(ip, given);
  if (hit) return { value: hit, source: 'flag', confidence: 0.99, note: '--node-subnet' };
  return { value: subnetOf(ip, DEFAULT_SUBNET_PREFIX), source: 'heuristic', confidence: 0.5, note: `the /${DEFAULT_SUBNET_PREFIX} around ${ip}` };
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
