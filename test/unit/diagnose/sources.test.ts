import { describe, expect, it } from 'vitest';
import { groupNodes, type NodeFacts } from '../../../src/context/groups.ts';
import type { Fact, NetworkModel } from '../../../src/context/types.ts';
import { allowRules, type ClusterNet, groupSource, peerSees } from '../../../src/diagnose/sources.ts';
import { aggregateCidrs, cidrWithin, inCidr } from '../../../src/net/ip.ts';

const api = <T>(value: T, note = 'test'): Fact<T> => ({ value, source: 'api', confidence: 0.9, note });
const flagSubnet = (value: string): Fact<string> => ({ value, source: 'flag', confidence: 0.99, note: '--node-subnet' });
const guessSubnet = (value: string): Fact<string> => ({ value, source: 'heuristic', confidence: 0.5, note: 'guess' });

const node = (name: string, ip: string | undefined, podCidrs: string[], subnet?: Fact<string>): NodeFacts => ({
  name,
  ...(ip ? { internalIp: ip } : {}),
  podCidrs,
  ready: true,
  ...(subnet ? { subnet } : {}),
});

const poolA = { by: 'pool' as const, key: 'pool-a', nodes: [node('a1', '192.168.10.11', ['172.16.0.0/24'], flagSubnet('192.168.10.0/24')), node('a2', '192.168.10.12', ['172.16.1.0/24'], flagSubnet('192.168.10.0/24'))] };
const poolB = { by: 'pool' as const, key: 'pool-b', nodes: [node('b1', '192.168.11.7', ['172.16.2.0/24'], guessSubnet('192.168.11.0/24')), node('b2', '192.168.11.8', ['172.16.5.0/24'], guessSubnet('192.168.11.0/24'))] };
const net = (model: NetworkModel, extra: Partial<ClusterNet> = {}): ClusterNet => ({ model: api(model), ...extra });

describe('peerSees: the guide\'s rule, shared with the single-pod sourceSeen', () => {
  it('tunnel: the node, whatever the destination', () => {
    for (const to of [{ class: 'same-vpc' as const }, { class: 'internet' as const }, { ip: '10.1.0.5' }]) {
      expect(peerSees('tunnel', to)?.side).toBe('node');
    }
  });
  it('VPC: the pod towards private destinations and the no-masquerade list, the node towards the internet', () => {
    expect(peerSees('vpc', { class: 'same-vpc' })?.side).toBe('pod');
    expect(peerSees('vpc', { class: 'peered-vpc' })?.side).toBe('pod');
    expect(peerSees('vpc', { class: 'internet' })?.side).toBe('node');
    expect(peerSees('vpc', { ip: '8.8.8.8' })?.side).toBe('node');
    expect(peerSees('vpc', { ip: '192.168.1.5' }, { nonMasq: ['10.0.0.0/8'] })).toMatchObject({ side: 'node' });
    expect(peerSees('vpc', { ip: '10.3.0.5' }, { nonMasq: ['10.0.0.0/8'] })?.why).toContain('10.3.0.5 is in the no-masquerade list (10.0.0.0/8)');
  });
  it('ENI: the pod, except that the EKS VPC CNI SNATs what leaves the VPC to the node', () => {
    expect(peerSees('eni', { class: 'internet' })?.side).toBe('pod');
    expect(peerSees('eni', { class: 'peered-vpc' }, { cni: 'aws-vpc-cni' })?.side).toBe('node');
    expect(peerSees('eni', { class: 'internet' }, { cni: 'aws-vpc-cni', nonMasq: ['0.0.0.0/0'] })?.side).toBe('pod');
    expect(peerSees('eni', { class: 'same-vpc' }, { cni: 'aws-vpc-cni' })?.side).toBe('pod');
    expect(peerSees('eni', { ip: '10.9.0.5' }, { cni: 'aws-vpc-cni', vpcCidrs: ['10.0.0.0/16'] })?.side).toBe('node');
    expect(peerSees('eni', { ip: '10.0.3.5' }, { cni: 'aws-vpc-cni' })).toMatchObject({ side: 'pod', confidence: 0.6 });
  });
  it('unknown model: no rule', () => {
    expect(peerSees(undefined, { class: 'same-vpc' })).toBeUndefined();
  });
});

describe('groupSource: what one group puts on the wire', () => {
  it('tunnel: the node subnet when --node-subnet covers every node, else the node IPs', () => {
    const a = groupSource(poolA, net('tunnel'), { class: 'same-vpc' });
    expect(a).toMatchObject({ kind: 'node', allow: ['192.168.10.0/24'], allowWhat: 'the node subnet' });
    expect(a.why).toBe('container tunnel network: pod egress is SNATed to the node IP');
    const b = groupSource(poolB, net('tunnel'), { class: 'same-vpc' });
    expect(b).toMatchObject({ kind: 'node', allow: ['192.168.11.7/32', '192.168.11.8/32'], allowWhat: 'the node IPs' });
    expect(b.notes.join()).toContain('192.168.11.0/24');
  });
  it('a node without an InternalIP is named, not silently dropped', () => {
    const g = { by: 'node' as const, key: 'x', nodes: [node('x1', undefined, [])] };
    const s = groupSource(g, net('tunnel'), { class: 'same-vpc' });
    expect(s.allow).toEqual([]);
    expect(s.notes.join()).toContain('no InternalIP on x1');
  });
  it('VPC: the nodes\' pod CIDRs (aggregated) under the container CIDR; the node towards the internet', () => {
    const n = net('vpc', { containerCidr: api('172.16.0.0/16') });
    expect(groupSource(poolA, n, { class: 'same-vpc' })).toMatchObject({ kind: 'pod', allow: ['172.16.0.0/23'], allowWhat: "the nodes' pod CIDRs", covers: '172.16.0.0/16' });
    expect(groupSource(poolB, n, { class: 'peered-vpc' }).allow).toEqual(['172.16.2.0/24', '172.16.5.0/24']);
    expect(groupSource(poolA, n, { class: 'internet' })).toMatchObject({ kind: 'node', allow: ['192.168.10.0/24'] });
  });
  it('VPC with Calico (natOutgoing false): the IPPool CIDR, not node spec.podCIDR', () => {
    const s = groupSource(poolA, net('vpc', { cni: api('calico'), containerCidr: api('10.244.0.0/16', 'IPPool default') }), { class: 'same-vpc' });
    expect(s).toMatchObject({ kind: 'pod', allow: ['10.244.0.0/16'], allowWhat: 'the container CIDR' });
  });
  it('ENI: the container subnets; EKS without them: the nodes\' own subnets', () => {
    const turbo = groupSource(poolA, net('eni', { cni: api('yangtse'), eniSubnets: api(['192.168.30.0/24', '192.168.31.0/24']) }), { class: 'internet' });
    expect(turbo).toMatchObject({ kind: 'eni-subnet', allow: ['192.168.30.0/23'], allowWhat: 'the container subnets' });
    const eks = net('eni', { cni: api('aws-vpc-cni') });
    expect(groupSource(poolA, eks, { class: 'same-vpc' })).toMatchObject({ kind: 'eni-subnet', allow: ['192.168.10.0/24'] });
    expect(groupSource(poolB, eks, { class: 'same-vpc' }).confidence).toBeLessThanOrEqual(0.4);
    expect(groupSource(poolA, eks, { class: 'internet' })).toMatchObject({ kind: 'node', allow: ['192.168.10.0/24'] });
  });
  it('unknown model: the node list, said to be conditional, low confidence', () => {
    const s = groupSource(poolA, {}, { class: 'same-vpc' });
    expect(s).toMatchObject({ kind: 'unknown', confidence: 0.3 });
    expect(s.allowWhat).toContain('network model unknown');
  });
  it('works on groups from groupNodes', () => {
    const groups = groupNodes([...poolA.nodes, ...poolB.nodes], 'node');
    expect(groups.map((g) => groupSource(g, net('tunnel'), { class: 'same-vpc' }).allow[0])).toEqual(['192.168.10.0/24', '192.168.10.0/24', '192.168.11.7/32', '192.168.11.8/32']);
  });
});

describe('allowRules: where the list goes', () => {
  const vpc = net('vpc', { containerCidr: api('172.16.0.0/16') });
  it('peered VPC in the VPC model: the SG and a route for the pod CIDRs in the peer VPC', () => {
    const rules = allowRules({ class: 'peered-vpc', port: 80 }, groupSource(poolB, vpc, { class: 'peered-vpc' }));
    expect(rules.map((r) => r.where)).toEqual(['security-group', 'peer-route']);
    expect(rules[0]?.text).toBe('security group of the peer: inbound TCP 80 from 172.16.2.0/24, 172.16.5.0/24');
    expect(rules[1]?.text).toContain('or the container CIDR 172.16.0.0/16 for every node at once');
  });
  it('a managed service: the whitelist first, named by its port', () => {
    const rules = allowRules({ ip: '192.168.0.20', port: 6379, class: 'managed-service' }, groupSource(poolA, net('tunnel'), { class: 'managed-service' }));
    expect(rules[0]).toEqual({ where: 'whitelist', text: 'whitelist of 192.168.0.20 (Redis): add 192.168.10.0/24' });
  });
  it('the internet: the NAT gateway\'s SNAT rule', () => {
    const rules = allowRules({ class: 'internet' }, groupSource(poolA, vpc, { class: 'internet' }));
    expect(rules).toHaveLength(1);
    expect(rules[0]?.text).toContain('SNAT rule covering 192.168.10.0/24');
  });
  it('a private address of unknown VPC: the SG, and the route only if it is across a peering', () => {
    const rules = allowRules({ ip: '10.1.0.5' }, groupSource(poolA, vpc, { ip: '10.1.0.5' }));
    expect(rules.map((r) => r.where)).toEqual(['security-group', 'peer-route']);
    expect(rules[1]?.text).toMatch(/^if 10\.1\.0\.5 is across a VPC peering: route table of the peer VPC/);
  });
});

describe('aggregateCidrs', () => {
  it('merges siblings, drops covered blocks, keeps order by address', () => {
    expect(aggregateCidrs(['172.16.1.0/24', '172.16.0.0/24', '172.16.0.128/25', '10.0.0.1/32'])).toEqual(['10.0.0.1/32', '172.16.0.0/23']);
    expect(aggregateCidrs(['172.16.1.0/24', '172.16.2.0/24'])).toEqual(['172.16.1.0/24', '172.16.2.0/24']);
    expect(aggregateCidrs(['172.16.0.0/24', '172.16.1.0/24', '172.16.2.0/24', '172.16.3.0/24'])).toEqual(['172.16.0.0/22']);
    expect(aggregateCidrs(['fd00::/64', 'bad'])).toEqual(['fd00::/64', 'bad']);
    expect(aggregateCidrs(['10.0.0.5', '10.0.0.7/24', '010.0.0.1/32'])).toEqual(['10.0.0.0/24', '010.0.0.1/32']);
  });
  it('cidrWithin and inCidr agree with the blocks they are given', () => {
    expect(cidrWithin('172.16.2.0/24', '172.16.0.0/16')).toBe(true);
    expect(cidrWithin('172.17.0.0/24', '172.16.0.0/16')).toBe(false);
    expect(cidrWithin('172.16.0.0/15', '172.16.0.0/16')).toBe(false);
    expect(cidrWithin('0.0.0.0/0', '0.0.0.0/0')).toBe(true);
    expect(inCidr('192.168.11.7', '192.168.10.0/23')).toBe(true);
    expect(inCidr('192.168.12.7', '192.168.10.0/23')).toBe(false);
    expect(inCidr('192.168.10.256', '192.168.10.0/23')).toBe(false);
    expect(inCidr('::ffff:192.168.10.7', '192.168.10.0/24')).toBe(true);
  });
});

describe('groupSource per family (dual-stack and IPv6 clusters)', () => {
  const dual = (name: string, ip4: string, ip6: string, pod4: string, pod6: string): NodeFacts => ({
    name,
    internalIp: ip4,
    internalIps: [ip4, ip6],
    podCidrs: [pod4, pod6],
    ready: true,
    subnet: guessSubnet(`${ip4.split('.').slice(0, 3).join('.')}.0/24`),
    subnets: [guessSubnet(`${ip4.split('.').slice(0, 3).join('.')}.0/24`), flagSubnet('fd00:192:168:10::/64')],
  });
  const g = { by: 'pool' as const, key: 'pool-a', nodes: [dual('a1', '192.168.10.11', 'fd00:192:168:10::11', '172.16.0.0/24', 'fd00:172:16::/64'), dual('a2', '192.168.10.12', 'fd00:192:168:10::12', '172.16.1.0/24', 'fd00:172:16:1::/64')] };
  const families = api(['IPv4', 'IPv6'] as ('IPv4' | 'IPv6')[]);

  it('VPC model: each family its own pod CIDRs; IPv6 keeps the pod address even towards the internet', () => {
    const n = net('vpc', { families, containerCidrs: api(['172.16.0.0/16', 'fd00:172:16::/56']) });
    expect(groupSource(g, n, { class: 'same-vpc', family: 'IPv4' })).toMatchObject({ kind: 'pod', allow: ['172.16.0.0/23'], covers: '172.16.0.0/16' });
    expect(groupSource(g, n, { class: 'same-vpc', family: 'IPv6' })).toMatchObject({ kind: 'pod', allow: ['fd00:172:16::/64', 'fd00:172:16:1::/64'], covers: 'fd00:172:16::/56', allowWhat: "the nodes' IPv6 pod CIDRs" });
    expect(groupSource(g, n, { class: 'internet', family: 'IPv4' })).toMatchObject({ kind: 'node', allow: ['192.168.10.11/32', '192.168.10.12/32'] });
    expect(groupSource(g, n, { class: 'internet', family: 'IPv6' })).toMatchObject({ kind: 'pod', allow: ['fd00:172:16::/64', 'fd00:172:16:1::/64'] });
    // An IPv6 target: the IPv6 sources, never an IPv4 prefix length.
    const six = groupSource(g, n, { ip: 'fd00:192:168:20::52', port: 80 });
    expect(six.allow.every((c) => c.startsWith('fd00:') && !c.endsWith('/32'))).toBe(true);
    expect(allowRules({ class: 'internet', family: 'IPv6' }, six)[0]?.text).toMatch(/IPv6 has no NAT gateway/);
  });

  it('tunnel model: IPv6 masquerades to the node\'s IPv6 (the subnet given, else /128 per node)', () => {
    const n = net('tunnel', { families });
    expect(groupSource(g, n, { class: 'same-vpc', family: 'IPv6' })).toMatchObject({ kind: 'node', allow: ['fd00:192:168:10::/64'] });
    const noSubnet = { ...g, nodes: g.nodes.map((x) => ({ ...x, subnets: [x.subnet as Fact<string>, guessSubnet('fd00:192:168:10::/64')] })) };
    const s6 = groupSource(noSubnet, n, { class: 'same-vpc', family: 'IPv6' });
    expect(s6.allow).toEqual(['fd00:192:168:10::11/128', 'fd00:192:168:10::12/128']);
    expect(s6.notes.join()).toContain('their /64 would be fd00:192:168:10::/64');
  });

  it('IPv6-only pods (EKS IPv6) towards IPv4: the node\'s IPv4; the node\'s IPv4 subnet is not a pod subnet', () => {
    const n = net('eni', { cni: api('aws-vpc-cni'), families: api(['IPv6'] as ('IPv4' | 'IPv6')[]) });
    expect(groupSource(g, n, { class: 'same-vpc', family: 'IPv6' })).toMatchObject({ kind: 'eni-subnet', allow: ['fd00:192:168:10::/64'] });
    const v4 = groupSource(g, n, { ip: '10.0.99.5', port: 5432 });
    expect(v4).toMatchObject({ kind: 'node', allow: ['192.168.10.11/32', '192.168.10.12/32'] });
    expect(v4.why).toMatch(/^EKS IPv6: the pods have no IPv4 address/);
  });

  it('one family\'s model differs (Calico natOutgoing per IPPool): each family follows its own', () => {
    const n = net('tunnel', { families, cni: api('calico'), containerCidrs: api(['10.244.0.0/16', 'fd00:10:244::/56']), modelByFamily: { IPv6: api('vpc' as NetworkModel) } });
    expect(groupSource(g, n, { class: 'same-vpc', family: 'IPv4' }).kind).toBe('node');
    expect(groupSource(g, n, { class: 'same-vpc', family: 'IPv6' })).toMatchObject({ kind: 'pod', allow: ['fd00:10:244::/56'] });
  });
});
