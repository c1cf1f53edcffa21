// The recorded 1000-node cluster: `fleet --by pool` makes one pod per pool (10) with at most --max-pods alive
// at once, and deletes every one. Planning time is printed (the bench has the figures), not asserted.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fleetOnBigCluster } from './fleet-big.ts';

beforeAll(() => {
  if (!existsSync(join(import.meta.dirname, '..', '..', 'dist', 'podreach.mjs'))) throw new Error('dist/podreach.mjs missing: run `node scripts/build.ts` first');
});

describe('podreach fleet on the recorded 1000-node cluster', () => {
  for (const maxPods of [1, 3, 10]) {
    it(`--by pool --max-pods ${maxPods}: 10 pods, at most ${maxPods} alive at once, none left`, async () => {
      const r = await fleetOnBigCluster(['192.168.20.10:6379', '--by', 'pool', '--max-pods', String(maxPods), '--node-subnet', '192.168.0.0/16']);
      // The pods print no report (a sleep stands in for the probe): every group is unknown, exit 1, no stack.
      expect(r.code, r.stderr).toBe(1);
      const doc = JSON.parse(r.stdout) as { groups: unknown[]; summary: { pods: number }; diagnosis: { unknown: string[] } };
      expect(doc.groups).toHaveLength(10);
      expect(doc.diagnosis.unknown).toHaveLength(10);
      expect(r.created).toBe(10);
      expect(r.maxInFlight).toBeLessThanOrEqual(maxPods);
      expect(r.maxInFlight).toBeGreaterThanOrEqual(1);
      expect(r.live).toBe(0);
      console.log(`1000 nodes, --by pool --max-pods ${maxPods}: ${r.created} pods, ${r.maxInFlight} in flight at most, planning ${r.planMs} ms, total ${r.ms} ms`);
    }, 120_000);
  }

  it('--by zone: 3 pods; --selector narrows the nodes to one pool', async () => {
    const zone = await fleetOnBigCluster(['192.168.20.10:6379', '--by', 'zone', '--max-pods', '5']);
    expect(zone.created, zone.stderr).toBe(3);
    const one = await fleetOnBigCluster(['192.168.20.10:6379', '--by', 'zone', '--selector', 'cce.cloud.com/cce-nodepool=pool-02']);
    expect(one.created, one.stderr).toBe(1);
    expect((JSON.parse(one.stdout) as { groups: { nodes: unknown[] }[] }).groups[0]?.nodes).toHaveLength(100);
  }, 120_000);
});
