import { allowText, baseEvidence, isSilent, what } from '../explain.ts';
import { signals } from '../signals.ts';
import type { CauseCheck } from '../types.ts';

/** A managed service (DCS Redis, RDS, ...) filters clients by its own IP whitelist. */
export const whitelist: CauseCheck = {
  id: 'whitelist',
  needs: ['pod.tcp', 'node', 'target.port', 'context.networkModel', 'context.containerCidr'],
  evaluate(ev) {
    const s = signals(ev);
    if (!isSilent(s) || !s.port || ['service', 'loopback', 'public', 'container'].includes(ev.cidr.targetZone)) return null;
    if (s.differential === 'same' || s.differential === 'node-only-fails') return null;
    if (s.differential === 'pod-only-fails' && s.model === 'tunnel') return null;
    const target = ev.target.ip ?? ev.target.host;
    const service = s.managedService ?? 'service';
    let confidence = s.managedService ? (s.differential === 'no-node-report' ? 0.55 : 0.72) : 0.15;
    if (s.differential === 'both-fail' && s.seen.kind !== 'node') confidence -= 0.15;
    if (s.seen.kind === 'pod' && ev.cidr.targetZone === 'peer' && s.model === 'vpc') confidence -= 0.25;
    const allow = allowText(s, ev);
    const evidence = baseEvidence(ev, s);
    if (s.managedService) evidence.push(`port ${s.port} is ${s.managedService}: managed services (DCS Redis, RDS, ...) filter clients with their own whitelist, which usually lists the VPC's node subnets but not the container CIDR`);
    if (!s.pod.icmpAlive && s.node?.outcome === 'ok' && ev.node?.icmp.status !== 'reply') {
      evidence.push(`${target} answers nobody's ping, as managed services often do: ICMP says nothing here`);
    }
    return {
      cause: 'whitelist',
      confidence,
      summary: `the whitelist of the ${service} at ${s.targetLabel} does not include ${s.seen.kind === 'node' ? `the node ${s.seen.ip ?? ''}`.trim() : (s.seen.allow ?? 'this pod\'s source')}`,
      evidence,
      fix: [
        `Add ${allow} to the IP whitelist of the ${service} instance at ${s.targetLabel} (${what(s)}); the guide recommends whitelisting both the container CIDR and the node subnet`,
      ],
      settle: `Compare the instance's whitelist with ${s.seen.allow ?? 'the source'}: if it is listed, check the security group of ${target} instead`,
    };
  },
};
