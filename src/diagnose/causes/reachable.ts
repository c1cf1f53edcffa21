import { signals } from '../signals.ts';
import type { PmtuResult } from '../../probe/types.ts';
import { podSide } from '../vantage.ts';
import { defineCause } from './define.ts';

export const reachable = defineCause({
  id: 'reachable',
  title: 'Reachable',
  needs: ['pod.tcp', 'pod.icmp'],
  evaluate(ev) {
    const s = signals(ev);
    // Small packets get through, full-size ones vanish: the mtu cause speaks for that.
    if (s.pod.outcome !== 'ok' || podSide(ev).pmtu?.status === 'dropped') return null;
    const icmpOnly = s.pod.via === 'icmp';
    return {
      confidence: icmpOnly ? 0.8 : 0.97,
      summary: icmpOnly
        ? `${s.targetLabel} answers ping from this pod (ICMP only: says nothing about TCP ports; pass a port to check a service)`
        : `${s.targetLabel} is reachable from this pod`,
      evidence: [`pod: ${s.pod.line}`, ...(s.node ? [`node: ${s.node.line}`] : []), ...pmtuNote(podSide(ev).pmtu)],
      fix: [],
    };
  },
});

/** A smaller path MTU that announces itself is fine (TCP adapts), but worth a line. */
function pmtuNote(p: PmtuResult | undefined): string[] {
  if (p?.status !== 'too-big' || !p.pathMtu || p.pathMtu >= p.mtu) return [];
  return [`path MTU ${p.pathMtu} is below this interface's ${p.mtu}, and the path says so (fragmentation needed): TCP adapts`];
}
