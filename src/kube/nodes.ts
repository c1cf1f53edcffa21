// API Node objects → NodeFacts (context/groups.ts): the labels clouds put on nodes, with provenance.
import { nodeSubnet, POOL_LABELS, ZONE_LABELS, type NodeFacts } from '../context/groups.ts';
import type { Fact } from '../context/types.ts';
import { familyOf } from '../net/ip.ts';
import type { NodeObject } from './objects.ts';

function labelFact(labels: Record<string, string>, keys: readonly string[]): Fact<string> | undefined {
  for (const k of keys) {
    const v = labels[k];
    if (v) return { value: v, source: 'api', confidence: k === 'node.kubernetes.io/instance-type' ? 0.6 : 0.95, note: `node label ${k}` };
  }
  return undefined;
}

export function nodeFacts(node: NodeObject, subnets: readonly string[] = []): NodeFacts {
  const labels = node.metadata?.labels ?? {};
  // One InternalIP per family, in the node's order (the primary family first, as kubelet --node-ip lists them).
  const internalIps: string[] = [];
  for (const a of node.status?.addresses ?? []) {
    const fam = a.type === 'InternalIP' && a.address ? familyOf(a.address) : undefined;
    if (fam && !internalIps.some((ip) => familyOf(ip) === fam)) internalIps.push(a.address as string);
  }
  const internalIp = internalIps[0];
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready')?.status !== 'False';
  const facts: NodeFacts = {
    name: node.metadata?.name ?? '',
    podCidrs: node.spec?.podCIDRs ?? (node.spec?.podCIDR ? [node.spec.podCIDR] : []),
    ready,
  };
  if (internalIp) facts.internalIp = internalIp;
  const pool = labelFact(labels, POOL_LABELS);
  if (pool) facts.pool = pool;
  const zone = labelFact(labels, ZONE_LABELS);
  if (zone) facts.zone = zone;
  const subnet = nodeSubnet(internalIp, subnets);
  if (subnet) facts.subnet = subnet;
  if (internalIps.length > 1) {
    facts.internalIps = internalIps;
    facts.subnets = internalIps.map((ip) => nodeSubnet(ip, subnets) as Fact<string>);
  }
  return facts;
}
