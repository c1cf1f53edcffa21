import { baseEvidence } from '../explain.ts';
import { signals } from '../signals.ts';
import { defineCause } from './define.ts';

export const hostUnreachable = defineCause({
  id: 'host-unreachable',
  title: 'Host unreachable',
  needs: ['pod.tcp', 'pod.icmp'],
  evaluate(ev) {
    const s = signals(ev);
    if (s.pod.outcome !== 'unreachable' || !(s.pod.unreachable === 'host' || s.pod.unreachable === 'admin')) return null;
    const target = ev.target.ip ?? ev.target.host;
    const admin = s.pod.unreachable === 'admin';
    return {
      confidence: admin ? 0.6 : 0.85,
      summary: admin
        ? `${s.pod.unreachableFrom ?? 'a router'} rejected traffic to ${target} ("administratively prohibited")`
        : `${target} does not answer on its subnet: ${s.pod.unreachableFrom ?? 'the last router'} reports "host unreachable"`,
      evidence: [...baseEvidence(ev, s), admin ? 'an ICMP admin-prohibited error is a REJECT rule on a router or host firewall' : 'host unreachable: the last router found no host at that address (ARP/ND got no answer)'],
      fix: admin
        ? [`Find the REJECT rule on ${s.pod.unreachableFrom ?? 'the path'} (iptables -L -v -n / network ACL) and allow ${s.seen.allow ?? 'this pod\'s source'}`]
        : [`Check that ${target} exists and is running (the instance may be stopped, or the IP is wrong / in another subnet)`],
    };
  },
});
