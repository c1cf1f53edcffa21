// The cross-group diagnosis, pure: the groups that fail and the exact sources to add, per model and
// destination; the cause follows the destination (SG in the VPC, whitelist at a managed-service port, the
// peer VPC's route for a pod CIDR across a peering) and the wire (an ICMP "unreachable" is a route).
import { describe, expect, it } from 'vitest';
import { groupNodes, type NodeFacts } from '../../../src/context/groups.ts';
import type { Fact, NetworkModel } from '../../../src/context/types.ts';
import { diagnoseFleet, type GroupObserved } from '../../../src/diagnose/index.ts';
import type { ClusterNet } from '../../../src/diagnose/sources.ts';
import { subnetOf, normalizeCidr } from '../../../src/net/ip.ts';
import type { Target } from '../../../src/probe/types.ts';
import { ECS, OPEN, PEER, probe, REDIS, SILENT, type Side } from './fixtures.ts';

const api = <T>(value: T): Fact<T> => ({ value, source: 'api', confidence: 0.9, note: 'test' });
const node = (name: string, ip: string, pool: string, zone: string, podCidr: string, subnet?: string): NodeFacts => ({
  name,
  internalIp: ip,
  podCidrs: [podCidr],
  ready: true,
  pool: api(pool),
  zone: api(zone),
  subnet: subnet ? { value: subnet, source: 'flag', confidence: 0.99 } : { value: subnetOf(ip, 24), source: 'heuristic', confidence: 0.5 },
});
const NODES = [
  node('a1', '192.168.10.11', 'pool-a', 'az1', '172.16.1.0/24'),
  node('a2', '192.168.10.12', 'pool-a', 'az1', '172.16.2.0/24'),
  node('b1', '192.168.11.21', 'pool-b', 'az2', '172.16.3.0/24'),
];
const net = (model: NetworkModel): ClusterNet => ({ model: api(model), containerCidr: api('172.16.0.0/16'), vpcCidrs: api(['192.168.0.0/16']) });

/** Groups by `by`, each probed from its first node with `side(node name)` for every target. */
function observe(nodes: NodeFacts[], by: 'node' | 'pool' | 'zone', targets: Target[], side: (n: string, t: Target) => Side | undefined, vantage: 'pod' | 'node'): GroupObserved[] {
  return groupNodes(nodes, by).map((g) => {
    const from = g.nodes[0] as NodeFacts;
    const sides = targets.map((t) => side(from.name, t));
    const ok = sides.every(Boolean);
    return { by, key: g.key, nodes: g.nodes, probedFrom: from.name, vantages: [ok ? { vantage, reports: targets.map((t, i) => probe(t, sides[i] as Side, vantage)) } : { vantage, error: 'node probe: pod failed (exit 1)' }] };
  });
}

describe('diagnoseFleet', () => {
  it('tunnel, SG allowing one node subnet: pool-b fails, add its subnet (given) on the SG of the ECS', () => {
    const nodes = NODES.map((n) => ({ ...n, subnet: { value: subnetOf(n.internalIp as string, 24), source: 'flag' as const, confidence: 0.99 } }));
    const [v] = diagnoseFleet({ targets: [ECS], groups: observe(nodes, 'pool', [ECS], (n) => (n === 'b1' ? SILENT : OPEN), 'node'), net: net('tunnel') });
    expect(v?.diagnosis).toMatchObject({ cause: 'security-group', reachable: false, fails: ['pool-b'], works: ['pool-a'], add: ['192.168.11.0/24'] });
    expect(v?.diagnosis.fix[0]).toBe('security group of 192.168.10.52: inbound TCP 80 from 192.168.11.0/24');
    expect(v?.diagnosis.summary).toContain('fails from pool-b (nodes in 192.168.11.0/24), works from pool-a (nodes in 192.168.10.0/24)');
  });

  it('tunnel, whitelist with one node IP, by node: the missing node IPs', () => {
    const [v] = diagnoseFleet({ targets: [REDIS], groups: observe(NODES, 'node', [REDIS], (n) => (n === 'a1' ? OPEN : SILENT), 'node'), net: net('tunnel') });
    expect(v?.diagnosis).toMatchObject({ cause: 'whitelist', fails: ['a2', 'b1'], add: ['192.168.10.12/32', '192.168.11.21/32'] });
    expect(v?.diagnosis.fix[0]).toMatch(/^whitelist of 192\.168\.20\.10 \(Redis\): add 192\.168\.10\.12\/32, 192\.168\.11\.21\/32/);
  });

  it("VPC, SG allowing one node's pod CIDR: the pod CIDRs of the failing nodes, aggregated", () => {
    const [v] = diagnoseFleet({ targets: [ECS], groups: observe(NODES, 'node', [ECS], (n) => (n === 'a1' ? OPEN : SILENT), 'pod'), net: net('vpc') });
    expect(v?.diagnosis).toMatchObject({ cause: 'security-group', fails: ['a2', 'b1'], add: ['172.16.2.0/23'] });
  });

  it('VPC, the peer routes one zone back: route, the missing zone\'s pod CIDRs in the peer VPC route table', () => {
    const [v] = diagnoseFleet({ targets: [PEER], groups: observe(NODES, 'zone', [PEER], (n) => (n === 'b1' ? SILENT : OPEN), 'pod'), net: net('vpc') });
    expect(v?.diagnosis).toMatchObject({ cause: 'route', fails: ['az2'], add: ['172.16.3.0/24'] });
    expect(v?.diagnosis.fix[0]).toContain('route table of the peer VPC: 172.16.3.0/24 via the peering connection');
  });

  it('a router answering "unreachable" is a route, whatever the destination', () => {
    const unreach: Side = { tcp: 'unreachable', icmp: 'unreachable', errno: 'ENETUNREACH', icmpDetail: 'From 192.168.11.1 icmp_seq=1 Destination Net Unreachable' };
    const [v] = diagnoseFleet({ targets: [ECS], groups: observe(NODES, 'pool', [ECS], (n) => (n === 'b1' ? unreach : OPEN), 'node'), net: net('tunnel') });
    expect(v?.diagnosis.cause).toBe('route');
  });

  it('control: reachable from every group, nothing to add; several targets keep their order', () => {
    const vs = diagnoseFleet({ targets: [ECS, REDIS, PEER], groups: observe(NODES, 'pool', [ECS, REDIS, PEER], () => OPEN, 'node'), net: net('tunnel') });
    expect(vs.map((v) => [v.target.input, v.diagnosis.cause, v.diagnosis.add.length])).toEqual([
      ['192.168.10.52:80', 'reachable', 0],
      ['192.168.20.10:6379', 'reachable', 0],
      ['10.1.0.20:80', 'reachable', 0],
    ]);
  });

  it('a group without a report is unknown, never counted as working or failing', () => {
    const [v] = diagnoseFleet({ targets: [ECS], groups: observe(NODES, 'pool', [ECS], (n) => (n === 'b1' ? undefined : OPEN), 'node'), net: net('tunnel') });
    expect(v?.diagnosis).toMatchObject({ cause: 'reachable', works: ['pool-a'], fails: [], unknown: ['pool-b'] });
    expect(v?.diagnosis.confidence).toBeLessThan(0.9);
    expect(v?.groups[1]?.detail).toContain('pod failed');
  });

  it('every group fails alike: no difference to name, the confidence drops', () => {
    const [v] = diagnoseFleet({ targets: [ECS], groups: observe(NODES, 'pool', [ECS], () => SILENT, 'node'), net: net('tunnel') });
    expect(v?.diagnosis.works).toEqual([]);
    expect(v?.diagnosis.summary).toContain('fails from every group');
    expect(v?.diagnosis.confidence).toBeLessThan(0.6);
  });
});

describe('subnetOf by arithmetic agrees with ipaddr.js', () => {
  it('on 20,000 random IPv4 addresses and prefixes, and leaves what is not a dotted quad to it', () => {
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    for (let i = 0; i < 20_000; i++) {
      const ip = [rnd(256), rnd(256), rnd(256), rnd(256)].join('.');
      const p = rnd(33);
      expect(subnetOf(ip, p)).toBe(normalizeCidr(`${ip}/${p}`));
    }
    for (const odd of ['01.2.3.4', '256.1.1.1', 'fe80::1']) expect(subnetOf(odd, 24)).toBe(normalizeCidr(`${odd}/24`) ?? `${odd}/24`);
  });
});
