// Turns a scenario's build options into the commands that build it: one host `ip -batch` that creates the
// namespaces and veth pairs (each end created directly inside its namespace), then, per namespace, an
// `ip -batch`, a sysctl list and an iptables-restore file. Pure: no side effects, easy to read and test.
import { fileURLToPath } from 'node:url';
import {
  DNS_IP,
  ECS,
  NODE_IP,
  PEER,
  PEER_VPC_CIDR,
  REDIS,
  VPC_CIDR,
  type BuildOptions,
  podAddressing,
} from './scenarios.ts';

export const ROLES = ['vpcr', 'vpcr2', 'node', 'pod', 'ecs', 'redis', 'peer', 'dns'] as const;
export type Role = (typeof ROLES)[number];

export interface ServerSpec {
  role: Role;
  args: string[];
  /** The program, when not the lab's server.ts (run with Node): argv before `args`. */
  program?: string[];
}

/** The TUN device the peering's delay runs through (delay.py). */
export const DELAY_DEV = 'tun-delay';

export interface Plan {
  /** Lines for the host's `ip -batch -` (netns add + link add ... netns A ... peer ... netns B). */
  host: string[];
  /** Per namespace: `ip -n NS -batch -` lines. */
  ip: Record<Role, string[]>;
  sysctl: Record<Role, string[]>;
  iptables: Partial<Record<Role, string>>;
  servers: ServerSpec[];
  /** Namespaces that get /etc/netns/<ns>/resolv.conf. */
  resolv: Role[];
}

export const RESOLV_CONF = [
  `nameserver ${DNS_IP}`,
  'search default.svc.cluster.local svc.cluster.local cluster.local',
  'options ndots:5 timeout:2',
  '',
].join('\n');

const COMMON = ['net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.default.rp_filter=0', 'net.ipv6.conf.all.disable_ipv6=1'];
const ROUTER = [...COMMON, 'net.ipv4.ip_forward=1', 'net.ipv4.conf.all.send_redirects=0', 'net.ipv4.conf.default.send_redirects=0'];
const HOST = [...COMMON, 'net.ipv4.ip_forward=0'];
// br_netfilter makes bridged frames traverse iptables; our bridges are plain switches.
const NO_BRIDGE_NF = ['net.bridge.bridge-nf-call-iptables=0', 'net.bridge.bridge-nf-call-ip6tables=0'];

/**
 * Cloud security group, outside the host as a cloud has it: on the VPC router, a chain for the peer's port
 * (every packet forwarded to `dst`), stateful, allow listed sources (all protocols), drop the rest. What the
 * peer host itself sees is only its own INPUT counters: a dropped SYN never reaches it.
 */
function securityGroup(dst: string, allow: string[]): string[] {
  const chain = `SG-${dst.replaceAll('.', '-')}`;
  return [
    `:${chain} - [0:0]`,
    `-A FORWARD -d ${dst}/32 -j ${chain}`,
    `-A ${chain} -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT`,
    ...allow.map((cidr) => `-A ${chain} -s ${cidr} -m comment --comment "sg-allow ${cidr}" -j ACCEPT`),
    `-A ${chain} -m comment --comment sg-drop -j DROP`,
  ];
}

// The VPC router answers ARP for the ECS on the node subnet and for the node subnet on the ECS's port. At once:
// by default the kernel delays proxy replies by up to 0.8 s (proxy_delay), which loses a first SYN.
const PROXY_ARP = ['br-node', 'p-ecs'].flatMap((d) => [`net.ipv4.conf.${d}.proxy_arp=1`, `net.ipv4.neigh.${d}.proxy_delay=0`]);

/** The idle bridge's port in the no-carrier case (its veth peer stays down). */
export const NO_CARRIER_PORT = 'vethd0';

/** A filter table: the lab's rule files all start from ACCEPT policies. */
function filterTable(rules: string[]): string {
  const head = ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]'];
  // Chain declarations first, as iptables-restore wants them.
  return [...head, ...rules.filter((r) => r.startsWith(':')), ...rules.filter((r) => !r.startsWith(':')), 'COMMIT', ''].join('\n');
}

/** The peer host's own firewall (ufw, firewalld, a hand-written rule): INPUT inside the host, after the counters. */
function hostFirewall(fw: BuildOptions['ecsHostFirewall']): string[] {
  return fw ? [`-A INPUT -p tcp --dport ${fw.port} -s ${fw.drop} -m comment --comment host-fw-drop -j DROP`] : [];
}

/** Target-less rules that only count SYNs per source: the lab's "what did the peer see" evidence. */
function counters(srcCounters: Record<string, string>, port: number): string[] {
  const out = [`-A INPUT -p tcp --syn --dport ${port} -m comment --comment syn-in`];
  for (const [name, src] of Object.entries(srcCounters)) {
    out.push(`-A INPUT -p tcp --syn -s ${src} -m comment --comment ${name}`);
  }
  return out;
}

/**
 * The host's commands that make a lab's namespaces and the veth pairs between them ([nsA, nameA, nsB, nameB]).
 * Distinct ifindexes on the two ends: the kernel's linkwatch treats a veth whose ifindex equals its peer's as a
 * plain device and delays its carrier-up (and qdisc activation) by up to a second.
 */
export function namespacesAndVeths<R extends string>(roles: readonly R[], ns: (r: R) => string, veths: readonly (readonly [R, string, R, string])[]): string[] {
  return [
    ...roles.map((r) => `netns add ${ns(r)}`),
    ...veths.map(([a, na, b, nb], i) => `link add ${na} index ${20 + 2 * i} netns ${ns(a)} type veth peer name ${nb} index ${21 + 2 * i} netns ${ns(b)}`),
  ];
}

export function plan(prefix: string, o: BuildOptions): Plan {
  const ns = (r: Role) => `${prefix}-${r}`;
  const { podIp, podCidr, gw: podGw } = podAddressing(o.model, o.containerCidr);
  const src = { 'src-pod': podIp, 'src-node': NODE_IP };
  // veth pairs: [nsA, nameA, nsB, nameB]
  const veths: [Role, string, Role, string][] = [
    ['vpcr', 'p-node', 'node', 'eth0'],
    ['vpcr', 'p-ecs', 'ecs', 'eth0'],
    ['vpcr', 'p-redis', 'redis', 'eth0'],
    ['vpcr', 'p-dns', 'dns', 'eth0'],
    ['vpcr', 'p-eni', 'node', 'eth1'],
    ['vpcr', 'peering', 'vpcr2', 'peering'],
    ['vpcr2', 'p-peer', 'peer', 'eth0'],
    ['node', 'veth-pod', 'pod', 'eth0'],
  ];
  const host = [
    ...namespacesAndVeths(ROLES, ns, veths),
  ];
  const up = (...devs: string[]) => ['lo', ...devs].map((d) => `link set ${d} up`);

  const vpcr = [
    'link add br-node type bridge',
    'link add br-svc type bridge',
    'link add br-eni type bridge',
    'link set p-node master br-node',
    'link set p-redis master br-svc',
    'link set p-dns master br-svc',
    'link set p-eni master br-eni',
    'addr add 192.168.10.1/24 dev br-node',
    'addr add 192.168.20.1/24 dev br-svc',
    'addr add 192.168.30.1/24 dev br-eni',
    'addr add 192.168.255.1/30 dev peering',
    ...up('br-node', 'br-svc', 'br-eni', 'p-node', 'p-ecs', 'p-redis', 'p-dns', 'p-eni', 'peering'),
    // The ECS's port is routed, not bridged, so its security group sees every packet (FORWARD); proxy ARP
    // keeps the ECS on the node subnet, as the VPC's virtual switch does.
    `route add ${ECS}/32 dev p-ecs`,
  ];
  if (o.model === 'vpc') vpcr.push(`route add ${podCidr} via ${NODE_IP}`);
  if (o.peering) vpcr.push(`route add ${PEER_VPC_CIDR} via 192.168.255.2`);
  if (o.peeringDelayMs) {
    // A slow peering (cross-region): what the pod side sends to the peer VPC, and everything coming back over
    // the peering, detours through delay.py, which holds each packet and hands it back to be routed on.
    vpcr.push(
      `tuntap add dev ${DELAY_DEV} mode tun`,
      `link set ${DELAY_DEV} up`,
      `route add default dev ${DELAY_DEV} table 100`,
      `rule add iif br-node to ${PEER_VPC_CIDR} lookup 100`,
      `rule add iif br-eni to ${PEER_VPC_CIDR} lookup 100`,
      'rule add iif peering lookup 100',
    );
  }

  const vpcr2 = ['addr add 192.168.255.2/30 dev peering', 'addr add 10.1.0.1/24 dev p-peer', ...up('peering', 'p-peer')];
  vpcr2.push(`route add ${VPC_CIDR} via 192.168.255.1`);
  if (o.peerContainerRoute) vpcr2.push(`route add ${o.containerCidr} via 192.168.255.1`);

  const node = [`addr add ${NODE_IP}/24 dev eth0`, ...up('eth0', 'eth1', 'veth-pod'), 'route add default via 192.168.10.1'];
  if (o.nodeUplinkMtu) node.push(`link set eth0 mtu ${o.nodeUplinkMtu}`);
  const pod = [`addr add ${podIp}/${podCidr.split('/')[1]} dev eth0`];
  if (o.model === 'eni') {
    // The pod holds a VPC address: the node only switches its frames onto the ENI subnet.
    node.push('link add br-eni type bridge', 'link set eth1 master br-eni', 'link set veth-pod master br-eni', 'link set br-eni up');
    pod.push('link set eth0 mtu 1500');
  } else {
    node.push(`addr add ${podGw}/24 dev veth-pod`);
    pod.push(`link set eth0 mtu ${o.model === 'tunnel' ? 1450 : 1500}`);
  }
  pod.push(...up('eth0'), `route add default via ${podGw}`);

  const ecs = [`addr add ${ECS}/24 dev eth0`, ...up('eth0'), 'route add default via 192.168.10.1'];
  if (o.ecsBridge) {
    // What Docker leaves behind with no container running: a bridge with an address and no ports.
    const b = o.ecsBridge.name;
    ecs.push(`link add ${b} type bridge`, `addr add ${o.ecsBridge.cidr} dev ${b}`, `link set ${b} ${o.ecsBridge.down ? 'down' : 'up'}`);
    // A port whose far end is down (a stopped container's veth): the bridge loses carrier, its route is
    // flagged linkdown, and still used (ignore_routes_with_linkdown=0, the default).
    if (o.ecsBridge.noCarrier) ecs.push(`link add ${NO_CARRIER_PORT} type veth peer name ${NO_CARRIER_PORT}p`, `link set ${NO_CARRIER_PORT} master ${b}`, `link set ${NO_CARRIER_PORT} up`);
  }
  const redis = [`addr add ${REDIS}/24 dev eth0`, ...up('eth0'), 'route add default via 192.168.20.1'];
  const dns = [`addr add ${DNS_IP}/24 dev eth0`, ...up('eth0'), 'route add default via 192.168.20.1'];
  const peer = [`addr add ${PEER}/24 dev eth0`, ...up('eth0'), 'route add default via 10.1.0.1'];

  const nodeNat =
    o.model === 'tunnel'
      ? [`-A POSTROUTING -s ${o.containerCidr} ! -d ${o.containerCidr} -j MASQUERADE`]
      : o.model === 'vpc'
        ? // ip-masq-agent: keep the pod IP towards RFC1918, SNAT to the node IP elsewhere.
          [
            `-A POSTROUTING -s ${o.containerCidr} -j IP-MASQ`,
            '-A IP-MASQ -d 10.0.0.0/8 -j RETURN',
            '-A IP-MASQ -d 172.16.0.0/12 -j RETURN',
            '-A IP-MASQ -d 192.168.0.0/16 -j RETURN',
            '-A IP-MASQ -j MASQUERADE',
          ]
        : [];
  const natChains = o.model === 'vpc' ? [':IP-MASQ - [0:0]'] : [];

  const redisRules = [
    '*filter',
    ':INPUT ACCEPT [0:0]',
    ':FORWARD ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ...counters(src, 6379),
    // Like many managed services: no answer to ping, for anyone.
    '-A INPUT -p icmp --icmp-type echo-request -m comment --comment icmp-drop -j DROP',
    ...o.redisAllow.map((c) => `-A INPUT -p tcp --dport 6379 -s ${c} -m comment --comment "whitelist ${c}" -j ACCEPT`),
    '-A INPUT -p tcp --dport 6379 -m comment --comment whitelist-drop -j DROP',
    'COMMIT',
    '',
  ].join('\n');

  return {
    host,
    ip: { vpcr, vpcr2, node, pod, ecs, redis, dns, peer },
    sysctl: {
      vpcr: [...ROUTER, ...NO_BRIDGE_NF, ...PROXY_ARP],
      vpcr2: ROUTER,
      node: [...ROUTER, ...NO_BRIDGE_NF],
      pod: HOST,
      // An idle docker0 must still capture routes, as on a stock host.
      ecs: [...HOST, 'net.ipv4.conf.all.ignore_routes_with_linkdown=0', 'net.ipv4.conf.default.ignore_routes_with_linkdown=0'],
      redis: HOST,
      dns: HOST,
      peer: HOST,
    },
    iptables: {
      node: [
        '*nat', ':PREROUTING ACCEPT [0:0]', ':INPUT ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]', ...natChains, ...nodeNat, 'COMMIT',
        ...(o.nodeUplinkMtu || o.podEgress
          ? [
              '*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]',
              // The black hole: the node cannot forward a full-size packet and must say so, but that ICMP never leaves.
              ...(o.nodeUplinkMtu ? ['-A OUTPUT -p icmp --icmp-type fragmentation-needed -m comment --comment frag-needed-drop -j DROP'] : []),
              // What Calico / Cilium do for an egress policy ("DNS only", or a default deny): on the node, before SNAT.
              ...(o.podEgress === 'dns-only' ? [`-A FORWARD -s ${podIp} -p udp --dport 53 -j ACCEPT`, `-A FORWARD -s ${podIp} -p tcp --dport 53 -j ACCEPT`] : []),
              ...(o.podEgress ? [`-A FORWARD -s ${podIp} -m comment --comment netpol-drop -j DROP`] : []),
              'COMMIT',
            ]
          : []),
        '',
      ].join('\n'),
      vpcr: filterTable(securityGroup(ECS, o.ecsAllow)),
      vpcr2: filterTable(securityGroup(PEER, ['192.168.0.0/16', '172.16.0.0/12'])),
      ecs: filterTable([...counters(src, 80), ...hostFirewall(o.ecsHostFirewall)]),
      redis: redisRules,
      peer: filterTable(counters(src, 80)),
    },
    servers: [
      { role: 'ecs', args: ['--http', '80', '--body', 'ecs ok'] },
      { role: 'redis', args: ['--redis', '6379', '--mysql', '3306', '--mysql-allow', o.mysqlAllow.join(',')] },
      { role: 'peer', args: ['--http', '80', '--body', 'peer ok'] },
      { role: 'dns', args: ['--dns', '53'] },
      ...(o.peeringDelayMs
        ? [{ role: 'vpcr' as const, program: ['python3', fileURLToPath(new URL('./delay.py', import.meta.url))], args: ['--dev', DELAY_DEV, '--delay-ms', String(o.peeringDelayMs)] }]
        : []),
    ],
    resolv: ['pod', 'node'],
  };
}

/** The node's SNAT as the model has it: tunnel masquerades all that leaves the container CIDR; VPC keeps the pod IP towards RFC 1918 (ip-masq-agent); ENI none. */
export function nodeSnat(model: BuildOptions['model'], containerCidr: string): { rules: string[]; chains: string[] } {
  if (model === 'tunnel') return { rules: [`-A POSTROUTING -s ${containerCidr} ! -d ${containerCidr} -j MASQUERADE`], chains: [] };
  if (model !== 'vpc') return { rules: [], chains: [] };
  return {
    // ip-masq-agent: keep the pod IP towards RFC1918, SNAT to the node IP elsewhere.
    rules: [
      `-A POSTROUTING -s ${containerCidr} -j IP-MASQ`,
      '-A IP-MASQ -d 10.0.0.0/8 -j RETURN',
      '-A IP-MASQ -d 172.16.0.0/12 -j RETURN',
      '-A IP-MASQ -d 192.168.0.0/16 -j RETURN',
      '-A IP-MASQ -j MASQUERADE',
    ],
    chains: [':IP-MASQ - [0:0]'],
  };
}

/** A managed service's IP whitelist on one TCP port (DCS Redis, RDS): listed sources in, the rest dropped; no ping for anyone. */
export function whitelistRules(allow: string[], srcCounters: Record<string, string>, port: number): string {
  return [
    '*filter',
    ':INPUT ACCEPT [0:0]',
    ':FORWARD ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ...counters(srcCounters, port),
    // Like many managed services: no answer to ping, for anyone.
    '-A INPUT -p icmp --icmp-type echo-request -m comment --comment icmp-drop -j DROP',
    ...allow.map((c) => `-A INPUT -p tcp --dport ${port} -s ${c} -m comment --comment "whitelist ${c}" -j ACCEPT`),
    `-A INPUT -p tcp --dport ${port} -m comment --comment whitelist-drop -j DROP`,
    'COMMIT',
    '',
  ].join('\n');
}

export { COMMON, counters, HOST, NO_BRIDGE_NF, ROUTER, securityGroup };
