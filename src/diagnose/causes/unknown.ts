import { baseEvidence } from '../explain.ts';
import { fmtMs } from '../../net/format.ts';
import { signals } from '../signals.ts';
import { defineCause } from './define.ts';

/** What is left when no cause explains the evidence well, and the honest next step. */
export const unknown = defineCause({
  id: 'unknown',
  title: 'Cause not determined',
  needs: ['pod', 'node'],
  evaluate(ev) {
    const s = signals(ev);
    if (s.pod.outcome === 'ok' || s.pod.outcome === 'refused' || s.pod.outcome === 'dns-failed' || s.pod.outcome === 'denied') return null;
    const target = ev.target.ip ?? ev.target.host;
    const evidence = baseEvidence(ev, s);
    if (s.pod.uncertain) {
      // The silence-based causes are halved: this one says why, and what to do about it.
      return {
        confidence: 0.45,
        summary: `podreach itself was starved for ${fmtMs(s.pod.starvedMs ?? 0)} while waiting on ${s.targetLabel}: the timeout may be its own slowness, not the network`,
        evidence,
        fix: ['Run podreach again; if the pod is CPU-throttled (kubectl top pod; container_cpu_cfs_throttled_periods_total), give it CPU headroom or run podreach in a pod of its own'],
      };
    }
    if (s.pod.outcome === 'not-run' || s.pod.outcome === 'error') {
      return {
        confidence: 0.5,
        summary: `the probe could not run from this pod (${s.pod.line})`,
        evidence,
        fix: ['Give the probe what it needs: pass a port to test TCP, or run with NET_RAW / an open net.ipv4.ping_group_range for ICMP'],
      };
    }
    if (s.differential === 'pod-only-fails' && s.model === 'tunnel') {
      return {
        confidence: 0.55,
        summary: 'the node reaches the target but the pod does not, although under tunnel SNAT the peer cannot tell them apart: the drop is between the pod and the node',
        evidence: [...evidence, 'a difference the peer cannot see points at this side: an egress NetworkPolicy, or the node\'s own firewall / SNAT rules'],
        fix: [
          `kubectl get networkpolicy -n ${ev.context.namespace?.value ?? '<namespace>'} — look for egress rules that do not allow ${target}`,
          'On the node: iptables-save | grep -i -e drop -e reject; check the CNI\'s masquerade rule for the container CIDR',
        ],
      };
    }
    if (ev.cidr.targetZone === 'service') {
      return {
        confidence: 0.5,
        summary: `${target} is a ClusterIP and nothing answered: the Service has no ready endpoints, or kube-proxy has not programmed it`,
        evidence,
        fix: [`kubectl get endpointslices -A | grep ${target} ; kubectl get svc -A | grep ${target}`],
      };
    }
    return {
      confidence: 0.2,
      summary: `nothing comes back from ${s.targetLabel}, and the evidence does not single out a cause`,
      evidence,
      fix: ['Run `podreach probe` on the node and pass --node-report, and pass --network-model / --container-cidr / --vpc-cidr if they are unknown'],
    };
  },
});
