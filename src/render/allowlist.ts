// `podreach allowlist`: the guide's table filled in for this cluster — per node group, the source each kind of
// destination sees and the exact entries to allow — as a JSON document (schema/allowlist.schema.json) and text.
import { groupNodes, type GroupBy, type NodeFacts } from '../context/groups.ts';
import type { Fact } from '../context/types.ts';
import { type AllowRule, allowRules, type ClusterNet, type Destination, type DestinationClass, groupSource, type GroupSource, usesNodePodCidrs } from '../diagnose/index.ts';
import { hostPort } from '../net/format.ts';
import { aggregateCidrs, familyOf } from '../net/ip.ts';
import { PLAIN, type Paint } from './text.ts';
import { SOURCE_LABELS, UNCERTAIN } from './words.ts';

export const ALLOWLIST_SCHEMA_VERSION = 1;

export const CLASS_LABELS: Record<DestinationClass, string> = {
  'same-vpc': 'same VPC (an ECS or ELB next to the cluster)',
  'peered-vpc': 'peered VPC (across a VPC peering connection)',
  'managed-service': 'managed service whitelist (RDS, DCS Redis, Kafka...)',
  internet: 'internet through a NAT gateway',
};

export interface AllowlistNode {
  name: string;
  internalIp?: string;
  internalIps?: string[];
  ready: boolean;
  podCidrs: string[];
  pool?: Fact<string>;
  zone?: Fact<string>;
  subnet?: Fact<string>;
  subnets?: Fact<string>[];
}

export interface AllowlistGroup {
  key: string;
  nodes: AllowlistNode[];
  /** Node subnets given by --node-subnet that hold the group's nodes. */
  nodeSubnets: string[];
  nodeIps: string[];
  /** The nodes' spec.podCIDRs, aggregated (none where the CNI allocates from its own pool: Calico, Cilium). */
  podCidrs: string[];
  /** The container (ENI) subnets the group's pods take addresses from, when the model has them. */
  eniSubnets: string[];
}

export interface AllowlistEntry {
  destination: Destination & { label: string };
  /** One per group, in group order. */
  sources: (GroupSource & { group: string; rules: AllowRule[] })[];
  /** Every group at once: the union of the groups' lists, and the rules that hold it. */
  all: Pick<GroupSource, 'kind' | 'allow' | 'allowWhat' | 'covers'> & { rules: AllowRule[] };
}

/** `podreach allowlist -o json`: a contract (see schema/allowlist.schema.json). */
export interface AllowlistReport {
  kind: 'podreach.allowlist';
  schemaVersion: typeof ALLOWLIST_SCHEMA_VERSION;
  tool: { name: 'podreach'; version: string };
  generatedAt: string;
  cluster: { server: string; user: string; nodes: number } & { [K in keyof ClusterNet]: ClusterNet[K] };
  by: GroupBy;
  groups: AllowlistGroup[];
  destinations: AllowlistEntry[];
  notes: string[];
}

export interface AllowlistInput {
  version: string;
  server: string;
  user: string;
  nodes: NodeFacts[];
  net: ClusterNet;
  by: GroupBy;
  destinations: Destination[];
  notes: string[];
}

export function destinationLabel(d: Destination): string {
  if (d.ip) return `${hostPort(d.ip, d.port)}${d.class ? ` (${CLASS_LABELS[d.class].split(' (')[0]})` : ''}`;
  if (d.class === 'internet' && d.family === 'IPv6') return 'internet, IPv6 (no NAT gateway: an egress-only internet gateway at most)';
  const label = d.class ? CLASS_LABELS[d.class] : '?';
  return d.family ? `${label}, ${d.family}` : label;
}

function groupFacts(nodes: readonly NodeFacts[], net: ClusterNet): Omit<AllowlistGroup, 'key' | 'nodes'> {
  const subnets = (n: NodeFacts) => n.subnets ?? (n.subnet ? [n.subnet] : []);
  const nodeSubnets = [...new Set(nodes.flatMap((n) => subnets(n).filter((s) => s.source !== 'heuristic').map((s) => s.value)))].sort();
  const all = net.model?.value === 'eni' ? (net.eniSubnets?.value ?? (net.cni?.value === 'aws-vpc-cni' ? nodes.flatMap((n) => subnets(n).map((s) => s.value)) : [])) : [];
  // Only the families pods have: an EKS IPv6 node's IPv4 subnet holds no pod.
  const fams = net.families?.value;
  const eni = fams ? all.filter((c) => fams.some((f) => f === familyOf(c))) : all;
  return {
    nodeSubnets,
    nodeIps: nodes.flatMap((n) => n.internalIps ?? (n.internalIp ? [n.internalIp] : [])),
    podCidrs: usesNodePodCidrs(net) ? aggregateCidrs(nodes.flatMap((n) => n.podCidrs)) : [],
    eniSubnets: aggregateCidrs(eni),
  };
}

export function buildAllowlist(i: AllowlistInput): AllowlistReport {
  const groups = groupNodes(i.nodes, i.by);
  return {
    kind: 'podreach.allowlist',
    schemaVersion: ALLOWLIST_SCHEMA_VERSION,
    tool: { name: 'podreach', version: i.version },
    generatedAt: new Date().toISOString(),
    cluster: { server: i.server, user: i.user, nodes: i.nodes.length, ...i.net },
    by: i.by,
    groups: groups.map((g) => ({
      key: g.key,
      nodes: g.nodes.map((n) => ({ ...n, podCidrs: n.podCidrs })),
      ...groupFacts(g.nodes, i.net),
    })),
    destinations: i.destinations.map((d) => {
      const sources = groups.map((g) => {
        const s = groupSource(g, i.net, d);
        return { group: g.key, ...s, rules: allowRules(d, s) };
      });
      // The union is one source of the same kind: its rules are the ones written once for the whole cluster.
      const first = sources[0];
      const allow = aggregateCidrs(sources.flatMap((s) => s.allow));
      const covers = first?.covers && sources.every((s) => s.covers === first.covers) ? first.covers : undefined;
      const union = { kind: first?.kind ?? 'unknown', allow, allowWhat: first?.allowWhat ?? '', ...(covers ? { covers } : {}) } as const;
      return { destination: { ...d, label: destinationLabel(d) }, sources, all: { ...union, rules: allowRules(d, union) } };
    }),
    notes: i.notes,
  };
}

/** Long lists (a pool of 100 nodes without --node-subnet) are cut in text; -o json has them all. */
const TEXT_LIST = 6;
function list(items: readonly string[]): string {
  if (items.length <= TEXT_LIST) return items.join(', ');
  return `${items.slice(0, TEXT_LIST).join(', ')} … (+${items.length - TEXT_LIST} more; -o json lists all)`;
}

function factText(f: Fact<unknown> | undefined): string {
  if (!f) return 'unknown';
  const v = Array.isArray(f.value) ? f.value.join(', ') : String(f.value);
  return `${v} (${SOURCE_LABELS[f.source]}${f.note ? `: ${f.note}` : ''})`;
}

function groupLine(g: AllowlistGroup): string {
  const ready = g.nodes.filter((n) => n.ready).length;
  const parts = [`${g.nodes.length} node${g.nodes.length === 1 ? '' : 's'}${ready < g.nodes.length ? ` (${g.nodes.length - ready} not ready)` : ''}`];
  const zones = [...new Set(g.nodes.map((n) => n.zone?.value).filter((z) => z !== undefined))];
  if (zones.length) parts.push(`zone ${zones.join(', ')}`);
  const pools = [...new Set(g.nodes.map((n) => n.pool?.value).filter((p) => p !== undefined))];
  if (pools.length && g.nodes[0]?.pool?.value !== g.key) parts.push(`pool ${list(pools)}`);
  if (g.nodeSubnets.length) parts.push(`node subnet ${g.nodeSubnets.join(', ')}`);
  parts.push(`node IPs ${list(g.nodeIps)}`);
  if (g.podCidrs.length) parts.push(`pod CIDRs ${list(g.podCidrs)}`);
  if (g.eniSubnets.length) parts.push(`container subnet ${g.eniSubnets.join(', ')}`);
  return parts.join('  ');
}

const pct = (c: number) => `${Math.round(c * 100)}%`;

export function renderAllowlistText(r: AllowlistReport, paint: Paint = PLAIN): string {
  const out: string[] = [];
  const groups = r.groups.length;
  out.push(paint.bold(`podreach allowlist: ${r.cluster.nodes} node${r.cluster.nodes === 1 ? '' : 's'} in ${groups} group${groups === 1 ? '' : 's'} by ${r.by} (${r.cluster.server} as ${r.cluster.user})`));
  out.push(`network model  ${factText(r.cluster.model)}`);
  for (const [family, m] of Object.entries(r.cluster.modelByFamily ?? {})) out.push(`  ${family} model  ${factText(m)}`);
  if (r.cluster.cni) out.push(`CNI            ${r.cluster.cni.note === r.cluster.model?.note ? r.cluster.cni.value : factText(r.cluster.cni)}`);
  if (r.cluster.families) out.push(`pod families   ${factText(r.cluster.families)}`);
  if (r.cluster.containerCidrs) out.push(`container CIDRs ${factText(r.cluster.containerCidrs)}`);
  else if (r.cluster.containerCidr) out.push(`container CIDR ${factText(r.cluster.containerCidr)}`);
  if (r.cluster.eniSubnets) out.push(`ENI subnets    ${factText(r.cluster.eniSubnets)}`);
  if (r.cluster.nonMasqueradeCidrs) out.push(`no-masquerade  ${factText(r.cluster.nonMasqueradeCidrs)}`);
  if (r.cluster.vpcCidrs) out.push(`VPC CIDR       ${factText(r.cluster.vpcCidrs)}`);
  out.push('', paint.bold(`groups (by ${r.by})`));
  const width = Math.min(28, Math.max(...r.groups.map((g) => g.key.length)));
  for (const g of r.groups) out.push(`  ${g.key.padEnd(width)}  ${groupLine(g)}`);
  for (const d of r.destinations) {
    out.push('', paint.bold(d.destination.label));
    const whys = [...new Set(d.sources.map((s) => s.why))];
    if (whys.length === 1) out.push(`  the peer sees: ${whys[0]}`);
    for (const s of d.sources) {
      const sure = s.confidence < UNCERTAIN ? paint.yellow(` (confidence ${pct(s.confidence)})`) : '';
      out.push(`  ${s.group.padEnd(width)}  ${s.kind.padEnd(10)} ${s.allow.length ? list(s.allow) : paint.yellow('unknown')}  ${paint.dim(s.allowWhat)}${sure}`);
      if (whys.length > 1) out.push(`  ${' '.repeat(width)}  ${paint.dim(s.why)}`);
      for (const n of s.notes.filter((x) => !/^node spec\.podCIDRs$/.test(x))) out.push(`  ${' '.repeat(width)}  ${paint.dim(n)}`);
    }
    // The same rules as in the JSON, with the list cut to fit a line.
    for (const rule of allowRules(d.destination, { ...d.all, allow: d.all.allow.length ? [list(d.all.allow)] : [] })) out.push(`  → ${rule.text}`);
    if (d.all.covers && d.all.covers !== d.all.allow.join() && !d.all.rules.some((x) => x.text.includes(d.all.covers as string))) {
      out.push(`  → or, once for every group and for nodes added later: ${d.all.covers} (the container CIDR)`);
    }
  }
  if (r.notes.length) {
    out.push('', paint.bold('notes'));
    for (const n of r.notes) out.push(`  ${n}`);
  }
  return `${out.join('\n')}\n`;
}
