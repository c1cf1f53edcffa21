import { allowText, baseEvidence, isSilent, what } from '../explain.ts';
import { peerSettle } from '../peer.ts';
import { doubt, signals } from '../signals.ts';
import { defineCause } from './define.ts';

/** The peer's security group silently drops the source it sees (the guide's first check). */
export const securityGroup = defineCause({
  id: 'security-group',
  title: 'Security group blocks the source',
  needs: ['pod.tcp', 'pod.icmp', 'node', 'context.networkModel', 'context.containerCidr', 'context.nodeIp', 'cidr.targetZone'],
  evaluate(ev) {
    const s = signals(ev);
    if (!isSilent(s) || ['service', 'loopback', 'public'].includes(ev.cidr.targetZone)) return null;
    const target = ev.target.ip ?? ev.target.host;
    // The target host watched: what arrived (or whose replies go astray) is not the security group's doing.
    if (s.peer && s.peer.reading !== 'not-arrived' && s.peer.reading !== 'route-ok' && s.peer.reading !== 'no-listener') return null;
    if (s.peer?.reading === 'not-arrived') {
      // A host firewall podreach could not read drops before the socket too: less sure, and said so.
      const fwRead = s.peer.source.firewall?.verdict !== 'not-readable';
      return {
        confidence: (fwRead ? 0.88 : 0.72) * doubt(s),
        summary: `the security group of ${target} drops ${s.peer.source.ip}: nothing from it reached the host while the pod was probing`,
        evidence: [...baseEvidence(ev, s), `watched on ${target} for ${Math.round((s.peer.source.arrived?.windowMs ?? 0) / 1000)} s (${s.peer.source.arrived?.methods.filter((m) => m.available).map((m) => m.method).join(', ')}): no packet from ${s.peer.source.ip}${fwRead ? ', and its own firewall does not drop it' : '; its own firewall could not be read (run podreach peer as root to rule it out)'}`],
        fix: [`Add an inbound rule to the security group of ${target} allowing source ${allowText(s, ev)}, ${what(s)}`],
      };
    }
    const evidence = baseEvidence(ev, s);
    let confidence: number;
    let summary: string;
    const allow = allowText(s, ev);

    switch (s.differential) {
      case 'node-only-fails':
      case 'same':
        return null;
      case 'pod-only-fails':
        if (s.model === 'tunnel') {
          // Under SNAT the peer cannot tell pod from node: its SG cannot be what differs.
          confidence = 0.2;
          summary = `the security group of ${target} is unlikely: under tunnel SNAT it sees the node either way`;
        } else {
          confidence = 0.7;
          summary = `the security group of ${target} does not allow ${s.seen.allow ?? 'the pod\'s source'} (${s.seen.allowWhat}): the node gets through, the pod does not`;
          evidence.push('the node reaches the target from the same host, so the path exists and the peer filters by source');
        }
        break;
      case 'both-fail':
        confidence = s.seen.kind === 'node' ? 0.7 : 0.5;
        summary =
          s.seen.kind === 'node'
            ? `the security group of ${target} does not allow the node ${ev.context.nodeIp?.value ?? ''} that this pod's traffic is SNATed to`.replace('  ', ' ')
            : `${target} drops traffic from the node as well as from the pod: its security group allows neither`;
        evidence.push('the node fails the same way: the peer does not accept the node itself');
        break;
      default:
        confidence = 0.5;
        summary = `the security group of ${target} most likely does not allow ${s.seen.allow ?? 'this pod\'s source'} (${s.seen.allowWhat})`;
    }
    if (s.seen.kind === 'pod' && ev.cidr.targetZone === 'peer' && s.model === 'vpc') confidence -= 0.25;
    // Across peering, "nothing comes back to anyone" is first the peering's routes (route ranks 0.5).
    if (ev.cidr.targetZone === 'peer' && (s.differential === 'both-fail' || s.differential === 'no-node-report')) {
      confidence = Math.min(confidence, 0.45);
    }
    if (s.managedService) confidence -= 0.15;
    if (s.seen.kind === 'pod' && ev.cidr.podDocker?.likelihood === 'high') confidence -= 0.2;
    if (s.pod.icmpAlive) evidence.push(`${target} answers ping but not ${what(s)}: the rule allows ICMP but not the port`);

    const settle = s.managedService
      ? `Check the whitelist of the ${s.managedService} instance at ${target} and the inbound rules of its security group: whichever lacks ${s.seen.allow ?? 'the source'} is the cause`
      : s.seen.kind === 'pod' && ev.cidr.podDocker
        ? peerSettle(ev, s.seen, `ip route get ${s.seen.ip ?? 'POD_IP'} — "dev docker0" or "dev br-…" means a Docker bridge swallows the replies; a normal gateway route means the security group`)
        : s.differential === 'pod-only-fails' && s.model !== 'tunnel' && s.port
          ? // The peer filters by source: its security group, or its own firewall (host-firewall ranks it).
            peerSettle(ev, s.seen, `iptables-save on ${target} as root — a DROP or REJECT covering ${s.seen.allow ?? 'the source'} means its own firewall; none means the security group`)
          : undefined;
    return {
      confidence: confidence * doubt(s),
      summary,
      evidence,
      fix: [`Add an inbound rule to the security group of ${target} allowing source ${allow}, ${what(s)}`],
      settle,
    };
  },
});
