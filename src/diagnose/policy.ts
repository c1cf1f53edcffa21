// NetworkPolicy egress, evaluated for one destination outside the cluster: which policies select this
// pod, and which rule (if any) lets the packet out. Pure: the policies come from the API as context facts.
import type { EgressPolicy, EgressRule, LabelSelector } from '../context/types.ts';
import { inCidr } from '../net/ip.ts';

export interface EgressVerdict {
  /** Policies that select this pod and restrict its egress. */
  selecting: string[];
  /** "policy allow-db, egress rule 2", or undefined when no rule allows the destination. */
  allowedBy?: string;
}

/** Does `sel` select a pod with `labels`? The API's semantics: every term must hold; {} selects all. */
export function selects(sel: LabelSelector, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const inValues = has && (e.values ?? []).includes(labels[e.key]!);
    const ok =
      e.operator === 'In' ? inValues : e.operator === 'NotIn' ? !inValues : e.operator === 'Exists' ? has : e.operator === 'DoesNotExist' ? !has : false;
    if (!ok) return false;
  }
  return true;
}

function peerAllows(rule: EgressRule, ip: string): boolean {
  if (!rule.to || rule.to.length === 0) return true;
  // podSelector / namespaceSelector peers select pods: an address outside the cluster is never one.
  return rule.to.some((p) => p.ipBlock !== undefined && inCidr(ip, p.ipBlock.cidr) && !(p.ipBlock.except ?? []).some((x) => inCidr(ip, x)));
}

function portAllows(rule: EgressRule, port: number | undefined, protocol = 'TCP'): boolean {
  if (!rule.ports || rule.ports.length === 0) return true;
  // With ports listed only TCP/UDP/SCTP pass: an ICMP-only probe is not allowed by such a rule.
  if (port === undefined) return false;
  return rule.ports.some((p) => {
    if ((p.protocol ?? 'TCP').toUpperCase() !== protocol) return false;
    if (p.port === undefined) return true;
    // A named port names a container port: it cannot match an address outside the cluster.
    if (typeof p.port !== 'number') return false;
    return p.endPort !== undefined ? port >= p.port && port <= p.endPort : port === p.port;
  });
}

/** Undefined when no policy restricts this pod's egress (then NetworkPolicy allows everything). */
export function egressVerdict(policies: readonly EgressPolicy[], labels: Record<string, string>, ip: string, port?: number): EgressVerdict | undefined {
  return firstAllowing(policies, labels, (r) => peerAllows(r, ip) && portAllows(r, port));
}

/**
 * Whether the selecting policies let this pod ask DNS: some egress rule allows UDP 53. Where to is not
 * judged: the resolver is a Service in front of kube-dns pods, which only the cluster can match.
 */
export function dnsVerdict(policies: readonly EgressPolicy[], labels: Record<string, string>): EgressVerdict | undefined {
  return firstAllowing(policies, labels, (r) => portAllows(r, 53, 'UDP'));
}

/** The policies selecting the pod, and the first of their egress rules that `allows` (policies add up). */
function firstAllowing(policies: readonly EgressPolicy[], labels: Record<string, string>, allows: (r: EgressRule) => boolean): EgressVerdict | undefined {
  const selecting = policies.filter((p) => selects(p.podSelector, labels));
  if (selecting.length === 0) return undefined;
  for (const p of selecting) {
    const i = p.egress.findIndex(allows);
    if (i >= 0) return { selecting: selecting.map((s) => s.name), allowedBy: `policy ${p.name}, egress rule ${i + 1}` };
  }
  return { selecting: selecting.map((s) => s.name) };
}
