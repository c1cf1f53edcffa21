// The multi-node lab for `podreach fleet`: one VPC with two node subnets, three nodes in two pools and two
// zones, each node a namespace with its own SNAT and one pod namespace (where a pod-network probe pod runs);
// the ECS (security group), the Redis (whitelist) and the peered VPC as in the single lab (topology.ts).
//
//   vpcr: br-n10 192.168.10.1/24 ── ecs 192.168.10.52, node-a1 .10.11, node-a2 .10.12
//         br-n11 192.168.11.1/24 ── node-b1 .11.21
//         br-svc 192.168.20.1/24 ── redis 192.168.20.10          peering ── vpcr2 ── peer 10.1.0.20
//   node-X ── veth ── pod-X (172.16.N.10/24, gw 172.16.N.1)      admin: loopback only (API server, podreach fleet)
// A dual-stack scenario (`ipv6`) adds fd00:192:168:10::/64 and fd00:192:168:11::/64 to the node subnets, each node's
// IPv6 pod prefix fd00:172:16:N::/64 (routed by the VPC router to the node), and the ECS's IPv6 security group.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GroupBy } from '../../src/context/groups.ts';
import { claimLab, type ExecResult, mustSucceed, run, setupScript, startServer, waitNamespacesUp } from './lab.ts';
import { DEFAULT_CONTAINER_CIDR, ECS, PEER, PEER_VPC_CIDR, REDIS, VPC_CIDR } from './scenarios.ts';
import { counters, HOST, NO_BRIDGE_NF, nodeSnat, ROUTER, whitelistRules } from './topology.ts';
import { INFRA_DEADLINE_MS } from './wait.ts';

export interface FleetNode {
  name: string;
  /** Namespace suffix and interface name part. */
  short: string;
  ip: string;
  subnet: string;
  pool: string;
  zone: string;
  /** The node's own pod CIDR (VPC model: routed by the VPC router to the node). */
  podCidr: string;
}

export const FLEET_NODES: readonly FleetNode[] = [
  { name: 'node-a1', short: 'a1', ip: '192.168.10.11', subnet: '192.168.10.0/24', pool: 'pool-a', zone: 'az1', podCidr: '172.16.1.0/24' },
  { name: 'node-a2', short: 'a2', ip: '192.168.10.12', subnet: '192.168.10.0/24', pool: 'pool-a', zone: 'az1', podCidr: '172.16.2.0/24' },
  { name: 'node-b1', short: 'b1', ip: '192.168.11.21', subnet: '192.168.11.0/24', pool: 'pool-b', zone: 'az2', podCidr: '172.16.3.0/24' },
];
const SUBNET_GW: Record<string, { bridge: string; gw: string; net6: string }> = {
  '192.168.10.0/24': { bridge: 'br-n10', gw: '192.168.10.1', net6: 'fd00:192:168:10::' },
  '192.168.11.0/24': { bridge: 'br-n11', gw: '192.168.11.1', net6: 'fd00:192:168:11::' },
};
/** The IPv6 side of a dual-stack node: fd00:192:168:<subnet>::<host>, pod prefix fd00:172:16:<N>::/64. */
export const ip6Of = (n: FleetNode) => `${SUBNET_GW[n.subnet]?.net6}${n.ip.split('.')[3]}`;
export const podCidr6Of = (n: FleetNode) => `fd00:172:16:${n.podCidr.split('.')[2]}::/64`;
export const podIp6Of = (n: FleetNode) => podCidr6Of(n).replace('::/64', '::10');
const podGw6Of = (n: FleetNode) => podCidr6Of(n).replace('::/64', '::1');
export const ECS6 = 'fd00:192:168:10::52';
export const CONTAINER_CIDR6 = 'fd00:172:16::/56';
export const VPC_CIDR6 = 'fd00:192:168::/48';
const ALL_NODE_SUBNETS = Object.keys(SUBNET_GW);
const zoneCidrs = (zone: string) => FLEET_NODES.filter((n) => n.zone === zone).map((n) => n.podCidr);

export const podIpOf = (n: FleetNode) => n.podCidr.replace(/0\/24$/, '10');
const podGwOf = (n: FleetNode) => n.podCidr.replace(/0\/24$/, '1');

export interface FleetScenario {
  id: string;
  title: string;
  model: 'tunnel' | 'vpc';
  targets: string[];
  by: GroupBy;
  ecsAllow: string[];
  redisAllow: string[];
  /** Pod CIDRs the peer VPC routes back over the peering. */
  peerRoutes: string[];
  /** More podreach fleet flags the scenario needs. */
  flags?: string[];
  /** Dual-stack: IPv6 everywhere too, and the sources the ECS's IPv6 security group allows. */
  ipv6?: { ecsAllow6: string[] };
  /** What the cross-group diagnosis must say: the groups that fail, the cause, and exactly what to add. */
  expect: { fails: string[]; cause: 'reachable' | 'security-group' | 'whitelist' | 'route'; add: string[] };
}

const everyPodCidr = FLEET_NODES.map((n) => n.podCidr);

export const FLEET_SCENARIOS: readonly FleetScenario[] = [
  {
    id: 'fleet-control',
    title: 'everything allowed: every group reaches the ECS, the Redis and the peer',
    model: 'tunnel',
    targets: [`${ECS}:80`, `redis://${REDIS}`, `${PEER}:80`],
    by: 'pool',
    ecsAllow: ALL_NODE_SUBNETS,
    redisAllow: ALL_NODE_SUBNETS,
    peerRoutes: [],
    expect: { fails: [], cause: 'reachable', add: [] },
  },
  {
    id: 'fleet-tunnel-sg-subnet',
    title: 'tunnel: the ECS security group allows the first node subnet only; pool-b lives in another',
    model: 'tunnel',
    targets: [`${ECS}:80`],
    by: 'pool',
    ecsAllow: ['192.168.10.0/24'],
    redisAllow: ALL_NODE_SUBNETS,
    peerRoutes: [],
    // The node subnets as a person knows them: the fix names the subnet, not the one node IP probed.
    flags: ['--node-subnet', ALL_NODE_SUBNETS.join(',')],
    expect: { fails: ['pool-b'], cause: 'security-group', add: ['192.168.11.0/24'] },
  },
  {
    id: 'fleet-tunnel-whitelist-ip',
    title: 'tunnel: the Redis whitelist holds the IP of the one node that existed when it was written',
    model: 'tunnel',
    targets: [`redis://${REDIS}`],
    by: 'node',
    ecsAllow: ALL_NODE_SUBNETS,
    redisAllow: ['192.168.10.11/32'],
    peerRoutes: [],
    expect: { fails: ['node-a2', 'node-b1'], cause: 'whitelist', add: ['192.168.10.12/32', '192.168.11.21/32'] },
  },
  {
    id: 'fleet-vpc-sg-podcidr',
    title: "VPC model: the ECS security group allows the node subnets and one node's pod CIDR only",
    model: 'vpc',
    targets: [`${ECS}:80`],
    by: 'node',
    ecsAllow: [...ALL_NODE_SUBNETS, '172.16.1.0/24'],
    redisAllow: ALL_NODE_SUBNETS,
    peerRoutes: everyPodCidr,
    expect: { fails: ['node-a2', 'node-b1'], cause: 'security-group', add: ['172.16.2.0/23'] },
  },
  {
    id: 'fleet-vpc-peer-route-zone',
    title: "VPC model: the peer VPC routes back the container CIDR of zone az1 only",
    model: 'vpc',
    targets: [`${PEER}:80`],
    by: 'zone',
    ecsAllow: ALL_NODE_SUBNETS,
    redisAllow: ALL_NODE_SUBNETS,
    peerRoutes: zoneCidrs('az1'),
    expect: { fails: ['az2'], cause: 'route', add: zoneCidrs('az2') },
  },
  {
    id: 'fleet-dual-sg-prefix6',
    title: "dual-stack VPC model: the ECS's IPv6 security group holds pool-a's IPv6 pod prefixes only (IPv4 allows all)",
    model: 'vpc',
    targets: [`[${ECS6}]:80`],
    by: 'pool',
    ecsAllow: [...ALL_NODE_SUBNETS, DEFAULT_CONTAINER_CIDR],
    redisAllow: ALL_NODE_SUBNETS,
    peerRoutes: everyPodCidr,
    ipv6: { ecsAllow6: ['fd00:192:168:10::/64', 'fd00:192:168:11::/64', ...FLEET_NODES.filter((n) => n.pool === 'pool-a').map(podCidr6Of)] },
    flags: ['--vpc-cidr', VPC_CIDR6, '--container-cidr', `${DEFAULT_CONTAINER_CIDR},${CONTAINER_CIDR6}`],
    expect: { fails: ['pool-b'], cause: 'security-group', add: FLEET_NODES.filter((n) => n.pool === 'pool-b').map(podCidr6Of) },
  },
];


/**
 * The fleet lab keeps each security group inside its host (INPUT), with the SYN counters before it: the nodes
 * of the ECS's subnet reach it over their bridge, so a rule on the router would not see their packets.
 */
function hostSecurityGroup(allow: string[], srcCounters: Record<string, string>, tcpPort: number, family: 4 | 6 = 4): string {
  const lines = ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ...counters(srcCounters, tcpPort)];
  lines.push('-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT', '-A INPUT -i lo -j ACCEPT');
  // Neighbour discovery is the VPC's business, never a security group's: without it nothing reaches the host.
  if (family === 6) for (const t of ['neighbour-solicitation', 'neighbour-advertisement']) lines.push(`-A INPUT -p ipv6-icmp --icmpv6-type ${t} -j ACCEPT`);
  for (const cidr of allow) lines.push(`-A INPUT -s ${cidr} -m comment --comment "sg-allow ${cidr}" -j ACCEPT`);
  lines.push('-A INPUT -m comment --comment sg-drop -j DROP', 'COMMIT', '');
  return lines.join('\n');
}

export function findFleetScenario(id: string): FleetScenario {
  const s = FLEET_SCENARIOS.find((x) => x.id === id);
  if (!s) throw new Error(`unknown fleet scenario ${id}`);
  return s;
}

/** The cluster's Node objects, as a CCE API server would serve them (pool, zone, instance type, pod CIDR in the VPC model; both families when dual-stack). */
export function fleetNodeObjects(model: FleetScenario['model'], dual = false): object[] {
  return FLEET_NODES.map((n) => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: n.name,
      uid: `0000fee7-0000-4000-8000-${n.ip.split('.').map((o) => o.padStart(3, '0')).join('')}`,
      labels: {
        'kubernetes.io/hostname': n.name,
        'kubernetes.io/os': 'linux',
        'node.kubernetes.io/instance-type': 'c7.xlarge.2',
        'topology.kubernetes.io/zone': n.zone,
        'cce.cloud.com/cce-nodepool': n.pool,
      },
    },
    spec: model === 'vpc' ? { podCIDR: n.podCidr, podCIDRs: [n.podCidr, ...(dual ? [podCidr6Of(n)] : [])] } : {},
    status: {
      addresses: [{ type: 'InternalIP', address: n.ip }, ...(dual ? [{ type: 'InternalIP', address: ip6Of(n) }] : []), { type: 'Hostname', address: n.name }],
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }],
    },
  }));
}

export interface FleetLab {
  prefix: string;
  scenario: FleetScenario;
  ns(name: string): string;
  /** node name → its node and pod namespaces: where the test API server runs a pinned probe pod. */
  nodeMap: Record<string, { node: string; pod: string }>;
  exec(name: string, argv: string[], opts?: { timeoutMs?: number; input?: string }): Promise<ExecResult>;
  iptablesCounter(name: string, comment: string, family?: 4 | 6): Promise<number>;
  destroy(): Promise<void>;
}

interface Built {
  host: string[];
  ip: Record<string, string[]>;
  sysctl: Record<string, string[]>;
  iptables: Record<string, string>;
  ip6tables: Record<string, string>;
  servers: { name: string; args: string[] }[];
}

/** The commands that build a fleet scenario; pure. Namespace names are `<prefix>-<name>`. */
export function fleetPlan(prefix: string, s: FleetScenario): Built {
  const ns = (r: string) => `${prefix}-${r}`;
  const cc = DEFAULT_CONTAINER_CIDR;
  const up = (...devs: string[]) => ['lo', ...devs].map((d) => `link set ${d} up`);
  const veths: [string, string, string, string][] = [
    ['vpcr', 'p-ecs', 'ecs', 'eth0'],
    ['vpcr', 'p-redis', 'redis', 'eth0'],
    ['vpcr', 'peering', 'vpcr2', 'peering'],
    ['vpcr2', 'p-peer', 'peer', 'eth0'],
    ...FLEET_NODES.flatMap((n): [string, string, string, string][] => [
      ['vpcr', `p-${n.short}`, `node-${n.short}`, 'eth0'],
      [`node-${n.short}`, 'veth-pod', `pod-${n.short}`, 'eth0'],
    ]),
  ];
  const names = ['vpcr', 'vpcr2', 'ecs', 'redis', 'peer', 'admin', ...FLEET_NODES.flatMap((n) => [`node-${n.short}`, `pod-${n.short}`])];
  const host = [
    ...names.map((r) => `netns add ${ns(r)}`),
    // Distinct ifindexes on the two ends (see the lab README: linkwatch delays a veth whose ifindex equals its peer's).
    ...veths.map(([a, na, b, nb], i) => `link add ${na} index ${20 + 2 * i} netns ${ns(a)} type veth peer name ${nb} index ${21 + 2 * i} netns ${ns(b)}`),
  ];
  const counters = Object.fromEntries(FLEET_NODES.flatMap((n) => [[`src-${n.short}`, n.ip], [`src-pod-${n.short}`, podIpOf(n)]]));
  const vpcr = [
    ...Object.values(SUBNET_GW).flatMap(({ bridge, gw }) => [`link add ${bridge} type bridge`, `addr add ${gw}/24 dev ${bridge}`]),
    'link add br-svc type bridge',
    'addr add 192.168.20.1/24 dev br-svc',
    'link set p-ecs master br-n10',
    'link set p-redis master br-svc',
    ...FLEET_NODES.map((n) => `link set p-${n.short} master ${SUBNET_GW[n.subnet]?.bridge}`),
    'addr add 192.168.255.1/30 dev peering',
    ...up(...Object.values(SUBNET_GW).map((b) => b.bridge), 'br-svc', 'p-ecs', 'p-redis', 'peering', ...FLEET_NODES.map((n) => `p-${n.short}`)),
    `route add ${PEER_VPC_CIDR} via 192.168.255.2`,
    ...(s.model === 'vpc' ? FLEET_NODES.map((n) => `route add ${n.podCidr} via ${n.ip}`) : []),
  ];
  const vpcr2 = ['addr add 192.168.255.2/30 dev peering', 'addr add 10.1.0.1/24 dev p-peer', ...up('peering', 'p-peer'), `route add ${VPC_CIDR} via 192.168.255.1`, ...s.peerRoutes.map((c) => `route add ${c} via 192.168.255.1`)];
  const ip: Record<string, string[]> = {
    vpcr,
    vpcr2,
    ecs: [`addr add ${ECS}/24 dev eth0`, ...up('eth0'), 'route add default via 192.168.10.1'],
    redis: [`addr add ${REDIS}/24 dev eth0`, ...up('eth0'), 'route add default via 192.168.20.1'],
    peer: [`addr add ${PEER}/24 dev eth0`, ...up('eth0'), 'route add default via 10.1.0.1'],
    admin: up(),
  };
  const sysctl: Record<string, string[]> = { vpcr: [...ROUTER, ...NO_BRIDGE_NF], vpcr2: ROUTER, ecs: HOST, redis: HOST, peer: HOST, admin: HOST };
  const { rules, chains } = nodeSnat(s.model, cc);
  const iptables: Record<string, string> = {
    ecs: hostSecurityGroup(s.ecsAllow, counters, 80),
    redis: whitelistRules(s.redisAllow, counters, 6379),
    peer: hostSecurityGroup(['192.168.0.0/16', '172.16.0.0/12'], counters, 80),
  };
  for (const n of FLEET_NODES) {
    ip[`node-${n.short}`] = [`addr add ${n.ip}/24 dev eth0`, `addr add ${podGwOf(n)}/24 dev veth-pod`, ...up('eth0', 'veth-pod'), `route add default via ${SUBNET_GW[n.subnet]?.gw}`];
    ip[`pod-${n.short}`] = [`addr add ${podIpOf(n)}/24 dev eth0`, `link set eth0 mtu ${s.model === 'tunnel' ? 1450 : 1500}`, ...up('eth0'), `route add default via ${podGwOf(n)}`];
    sysctl[`node-${n.short}`] = [...ROUTER, ...NO_BRIDGE_NF];
    sysctl[`pod-${n.short}`] = HOST;
    iptables[`node-${n.short}`] = ['*nat', ':PREROUTING ACCEPT [0:0]', ':INPUT ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]', ...chains, ...rules, 'COMMIT', ''].join('\n');
  }
  const ip6tables: Record<string, string> = {};
  if (s.ipv6) {
    // Addresses without DAD (nodad) and static routes: no waiting on neighbour discovery or router adverts.
    const a6 = (addr: string, dev: string) => `addr add ${addr} dev ${dev} nodad`;
    const six = ['net.ipv6.conf.all.disable_ipv6=0', 'net.ipv6.conf.default.disable_ipv6=0', 'net.ipv6.conf.all.accept_ra=0', 'net.ipv6.conf.default.accept_ra=0'];
    const fwd = (on: boolean) => [`net.ipv6.conf.all.forwarding=${on ? 1 : 0}`];
    ip.vpcr?.push(
      ...Object.values(SUBNET_GW).map(({ bridge, net6 }) => a6(`${net6}1/64`, bridge)),
      ...(s.model === 'vpc' ? FLEET_NODES.map((n) => `route add ${podCidr6Of(n)} via ${ip6Of(n)}`) : []),
    );
    ip.ecs?.push(a6(`${ECS6}/64`, 'eth0'), 'route add ::/0 via fd00:192:168:10::1');
    for (const n of FLEET_NODES) {
      ip[`node-${n.short}`]?.push(a6(`${ip6Of(n)}/64`, 'eth0'), a6(`${podGw6Of(n)}/64`, 'veth-pod'), `route add ::/0 via ${SUBNET_GW[n.subnet]?.net6}1`);
      ip[`pod-${n.short}`]?.push(a6(`${podIp6Of(n)}/64`, 'eth0'), `route add ::/0 via ${podGw6Of(n)}`);
    }
    // The IPv4 lab turns IPv6 off in every namespace (after `ip -batch`: it would drop the addresses): not here.
    const routers = ['vpcr', ...FLEET_NODES.map((n) => `node-${n.short}`)];
    for (const r of ['vpcr', 'ecs', ...FLEET_NODES.flatMap((n) => [`node-${n.short}`, `pod-${n.short}`])]) {
      sysctl[r] = [...(sysctl[r] ?? []).filter((x) => !x.includes('disable_ipv6')), ...six, ...fwd(routers.includes(r))];
    }
    const counters6 = Object.fromEntries(FLEET_NODES.flatMap((n) => [[`src6-${n.short}`, ip6Of(n)], [`src6-pod-${n.short}`, podIp6Of(n)]]));
    ip6tables.ecs = hostSecurityGroup(s.ipv6.ecsAllow6, counters6, 80, 6);
  }
  return {
    host,
    ip,
    sysctl,
    iptables,
    ip6tables,
    servers: [
      { name: 'ecs', args: ['--http', '80', '--body', 'ecs ok', ...(s.ipv6 ? ['--bind', '::'] : [])] },
      { name: 'redis', args: ['--redis', '6379'] },
      { name: 'peer', args: ['--http', '80', '--body', 'peer ok'] },
    ],
  };
}

export async function createFleetLab(s: FleetScenario): Promise<FleetLab> {
  const { prefix, tmp, destroy } = claimLab();
  const ns = (r: string) => `${prefix}-${r}`;
  try {
    const p = fleetPlan(prefix, s);
    mustSucceed('creating namespaces and veths', await run('ip', ['-batch', '-'], { input: `${p.host.join('\n')}\n`, timeoutMs: INFRA_DEADLINE_MS }));
    mkdirSync(tmp, { recursive: true });
    await Promise.all(
      Object.keys(p.ip).map(async (r) => {
        writeFileSync(join(tmp, `${r}.ip`), `${p.ip[r]?.join('\n')}\n`);
        const ipt = p.iptables[r];
        if (ipt) writeFileSync(join(tmp, `${r}.rules`), ipt);
        const ip6t = p.ip6tables[r];
        if (ip6t) writeFileSync(join(tmp, `${r}.rules6`), ip6t);
        // Dual-stack: no duplicate address detection on the link-local addresses either (a second of ND silence otherwise).
        const noDad = s.ipv6 ? 'for f in /proc/sys/net/ipv6/conf/*/accept_dad; do echo 0 > "$f"; done\n' : '';
        const script = noDad + setupScript(join(tmp, `${r}.ip`), p.sysctl[r] ?? HOST, ipt ? join(tmp, `${r}.rules`) : null, r.startsWith('vpcr') || r.startsWith('node-')) + (ip6t ? `ip6tables-restore < ${join(tmp, `${r}.rules6`)}\n` : '');
        mustSucceed(`setting up ${ns(r)}`, await run('ip', ['netns', 'exec', ns(r), 'sh', '-c', script], { timeoutMs: INFRA_DEADLINE_MS }));
      }),
    );
    await Promise.all([
      waitNamespacesUp(Object.keys(p.ip).map(ns), [ns('vpcr')]),
      ...p.servers.map((v) => startServer(ns(v.name), v.args, join(tmp, `${v.name}.log`))),
    ]);
  } catch (e) {
    await destroy();
    throw e;
  }
  const exec: FleetLab['exec'] = (name, argv, opts) => run('ip', ['netns', 'exec', ns(name), ...argv], opts);
  return {
    prefix,
    scenario: s,
    ns,
    nodeMap: Object.fromEntries(FLEET_NODES.map((n) => [n.name, { node: ns(`node-${n.short}`), pod: ns(`pod-${n.short}`) }])),
    exec,
    async iptablesCounter(name, comment, family = 4) {
      const r = await exec(name, [family === 6 ? 'ip6tables' : 'iptables', '-t', 'filter', '-L', '-v', '-x', '-n']);
      mustSucceed(`reading iptables in ${ns(name)}`, r);
      return r.stdout.split('\n').filter((l) => l.includes(`/* ${comment} */`)).reduce((sum, l) => sum + (Number(l.trim().split(/\s+/)[0]) || 0), 0);
    },
    destroy,
  };
}

export async function withFleetLab<T>(s: FleetScenario | string, fn: (lab: FleetLab) => Promise<T>): Promise<T> {
  const lab = await createFleetLab(typeof s === 'string' ? findFleetScenario(s) : s);
  try {
    return await fn(lab);
  } finally {
    await lab.destroy();
  }
}
