// The VPC model in IPv6, and dual-stack: router, node, pod, an ECS behind a security group on the router.
// IPv6 pods are not SNATed: the ECS sees the pod address, so its security group must hold the container
// prefix. Every namespace sets its IPv6 sysctls explicitly (disable_ipv6=0, accept_dad=0 so addresses work at
// once, accept_ra=0, forwarding), and the security group is ip6tables FORWARD rules per destination on the router.
//
//   pod fd00:172:16:1::10/64 ── node (veth-pod fd00:172:16:1::1, eth0 fd00:192:168:10::11/64)
//     ── vpcr (p-node fd00:192:168:10::1/64, p-ecs fd00:192:168:20::1/64, route fd00:172:16:1::/64 via the node)
//     ── ecs fd00:192:168:20::52/64 (:80 answers, :81 closed), redis fd00:192:168:30::10 (:6379, its own whitelist)
//     ── peering ── vpcr2 ── peer fd00:10:1::20 (:80), VPC fd00:10:1::/48
// Dual-stack adds 172.16.1.10/24, 192.168.10.0/24 and 192.168.20.0/24 the same way (no SNAT: all RFC 1918).
// Named targets: the node serves the lab's zone (dns.ts: A and AAAA) on port 53 of every address, as a
// node-local DNS cache does, and the pod's and node's resolv.conf name it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LabCause } from './scenarios.ts';
import { claimLab, destroyedAfter, type ExecResult, mustSucceed, ruleCounter, run, startServer, waitNamespacesUp } from './lab.ts';
import { namespacesAndVeths } from './topology.ts';
import { INFRA_DEADLINE_MS } from './wait.ts';

export const V6 = {
  vpc: 'fd00:192:168::/48',
  nodeSubnet: 'fd00:192:168:10::/64',
  node: 'fd00:192:168:10::11',
  ecs: 'fd00:192:168:20::52',
  redis: 'fd00:192:168:30::10',
  peerVpc: 'fd00:10:1::/48',
  peer: 'fd00:10:1::20',
  containerCidr: 'fd00:172:16::/56',
  pod: 'fd00:172:16:1::10',
  podCidr: 'fd00:172:16:1::/64',
  /** ENI model: the container subnet is a VPC subnet, the pod bridged onto it through the node's eth1. */
  eniSubnet: 'fd00:192:168:40::/64',
  eniPod: 'fd00:192:168:40::10',
  /** Tunnel model: an overlay prefix the VPC does not route; the node masquerades it to its own IPv6 address. */
  tunnelCidr: 'fd00:10:244::/56',
  tunnelPod: 'fd00:10:244:1::10',
} as const;

export const V4 = {
  vpc: '192.168.0.0/16',
  nodeSubnet: '192.168.10.0/24',
  node: '192.168.10.11',
  ecs: '192.168.20.52',
  containerCidr: '172.16.0.0/16',
  pod: '172.16.1.10',
  podCidr: '172.16.1.0/24',
} as const;

export const ROLES6 = ['vpcr', 'vpcr2', 'node', 'pod', 'ecs', 'redis', 'peer'] as const;
export type Role6 = (typeof ROLES6)[number];

export interface Scenario6 {
  id: string;
  title: string;
  /** IPv6 only, or dual-stack (IPv4 primary). */
  stack: 'ipv6' | 'dual';
  /**
   * The VPC network model (default); ENI (IPv6 only): the pod holds an address of a VPC subnet; tunnel (IPv6 only):
   * an overlay address the node masquerades to its own IPv6 address (ip6tables MASQUERADE), as Flannel and
   * Calico VXLAN do for IPv6 pools with natOutgoing.
   */
  model?: 'vpc' | 'eni' | 'tunnel';
  /** An IPv4-only pod in the dual-stack lab: IPv6 turned off in its namespace (disable_ipv6=1), no IPv6 address or route. */
  podStack?: 'ipv4';
  /** `host` an address or a name of the lab's zone; `ip` the address the checks aim at (a name's, the family a client tries first). */
  target: { host: string; port: number; ip?: string };
  expectedCause: LabCause;
  /** The prefix the fix must name (the guide's "what to allow"), or a word for the causes without one. */
  inFix: string;
  build: {
    /** Sources the ECS security group allows, per family (all protocols). */
    sgAllow6: string[];
    sgAllow4?: string[];
    /** The node's uplink MTU below the pod's, its ICMPv6 Packet Too Big dropped: a black hole. */
    nodeUplinkMtu?: number;
    /** Sources the Redis whitelist (its own ip6tables INPUT) allows on tcp/6379; default: the node subnet and the container prefix. */
    redisAllow6?: string[];
    /** vpcr2 routes the container prefix back over the peering (default true). */
    peerContainerRoute?: boolean;
  };
}

const ecs6 = (port: number) => ({ host: V6.ecs, port });
const BOTH6 = [V6.nodeSubnet, V6.containerCidr];

export const SCENARIOS6: Scenario6[] = [
  { id: 'v6-vpc-ok', title: 'IPv6: the SG allows the node subnet and the container prefix', stack: 'ipv6', target: ecs6(80), expectedCause: 'reachable', inFix: '', build: { sgAllow6: [V6.nodeSubnet, V6.containerCidr] } },
  {
    id: 'v6-vpc-sg-container-prefix',
    title: 'IPv6: the SG allows the node subnet only; the ECS sees the pod address (no SNAT)',
    stack: 'ipv6',
    target: ecs6(80),
    expectedCause: 'security-group',
    inFix: V6.containerCidr,
    build: { sgAllow6: [V6.nodeSubnet] },
  },
  { id: 'v6-vpc-port-closed', title: 'IPv6: nothing listens on :81 (RST)', stack: 'ipv6', target: ecs6(81), expectedCause: 'port-closed', inFix: '81', build: { sgAllow6: [V6.nodeSubnet, V6.containerCidr] } },
  {
    id: 'v6-vpc-mtu-blackhole',
    title: 'IPv6: node uplink MTU 1400, its Packet Too Big dropped',
    stack: 'ipv6',
    target: ecs6(80),
    expectedCause: 'mtu',
    inFix: 'MTU to 1400 or less',
    build: { sgAllow6: [V6.nodeSubnet, V6.containerCidr], nodeUplinkMtu: 1400 },
  },
  { id: 'v6-vpc-redis-ok', title: 'IPv6: the Redis whitelist holds the node subnet and the container prefix', stack: 'ipv6', target: { host: V6.redis, port: 6379 }, expectedCause: 'reachable', inFix: '', build: { sgAllow6: BOTH6 } },
  {
    id: 'v6-vpc-whitelist',
    title: 'IPv6: the Redis whitelist holds the node subnet only',
    stack: 'ipv6',
    target: { host: V6.redis, port: 6379 },
    expectedCause: 'whitelist',
    inFix: V6.containerCidr,
    build: { sgAllow6: BOTH6, redisAllow6: [V6.nodeSubnet] },
  },
  { id: 'v6-vpc-peer-ok', title: 'IPv6: the peer VPC routes the container prefix back', stack: 'ipv6', target: { host: V6.peer, port: 80 }, expectedCause: 'reachable', inFix: '', build: { sgAllow6: BOTH6 } },
  {
    id: 'v6-vpc-peer-return-route',
    title: 'IPv6: the peer VPC has no route back to the container prefix',
    stack: 'ipv6',
    target: { host: V6.peer, port: 80 },
    expectedCause: 'route',
    inFix: V6.containerCidr,
    build: { sgAllow6: BOTH6, peerContainerRoute: false },
  },
  { id: 'v6-eni-ok', title: 'IPv6 ENI: the SG allows the node subnet and the container subnet', stack: 'ipv6', model: 'eni', target: ecs6(80), expectedCause: 'reachable', inFix: '', build: { sgAllow6: [V6.nodeSubnet, V6.eniSubnet] } },
  {
    id: 'v6-eni-sg-subnet',
    title: 'IPv6 ENI: the SG lacks the container subnet the pod takes its address from',
    stack: 'ipv6',
    model: 'eni',
    target: ecs6(80),
    expectedCause: 'security-group',
    inFix: V6.eniSubnet,
    build: { sgAllow6: [V6.nodeSubnet] },
  },
  { id: 'v6-tunnel-ok', title: 'IPv6 tunnel: the SG allows the node subnet; the pod is masqueraded to the node', stack: 'ipv6', model: 'tunnel', target: ecs6(80), expectedCause: 'reachable', inFix: '', build: { sgAllow6: [V6.nodeSubnet] } },
  {
    id: 'v6-tunnel-sg-node',
    title: 'IPv6 tunnel: the SG allows the overlay prefix, but the ECS sees the node (masquerade)',
    stack: 'ipv6',
    model: 'tunnel',
    target: ecs6(80),
    expectedCause: 'security-group',
    inFix: `${V6.node}/128`,
    build: { sgAllow6: [V6.tunnelCidr] },
  },
  {
    id: 'dual-vpc-v6-blocked',
    title: 'dual-stack: the SG allows the IPv4 container CIDR, not the IPv6 prefix; only the IPv6 path fails',
    stack: 'dual',
    target: ecs6(80),
    expectedCause: 'security-group',
    inFix: V6.containerCidr,
    build: { sgAllow6: [V6.nodeSubnet], sgAllow4: [V4.nodeSubnet, V4.containerCidr] },
  },
  {
    id: 'dual-vpc-whitelist',
    title: 'dual-stack: the Redis whitelist holds the IPv4 ranges and the IPv6 node subnet, not the IPv6 container prefix',
    stack: 'dual',
    target: { host: V6.redis, port: 6379 },
    expectedCause: 'whitelist',
    inFix: V6.containerCidr,
    build: { sgAllow6: BOTH6, sgAllow4: [V4.nodeSubnet, V4.containerCidr], redisAllow6: [V6.nodeSubnet] },
  },
  {
    id: 'dual-vpc-peer-return-route',
    title: 'dual-stack: the peer VPC has no IPv6 route back to the container prefix',
    stack: 'dual',
    target: { host: V6.peer, port: 80 },
    expectedCause: 'route',
    inFix: V6.containerCidr,
    build: { sgAllow6: BOTH6, sgAllow4: [V4.nodeSubnet, V4.containerCidr], peerContainerRoute: false },
  },
  { id: 'dual-vpc-port-closed', title: 'dual-stack: nothing listens on :81 (RST over IPv6)', stack: 'dual', target: ecs6(81), expectedCause: 'port-closed', inFix: '81', build: { sgAllow6: BOTH6, sgAllow4: [V4.nodeSubnet, V4.containerCidr] } },
  {
    id: 'dual-vpc-mtu-blackhole',
    title: 'dual-stack: node uplink MTU 1400, its ICMPv6 Packet Too Big dropped',
    stack: 'dual',
    target: ecs6(80),
    expectedCause: 'mtu',
    inFix: 'MTU to 1400 or less',
    build: { sgAllow6: BOTH6, sgAllow4: [V4.nodeSubnet, V4.containerCidr], nodeUplinkMtu: 1400 },
  },
  {
    id: 'dual-name-v6-blocked',
    title: 'dual-stack name (A and AAAA): a client tries IPv6 first, and only the IPv6 path is blocked by the SG',
    stack: 'dual',
    target: { host: 'ecs-dual.lab.internal', port: 80, ip: V6.ecs },
    expectedCause: 'security-group',
    inFix: V6.containerCidr,
    build: { sgAllow6: [V6.nodeSubnet], sgAllow4: [V4.nodeSubnet, V4.containerCidr] },
  },
  {
    id: 'v4pod-name-aaaa-only',
    title: 'an IPv4-only pod (IPv6 off) and a name with only AAAA: no IPv6 address or route to send from',
    stack: 'dual',
    podStack: 'ipv4',
    target: { host: 'ecs-v6only.lab.internal', port: 80, ip: V6.ecs },
    expectedCause: 'route',
    inFix: 'an A record',
    build: { sgAllow6: [V6.nodeSubnet, V6.containerCidr], sgAllow4: [V4.nodeSubnet, V4.containerCidr] },
  },
  {
    id: 'dual-vpc-v4-ok',
    title: 'dual-stack: the same SG, the IPv4 path works',
    stack: 'dual',
    target: { host: V4.ecs, port: 80 },
    expectedCause: 'reachable',
    inFix: '',
    build: { sgAllow6: [V6.nodeSubnet], sgAllow4: [V4.nodeSubnet, V4.containerCidr] },
  },
];

/** The pod's IPv6 address, and the range a peer must allow for it (the container prefix, or the ENI subnet). */
export const podAddr6 = (s: Scenario6): string => (s.model === 'eni' ? V6.eniPod : s.model === 'tunnel' ? V6.tunnelPod : V6.pod);
export const podRange6 = (s: Scenario6): string => (s.model === 'eni' ? V6.eniSubnet : s.model === 'tunnel' ? V6.tunnelCidr : V6.containerCidr);
/** The pod's first hop: the node's end of the pod's veth, or the VPC router across the ENI bridge. */
const podGateway6 = (s: Scenario6): string => (s.model === 'eni' ? 'fd00:192:168:40::1' : s.model === 'tunnel' ? 'fd00:10:244:1::1' : 'fd00:172:16:1::1');

export const findScenario6 = (id: string): Scenario6 | undefined => SCENARIOS6.find((s) => s.id === id);

/** The address the checks aim at: the target's, or the one its name resolves to that a client tries first. */
export const targetIp = (s: Scenario6): string => s.target.ip ?? s.target.host;

/** A named target: the node serves DNS, and the pod's and node's resolv.conf name it. */
export const named = (s: Scenario6): boolean => !!s.target.ip && s.target.ip !== s.target.host;

/** The pod's resolver: the node, in the pod's own family (IPv4 in dual-stack). */
export const resolvConf6 = (s: Scenario6): string =>
  [`nameserver ${s.stack === 'dual' ? '172.16.1.1' : podGateway6(s)}`, 'search default.svc.cluster.local svc.cluster.local cluster.local', 'options ndots:5 timeout:2', ''].join('\n');

/** What a user passes to `podreach diagnose` (no API): one value per family, as Kubernetes writes them. */
export function flags6(s: Scenario6): string[] {
  const dual = s.stack === 'dual';
  return [
    '--network-model', s.model ?? 'vpc',
    '--node-ip', dual ? `${V4.node},${V6.node}` : V6.node,
    '--container-cidr', dual ? `${V4.containerCidr},${V6.containerCidr}` : podRange6(s),
    '--vpc-cidr', dual ? `${V4.vpc},${V6.vpc}` : V6.vpc,
  ];
}

/** IPv6 in every namespace, said explicitly (off only for an IPv4-only pod); routers forward. Applied before any address exists. */
function sysctls(router: boolean, dual: boolean, v6 = true): string[] {
  return [
    `net.ipv6.conf.all.disable_ipv6=${v6 ? 0 : 1}`,
    `net.ipv6.conf.default.disable_ipv6=${v6 ? 0 : 1}`,
    'net.ipv6.conf.all.accept_dad=0',
    'net.ipv6.conf.default.accept_dad=0',
    'net.ipv6.conf.all.accept_ra=0',
    'net.ipv6.conf.default.accept_ra=0',
    `net.ipv6.conf.all.forwarding=${router ? 1 : 0}`,
    `net.ipv6.conf.default.forwarding=${router ? 1 : 0}`,
    ...(dual ? [`net.ipv4.ip_forward=${router ? 1 : 0}`, 'net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.default.rp_filter=0'] : []),
  ];
}

/**
 * The ECS's security group on the router, one family: stateful, listed sources allowed, the rest dropped.
 * Target-less rules before it count what the ECS would see (`syn-in`, `src-pod`, `src-node`).
 */
function securityGroup(ecs: string, allow: string[], src: { pod: string; node: string }): string {
  return [
    '*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]',
    `-A FORWARD -d ${ecs} -p tcp --syn -m comment --comment syn-in`,
    `-A FORWARD -d ${ecs} -p tcp --syn -s ${src.pod} -m comment --comment src-pod`,
    `-A FORWARD -d ${ecs} -p tcp --syn -s ${src.node} -m comment --comment src-node`,
    `-A FORWARD -d ${ecs} -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT`,
    ...allow.map((c) => `-A FORWARD -d ${ecs} -s ${c} -m comment --comment "sg-allow ${c}" -j ACCEPT`),
    `-A FORWARD -d ${ecs} -m comment --comment sg-drop -j DROP`,
    'COMMIT',
    '',
  ].join('\n');
}

export interface Plan6 {
  host: string[];
  ip: Record<Role6, string[]>;
  sysctl: Record<Role6, string[]>;
  ip6tables: Partial<Record<Role6, string>>;
  iptables: Partial<Record<Role6, string>>;
}

/** Pure: the commands that build one scenario. */
export function plan6(prefix: string, s: Scenario6): Plan6 {
  const ns = (r: Role6) => `${prefix}-${r}`;
  const dual = s.stack === 'dual';
  const veths: [Role6, string, Role6, string][] = [
    ['vpcr', 'p-node', 'node', 'eth0'],
    ['vpcr', 'p-ecs', 'ecs', 'eth0'],
    ['node', 'veth-pod', 'pod', 'eth0'],
    ['vpcr', 'p-redis', 'redis', 'eth0'],
    ['vpcr', 'p-eni', 'node', 'eth1'],
    ['vpcr', 'peering', 'vpcr2', 'peering'],
    ['vpcr2', 'p-peer', 'peer', 'eth0'],
  ];
  const host = namespacesAndVeths(ROLES6, ns, veths);
  const up = (...devs: string[]) => ['lo', ...devs].map((d) => `link set ${d} up`);
  const a6 = (addr: string, dev: string) => `addr add ${addr} dev ${dev} nodad`;
  const a4 = (addr: string, dev: string) => (dual ? [`addr add ${addr} dev ${dev}`] : []);
  const r4 = (line: string) => (dual ? [`route add ${line}`] : []);

  const vpcr = [
    a6('fd00:192:168:10::1/64', 'p-node'), ...a4('192.168.10.1/24', 'p-node'),
    a6('fd00:192:168:20::1/64', 'p-ecs'), ...a4('192.168.20.1/24', 'p-ecs'),
    a6('fd00:192:168:30::1/64', 'p-redis'), a6('fd00:192:168:255::1/64', 'peering'), a6('fd00:192:168:40::1/64', 'p-eni'),
    ...up('p-node', 'p-ecs', 'p-redis', 'peering', 'p-eni'),
    // The VPC route table: the node's pod CIDR via the node (VPC network model; a tunnel's overlay is not in it), the peer VPC over the peering.
    ...(s.model === 'tunnel' ? [] : [`route add ${V6.podCidr} via ${V6.node}`]), ...r4(`${V4.podCidr} via ${V4.node}`),
    `route add ${V6.peerVpc} via fd00:192:168:255::2`,
  ];
  // The peer VPC's route table: this VPC back over the peering, and the container prefix only if someone added it.
  const vpcr2 = [
    a6('fd00:192:168:255::2/64', 'peering'), a6('fd00:10:1::1/64', 'p-peer'), ...up('peering', 'p-peer'),
    `route add ${V6.vpc} via fd00:192:168:255::1`,
    ...(s.build.peerContainerRoute === false ? [] : [`route add ${V6.containerCidr} via fd00:192:168:255::1`]),
  ];
  const redis = [a6(`${V6.redis}/64`, 'eth0'), ...up('eth0'), 'route add ::/0 via fd00:192:168:30::1'];
  const peer = [a6(`${V6.peer}/64`, 'eth0'), ...up('eth0'), 'route add ::/0 via fd00:10:1::1'];
  const eni = s.model === 'eni';
  const node = [
    a6(`${V6.node}/64`, 'eth0'), ...a4(`${V4.node}/24`, 'eth0'),
    // ENI: the node only switches the pod's frames onto the container subnet; VPC: it routes the pod CIDR.
    ...(eni
      ? ['link add br-eni type bridge', 'link set eth1 master br-eni', 'link set veth-pod master br-eni', 'link set br-eni up']
      : [a6(`${podGateway6(s)}/64`, 'veth-pod'), ...a4('172.16.1.1/24', 'veth-pod')]),
    ...up('eth0', 'eth1', 'veth-pod'),
    'route add ::/0 via fd00:192:168:10::1', ...r4('0.0.0.0/0 via 192.168.10.1'),
    ...(s.build.nodeUplinkMtu ? [`link set eth0 mtu ${s.build.nodeUplinkMtu}`] : []),
  ];
  const v4pod = s.podStack === 'ipv4';
  const pod = [
    ...(v4pod ? [] : [a6(`${podAddr6(s)}/64`, 'eth0')]), ...a4(`${V4.pod}/24`, 'eth0'),
    'link set eth0 mtu 1500', ...up('eth0'),
    ...(v4pod ? [] : [`route add ::/0 via ${podGateway6(s)}`]), ...r4('0.0.0.0/0 via 172.16.1.1'),
  ];
  const ecs = [
    a6(`${V6.ecs}/64`, 'eth0'), ...a4(`${V4.ecs}/24`, 'eth0'),
    ...up('eth0'),
    'route add ::/0 via fd00:192:168:20::1', ...r4('0.0.0.0/0 via 192.168.20.1'),
  ];
  // The black hole: the node cannot forward a full-size packet and says so, but its Packet Too Big never leaves.
  const ptbDrop = s.build.nodeUplinkMtu
    ? ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', '-A OUTPUT -p ipv6-icmp --icmpv6-type packet-too-big -m comment --comment ptb-drop -j DROP', 'COMMIT']
    : [];
  // The tunnel model: what leaves the overlay for the VPC is masqueraded to the node's own IPv6 address.
  const masq = s.model === 'tunnel'
    ? ['*nat', ':PREROUTING ACCEPT [0:0]', ':INPUT ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]', `-A POSTROUTING -s ${V6.tunnelCidr} ! -d ${V6.tunnelCidr} -m comment --comment tunnel-masq -j MASQUERADE`, 'COMMIT']
    : [];
  const nodeRules = ptbDrop.length || masq.length ? [...ptbDrop, ...masq, ''].join('\n') : undefined;
  // A managed service's own whitelist (DCS Redis): its host drops what it does not list, and no one gets a ping.
  const redisRules = [
    '*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]',
    `-A INPUT -p tcp --syn --dport 6379 -s ${podAddr6(s)} -m comment --comment src-pod`,
    `-A INPUT -p tcp --syn --dport 6379 -s ${V6.node} -m comment --comment src-node`,
    '-A INPUT -p ipv6-icmp --icmpv6-type echo-request -m comment --comment icmp-drop -j DROP',
    ...(s.build.redisAllow6 ?? [V6.nodeSubnet, V6.containerCidr]).map((c) => `-A INPUT -p tcp --dport 6379 -s ${c} -m comment --comment "whitelist ${c}" -j ACCEPT`),
    '-A INPUT -p tcp --dport 6379 -m comment --comment whitelist-drop -j DROP',
    'COMMIT',
    '',
  ].join('\n');
  // The peer only counts who it sees; its VPC's route table decides.
  const peerRules = ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', `-A INPUT -p tcp --syn -s ${podAddr6(s)} -m comment --comment src-pod`, 'COMMIT', ''].join('\n');
  const host6 = sysctls(false, false);
  return {
    host,
    ip: { vpcr, vpcr2, node, pod, ecs, redis, peer },
    sysctl: { vpcr: sysctls(true, dual), vpcr2: sysctls(true, false), node: sysctls(true, dual), pod: sysctls(false, dual, s.podStack !== 'ipv4'), ecs: sysctls(false, dual), redis: host6, peer: host6 },
    ip6tables: { vpcr: securityGroup(V6.ecs, s.build.sgAllow6, { pod: podAddr6(s), node: V6.node }), redis: redisRules, peer: peerRules, ...(nodeRules ? { node: nodeRules } : {}) },
    iptables: dual ? { vpcr: securityGroup(V4.ecs, s.build.sgAllow4 ?? [], V4) } : {},
  };
}

function setupScript(tmp: string, r: Role6, p: Plan6): string {
  const off = p.sysctl[r].includes('net.ipv6.conf.all.disable_ipv6=1') ? 1 : 0;
  const lines = [
    `sysctl -qew ${p.sysctl[r].join(' ')} >/dev/null`,
    // The veth ends existed before `default` was set: set every interface the same way.
    'for f in /proc/sys/net/ipv6/conf/*/accept_dad; do echo 0 > "$f"; done',
    `for f in /proc/sys/net/ipv6/conf/*/disable_ipv6; do echo ${off} > "$f"; done`,
    ...(p.sysctl[r].some((x) => x.startsWith('net.ipv4')) ? ['for f in /proc/sys/net/ipv4/conf/*/rp_filter; do echo 0 > "$f"; done'] : []),
    `ip -batch ${join(tmp, `${r}.ip`)}`,
  ];
  if (p.ip6tables[r]) lines.push(`ip6tables-restore < ${join(tmp, `${r}.rules6`)}`);
  if (p.iptables[r]) lines.push(`iptables-restore < ${join(tmp, `${r}.rules4`)}`);
  return `set -e\n${lines.join('\n')}\n`;
}

export interface Lab6 {
  prefix: string;
  scenario: Scenario6;
  buildMs: number;
  ns(role: Role6): string;
  exec(role: Role6, argv: string[], opts?: { timeoutMs?: number; input?: string }): Promise<ExecResult>;
  /** Packets counted by the rule(s) carrying this comment, in one family's filter (or `table`) table. */
  counter(role: Role6, comment: string, family?: 4 | 6, table?: 'filter' | 'nat'): Promise<number>;
  destroy(): Promise<void>;
}

export async function createLab6(scenarioOrId: Scenario6 | string): Promise<Lab6> {
  const scenario = typeof scenarioOrId === 'string' ? findScenario6(scenarioOrId) : scenarioOrId;
  if (!scenario) throw new Error(`unknown IPv6 scenario "${String(scenarioOrId)}"`);
  const t0 = performance.now();
  const { prefix, tmp, destroy } = claimLab();
  const ns = (r: Role6) => `${prefix}-${r}`;
  const exec: Lab6['exec'] = (role, argv, opts) => run('ip', ['netns', 'exec', ns(role), ...argv], opts);
  try {
    const p = plan6(prefix, scenario);
    mustSucceed('creating namespaces and veths', await run('ip', ['-batch', '-'], { input: `${p.host.join('\n')}\n`, timeoutMs: INFRA_DEADLINE_MS }));
    const dns = named(scenario);
    for (const r of dns ? (['pod', 'node'] as const) : []) {
      mkdirSync(`/etc/netns/${ns(r)}`, { recursive: true });
      writeFileSync(`/etc/netns/${ns(r)}/resolv.conf`, resolvConf6(scenario));
    }
    await Promise.all(
      ROLES6.map(async (r) => {
        writeFileSync(join(tmp, `${r}.ip`), `${p.ip[r].join('\n')}\n`);
        if (p.ip6tables[r]) writeFileSync(join(tmp, `${r}.rules6`), p.ip6tables[r]);
        if (p.iptables[r]) writeFileSync(join(tmp, `${r}.rules4`), p.iptables[r]);
        mustSucceed(`setting up ${ns(r)}`, await exec(r, ['sh', '-c', setupScript(tmp, r, p)], { timeoutMs: INFRA_DEADLINE_MS }));
      }),
    );
    await Promise.all([
      waitNamespacesUp(ROLES6.map(ns), scenario.model === 'eni' ? [ns('node')] : []),
      startServer(ns('ecs'), ['--http', '80', '--body', 'ecs ok', '--bind', '::'], join(tmp, 'ecs.log')),
      startServer(ns('redis'), ['--redis', '6379', '--bind', '::'], join(tmp, 'redis.log')),
      startServer(ns('peer'), ['--http', '80', '--body', 'peer ok', '--bind', '::'], join(tmp, 'peer.log')),
      ...(dns ? [startServer(ns('node'), ['--dns', '53', '--bind', '::'], join(tmp, 'dns.log'))] : []),
    ]);
  } catch (e) {
    await destroy();
    throw e;
  }
  return {
    prefix,
    scenario,
    buildMs: Math.round(performance.now() - t0),
    ns,
    exec,
    counter: (role, comment, family = 6, table = 'filter') => ruleCounter((argv) => exec(role, argv), ns(role), comment, family, table),
    destroy,
  };
}

export function withLab6<T>(scenario: Scenario6 | string, fn: (lab: Lab6) => Promise<T>): Promise<T> {
  return destroyedAfter(createLab6(scenario), fn);
}
