import { hostCidr } from '../../net/ip.ts';
import type { EgressRule } from '../../context/types.ts';
import { baseEvidence } from '../explain.ts';
import { dnsVerdict, type EgressVerdict, egressVerdict } from '../policy.ts';
import { signals } from '../signals.ts';
import type { Evidence, Finding } from '../types.ts';
import { podSide } from '../vantage.ts';
import { defineCause } from './define.ts';

/** What a rule that lets a pod ask kube-dns looks like. */
const DNS_RULE: EgressRule = {
  to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
  ports: [
    { protocol: 'UDP', port: 53 },
    { protocol: 'TCP', port: 53 },
  ],
};

/**
 * An egress NetworkPolicy selects this pod and no rule of it allows the target (or DNS): the CNI (Calico,
 * Cilium, ...) drops the packet before it leaves the node, so the peer never sees it. Needs the policies
 * from the API; without them the pod-only failure is only "between the pod and the node".
 */
export const networkPolicy = defineCause({
  id: 'network-policy',
  title: 'NetworkPolicy blocks egress',
  needs: ['context.egressPolicies', 'context.podLabels', 'context.namespace', 'pod.dns', 'pod.tcp', 'node'],
  evaluate(ev) {
    const policies = ev.context.egressPolicies?.value;
    const labels = ev.context.podLabels?.value;
    if (!policies || !labels) return null;
    const s = signals(ev);
    // The most common policy mistake: a default deny that forgets DNS. Every name then times out.
    const dns = podSide(ev).dns;
    if (dns?.status === 'timeout') {
      const v = dnsVerdict(policies, labels);
      if (!v || v.allowedBy) return null;
      return finding(ev, v, 0.9, `egress NetworkPolicy ${v.selecting.join(', ')} in namespace ${ns(ev)} allows this pod no DNS (UDP 53): every lookup times out`, DNS_RULE, [
        `pod: DNS timeout for ${dns.name} (servers ${dns.servers.join(', ') || 'unknown'})`,
        `no egress rule of ${v.selecting.join(', ')} allows UDP 53`,
      ]);
    }
    const ip = ev.target.ip;
    if (!ip) return null;
    const v = egressVerdict(policies, labels, ip, ev.target.port);
    if (!v || v.allowedBy) return null;
    // The packet got out (the CNI does not enforce policies, e.g. Flannel alone) or came back refused.
    if (!['silent', 'error', 'unreachable', 'not-run'].includes(s.pod.outcome)) return null;
    const port = ev.target.port;
    const evidence = [
      ...baseEvidence(ev, s),
      `no egress rule of ${v.selecting.join(', ')} allows ${ip}${port ? ` TCP ${port}` : ''}`,
      ...(s.differential === 'pod-only-fails' ? ['the node reaches the target: the drop happens before the packet leaves the node, where the CNI enforces policy'] : []),
    ];
    const rule: EgressRule = { to: [{ ipBlock: { cidr: hostCidr(ip) } }], ...(port ? { ports: [{ protocol: 'TCP', port }] } : {}) };
    const confidence = s.differential === 'pod-only-fails' ? 0.95 : s.differential === 'both-fail' ? 0.7 : 0.9;
    return finding(ev, v, confidence, `egress NetworkPolicy ${v.selecting.join(', ')} in namespace ${ns(ev)} allows this pod nothing to ${ip}${port ? `:${port}` : ''}`, rule, evidence);
  },
});

const ns = (ev: Evidence): string => ev.context.namespace?.value ?? '<namespace>';

/** The finding, with the policies and labels as evidence and the patch that adds `rule` as the fix. */
function finding(ev: Evidence, v: EgressVerdict, confidence: number, summary: string, rule: EgressRule, evidence: string[]): Finding {
  const labels = Object.entries(ev.context.podLabels?.value ?? {}).map(([k, x]) => `${k}=${x}`).join(', ');
  const one = v.selecting.length === 1;
  // Spaced like YAML flow style, so a terminal wraps it between tokens (it is copied from there).
  const patch = JSON.stringify([{ op: 'add', path: '/spec/egress/-', value: rule }]).replace(/([,:])(?=[[{"\d])/g, '$1 ');
  return {
    confidence,
    summary,
    evidence: [...evidence, `NetworkPolicy ${v.selecting.join(', ')} in ${ns(ev)} select${one ? 's' : ''} this pod (${labels}) and restrict${one ? 's' : ''} its egress`],
    fix: [`Allow it in the policy: kubectl -n ${ns(ev)} patch networkpolicy ${v.selecting[0]} --type=json -p '${patch}' (or a new policy selecting this pod with that egress rule)`],
    settle: `kubectl -n ${ns(ev)} get networkpolicy ${v.selecting.join(' ')} -o yaml: no egress rule allows it`,
  };
}
