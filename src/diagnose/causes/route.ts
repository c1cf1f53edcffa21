import { baseEvidence } from '../explain.ts';
import { peerSettle } from '../peer.ts';
import { doubt, type Signals, signals } from '../signals.ts';
import type { Evidence, Finding } from '../types.ts';
import { defineCause } from './define.ts';

/**
 * No path: a router answered "network unreachable" (our side lacks a route / the peering),
 * or, across peering in the VPC model, the peer VPC has no return route for the container CIDR.
 */
export const route = defineCause({
  id: 'route',
  title: 'Missing route',
  needs: ['pod.tcp', 'pod.icmp', 'node', 'cidr.targetZone', 'context.networkModel', 'context.containerCidr'],
  evaluate(ev) {
    const s = signals(ev);
    const target = ev.target.ip ?? ev.target.host;
    const evidence = baseEvidence(ev, s);

    if (s.pod.outcome === 'unreachable' && (s.pod.unreachable === 'net' || s.pod.unreachable === 'local')) {
      const local = s.pod.unreachable === 'local';
      const from = s.pod.unreachableFrom;
      const fix = local
        ? [`This pod has no route to ${target}: check the pod's routes (ip route) and the CNI configuration`]
        : [
            `Add a route for the network of ${target} to the route table of the VPC${ev.context.vpcCidrs ? ` ${ev.context.vpcCidrs.value.join(', ')}` : ''}, next hop the VPC peering connection (or VPN / Direct Connect) to the VPC that holds ${target}`,
            `On the peer VPC, route back ${[...(ev.context.vpcCidrs?.value ?? ['this VPC\'s CIDR']), ...(s.seen.kind === 'pod' && s.model === 'vpc' && ev.context.containerCidr ? [`${ev.context.containerCidr.value} (the container CIDR)`] : [])].join(' and ')} to the same peering connection`,
          ];
      return {
        confidence: s.node && s.node.outcome !== 'unreachable' ? 0.7 : 0.88,
        summary: local
          ? `this pod has no route to ${target}`
          : `no route to ${target}: ${from ? `router ${from}` : 'a router'} answered "network unreachable" (no peering or route for that network)`,
        evidence: [...evidence, 'an ICMP network-unreachable means a router on the way has no route for the destination: it is not a firewall drop'],
        fix,
      };
    }

    // Without a window (or a listener) the host's view says little about arrival: the wire's reasoning stands.
    if (s.peer && s.pod.outcome === 'silent' && s.peer.reading !== 'route-ok' && s.peer.reading !== 'no-listener') return returnPath(ev, s);
    // Silent across peering with the pod IP visible: the peer VPC cannot route the reply back.
    if (s.pod.outcome !== 'silent' || ev.cidr.targetZone !== 'peer' && ev.cidr.targetZone !== 'private') return null;
    const cc = ev.context.containerCidr?.value;
    const returnRoute = s.seen.kind === 'pod' && s.model !== 'eni';
    let confidence: number;
    if (returnRoute && s.differential === 'pod-only-fails') confidence = 0.7;
    else if (returnRoute && s.differential === 'no-node-report') confidence = 0.6;
    else if (s.differential === 'both-fail') confidence = 0.5;
    else if (s.differential === 'no-node-report') confidence = 0.45;
    else return null;
    if (ev.cidr.targetZone === 'private') confidence -= 0.15;
    confidence *= doubt(s);

    const f: Finding = {
      confidence,
      summary: returnRoute
        ? `${target} is across a VPC peering and sees the pod IP: the peer VPC most likely has no return route for the container CIDR ${cc ?? ''}`.trim()
        : `${target} is across a VPC peering and nothing comes back: the peering routes are the first suspect`,
      evidence: [
        ...evidence,
        returnRoute
          ? 'VPC network model: the container CIDR is not part of the VPC CIDR, so a peering only carries it if both route tables name it (the guide: "add the container CIDR block to the route of the peer VPC")'
          : 'nothing comes back across the peering: its routes (either direction), or the peer\'s security group; ICMP "network unreachable" errors are rate-limited, so a repeated run can turn a missing route into silence',
      ],
      fix: returnRoute
        ? [
            `Add a route for ${cc ?? 'the container CIDR'} to the route table of the peer VPC (the VPC holding ${target}), next hop: the peering connection to this VPC`,
            `Then make sure the security group of ${target} allows ${cc ?? 'the container CIDR'} (${s.port ? `TCP port ${s.port}` : 'ICMP'})`,
          ]
        : [
            `Check both route tables of the peering: this VPC needs a route to ${target}'s VPC, and that VPC needs one back to ${ev.context.vpcCidrs?.value.join(', ') ?? 'this VPC'}${s.seen.kind !== 'node' && cc ? ` and ${cc}` : ''}`,
          ],
      settle: peerSettle(ev, s.seen, `tcpdump -ni any host ${s.seen.ip ?? ev.context.podIp?.value ?? 'POD_IP'} — SYNs arriving and SYN-ACKs leaving with nothing further means the reply has no route back; no SYNs means the forward route or a security group`),
    };
    return f;
  },
});

/**
 * The target host's view: its packets arrived and the replies leave the ordinary way, yet nothing reaches
 * the pod (the way back is broken past the host); or the host has no route back at all.
 */
function returnPath(ev: Evidence, s: Signals): Finding | null {
  const p = s.peer!;
  const target = ev.target.ip ?? ev.target.host;
  const cc = ev.context.containerCidr?.value;
  const src = p.source;
  if (p.reading === 'no-route') {
    return {
      confidence: 0.9 * doubt(s),
      summary: `${target} has no route back to ${src.ip}: ${src.route.line}`,
      evidence: [...baseEvidence(ev, s)],
      fix: [`On ${target}: give it a route to ${s.seen.allow ?? src.ip} (its default route, or one via the VPC gateway)`],
    };
  }
  if (p.reading !== 'arrived') return p.reading === 'not-arrived' && ev.cidr.targetZone === 'peer' ? { ...pathBefore(ev, s), confidence: 0.3 * doubt(s) } : null;
  const across = ev.cidr.targetZone === 'peer';
  return {
    confidence: 0.88 * doubt(s),
    summary: `${src.ip}'s packets reach ${target} and its replies leave by ${src.route.via ?? src.route.dev ?? 'the default route'}, yet nothing comes back to the pod: the way back is broken${across && cc ? ` — the peer VPC most likely has no return route for ${cc}` : ''}`,
    evidence: [...baseEvidence(ev, s), `measured on ${target}: ${src.arrived?.states.join(', ') || 'arrivals counted'} from ${src.ip}; reply route ${src.route.line}`],
    fix: across
      ? [`Add a route for ${s.seen.allow ?? cc ?? src.ip} to the route table of the peer VPC (the VPC holding ${target}), next hop: the peering connection to this VPC`]
      : [`Check the route tables on the way back from ${target} to ${s.seen.allow ?? src.ip} (the subnet's route table, any NAT or firewall appliance in the path): the replies leave ${target} and are lost after it`],
  };
}

/** Watched and nothing arrived across a peering: the forward route is a (lesser) suspect beside the security group. */
function pathBefore(ev: Evidence, s: Signals): Finding {
  const target = ev.target.ip ?? ev.target.host;
  return {
    confidence: 0.3,
    summary: `nothing from ${s.peer!.source.ip} reached ${target}: across the peering, the forward route is a suspect beside the security group`,
    evidence: baseEvidence(ev, s),
    fix: [`Check that this VPC's route table sends ${target}'s network to the peering connection`],
  };
}
