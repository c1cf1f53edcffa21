// The lab's scenarios: one per failure in Huawei CCE's "How does a container access an intranet in a VPC?",
// plus controls that must succeed. Data only; lab.ts builds them, checks.ts verifies them.
import type { NetworkModel } from '../../src/context/types.ts';
import type { CauseId } from '../../src/diagnose/types.ts';

/** The causes a lab scenario can stage: every diagnosis cause but `unknown`. */
export type LabCause = Exclude<CauseId, 'unknown'>;

export interface BuildOptions {
  model: NetworkModel;
  /** Cluster container CIDR (tunnel/vpc). The node's pod CIDR is its 172.x.1.0/24. */
  containerCidr: string;
  /** Sources the ECS security group allows (all protocols); the group sits on the VPC router, outside the ECS. */
  ecsAllow: string[];
  /** Sources the Redis whitelist allows on tcp/6379. */
  redisAllow: string[];
  /** Client hosts the MySQL server on the same host has accounts for (tcp/3306); the rest get error 1130. */
  mysqlAllow: string[];
  /** vpcr routes 10.1.0.0/16 over the peering. */
  peering: boolean;
  /** vpcr2 routes the container CIDR back over the peering. */
  peerContainerRoute: boolean;
  /** A Docker bridge on the ECS with no ports (NO-CARRIER); `down`: administratively down (its route is gone). */
  ecsBridge?: { name: string; cidr: string; down?: boolean; noCarrier?: boolean };
  /** The ECS's own firewall (INPUT inside the host) drops this source on this TCP port. */
  ecsHostFirewall?: { drop: string; port: number };
  /** The node's uplink MTU, below the pod's, with the node's "fragmentation needed" filtered: a black hole. */
  nodeUplinkMtu?: number;
  /** The CNI enforcing an egress NetworkPolicy on the node: the pod may send DNS only, or nothing at all. */
  podEgress?: 'dns-only' | 'none';
  /** The peering delays every packet by this much each way (test/lab/delay.py): a cross-region link. */
  peeringDelayMs?: number;
}

export interface Scenario {
  id: string;
  title: string;
  model: NetworkModel;
  target: { host: string; port: number };
  expectedCause: LabCause;
  /** What a user would pass to `podreach diagnose`. */
  flags: string[];
  /** True when only the pod-vs-node comparison separates the cause from a dead host. */
  needsNodeReport: boolean;
  /** A cause that looks identical on the wire from the pod and node (a silent drop at the peer): a diagnosis
   * may rank it first as long as it ranks the expected cause too and says how to settle it on the peer. */
  indistinguishableFrom?: LabCause;
  /** Objects the cluster holds for this scenario beyond the recorded ones (served by the test API server). */
  apiObjects?: object[];
  /** Only the API can name the cause (it holds the NetworkPolicy): what a diagnosis without it names, with the node report. */
  withoutApi?: CauseId;
  build: BuildOptions;
}

export const ECS = '192.168.10.52';
export const REDIS = '192.168.20.10';
export const PEER = '10.1.0.20';
export const NODE_IP = '192.168.10.11';
export const DNS_IP = '192.168.20.53';
export const NODE_SUBNET = '192.168.10.0/24';
export const ENI_SUBNET = '192.168.30.0/24';
export const ENI_POD_IP = '192.168.30.10';
export const VPC_CIDR = '192.168.0.0/16';
export const PEER_VPC_CIDR = '10.1.0.0/16';
export const SERVICE_CIDR = '10.247.0.0/16';
export const DEFAULT_CONTAINER_CIDR = '172.16.0.0/16';
export const DOCKER_CIDR = '172.17.0.0/16';

/** Pod address and the node's pod CIDR for a model and container CIDR (x.y.0.0/16 → x.y.1.10, x.y.1.0/24). */
export function podAddressing(model: NetworkModel, containerCidr: string): { podIp: string; podCidr: string; gw: string } {
  if (model === 'eni') return { podIp: ENI_POD_IP, podCidr: ENI_SUBNET, gw: '192.168.30.1' };
  const [a, b] = containerCidr.split('.');
  return { podIp: `${a}.${b}.1.10`, podCidr: `${a}.${b}.1.0/24`, gw: `${a}.${b}.1.1` };
}

export function contextFlags(model: NetworkModel, containerCidr: string): string[] {
  return [
    '--network-model', model,
    '--node-ip', NODE_IP,
    '--container-cidr', model === 'eni' ? ENI_SUBNET : containerCidr,
    '--vpc-cidr', VPC_CIDR,
    '--service-cidr', SERVICE_CIDR,
  ];
}

/** What each model needs allowed for the pod to get through (guide, "What if a container fails"). */
function podSource(model: NetworkModel, containerCidr: string): string[] {
  if (model === 'vpc') return [containerCidr];
  if (model === 'eni') return [ENI_SUBNET];
  return [];
}

interface Spec {
  id: string;
  title: string;
  model: NetworkModel;
  target?: { host: string; port: number };
  cause: LabCause;
  needsNodeReport?: boolean;
  indistinguishableFrom?: LabCause;
  apiObjects?: object[];
  withoutApi?: CauseId;
  build?: Partial<Omit<BuildOptions, 'model'>>;
}

function make(s: Spec): Scenario {
  const containerCidr = s.build?.containerCidr ?? DEFAULT_CONTAINER_CIDR;
  const allowed = [NODE_SUBNET, ...podSource(s.model, containerCidr)];
  const build: BuildOptions = {
    model: s.model,
    containerCidr,
    ecsAllow: allowed,
    redisAllow: allowed,
    mysqlAllow: allowed,
    peering: true,
    peerContainerRoute: s.model === 'vpc',
    ...s.build,
  };
  return {
    id: s.id,
    title: s.title,
    model: s.model,
    target: s.target ?? { host: ECS, port: 80 },
    expectedCause: s.cause,
    flags: contextFlags(s.model, containerCidr),
    needsNodeReport: s.needsNodeReport ?? false,
    ...(s.indistinguishableFrom ? { indistinguishableFrom: s.indistinguishableFrom } : {}),
    ...(s.apiObjects ? { apiObjects: s.apiObjects } : {}),
    ...(s.withoutApi ? { withoutApi: s.withoutApi } : {}),
    build,
  };
}

const redis = { host: REDIS, port: 6379 };
/** RDS-like MySQL on the managed-services host: reachable on the network, picky about client hosts. */
const mysql = { host: REDIS, port: 3306 };
const peer = { host: PEER, port: 80 };

export const SCENARIOS: readonly Scenario[] = [
  make({ id: 'tunnel-ok', title: 'tunnel pod reaches the ECS', model: 'tunnel', cause: 'reachable' }),
  make({ id: 'vpc-ok', title: 'VPC-model pod reaches the ECS (SG allows the container CIDR)', model: 'vpc', cause: 'reachable' }),
  make({ id: 'eni-ok', title: 'ENI pod reaches the ECS (SG allows the pod subnet)', model: 'eni', cause: 'reachable' }),
  make({ id: 'tunnel-redis-ok', title: 'tunnel pod reaches Redis', model: 'tunnel', target: redis, cause: 'reachable' }),
  make({ id: 'vpc-redis-ok', title: 'VPC-model pod reaches Redis', model: 'vpc', target: redis, cause: 'reachable' }),
  make({ id: 'eni-redis-ok', title: 'ENI pod reaches Redis', model: 'eni', target: redis, cause: 'reachable' }),
  make({ id: 'tunnel-peer-ok', title: 'tunnel pod reaches the peer VPC', model: 'tunnel', target: peer, cause: 'reachable' }),
  make({ id: 'vpc-peer-ok', title: 'VPC-model pod reaches the peer VPC (peer routes the container CIDR)', model: 'vpc', target: peer, cause: 'reachable' }),
  make({ id: 'eni-peer-ok', title: 'ENI pod reaches the peer VPC', model: 'eni', target: peer, cause: 'reachable' }),
  make({ id: 'tunnel-dns-ok', title: 'tunnel pod resolves and reaches ecs.lab.internal', model: 'tunnel', target: { host: 'ecs.lab.internal', port: 80 }, cause: 'reachable' }),
  make({
    id: 'vpc-sg-container-cidr',
    title: "the guide's example: ECS SG allows only the node subnet, not the container CIDR",
    model: 'vpc',
    cause: 'security-group',
    needsNodeReport: true,
    build: { ecsAllow: [NODE_SUBNET] },
  }),
  make({
    id: 'eni-sg-subnet',
    title: 'ECS SG allows only the node subnet, not the ENI pod subnet',
    model: 'eni',
    cause: 'security-group',
    needsNodeReport: true,
    build: { ecsAllow: [NODE_SUBNET] },
  }),
  make({
    id: 'tunnel-sg-node',
    title: 'ECS SG allows the container CIDR and another host, but not the node the pod runs on',
    model: 'tunnel',
    cause: 'security-group',
    needsNodeReport: true,
    build: { ecsAllow: [DEFAULT_CONTAINER_CIDR, '192.168.10.100/32'] },
  }),
  make({
    id: 'vpc-whitelist',
    title: 'Redis whitelist holds only the node subnet',
    model: 'vpc',
    target: redis,
    cause: 'whitelist',
    needsNodeReport: true,
    build: { redisAllow: [NODE_SUBNET] },
  }),
  make({
    id: 'eni-whitelist',
    title: 'Redis whitelist holds only the node subnet, not the ENI pod subnet',
    model: 'eni',
    target: redis,
    cause: 'whitelist',
    needsNodeReport: true,
    build: { redisAllow: [NODE_SUBNET] },
  }),
  make({
    id: 'tunnel-whitelist',
    title: 'Redis whitelist holds the container CIDR but not the node',
    model: 'tunnel',
    target: redis,
    cause: 'whitelist',
    needsNodeReport: true,
    build: { redisAllow: [DEFAULT_CONTAINER_CIDR] },
  }),
  make({ id: 'vpc-mysql-ok', title: 'VPC-model pod reaches MySQL (an account for the container CIDR)', model: 'vpc', target: mysql, cause: 'reachable' }),
  make({
    id: 'vpc-mysql-host-denied',
    title: "MySQL has accounts for the node subnet only: error 1130 names the pod IP",
    model: 'vpc',
    target: mysql,
    cause: 'whitelist',
    build: { mysqlAllow: [NODE_SUBNET] },
  }),
  make({
    id: 'tunnel-mysql-host-denied',
    title: 'MySQL has accounts for the container CIDR, but under tunnel SNAT it sees the node: error 1130 names the node IP',
    model: 'tunnel',
    target: mysql,
    cause: 'whitelist',
    build: { mysqlAllow: [DEFAULT_CONTAINER_CIDR] },
  }),
  make({
    id: 'vpc-peer-return-route',
    title: 'peer VPC routes VPC-A but not the container CIDR back over the peering',
    model: 'vpc',
    target: peer,
    cause: 'route',
    needsNodeReport: true,
    build: { peerContainerRoute: false },
  }),
  make({ id: 'tunnel-peering-missing', title: 'VPC-A has no route to the peer VPC', model: 'tunnel', target: peer, cause: 'route', build: { peering: false } }),
  make({ id: 'vpc-peering-missing', title: 'VPC-A has no route to the peer VPC', model: 'vpc', target: peer, cause: 'route', build: { peering: false } }),
  make({
    id: 'vpc-docker-bridge',
    title: "container CIDR 172.17.0.0/16 collides with docker0 on the ECS (NO-CARRIER: its one port is down; the route, flagged linkdown, still captures)",
    model: 'vpc',
    cause: 'docker-bridge-conflict',
    needsNodeReport: true,
    build: { containerCidr: DOCKER_CIDR, ecsBridge: { name: 'docker0', cidr: '172.17.0.1/16', noCarrier: true } },
  }),
  make({
    id: 'vpc-docker-br-network',
    title: 'container CIDR 172.18.0.0/16 collides with a user-defined Docker network br-… on the ECS (the pool\'s second /16)',
    model: 'vpc',
    cause: 'docker-bridge-conflict',
    needsNodeReport: true,
    // A pool network is less likely than docker0: from outside, the security group ranks first.
    indistinguishableFrom: 'security-group',
    build: { containerCidr: '172.18.0.0/16', ecsBridge: { name: 'br-5e2d9a41c7b3', cidr: '172.18.0.1/16' } },
  }),
  make({
    id: 'vpc-docker-bridge-down',
    title: 'container CIDR 172.17.0.0/16, docker0 on the ECS administratively down: no route into it, reachable',
    model: 'vpc',
    cause: 'reachable',
    build: { containerCidr: DOCKER_CIDR, ecsBridge: { name: 'docker0', cidr: '172.17.0.1/16', down: true } },
  }),
  make({
    id: 'vpc-docker-bridge-absent',
    title: 'container CIDR 172.17.0.0/16, no Docker on the ECS',
    model: 'vpc',
    cause: 'reachable',
    build: { containerCidr: DOCKER_CIDR },
  }),
  make({
    id: 'eni-docker-bridge',
    title: 'a Docker network br-… 192.168.16.0/20 on the ECS covers the ENI pod subnet',
    model: 'eni',
    cause: 'docker-bridge-conflict',
    needsNodeReport: true,
    // The pod IP sits in Docker's 192.168.0.0/16 pool only as a hint; from outside it is an SG-like drop.
    indistinguishableFrom: 'security-group',
    build: { ecsBridge: { name: 'br-3f9a1c2e7d40', cidr: '192.168.16.1/20' } },
  }),
  make({
    id: 'vpc-host-firewall',
    title: "the SG allows the container CIDR, but the ECS's own iptables drops it on port 80 (a host firewall, not the SG)",
    model: 'vpc',
    cause: 'host-firewall',
    needsNodeReport: true,
    // From the pod and the node it is the same silent drop as a security group's: only the ECS itself tells.
    indistinguishableFrom: 'security-group',
    build: { ecsHostFirewall: { drop: DEFAULT_CONTAINER_CIDR, port: 80 } },
  }),
  make({
    id: 'vpc-mtu-blackhole',
    title: "pod MTU 1500, node uplink 1400, the node's \"fragmentation needed\" filtered: full-size packets vanish",
    model: 'vpc',
    cause: 'mtu',
    build: { nodeUplinkMtu: 1400 },
  }),
  make({
    id: 'tunnel-netpol-egress',
    title: 'an egress NetworkPolicy lets the pod send DNS only; the CNI drops the rest on the node',
    model: 'tunnel',
    cause: 'network-policy',
    needsNodeReport: true,
    // Without the policy from the API: the pod fails where the node does not, under SNAT: between pod and node.
    withoutApi: 'unknown',
    apiObjects: [
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'dns-only', namespace: 'default' },
        spec: { podSelector: { matchLabels: { app: 'test01' } }, policyTypes: ['Egress'], egress: [{ ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] }] },
      },
    ],
    build: { podEgress: 'dns-only' },
  }),
  make({
    id: 'tunnel-netpol-dns-denied',
    title: 'a default-deny egress NetworkPolicy forgets DNS: every lookup times out',
    model: 'tunnel',
    target: { host: 'ecs.lab.internal', port: 80 },
    cause: 'network-policy',
    // Without the policy from the API it is a DNS timeout.
    withoutApi: 'dns',
    apiObjects: [
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'default-deny-egress', namespace: 'default' },
        spec: { podSelector: {}, policyTypes: ['Egress'] },
      },
    ],
    build: { podEgress: 'none' },
  }),
  make({ id: 'tunnel-port-closed', title: 'nothing listens on ECS:81', model: 'tunnel', target: { host: ECS, port: 81 }, cause: 'port-closed' }),
  make({ id: 'vpc-port-closed', title: 'nothing listens on ECS:81', model: 'vpc', target: { host: ECS, port: 81 }, cause: 'port-closed' }),
  make({ id: 'eni-port-closed', title: 'nothing listens on ECS:81', model: 'eni', target: { host: ECS, port: 81 }, cause: 'port-closed' }),
  make({
    id: 'vpc-slow-peering',
    title: 'a cross-region peering: 150 ms each way beyond the gateway, and the peer still answers',
    model: 'vpc',
    target: peer,
    cause: 'reachable',
    build: { peeringDelayMs: 150 },
  }),
  make({ id: 'tunnel-dns-nxdomain', title: 'the name does not exist', model: 'tunnel', target: { host: 'nosuch.lab.internal', port: 80 }, cause: 'dns' }),
];

/** One lab, several dependencies broken in different ways at once: what `podreach diagnose T1 T2 ...` meets. */
export interface Sweep extends Scenario {
  dependencies: { input: string; cause: LabCause }[];
}

function sweep(s: Spec & { dependencies: Sweep['dependencies'] }): Sweep {
  return { ...make(s), dependencies: s.dependencies };
}

export const SWEEPS: readonly Sweep[] = [
  sweep({
    id: 'tunnel-app-deps',
    title: "an app's six dependencies under tunnel SNAT: the ECS SG, Redis's whitelist and MySQL's accounts allow the container CIDR but not the node",
    model: 'tunnel',
    cause: 'security-group',
    needsNodeReport: true,
    build: { ecsAllow: [DEFAULT_CONTAINER_CIDR, '192.168.10.100/32'], redisAllow: [DEFAULT_CONTAINER_CIDR], mysqlAllow: [DEFAULT_CONTAINER_CIDR] },
    dependencies: [
      { input: `http://${ECS}`, cause: 'security-group' },
      { input: `redis://${REDIS}`, cause: 'whitelist' },
      { input: `${REDIS}:6380`, cause: 'port-closed' },
      { input: 'nosuch.lab.internal:80', cause: 'dns' },
      { input: `${PEER}:80`, cause: 'reachable' },
      { input: `mysql://app:s3cret-lab-pw@${REDIS}:3306/orders`, cause: 'whitelist' },
    ],
  }),
];

export function findScenario(id: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.id === id) ?? SWEEPS.find((s) => s.id === id);
}
