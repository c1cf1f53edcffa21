import type { PodContext } from '../context/types.ts';
import { cidrsOverlap, familyOf, firstMatch, inCidr, isIp, isRfc1918, isUla, normalizeCidr, RFC1918, subnetOf } from '../net/ip.ts';

/** Where the target sits, seen from the pod. */
export type TargetZone =
  | 'loopback'
  | 'container' // inside the container CIDR: pod-to-pod
  | 'service' // a ClusterIP
  | 'vpc' // elsewhere in the node's VPC
  | 'peer' // private, outside the VPC: across peering / VPN / Direct Connect
  | 'private' // private, but the VPC CIDR is unknown
  | 'cloud-service' // 100.64.0.0/10 and friends
  | 'link-local'
  | 'public'
  | 'unknown';

export interface DockerRange {
  range: string;
  what: string;
  /** How often Docker actually puts a bridge there: docker0 is on every Docker host. */
  likelihood: 'high' | 'medium' | 'low';
}

export interface CidrFacts {
  targetZone: TargetZone;
  zoneNote: string;
  /** The VPC CIDR that contains the target, when it is in the VPC. */
  targetVpcCidr?: string;
  /** Is the pod IP itself a VPC address (ENI model)? */
  podInVpc: boolean | null;
  /** The Docker range that covers the pod IP, if any. */
  podDocker?: DockerRange;
  /** Docker ranges that overlap the container CIDR. */
  containerCidrDocker: DockerRange[];
  /** Overlaps between the cluster's own ranges (each one line). */
  overlaps: string[];
}

const CLOUD_SERVICE = ['100.64.0.0/10', '214.0.0.0/7'];
const LINK_LOCAL = ['169.254.0.0/16', 'fe80::/10'];

/** Docker's default bridge and default-address-pools (moby ipamutils): 172.17–31.0.0/16, then 192.168.0.0/16 in /20s. */
const DOCKER_POOLS = ['172.17.0.0/16', ...Array.from({ length: 14 }, (_, i) => `172.${i + 18}.0.0/16`), '192.168.0.0/16'];

export function dockerRangeFor(ip: string): DockerRange | undefined {
  const pool = isIp(ip) ? firstMatch(ip, DOCKER_POOLS) : undefined;
  if (!pool) return undefined;
  if (pool === '172.17.0.0/16') return { range: pool, what: 'docker0, the default Docker bridge', likelihood: 'high' };
  if (pool === '192.168.0.0/16') {
    return { range: subnetOf(ip, 20), what: 'a Docker network from default-address-pools (192.168.0.0/16 cut in /20s)', likelihood: 'low' };
  }
  return { range: pool, what: 'a Docker network from default-address-pools', likelihood: 'medium' };
}

/** Docker ranges a CIDR overlaps; for the /20-cut pool, the /20 holding the CIDR's first address. */
function dockerRangesOverlapping(cidr: string): DockerRange[] {
  const net = normalizeCidr(cidr)?.split('/')[0] ?? '';
  return DOCKER_POOLS.filter((pool) => cidrsOverlap(cidr, pool)).map(
    (pool) => dockerRangeFor(inCidr(net, pool) ? net : (pool.split('/')[0] as string)) as DockerRange,
  );
}

export function cidrFacts(targetIp: string | undefined, ctx: PodContext): CidrFacts {
  const vpcCidrs = ctx.vpcCidrs?.value ?? [];
  const podIp = ctx.podIp?.value;
  const containerCidr = ctx.containerCidr?.value;
  const serviceCidr = ctx.serviceCidr?.value;
  const nodeIp = ctx.nodeIp?.value;

  const zone = targetZone(targetIp, ctx);
  const podInVpc = podIp && vpcCidrs.length ? firstMatch(podIp, vpcCidrs) !== undefined : null;
  const podDocker = podIp ? dockerRangeFor(podIp) : undefined;
  const containerCidrDocker = containerCidr && normalizeCidr(containerCidr) ? dockerRangesOverlapping(containerCidr) : [];

  // The cluster's own ranges against each other and against the VPC; VPC CIDRs among themselves are the
  // cloud's business. Linear in the VPC list: a pair loop over it made a long --vpc-cidr cost seconds.
  const valid = (c: string | undefined) => (c && normalizeCidr(c) ? c : undefined);
  const cc = valid(containerCidr);
  const sc = valid(serviceCidr);
  const vpcs = vpcCidrs.filter((c) => normalizeCidr(c));
  type Pair = [string, string, string, string];
  const pairs: Pair[] = [
    ...(cc && sc ? [['container CIDR', cc, 'service CIDR', sc] as Pair] : []),
    // ENI: the container subnet is meant to sit inside the VPC.
    ...(cc && ctx.networkModel?.value !== 'eni' ? vpcs.map((v): Pair => ['container CIDR', cc, 'VPC CIDR', v]) : []),
    ...(sc ? vpcs.map((v): Pair => ['service CIDR', sc, 'VPC CIDR', v]) : []),
  ];
  const overlaps = pairs.filter(([, a, , b]) => cidrsOverlap(a, b)).map(([na, a, nb, b]) => `${na} ${a} overlaps ${nb} ${b}`);
  if (nodeIp && containerCidr && inCidr(nodeIp, containerCidr) && ctx.networkModel?.value !== 'eni') {
    overlaps.push(`node IP ${nodeIp} is inside the container CIDR ${containerCidr}`);
  }

  return {
    targetZone: zone.zone,
    zoneNote: zone.note,
    targetVpcCidr: zone.vpcCidr,
    podInVpc,
    podDocker,
    containerCidrDocker,
    overlaps,
  };
}

function targetZone(ip: string | undefined, ctx: PodContext): { zone: TargetZone; note: string; vpcCidr?: string } {
  if (!ip || !isIp(ip)) return { zone: 'unknown', note: 'target address unknown' };
  const vpcCidrs = ctx.vpcCidrs?.value ?? [];
  const containerCidr = ctx.containerCidr?.value;
  const serviceCidr = ctx.serviceCidr?.value;
  const eni = ctx.networkModel?.value === 'eni';

  if (inCidr(ip, '127.0.0.0/8') || ip === '::1') return { zone: 'loopback', note: 'loopback: inside this pod' };
  if (serviceCidr && inCidr(ip, serviceCidr)) {
    return { zone: 'service', note: `inside the service CIDR ${serviceCidr}: a ClusterIP, handled by kube-proxy` };
  }
  // Under ENI the container subnet is a VPC subnet: a target there is another pod or a VPC host alike.
  if (containerCidr && !eni && inCidr(ip, containerCidr)) {
    return { zone: 'container', note: `inside the container CIDR ${containerCidr}: pod-to-pod` };
  }
  const vpc = firstMatch(ip, vpcCidrs);
  if (vpc) return { zone: 'vpc', note: `inside the node's VPC ${vpc}: same-VPC access`, vpcCidr: vpc };
  if (firstMatch(ip, CLOUD_SERVICE)) return { zone: 'cloud-service', note: 'a cloud-service range (100.64.0.0/10, 214.0.0.0/7), not the customer VPC' };
  if (firstMatch(ip, LINK_LOCAL)) return { zone: 'link-local', note: 'link-local (169.254.0.0/16): metadata / gateway addresses' };
  if (isRfc1918(ip) || isUla(ip)) {
    if (vpcCidrs.length) {
      return { zone: 'peer', note: `private but outside the VPC (${vpcCidrs.join(', ')}): across peering, VPN or Direct Connect` };
    }
    // A VPC lies inside one private block: a target in another block than the node cannot share its VPC. In
    // IPv6 the block is the ULA's /48 (RFC 4193: one random Global ID per site; a VPC's ULA range is a /48 or less).
    const nodeIp = ctx.nodeIp?.value;
    const block = (a: string): string | undefined => (isUla(a) ? subnetOf(a, 48) : firstMatch(a, RFC1918));
    const targetBlock = block(ip);
    const nodeBlock = nodeIp ? block(nodeIp) : undefined;
    if (targetBlock && nodeBlock && targetBlock !== nodeBlock) {
      return { zone: 'peer', note: `in ${targetBlock}, the node in ${nodeBlock}: not the node's VPC, so across peering, VPN or Direct Connect` };
    }
    return { zone: 'private', note: 'a private address; the VPC CIDR is unknown, so same-VPC or peered cannot be told (pass --vpc-cidr)' };
  }
  // IPv6 VPCs are often global (EKS, GKE): with the node on a global address too, a global target may be in the VPC.
  const nodeIp = ctx.nodeIp?.value;
  if (!vpcCidrs.length && familyOf(ip) === 'IPv6' && nodeIp && familyOf(nodeIp) === 'IPv6' && !isUla(nodeIp)) {
    return { zone: 'private', note: 'a global IPv6 address, as the node has: the VPC\'s IPv6 CIDR is unknown, so same VPC, peered or the internet cannot be told (pass --vpc-cidr)' };
  }
  return { zone: 'public', note: 'a public address: leaves through NAT/EIP, not an intranet path' };
}
