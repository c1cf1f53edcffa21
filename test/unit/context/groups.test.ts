import { describe, expect, it } from 'vitest';
import { groupNodes, nodeFamilies, nodeIpIn, nodeSubnetIn, pickNode } from '../../../src/context/groups.ts';
import { nodeFacts } from '../../../src/kube/nodes.ts';
import type { NodeObject } from '../../../src/kube/objects.ts';

const node = (name: string, ip: string, labels: Record<string, string>, ready = 'True'): NodeObject => ({
  metadata: { name, labels },
  spec: { podCIDR: `172.16.${ip.split('.')[3]}.0/24` },
  status: { addresses: [{ type: 'InternalIP', address: ip }], conditions: [{ type: 'Ready', status: ready }] },
});

const nodes = [
  node('n10', '192.168.11.7', { 'cce.cloud.com/cce-nodepool': 'pool-b', 'topology.kubernetes.io/zone': 'az2' }),
  node('n2', '192.168.10.12', { 'cce.cloud.com/cce-nodepool': 'pool-a', 'topology.kubernetes.io/zone': 'az1' }),
  node('n1', '192.168.10.11', { 'cce.cloud.com/cce-nodepool': 'pool-a', 'topology.kubernetes.io/zone': 'az1' }, 'False'),
  node('n3', '10.9.0.5', { 'eks.amazonaws.com/nodegroup': 'ng-1', 'node.kubernetes.io/instance-type': 'm5.large' }),
  node('n4', '10.9.1.5', { 'node.kubernetes.io/instance-type': 'm5.large' }),
];

describe('node groups', () => {
  it('reads pool, zone, subnet and readiness with provenance', () => {
    const f = nodeFacts(nodes[0]!, ['192.168.11.0/24']);
    expect(f).toMatchObject({ name: 'n10', internalIp: '192.168.11.7', podCidrs: ['172.16.7.0/24'], ready: true });
    expect(f.pool).toMatchObject({ value: 'pool-b', source: 'api', note: 'node label cce.cloud.com/cce-nodepool' });
    expect(f.zone?.value).toBe('az2');
    expect(f.subnet).toMatchObject({ value: '192.168.11.0/24', source: 'flag' });
    expect(nodeFacts(nodes[1]!).subnet).toMatchObject({ value: '192.168.10.0/24', source: 'heuristic' });
    // a pool label beats the instance type; the instance type is the weaker stand-in
    expect(nodeFacts(nodes[3]!).pool?.value).toBe('ng-1');
    expect(nodeFacts(nodes[4]!).pool).toMatchObject({ value: 'm5.large', confidence: 0.6 });
  });

  it('groups by each key in a stable order, nodes without the key last', () => {
    const facts = nodes.map((n) => nodeFacts(n));
    expect(groupNodes(facts, 'pool').map((g) => [g.key, g.nodes.map((n) => n.name)])).toEqual([
      ['m5.large', ['n4']],
      ['ng-1', ['n3']],
      ['pool-a', ['n1', 'n2']],
      ['pool-b', ['n10']],
    ]);
    expect(groupNodes(facts, 'zone').map((g) => g.key)).toEqual(['az1', 'az2', '(none)']);
    expect(groupNodes(facts, 'subnet').map((g) => g.key)).toEqual(['10.9.0.0/24', '10.9.1.0/24', '192.168.10.0/24', '192.168.11.0/24']);
    expect(groupNodes(facts, 'node').map((g) => g.key)).toEqual(['n1', 'n2', 'n3', 'n4', 'n10']);
  });

  it('probes from a ready node', () => {
    const poolA = groupNodes(nodes.map((n) => nodeFacts(n)), 'pool').find((g) => g.key === 'pool-a')!;
    expect(pickNode(poolA)?.name).toBe('n2');
  });

  it('keeps one InternalIP per family: dual-stack nodes both, IPv6-only nodes their IPv6; each family its own subnet', () => {
    const dual: NodeObject = { metadata: { name: 'd1' }, status: { addresses: [{ type: 'InternalIP', address: '192.168.10.11' }, { type: 'InternalIP', address: 'fd00:192:168:10::11' }, { type: 'InternalIP', address: '192.168.10.99' }, { type: 'Hostname', address: 'd1' }] } };
    const v6: NodeObject = { metadata: { name: 'v1' }, status: { addresses: [{ type: 'ExternalIP', address: '2001:db8::1' }, { type: 'InternalIP', address: 'fd00:192:168:11::7' }] } };
    const d = nodeFacts(dual, ['fd00:192:168:10::/64']);
    expect(d).toMatchObject({ internalIp: '192.168.10.11', internalIps: ['192.168.10.11', 'fd00:192:168:10::11'] });
    expect(nodeSubnetIn(d, 'IPv4')).toMatchObject({ value: '192.168.10.0/24', source: 'heuristic' });
    expect(nodeSubnetIn(d, 'IPv6')).toMatchObject({ value: 'fd00:192:168:10::/64', source: 'flag', note: '--node-subnet' });
    const o = nodeFacts(v6);
    expect(o.internalIp).toBe('fd00:192:168:11::7');
    expect(o.internalIps).toBeUndefined();
    expect(o.subnet).toMatchObject({ value: 'fd00:192:168:11::/64', source: 'heuristic', note: 'the /64 around fd00:192:168:11::7' });
    expect([nodeIpIn(o, 'IPv4'), nodeIpIn(o, 'IPv6')]).toEqual([undefined, 'fd00:192:168:11::7']);
    expect(nodeFamilies([o])).toEqual(['IPv6']);
    expect(nodeFamilies([d, o])).toEqual(['IPv4', 'IPv6']);
    // --by subnet: IPv6-only nodes by their /64 (or the --node-subnet given), a dual-stack node by its primary's subnet.
    expect(groupNodes([d, o, nodeFacts(v6, ['fd00:192:168::/48'])].map((n, i) => ({ ...n, name: `n${i}` })), 'subnet').map((g) => [g.key, g.nodes.map((n) => n.name)])).toEqual([
      ['192.168.10.0/24', ['n0']],
      ['fd00:192:168::/48', ['n2']],
      ['fd00:192:168:11::/64', ['n1']],
    ]);
    expect(pickNode({ by: 'node', key: 'v1', nodes: [o] })?.name).toBe('v1');
  });
});
