// The guide's rule — the peer must allow the source it sees — for one node group instead of one pod: which
// source a destination sees from the group, and the exact CIDRs or IPs to allow. Pure: the facts come from
// the API (kube/cluster.ts) or from flags. The single-pod version (signals.ts sourceSeen) shares peerSees().
import { defaultSubnetPrefix, type NodeFacts, type NodeGroup, nodeIpIn, nodeSubnetIn } from '../context/groups.ts';
import type { Fact, NetworkModel } from '../context/types.ts';
import { aggregateCidrs, cidrWithin, type Family, familyOf, firstMatch, hostCidr, isRfc1918, isUla } from '../net/ip.ts';

/** Where the traffic goes, as the guide sorts destinations. */
export type DestinationClass = 'same-vpc' | 'peered-vpc' | 'managed-service' | 'internet';
export const DESTINATION_CLASSES: readonly DestinationClass[] = ['same-vpc', 'peered-vpc', 'managed-service', 'internet'];

/** A destination: a class, an address, or both (an address whose class is known). */
export interface Destination {
  class?: DestinationClass;
  ip?: string;
  port?: number;
  /** A class without an address, in one family (a dual-stack cluster lists each class per family). */
  family?: Family;
}

/** The destination's address family: its address's, else the one it was listed for. */
export const destinationFamily = (to: Destination): Family | undefined => (to.ip ? familyOf(to.ip) : to.family);

/**
 * Where an address sits, as far as its form and the VPC CIDRs tell. IPv4: private outside the VPC is across
 * a peering, public is the internet. IPv6 has no private/public split clouds keep to (VPCs hold global
 * addresses): outside the VPC it is a peering only for a ULA (fc00::/7), else unknown.
 */
export function ipClass(ip: string, vpcCidrs: readonly string[]): DestinationClass | undefined {
  const inVpc = vpcCidrs.length ? firstMatch(ip, vpcCidrs) !== undefined : undefined;
  if (familyOf(ip) === 'IPv6') return inVpc ? 'same-vpc' : inVpc === false && isUla(ip) ? 'peered-vpc' : undefined;
  if (!isRfc1918(ip)) return 'internet';
  return inVpc === undefined ? undefined : inVpc ? 'same-vpc' : 'peered-vpc';
}

/** Well-known ports of managed services (Redis, MySQL, ...): where IP whitelists are likely. */
export const MANAGED_PORTS: Readonly<Record<number, string>> = {
  6379: 'Redis',
  6380: 'Redis (TLS)',
  11211: 'Memcached',
  3306: 'MySQL',
  5432: 'PostgreSQL',
  1433: 'SQL Server',
  1521: 'Oracle',
  27017: 'MongoDB',
  9092: 'Kafka',
  5672: 'RabbitMQ',
  9200: 'Elasticsearch',
  2181: 'ZooKeeper',
};

/** Which side's address reaches the peer, and why, in the guide's words. */
export interface PeerSees {
  side: 'pod' | 'node';
  why: string;
  confidence: number;
}

/** Does the destination leave the cluster's VPC? undefined: a private address with no VPC CIDR to place it. */
function leavesVpc(to: Destination, vpcCidrs?: readonly string[]): boolean | undefined {
  if (to.class === 'internet' || to.class === 'peered-vpc') return true;
  if (to.class === 'same-vpc') return false;
  if (!to.ip) return to.class === 'managed-service' ? false : undefined;
  if (vpcCidrs?.length) return firstMatch(to.ip, vpcCidrs) === undefined;
  return isRfc1918(to.ip) ? undefined : true;
}

/** A destination the no-masquerade list (or its RFC 1918 default) keeps the pod IP towards. */
function keepsPodIp(to: Destination, nonMasq: readonly string[] | undefined): boolean {
  if (to.ip && isV6(to.ip)) return !v6Masqueraded(to.ip, nonMasq);
  if (to.family === 'IPv6') return !(to.class === 'internet' && nonMasq?.some(isV6));
  if (to.ip) return nonMasq ? firstMatch(to.ip, nonMasq) !== undefined : isRfc1918(to.ip);
  return to.class !== 'internet';
}

const isV6 = (ip: string): boolean => familyOf(ip) === 'IPv6';

/**
 * IPv6 pod addresses are routable and left alone: ip-masq-agent touches IPv6 only when started with
 * --enable-ipv6 and then follows its list, which a list holding IPv6 entries shows.
 */
function v6Masqueraded(ip: string, nonMasq: readonly string[] | undefined): boolean {
  const v6 = nonMasq?.filter(isV6) ?? [];
  return v6.length > 0 && firstMatch(ip, v6) === undefined;
}

const V6_NO_SNAT = 'IPv6: pod addresses are routable and not SNATed (no masquerade for IPv6), so the peer sees the pod IP';

/**
 * The heart of the guide: in this network model, towards this destination, does the peer see the pod's
 * address or the node's? undefined when the model is unknown. `cni` refines the ENI model: the EKS VPC CNI
 * SNATs what leaves the VPC to the node's primary IP unless AWS_VPC_K8S_CNI_EXTERNALSNAT=true.
 */
export function peerSees(
  model: NetworkModel | undefined,
  to: Destination,
  opts: { nonMasq?: readonly string[]; cni?: string; vpcCidrs?: readonly string[] } = {},
): PeerSees | undefined {
  const { nonMasq } = opts;
  switch (model) {
    case 'tunnel':
      // An overlay's IPv6 pool (a ULA the VPC does not route) leaves masqueraded too (Flannel, Calico natOutgoing).
      if (to.ip && isV6(to.ip)) return { side: 'node', confidence: 0.8, why: "container tunnel network IPv6: the pod's overlay address is not routed by the VPC, so pod egress is masqueraded to the node's IPv6 address" };
      return { side: 'node', confidence: 0.8, why: 'container tunnel network: pod egress is SNATed to the node IP' };
    case 'eni': {
      // EKS IPv6: pods hold addresses of the node's delegated prefix and leave unSNATed for IPv6 peers.
      if (destinationFamily(to) === 'IPv6') return { side: 'pod', confidence: 0.8, why: `ENI / VPC CNI ${V6_NO_SNAT}` };
      const externalSnat = nonMasq?.includes('0.0.0.0/0');
      if (opts.cni === 'aws-vpc-cni' && !externalSnat) {
        const leaves = leavesVpc(to, opts.vpcCidrs);
        if (leaves) return { side: 'node', confidence: 0.8, why: "EKS VPC CNI: traffic leaving the VPC is SNATed to the node's primary IP (AWS_VPC_K8S_CNI_EXTERNALSNAT is not true)" };
        if (leaves === undefined) {
          return { side: 'pod', confidence: 0.6, why: "EKS VPC CNI: the pod IP inside the VPC; across a peering or out of the VPC the peer sees the node's primary IP" };
        }
      }
      if (opts.cni === 'aws-vpc-cni') {
        return { side: 'pod', confidence: 0.8, why: 'EKS VPC CNI: the pod holds a VPC address (a secondary IP of a node ENI) and is not SNATed inside the VPC' };
      }
      return { side: 'pod', confidence: 0.8, why: 'Cloud Native Network 2.0 / ENI: the pod holds a VPC address and is never SNATed inside the VPC' };
    }
    case 'vpc': {
      if (keepsPodIp(to, nonMasq)) {
        const list = nonMasq?.join(', ');
        return {
          side: 'pod',
          confidence: to.ip ? 0.8 : 0.75,
          why: destinationFamily(to) === 'IPv6' && !nonMasq?.some(isV6)
            ? `VPC network ${V6_NO_SNAT}`
            : !nonMasq
            ? 'VPC network: private destinations see the pod IP (default no-masquerade list 10/8, 172.16/12, 192.168/16)'
            : to.ip
              ? `VPC network: ${to.ip} is in the no-masquerade list (${list}), so the peer sees the pod IP`
              : `VPC network: a destination in the no-masquerade list (${list}) sees the pod IP; one outside it, the node IP`,
        };
      }
      return { side: 'node', confidence: 0.8, why: 'VPC network: destinations outside the no-masquerade list see the node IP' };
    }
    default:
      return undefined;
  }
}

/** The cluster's network facts a group's source depends on (from the API, or flags). */
export interface ClusterNet {
  model?: Fact<NetworkModel>;
  cni?: Fact<string>;
  /** The cluster's container CIDR: one range covering every node's pod CIDR (VPC model). */
  containerCidr?: Fact<string>;
  /** The container subnets pods take VPC addresses from (ENI model: CCE Turbo NAD cidr). */
  eniSubnets?: Fact<string[]>;
  nonMasqueradeCidrs?: Fact<string[]>;
  /** The cluster VPC's CIDRs, when known: places an address in the same VPC or across a peering. */
  vpcCidrs?: Fact<string[]>;
  /** Dual-stack: the container CIDR of each family (containerCidr, when given, wins for its own family). */
  containerCidrs?: Fact<string[]>;
  /** The pods' address families, primary first; absent: IPv4 only, as before IPv6. */
  families?: Fact<Family[]>;
  /** A family whose SNAT differs from `model` (Calico decides natOutgoing per IPPool: an IPv6 pool often has it off). */
  modelByFamily?: Partial<Record<Family, Fact<NetworkModel>>>;
}

/** The model that decides the source in one family. */
export function modelIn(net: ClusterNet, family: Family | undefined): Fact<NetworkModel> | undefined {
  return (family && net.modelByFamily?.[family]) || net.model;
}

/** The container CIDR of one family. */
function containerCidrIn(net: ClusterNet, family: Family): Fact<string> | undefined {
  if (net.containerCidr && familyOf(net.containerCidr.value) === family) return net.containerCidr;
  const v = net.containerCidrs?.value.find((c) => familyOf(c) === family);
  return v && net.containerCidrs ? { ...net.containerCidrs, value: v } : undefined;
}

/** The families a table lists each destination class in: the pods' own, and IPv4 for IPv6-only pods (their IPv4 egress goes through the node). */
export function destinationFamilies(net: ClusterNet): Family[] | undefined {
  const fams = net.families?.value;
  if (!fams?.includes('IPv6')) return undefined;
  return fams.includes('IPv4') ? fams : [...fams, 'IPv4'];
}

/**
 * The one rule for pods with no address of the destination's family. IPv4 from IPv6-only pods leaves through
 * the node's IPv4 (SNAT on the node; on EKS IPv6, host-local SNAT by the VPC CNI). IPv6 from IPv4-only pods
 * does not leave at all: no CNI translates IPv4-only pods into IPv6. `who`: one pod, or the pods of a group.
 */
export function withoutFamily(family: Family, who: 'the pod' | 'the pods', cni?: string): { leaves: boolean; confidence: number; why: string } {
  const has = who === 'the pod' ? 'has' : 'have';
  if (family === 'IPv6') return { leaves: false, confidence: 0.8, why: `${who} ${has} no IPv6 address: no CNI translates IPv4-only pods into IPv6, so no peer sees IPv6 from ${who === 'the pod' ? 'it' : 'them'}` };
  if (cni === 'aws-vpc-cni') return { leaves: true, confidence: 0.8, why: `EKS IPv6: ${who} ${has} no IPv4 address; IPv4 leaves through the node's IPv4 (host-local SNAT by the VPC CNI)` };
  return { leaves: true, confidence: 0.6, why: `${who} ${has} no IPv4 address: IPv4, where the CNI offers it at all, leaves through the node's IPv4 (SNAT on the node, as EKS IPv6 does)` };
}

/** The source rule for a group of nodes: peerSees, unless its pods hold no address of the destination's family. */
export function groupPeerSees(net: ClusterNet, to: Destination): PeerSees | undefined {
  const family = destinationFamily(to);
  const fams = net.families?.value;
  if (family && fams && !fams.includes(family)) {
    const r = withoutFamily(family, 'the pods', net.cni?.value);
    // Nothing leaves: the node is named only as where the traffic would start, with little confidence.
    return { side: 'node', confidence: r.leaves ? r.confidence : 0.3, why: r.why };
  }
  return peerSees(modelIn(net, family)?.value, to, { nonMasq: net.nonMasqueradeCidrs?.value, cni: net.cni?.value, vpcCidrs: net.vpcCidrs?.value });
}

export type SourceKind = 'node' | 'pod' | 'eni-subnet' | 'unknown';

/** What one group of nodes puts on the wire towards one destination, and what the peer must allow. */
export interface GroupSource {
  kind: SourceKind;
  /** The exact CIDRs / IPs (as /32 or /128) to allow for this group, aggregated. Empty when unknown. */
  allow: string[];
  /** What that list is, in the guide's words: "the node subnet", "the node IPs", "the nodes' pod CIDRs"... */
  allowWhat: string;
  /** One wider entry that covers this source for every group and for nodes added later (container CIDR). */
  covers?: string;
  why: string;
  confidence: number;
  /** Where the list came from, and what it leaves out (nodes without an IP or pod CIDR, guessed subnets). */
  notes: string[];
}

/** CNIs whose IPAM does not use node spec.podCIDR (Calico blocks, Cilium cluster-pool): only the pool CIDR counts. */
const OWN_IPAM: readonly string[] = ['calico', 'cilium'];

/** Do the nodes' spec.podCIDRs hold their pods' addresses in this cluster? */
export const usesNodePodCidrs = (net: ClusterNet): boolean => !OWN_IPAM.includes(net.cni?.value ?? '');

function min(...c: number[]): number {
  return Math.round(Math.min(...c) * 100) / 100;
}

/** "IPv6 " where the cluster has two families to tell apart (or the family is IPv6), else nothing: IPv4-only wording stays as it was. */
type Fam = { family: Family; word: string };
function famOf(net: ClusterNet, to: Destination): Fam {
  const family = destinationFamily(to) ?? 'IPv4';
  return { family, word: family === 'IPv6' || net.families?.value.includes('IPv6') ? `${family} ` : '' };
}

/** The nodes' own addresses of one family: the node subnet when it is known for a node (not a guess), else its IP (/32, /128). */
function nodeSide(nodes: readonly NodeFacts[], { family, word }: Fam): Pick<GroupSource, 'allow' | 'allowWhat' | 'notes'> & { confidence: number } {
  const subnets = new Set<string>();
  const ips: string[] = [];
  const guesses = new Set<string>();
  const notes: string[] = [];
  const noIp = nodes.filter((n) => !nodeIpIn(n, family)).map((n) => n.name);
  for (const n of nodes) {
    const ip = nodeIpIn(n, family);
    if (!ip) continue;
    const subnet = nodeSubnetIn(n, family);
    if (subnet && subnet.source !== 'heuristic') subnets.add(subnet.value);
    else {
      ips.push(hostCidr(ip));
      if (subnet) guesses.add(subnet.value);
    }
  }
  if (subnets.size) notes.push(`node subnet${subnets.size > 1 ? 's' : ''} ${[...subnets].join(', ')} given (--node-subnet): every node of the group lies in ${subnets.size > 1 ? 'one of them' : 'it'}`);
  if (guesses.size) {
    notes.push(`node IPs, not a subnet: no --node-subnet covers them (their /${defaultSubnetPrefix(family)} would be ${[...guesses].join(', ')}; pass --node-subnet to allow the subnet and cover nodes added later)`);
  }
  if (noIp.length) notes.push(`no ${word}InternalIP on ${noIp.join(', ')}: not in the list`);
  const allowWhat = ips.length === 0 ? (subnets.size > 1 ? 'the node subnets' : 'the node subnet') : subnets.size ? 'the node subnets and node IPs' : 'the node IPs';
  return { allow: aggregateCidrs([...subnets, ...ips]), allowWhat, notes, confidence: noIp.length ? 0.6 : 1 };
}

/** The pods' addresses of one family in the VPC model: the nodes' pod CIDRs (exact) under the container CIDR (covers all). */
function podSide(nodes: readonly NodeFacts[], net: ClusterNet, { family, word }: Fam): Pick<GroupSource, 'allow' | 'allowWhat' | 'notes' | 'covers'> & { confidence: number } {
  const cc = containerCidrIn(net, family);
  const container = cc?.value;
  const ownIpam = !usesNodePodCidrs(net);
  const podCidrs = (n: NodeFacts) => n.podCidrs.filter((c) => familyOf(c) === family);
  const missing = nodes.filter((n) => podCidrs(n).length === 0).map((n) => n.name);
  if (!ownIpam && missing.length === 0 && nodes.length > 0) {
    const allow = aggregateCidrs(nodes.flatMap(podCidrs));
    // The container CIDR is offered as the wider entry only if it really holds every pod CIDR (a /16 guess may not).
    const outside = container ? allow.filter((c) => !cidrWithin(c, container)) : [];
    const notes = ['node spec.podCIDRs'];
    if (container && outside.length) notes.push(`the container CIDR ${container} (${cc?.note ?? cc?.source}) does not hold ${outside.join(', ')}: not offered as the wider entry`);
    return { allow, allowWhat: `the nodes' ${word}pod CIDRs`, notes, confidence: 0.95, ...(container && !outside.length ? { covers: container } : {}) };
  }
  const notes = ownIpam
    ? [`${net.cni?.value} allocates pod addresses from its own pool, not from node spec.podCIDR: the pool CIDR is the source range`]
    : [`no ${word}spec.podCIDR on ${missing.join(', ')}: the container CIDR instead`];
  if (container) return { allow: [container], allowWhat: `the ${word}container CIDR`, notes: [...notes, `container CIDR from ${cc?.note ?? cc?.source}`], confidence: cc?.confidence ?? 0.5 };
  const other = family === 'IPv6' ? containerCidrIn(net, 'IPv4')?.value : undefined;
  const pass = other ? `--container-cidr ${other},<IPv6 prefix>` : '--container-cidr';
  return { allow: [], allowWhat: `the ${word}container CIDR (unknown: pass ${pass})`, notes, confidence: 0.3 };
}

/** The ENI model, one family: the container subnets, or (EKS without custom networking) the nodes' own subnets. */
function eniSide(nodes: readonly NodeFacts[], net: ClusterNet, { family, word }: Fam): Pick<GroupSource, 'allow' | 'allowWhat' | 'notes'> & { confidence: number } {
  const eni = net.eniSubnets;
  const mine = eni?.value.filter((c) => familyOf(c) === family) ?? [];
  if (eni && mine.length) {
    return { allow: aggregateCidrs(mine), allowWhat: `the ${word}container subnet${mine.length > 1 ? 's' : ''}`, notes: [`container subnet from ${eni.note ?? eni.source}`], confidence: eni.confidence };
  }
  if (net.cni?.value === 'aws-vpc-cni') {
    // Without custom networking (ENIConfig) the VPC CNI hands pods secondary IPs of the node's own subnet;
    // in an IPv6 cluster a /80 prefix of it (the subnet is a /64: AWS has no other IPv6 subnet size).
    const of = nodes.map((n) => nodeSubnetIn(n, family)).filter((s) => s !== undefined);
    const subnets = [...new Set(of.map((s) => s.value))];
    const guessed = of.some((s) => s.source === 'heuristic');
    const sure = family === 'IPv6';
    return {
      allow: aggregateCidrs(subnets),
      allowWhat: `the nodes' ${word}subnets (the VPC CNI gives pods ${family === 'IPv6' ? 'addresses of a prefix delegated to the node\'s ENI' : 'secondary IPs'} there)`,
      notes: guessed ? [sure ? `${subnets.join(', ')}: the /64 around the node IPs (AWS IPv6 subnets are always /64)` : `${subnets.join(', ')}: the /${defaultSubnetPrefix(family)} around the node IPs, a guess; pass --node-subnet`] : [],
      confidence: guessed && !sure ? 0.4 : 0.85,
    };
  }
  return { allow: [], allowWhat: `the ${word}container subnet (unknown: not readable from the API${family === 'IPv6' ? '; pass --container-cidr <IPv4 subnet>,<IPv6 prefix>' : ''})`, notes: [], confidence: 0.3 };
}

/** The source a destination sees from one node group, and the exact list the peer must allow. */
export function groupSource(g: NodeGroup, net: ClusterNet, to: Destination): GroupSource {
  const modelFact = modelIn(net, destinationFamily(to));
  const model = modelFact?.value;
  const rule = groupPeerSees(net, to);
  const modelConf = modelFact?.confidence ?? 0;
  const fam = famOf(net, to);
  if (!rule) {
    const n = nodeSide(g.nodes, fam);
    return {
      kind: 'unknown',
      ...n,
      allowWhat: `${n.allowWhat}, if the CNI SNATs pod egress (network model unknown: pass --network-model)`,
      why: 'network model unknown: the node IPs if pod egress is SNATed, else the pod addresses',
      confidence: 0.3,
    };
  }
  if (rule.side === 'node') {
    const { confidence, ...n } = nodeSide(g.nodes, fam);
    return { kind: 'node', ...n, why: rule.why, confidence: min(rule.confidence, modelConf, confidence) };
  }
  if (model === 'eni') {
    const { confidence, ...e } = eniSide(g.nodes, net, fam);
    return { kind: 'eni-subnet', ...e, why: rule.why, confidence: min(rule.confidence, modelConf, confidence) };
  }
  const { confidence, ...p } = podSide(g.nodes, net, fam);
  return { kind: 'pod', ...p, why: rule.why, confidence: min(rule.confidence, modelConf, confidence) };
}

/** Where the allow list goes, for a destination: the rule a person writes. */
export interface AllowRule {
  where: 'security-group' | 'whitelist' | 'peer-route' | 'nat-gateway';
  text: string;
}

const port = (to: Destination) => (to.port ? `TCP ${to.port}` : 'the service ports');

/** The rules that must hold the group's source for this destination, in the order a packet meets them. */
export function allowRules(to: Destination, src: Pick<GroupSource, 'kind' | 'allow' | 'allowWhat' | 'covers'>): AllowRule[] {
  const list = src.allow.length ? src.allow.join(', ') : src.allowWhat;
  const peer = to.ip ?? 'the peer';
  const cls = to.class ?? (to.ip ? ipClass(to.ip, []) : undefined);
  const sg: AllowRule = { where: 'security-group', text: `security group of ${peer}: inbound ${port(to)} from ${list}` };
  const service = to.port ? MANAGED_PORTS[to.port] : undefined;
  const whitelist = (cond: string): AllowRule => ({ where: 'whitelist', text: `${cond}whitelist of ${to.ip ?? 'the service'}${service ? ` (${service})` : ''}: add ${list}` });
  switch (cls) {
    case 'internet':
      // IPv6 has no NAT gateway (an egress-only internet gateway at most): the peer sees the sources themselves.
      if (destinationFamily(to) === 'IPv6') return [{ where: 'security-group', text: `firewall or security group of ${peer}: inbound ${port(to)} from ${list} (IPv6 has no NAT gateway: the peer sees these addresses themselves)` }];
      return [
        { where: 'nat-gateway', text: `NAT gateway: an SNAT rule covering ${list}; ${peer} sees the NAT gateway's EIP, so that EIP is what it must allow` },
      ];
    case 'managed-service':
      return [whitelist(''), sg];
    case 'peered-vpc':
      return [sg, ...(service ? [whitelist(`if ${peer} is a managed ${service}: `)] : []), peerRoute(src, list)];
    case 'same-vpc':
      return [sg, ...(service ? [whitelist(`if ${peer} is a managed ${service}: `)] : [])];
    default: {
      // A private address with no VPC CIDR to place it: same VPC or across a peering.
      const route = peerRoute(src, list);
      return [sg, ...(service ? [whitelist(`if ${peer} is a managed ${service}: `)] : []), { ...route, text: `if ${peer} is across a VPC peering: ${route.text}` }];
    }
  }
}

function peerRoute(src: Pick<GroupSource, 'kind' | 'allow' | 'covers'>, list: string): AllowRule {
  // Pod CIDRs of the VPC model are outside the VPC CIDR: the peer's route to the cluster VPC does not cover them.
  if (src.kind === 'pod') {
    const all = src.covers && src.allow.join() !== src.covers ? `, or the container CIDR ${src.covers} for every node at once` : '';
    return { where: 'peer-route', text: `route table of the peer VPC: ${list} via the peering connection${all} (pod CIDRs are outside the VPC CIDR)` };
  }
  return { where: 'peer-route', text: `route table of the peer VPC: ${list} via the peering connection (normally inside the route to the cluster's VPC CIDR)` };
}
