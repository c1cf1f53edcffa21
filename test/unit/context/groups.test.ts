import { describe, expect, it } from 'vitest';
import { groupNodes, pickNode } from '../../../src/context/groups.ts';
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
});
