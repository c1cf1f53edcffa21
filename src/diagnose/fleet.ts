// The cross-group diagnosis of `podreach fleet`: for each target, which node groups reach it and which do
// not, and what differs between them in the terms of the source the peer sees (sources.ts): "fails from
// pool-b (nodes in 192.168.11.0/24), works from pool-a → add 192.168.11.0/24 to the security group of ...".
// Pure: the probe reports come from the groups' probe pods (kube/fleet.ts).
import { type GroupBy, type NodeFacts, nodeIpIn, nodeSubnetIn } from '../context/groups.ts';
import { hostPort } from '../net/format.ts';
import { aggregateCidrs, type Family, familyOf } from '../net/ip.ts';
import type { ProbeReport, Target } from '../probe/types.ts';
import { allowRules, type AllowRule, type ClusterNet, type Destination, type GroupSource, groupPeerSees, groupSource, ipClass, MANAGED_PORTS } from './sources.ts';

export type FleetVantage = 'pod' | 'node';

/** One group's probe pods: the reports of each vantage point, in target order, or why there are none. */
export interface GroupObserved {
  by: GroupBy;
  key: string;
  nodes: NodeFacts[];
  /** The node its probe pods ran on (pickNode); none when no node of the group is ready. */
  probedFrom?: string;
  vantages: { vantage: FleetVantage; reports?: ProbeReport[]; error?: string }[];
}

export interface FleetInput {
  targets: readonly Target[];
  groups: readonly GroupObserved[];
  net: ClusterNet;
}

/** How one group fared against one target. */
export type GroupOutcome = 'reached' | 'silent' | 'refused' | 'unreachable' | 'denied' | 'failed' | 'no-report';

export interface GroupResult {
  key: string;
  outcome: GroupOutcome;
  /** The vantage point whose report decided (the one whose source the peer sees), if any. */
  vantage?: FleetVantage;
  /** One line: "tcp/80 open", "tcp/80 no answer to 2 SYNs", "no report: ...". */
  detail: string;
  source: GroupSource;
}

export type FleetCause = 'reachable' | 'security-group' | 'whitelist' | 'route' | 'port-closed' | 'unknown';

export interface FleetDiagnosis {
  cause: FleetCause;
  /** Every group that reported reached the target. */
  reachable: boolean;
  confidence: number;
  summary: string;
  fix: string[];
  evidence: string[];
  works: string[];
  fails: string[];
  /** Groups without a usable report (no ready node, a probe pod that failed). */
  unknown: string[];
  /** The exact CIDRs / IPs missing at the peer: the failing groups' sources. */
  add: string[];
}

export interface TargetVerdict {
  target: Target;
  groups: GroupResult[];
  diagnosis: FleetDiagnosis;
}

const FAILED: readonly GroupOutcome[] = ['silent', 'refused', 'unreachable', 'denied', 'failed'];

/** What one report says: reached, or how it failed, in one line. */
export function outcomeOf(r: ProbeReport): { outcome: GroupOutcome; detail: string } {
  const t = r.tcp;
  if (t) {
    const tcp = `tcp/${t.port}`;
    if (t.status === 'open') {
      if (r.app?.status === 'denied') return { outcome: 'denied', detail: `${tcp} open, ${r.app.protocol} refused this client: ${r.app.reply ?? ''}`.trim() };
      return { outcome: 'reached', detail: `${tcp} open${r.app ? `, ${r.app.protocol} ${r.app.status}` : ''}` };
    }
    if (t.status === 'timeout') return { outcome: 'silent', detail: `${tcp} no answer to ${t.attempts} SYN${t.attempts === 1 ? '' : 's'} (${t.waitMs} ms each)` };
    if (t.status === 'refused') return { outcome: 'refused', detail: `${tcp} refused (RST)` };
    if (t.status === 'unreachable') return { outcome: 'unreachable', detail: `${tcp} unreachable (${t.errno ?? 'ICMP error'})${r.icmp.detail ? `: ${r.icmp.detail}` : ''}` };
    return { outcome: 'failed', detail: `${tcp} ${t.status}${t.errno ? ` (${t.errno})` : ''}` };
  }
  if (r.icmp.status === 'reply') return { outcome: 'reached', detail: `ping ${r.icmp.received}/${r.icmp.sent} replies` };
  if (r.icmp.status === 'unreachable') return { outcome: 'unreachable', detail: `ping: ${r.icmp.detail ?? 'unreachable'}` };
  if (r.icmp.status === 'no-reply') return { outcome: 'silent', detail: `ping 0/${r.icmp.sent} replies` };
  return { outcome: 'failed', detail: `ping ${r.icmp.status}${r.dns && r.dns.status !== 'ok' ? `, dns ${r.dns.status}` : ''}` };
}

/** The destination as sources.ts sorts it: a managed-service port, the VPC, a peering. */
export function destinationOf(target: Target, ip: string | undefined, net: ClusterNet): Destination {
  const to: Destination = { ...(ip ? { ip } : {}), ...(target.port ? { port: target.port } : {}) };
  if (!ip) return to;
  const cls = ipClass(ip, net.vpcCidrs?.value ?? []);
  if (cls === 'internet' || cls === 'peered-vpc') to.class = cls;
  else if (target.port && MANAGED_PORTS[target.port]) to.class = 'managed-service';
  else if (cls) to.class = cls;
  return to;
}

/** The group's report for this target: from the vantage whose source the peer sees (the pod's when both ran and the model gives pods their own). */
function decidingReport(g: GroupObserved, i: number, side: 'pod' | 'node' | undefined): { vantage: FleetVantage; report: ProbeReport } | { error: string } {
  const usable = g.vantages.filter((v) => v.reports?.[i]);
  const pick = usable.find((v) => v.vantage === (side ?? 'pod')) ?? usable[0];
  const report = pick?.reports?.[i];
  if (pick && report) return { vantage: pick.vantage, report };
  if (!g.probedFrom) return { error: 'no ready node with an InternalIP in this group' };
  return { error: g.vantages.map((v) => v.error).filter(Boolean).join('; ') || 'no report' };
}

const list = (xs: readonly string[]) => (xs.length <= 1 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(', ')} and ${xs.at(-1)}`);

/** "pool-b (nodes in 192.168.11.0/24)": the group and where its nodes sit, in the target's family. */
function groupLabel(g: GroupObserved, family: Family): string {
  const ip = (n: NodeFacts | undefined) => (n ? (nodeIpIn(n, family) ?? n.internalIp) : undefined);
  if (g.by === 'node') return `${g.key} (${ip(g.nodes[0]) ?? 'no IP'})`;
  const subnets = [...new Set(g.nodes.map((n) => (nodeSubnetIn(n, family) ?? n.subnet)?.value).filter((s): s is string => !!s))];
  // A subnet group's key is the primary family's subnet: the other family's is named beside it.
  if (g.by === 'subnet') return subnets.length && !subnets.includes(g.key) ? `${g.key} (${subnets.join(', ')})` : g.key;
  return subnets.length ? `${g.key} (nodes in ${subnets.join(', ')})` : g.key;
}

function causeOf(failing: GroupResult[], to: Destination): { cause: FleetCause; confidence: number; alt?: FleetCause } {
  const outs = new Set(failing.map((f) => f.outcome));
  if (outs.has('unreachable')) return { cause: 'route', confidence: 0.8 };
  if (outs.has('refused') && outs.size === 1) return { cause: 'port-closed', confidence: 0.7 };
  if (outs.has('denied')) return { cause: 'whitelist', confidence: 0.9 };
  if (!outs.has('silent')) return { cause: 'unknown', confidence: 0.3 };
  if (to.class === 'managed-service') return { cause: 'whitelist', confidence: 0.75, alt: 'security-group' };
  // Across a peering the peer's route back to the VPC covers node IPs but not a VPC-model pod CIDR.
  if (to.class === 'peered-vpc' && failing.every((f) => f.source.kind === 'pod')) return { cause: 'route', confidence: 0.75, alt: 'security-group' };
  return { cause: 'security-group', confidence: to.class === 'same-vpc' || to.class === 'peered-vpc' ? 0.8 : 0.6, alt: to.class === undefined ? 'route' : 'whitelist' };
}

const CAUSE_WORDS: Record<FleetCause, string> = {
  reachable: 'reachable',
  'security-group': 'the security group',
  whitelist: "the service's IP whitelist",
  route: "the peer VPC's route back",
  'port-closed': 'a closed port',
  unknown: 'unknown',
};

const RULE_FOR: Partial<Record<FleetCause, AllowRule['where']>> = { 'security-group': 'security-group', whitelist: 'whitelist', route: 'peer-route' };

/** One target across every group. */
export function judgeTarget(input: FleetInput, i: number): TargetVerdict {
  const target = input.targets[i] as Target;
  const reports = input.groups.flatMap((g) => g.vantages.map((v) => v.reports?.[i]).filter((r): r is ProbeReport => !!r));
  const ip = target.ip ?? reports.find((r) => r.target.ip)?.target.ip;
  const to = destinationOf(target, ip, input.net);
  const side = groupPeerSees(input.net, to)?.side;
  const family = (ip ? familyOf(ip) : undefined) ?? 'IPv4';
  const label = hostPort(ip ?? target.host, target.port);
  const groups = input.groups.map((g): GroupResult => {
    const source = groupSource(g, input.net, to);
    const got = decidingReport(g, i, side);
    if ('error' in got) return { key: g.key, outcome: 'no-report', detail: `no report: ${got.error}`, source };
    return { key: g.key, vantage: got.vantage, source, ...outcomeOf(got.report) };
  });
  const byKey = new Map(input.groups.map((g) => [g.key, g]));
  const works = groups.filter((g) => g.outcome === 'reached');
  const fails = groups.filter((g) => FAILED.includes(g.outcome));
  const unknown = groups.filter((g) => g.outcome === 'no-report');
  const keys = (xs: GroupResult[]) => xs.map((g) => g.key);
  const labels = (xs: GroupResult[]) => list(xs.map((g) => groupLabel(byKey.get(g.key) as GroupObserved, family)));
  const evidence = groups.map((g) => `${g.key}${byKey.get(g.key)?.probedFrom ? ` from ${byKey.get(g.key)?.probedFrom}` : ''}${g.vantage ? ` (${g.vantage} network)` : ''}: ${g.detail}; the peer sees ${g.source.allow.length ? g.source.allow.join(', ') : g.source.allowWhat} (${g.source.allowWhat})`);
  if (input.groups.some((g) => g.nodes.length > 1) && groups.some((g) => g.source.kind === 'node' && g.source.allow.some((a) => a.endsWith('/32') || a.endsWith('/128')))) {
    evidence.push('each group was probed from one of its nodes: a whitelist of single node IPs can differ inside a group (--by node probes every node)');
  }
  const base = { works: keys(works), fails: keys(fails), unknown: keys(unknown) };
  if (fails.length === 0) {
    if (works.length === 0) {
      return { target, groups, diagnosis: { ...base, cause: 'unknown', reachable: false, confidence: 0.2, summary: `${label}: no group produced a report`, fix: [], evidence, add: [] } };
    }
    const also = unknown.length ? ` (no report from ${list(keys(unknown))})` : '';
    return { target, groups, diagnosis: { ...base, cause: 'reachable', reachable: true, confidence: unknown.length ? 0.7 : 0.97, summary: `${label} is reachable from every group (${works.length})${also}`, fix: [], evidence, add: [] } };
  }
  const { cause, confidence, alt } = causeOf(fails, to);
  const add = aggregateCidrs(fails.flatMap((g) => g.source.allow));
  const merged: GroupSource = { ...(fails[0] as GroupResult).source, allow: add };
  const rules = allowRules(to, merged);
  const rule = rules.find((r) => r.where === RULE_FOR[cause]);
  const allowWhat = [...new Set(fails.map((g) => g.source.allowWhat))].join(' / ');
  const differs = works.length
    ? `fails from ${labels(fails)}, works from ${labels(works)}: what differs is the source the peer sees, ${list(add)} (${allowWhat})`
    : `fails from every group (${labels(fails)}): nothing differs between them; the peer allows none of their sources, or the fault is not about the source (podreach diagnose from one pod compares pod and node)`;
  const fix = rule ? [`${rule.text}`] : add.length ? [`Allow ${list(add)} (${allowWhat}) where ${label} filters its clients`] : [];
  if (cause === 'route' && fails.some((f) => f.outcome === 'unreachable')) fix.unshift(`A router answered "unreachable" for ${label}: add the missing route towards it (the VPC route table of the failing groups' subnets)`);
  if (alt && works.length) evidence.push(`if it is not ${CAUSE_WORDS[cause]}: ${CAUSE_WORDS[alt]} (the same source list applies)`);
  return {
    target,
    groups,
    diagnosis: {
      ...base,
      cause,
      reachable: false,
      confidence: works.length ? confidence : confidence * 0.6,
      summary: `${label} ${differs}${cause === 'port-closed' ? '' : ` → add ${list(add)}${to.port ? ` (TCP ${to.port})` : ''}`}`,
      fix,
      evidence,
      add,
    },
  };
}

export function diagnoseFleet(input: FleetInput): TargetVerdict[] {
  return input.targets.map((_, i) => judgeTarget(input, i));
}
