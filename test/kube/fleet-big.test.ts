// The recorded 1000-node cluster: `fleet --by pool` makes one pod per pool (10) with at most --max-pods alive
// at once, and deletes every one. Planning time is printed (the bench has the figures), not asserted.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fakeToken, writeKubeconfig } from './api-server.ts';
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

describe('podreach fleet: bad input and a dead API get one line and a non-zero exit', () => {
  const BUNDLE = join(import.meta.dirname, '..', '..', 'dist', 'podreach.mjs');
  const run = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((ok) =>
      execFile(process.execPath, [BUNDLE, 'fleet', ...args], { env: { HOME: '/nonexistent', PATH: process.env.PATH }, timeout: 30_000 }, (err, stdout, stderr) =>
        ok({ code: err ? Number((err as { code?: number }).code ?? -1) : 0, stdout, stderr }),
      ),
    );
  const cases: [string[], RegExp][] = [
    [[], /no TARGET given/],
    [['--cleanup', '1.2.3.4:80'], /--cleanup .* takes no TARGET/],
    [['1.2.3.4:80', '--by', 'rack'], /--by .*rack/],
    [['1.2.3.4:80', '--max-pods', '0'], /--max-pods: 0 is outside 1–100/],
    [['1.2.3.4:80', '--selector', 'a=b=c'], /--selector: "a=b=c" is not a label selector/],
    [['1.2.3.4:80', '--node-subnet', '1.2.3.4'], /--node-subnet: "1.2.3.4" is not a CIDR/],
    [['1.2.3.4:80', '--vantage', 'sky'], /--vantage .*sky/],
    [['1.2.3.4:80', '--kubeconfig', '/nonexistent/kc'], /--kubeconfig \/nonexistent\/kc: no such file/],
    [['http://[zz'], /invalid TARGET/],
  ];
  for (const [args, re] of cases) {
    it(`fleet ${args.join(' ') || '(nothing)'}: exit 2`, async () => {
      const r = await run(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(re);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    });
  }

  it('no credentials, and an API that is not there: exit 3, one line each', async () => {
    const none = await run(['1.2.3.4:80']);
    expect(none.code).toBe(3);
    expect(none.stderr.trim()).toMatch(/^podreach: fleet: no API credentials .*pass --kubeconfig$/);
    const dir = mkdtempSync(join(tmpdir(), 'podreach-fleet-dead-'));
    try {
      // A port nothing listens on, on loopback.
      const kc = writeKubeconfig(dir, 'https://127.0.0.1:9', fakeToken());
      const dead = await run(['1.2.3.4:80', '--kubeconfig', kc]);
      expect(dead.code).toBe(3);
      expect(dead.stderr.trim().split('\n')).toHaveLength(1);
      expect(dead.stderr).toMatch(/^podreach: fleet: listing nodes at https:\/\/127\.0\.0\.1:9/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
