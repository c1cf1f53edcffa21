import { signals } from '../signals.ts';
import type { CauseCheck } from '../types.ts';

export const reachable: CauseCheck = {
  id: 'reachable',
  needs: ['pod.tcp', 'pod.icmp'],
  evaluate(ev) {
    const s = signals(ev);
    if (s.pod.outcome !== 'ok') return null;
    const icmpOnly = s.pod.via === 'icmp';
    return {
      cause: 'reachable',
      confidence: icmpOnly ? 0.8 : 0.97,
      summary: icmpOnly
        ? `${s.targetLabel} answers ping from this pod (ICMP only: says nothing about TCP ports; pass a port to check a service)`
        : `${s.targetLabel} is reachable from this pod`,
      evidence: [`pod: ${s.pod.line}`, ...(s.node ? [`node: ${s.node.line}`] : [])],
      fix: [],
    };
  },
};
