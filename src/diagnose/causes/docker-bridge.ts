import { familyOf } from '../../net/ip.ts';
import { baseEvidence, isSilent } from '../explain.ts';
import { peerSettle } from '../peer.ts';
import { doubt, type Signals, signals } from '../signals.ts';
import type { Evidence, Finding } from '../types.ts';
import { defineCause } from './define.ts';

const BASE = { high: 0.65, medium: 0.45, low: 0.3 } as const;

/** A Docker bridge on the peer covers the pod IP, so the peer routes its replies into the bridge. */
export const dockerBridge = defineCause({
  id: 'docker-bridge-conflict',
  title: 'Docker bridge on the peer overlaps the pod IP',
  needs: ['pod.tcp', 'node', 'context.podIp', 'cidr.podDocker'],
  evaluate(ev) {
    const s = signals(ev);
    if (s.peer) return isSilent(s) && s.peer.reading === 'reply-into-bridge' ? seenOnPeer(ev, s) : null;
    const docker = ev.cidr.podDocker;
    if (!isSilent(s) || !docker || s.seen.kind === 'node') return null;
    if (!['pod-only-fails', 'no-node-report'].includes(s.differential)) return null;
    if (['service', 'loopback', 'public', 'container'].includes(ev.cidr.targetZone)) return null;
    const target = ev.target.ip ?? ev.target.host;
    const podIp = ev.context.podIp?.value ?? 'the pod IP';
    const confidence = (BASE[docker.likelihood] - (s.differential === 'no-node-report' ? 0.1 : 0) - (s.seen.kind === 'unknown' ? 0.1 : 0)) * doubt(s);
    return {
      confidence,
      summary: `the pod IP ${podIp} is inside ${docker.range} (${docker.what}): if ${target} runs Docker, its replies go into that bridge instead of back to the pod`,
      evidence: [
        ...baseEvidence(ev, s),
        `pod IP ${podIp} is in ${docker.range}, ${docker.what}`,
        'a Docker network adds a connected route on its host even with no container running; the host answers into it and the reply never leaves',
      ],
      fix: [
        `On ${target}: move Docker off ${docker.range} — set "bip" and "default-address-pools" in /etc/docker/daemon.json to a range that overlaps neither the VPC nor ${ev.context.containerCidr?.value ?? 'the container CIDR'}, restart Docker, and remove unused networks (docker network prune)`,
        `Or, for new clusters, pick a container CIDR outside Docker's pools (172.17–31.0.0/16, 192.168.0.0/16)`,
      ],
      settle: peerSettle(ev, s.seen, `ip route get ${podIp} — "dev docker0" / "dev br-…" confirms the conflict; a route via the gateway rules it out (then check the security group)`),
    };
  },
});

/** The target host itself says replies to the source go into one of its bridges. */
function seenOnPeer(ev: Evidence, s: Signals): Finding {
  const target = ev.target.ip ?? ev.target.host;
  const src = s.peer!.source;
  const dev = src.route.dev ?? 'a bridge';
  const range = src.covering.find((c) => c.dev === dev)?.cidr ?? ev.cidr.podDocker?.range ?? 'its range';
  const arrived = src.arrived?.seen ? ` and ${src.ip}'s SYNs arrived (${src.arrived.states.join(', ') || 'counted'})` : '';
  const other = ev.context.containerCidr?.value ?? 'the container CIDR';
  return {
    confidence: 0.92 * doubt(s),
    summary: `${target} routes its replies to ${src.ip} into ${dev} (${range})${src.route.docker ? ', a Docker network' : ''}: they never leave the host`,
    evidence: [...baseEvidence(ev, s), `measured on ${target}: ${src.route.line}${arrived}`],
    fix: src.route.docker
      ? dockerFix(target, range, dev, other, familyOf(src.ip) === 'IPv6')
      : [`On ${target}: ${dev} holds ${range}, which covers ${src.ip}: move it to a range that overlaps neither the VPC nor ${other}, or delete it if unused`],
  };
}

/**
 * Moving Docker off the range. IPv6 has no fixed default pool to blame: Docker takes "fixed-cidr-v6", an IPv6
 * "default-address-pools" base or a network's --subnet, and otherwise (Docker 27+, moby#47853) a /64 of a ULA
 * /48 derived from the engine's host ID.
 */
function dockerFix(target: string, range: string, dev: string, other: string, ipv6: boolean): string[] {
  const network = dev === 'docker0' ? '' : `, and remove or re-create the network on ${dev} (docker network ls; docker network rm)`;
  if (ipv6) {
    return [
      `On ${target}: move Docker's IPv6 off ${range} — set "fixed-cidr-v6" and the IPv6 base of "default-address-pools" in /etc/docker/daemon.json to a prefix that overlaps neither the VPC nor ${other}, restart Docker${network}`,
      `Find which setting gave Docker ${range} (docker network inspect; daemon.json): without one, Docker 27+ takes /64s of a ULA prefix derived from its host ID, which can land in a ULA container prefix`,
    ];
  }
  return [
    `On ${target}: move Docker off ${range} — set "bip" and "default-address-pools" in /etc/docker/daemon.json to a range that overlaps neither the VPC nor ${other}, restart Docker${network}`,
    `Or, for new clusters, pick a container CIDR outside Docker's pools (172.17–31.0.0/16, 192.168.0.0/16)`,
  ];
}
