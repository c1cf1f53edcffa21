import { firstMatch, inCidr } from '../net/ip.ts';
import type { LocalFacts } from './local.ts';
import type { Fact, PodContext } from './types.ts';

const guess = <T>(value: T, note: string, confidence: number): Fact<T> => ({ value, source: 'heuristic', confidence, note });

/** Cluster DNS ClusterIPs that give away the distribution's default service CIDR. */
const DNS_SERVICE_CIDRS: [string, string, string][] = [
  ['10.247.0.0/16', 'CCE', 'nameserver in 10.247.0.0/16: CCE\'s default service CIDR'],
  ['10.96.0.0/12', 'kubeadm', 'nameserver 10.96.0.10-like: kubeadm\'s default service CIDR'],
  ['172.20.0.0/16', 'EKS', 'nameserver in 172.20.0.0/16: EKS default service CIDR'],
  ['10.100.0.0/16', 'EKS', 'nameserver in 10.100.0.0/16: EKS default service CIDR'],
  ['34.118.224.0/20', 'GKE', 'nameserver in 34.118.224.0/20: GKE default service range'],
];

/** Guesses from what the pod sees, for facts nobody stated. `known` is everything merged so far. */
export function heuristicFacts(known: PodContext, local: LocalFacts): PodContext {
  const out: PodContext = {};
  const podIp = known.podIp?.value;
  const vpc = known.vpcCidrs?.value ?? [];
  const mtu = known.mtu?.value;
  const gw = known.gateway?.value;

  if (!known.serviceCidr && known.dnsServers) {
    for (const [cidr, who, note] of DNS_SERVICE_CIDRS) {
      if (known.dnsServers.value.some((ns) => inCidr(ns, cidr))) {
        out.serviceCidr = guess(cidr, note, 0.5);
        if (!known.cloud && who !== 'kubeadm') out.cloud = guess(who, note, 0.4);
        break;
      }
    }
  }
  if (!known.cni && gw === '169.254.1.1') {
    out.cni = guess(mtu === 9001 ? 'aws-vpc-cni' : 'calico', `gateway 169.254.1.1${mtu === 9001 ? ' and MTU 9001' : ''}`, 0.6);
  }

  if (!known.networkModel && podIp) {
    if (vpc.length && firstMatch(podIp, vpc)) {
      out.networkModel = guess('eni', `pod IP ${podIp} is a VPC address (${firstMatch(podIp, vpc)})`, 0.75);
    } else if (mtu && mtu <= 1450) {
      out.networkModel = guess('tunnel', `MTU ${mtu} leaves room for VXLAN/IPIP headers: an overlay`, 0.45);
    } else if (known.containerCidr && inCidr(podIp, known.containerCidr.value) && vpc.length) {
      out.networkModel = guess('vpc', `MTU ${mtu ?? '?'} (no encapsulation) and pod IP outside the VPC: routed`, 0.4);
    }
  }
  const model = known.networkModel?.value ?? out.networkModel?.value;
  if (!known.containerCidr && model === 'eni' && local.interfaceSubnet) {
    out.containerCidr = guess(local.interfaceSubnet, `the pod interface's subnet ${local.interfaceSubnet} (the container subnet)`, 0.6);
  }
  return out;
}
