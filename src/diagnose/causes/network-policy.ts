import { baseEvidence } from '../explain.ts';
import { egressVerdict } from '../policy.ts';
import { signals } from '../signals.ts';
import type { CauseCheck } from '../types.ts';

/**
 * An egress NetworkPolicy selects this pod and no rule of it allows the target: the CNI (Calico, Cilium,
 * ...) drops the packet before it leaves the node, so the peer never sees it. Needs the policies from the
 * API; without them the pod-only failure is only "between the pod and the node".
 */
export const networkPolicy: CauseCheck = {
  id: 'network-policy',
  needs: ['context.egressPolicies', 'context.podLabels', 'context.namespace', 'pod.tcp', 'node'],
  evaluate(ev) {
    const policies = ev.context.egressPolicies?.value;
    const labels = ev.context.podLabels?.value;
    const ip = ev.target.ip;
    if (!policies || !labels || !ip) return null;
    const v = egressVerdict(policies, labels, ip, ev.target.port);
    if (!v || v.allowedBy) return null;
    const s = signals(ev);
    // The packet got out (the CNI does not enforce policies, e.g. Flannel alone) or came back refused.
    if (!['silent', 'error', 'unreachable', 'not-run'].includes(s.pod.outcome)) return null;
    const ns = ev.context.namespace?.value ?? '<namespace>';
    const port = ev.target.port;
    const evidence = baseEvidence(ev, s);
    evidence.push(
      `NetworkPolicy ${v.selecting.join(', ')} in ${ns} select${v.selecting.length === 1 ? 's' : ''} this pod (${Object.entries(labels).map(([k, x]) => `${k}=${x}`).join(', ')}) and restrict${v.selecting.length === 1 ? 's' : ''} its egress; no egress rule allows ${ip}${port ? ` TCP ${port}` : ''}`,
    );
    if (s.differential === 'pod-only-fails') evidence.push('the node reaches the target: the drop happens before the packet leaves the node, where the CNI enforces policy');
    const rule = { to: [{ ipBlock: { cidr: `${ip}/32` } }], ...(port ? { ports: [{ protocol: 'TCP', port }] } : {}) };
    // Spaced like YAML flow style, so a terminal wraps it between tokens (it is copied from there).
    const patch = JSON.stringify([{ op: 'add', path: '/spec/egress/-', value: rule }]).replace(/([,:])(?=[[{"\d])/g, '$1 ');
    return {
      cause: 'network-policy',
      confidence: s.differential === 'pod-only-fails' ? 0.95 : s.differential === 'both-fail' ? 0.7 : 0.9,
      summary: `egress NetworkPolicy ${v.selecting.join(', ')} in namespace ${ns} allows this pod nothing to ${ip}${port ? `:${port}` : ''}`,
      evidence,
      fix: [
        `Allow it in the policy: kubectl -n ${ns} patch networkpolicy ${v.selecting[0]} --type=json -p '${patch}' (or a CIDR that covers ${ip}; or a new policy selecting this pod with that egress rule)`,
      ],
      settle: `kubectl -n ${ns} get networkpolicy ${v.selecting.join(' ')} -o yaml: no egress "to" covers ${ip}${port ? ` with port ${port}` : ''}`,
    };
  },
};
