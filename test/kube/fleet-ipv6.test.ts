// podreach fleet on an EKS IPv6 cluster (recorded objects, fixtures/clusters.ts VARIANTS6) served by the test API
// server on 127.0.0.1. No packets: each probe pod's log is a probe set written here per node (what the pod on that
// node would have seen), so what is checked is the cross-group reasoning per family on real API objects — IPv6 pods
// are judged by their nodes' /64s, IPv4 peers by the nodes' IPv4 (host-local SNAT).
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeSet } from '../../src/probe/report.ts';
import { parseTarget } from '../../src/probe/target.ts';
import { fleetSchemaErrors } from '../integration/schema.ts';
import { OPEN, probe, SILENT, type Side } from '../unit/diagnose/fixtures.ts';
import { ApiServer, fakeToken, rulesFromManifests, SA_USER, writeKubeconfig } from './api-server.ts';
import { VARIANTS6 } from './fixtures/clusters.ts';

const BUNDLE = join(import.meta.dirname, '..', '..', 'dist', 'podreach.mjs');
const dir = mkdtempSync(join(tmpdir(), 'podreach-fleet6-'));
beforeAll(() => {
  if (!existsSync(BUNDLE)) throw new Error('dist/podreach.mjs missing: run `node scripts/build.ts` first');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const A = 'ip-10-0-12-87.eu-west-1.compute.internal'; // eu-west-1a, 2600:1f18:aa:1000::/64
const B = 'ip-10-0-17-5.eu-west-1.compute.internal'; // eu-west-1b, 2600:1f18:aa:1001::/64
const POD6: Record<string, string> = { [A]: '2600:1f18:aa:1000:8f2a::4', [B]: '2600:1f18:aa:1001:3c1d::9' };

/** The fleet run: per node, what its pod saw of each target. */
async function fleet(targets: string[], seen: Record<string, Side[]>, extra: string[] = []) {
  for (const [node, sides] of Object.entries(seen)) {
    const reports = targets.map((t, i) => {
      const r = probe(parseTarget(t), sides[i] as Side, 'pod');
      return { ...r, from: { ...r.from, addresses: [POD6[node] as string] } };
    });
    writeFileSync(join(dir, `${node}.json`), JSON.stringify(probeSet(reports)));
  }
  const fx = VARIANTS6['eks-ipv6']();
  const token = fakeToken();
  const s = await ApiServer.start({
    objects: fx.items,
    crds: fx['x-podreach-fixture'].crds,
    tokens: { [token]: { user: SA_USER, rules: rulesFromManifests(['rbac-fleet.yaml']) } },
    runner: ({ pod }) => ({ argv: ['cat', join(dir, `${(pod.spec as { nodeName: string }).nodeName}.json`)] }),
  });
  try {
    const kc = writeKubeconfig(mkdtempSync(join(dir, 'kc-')), s, token);
    const r = await new Promise<{ code: number; stdout: string; stderr: string }>((ok) =>
      execFile(process.execPath, [BUNDLE, 'fleet', ...targets, '--kubeconfig', kc, '-n', 'podreach', '-o', 'json', '--by', 'zone', '--vpc-cidr', '10.0.0.0/16,2600:1f18:aa:1000::/56', ...extra], { env: { HOME: '/nonexistent', PATH: process.env.PATH }, timeout: 60_000 }, (err, stdout, stderr) =>
        ok({ code: err ? Number((err as { code?: number }).code ?? -1) : 0, stdout, stderr }),
      ),
    );
    return { ...r, created: s.created.length, live: s.podreachPods().length };
  } finally {
    await s.close();
  }
}

type Diagnosis = { cause: string; summary: string; fix: string[]; fails: string[]; works: string[]; add: string[] };

describe('podreach fleet on an EKS IPv6 cluster', () => {
  it('the security group lacks one zone\'s IPv6 /64 and a PostgreSQL whitelist one node\'s IPv4: each fix in its own family', async () => {
    const targets = ['[2600:1f18:aa:1020::52]:443', '10.0.99.5:5432'];
    const r = await fleet(targets, { [A]: [OPEN, OPEN], [B]: [SILENT, SILENT] });
    expect(r.code, r.stderr).toBe(1);
    const doc = JSON.parse(r.stdout) as { targets: { diagnosis: Diagnosis }[]; context: { families?: { value: string[] } }; groups: { nodes: { internalIps?: string[]; subnets?: string[] }[] }[] };
    expect(fleetSchemaErrors(doc)).toEqual([]);
    expect(doc.context.families?.value).toEqual(['IPv6']);
    expect(doc.groups[0]?.nodes[0]).toMatchObject({ internalIps: ['2600:1f18:aa:1000::87', '10.0.12.87'], subnets: ['2600:1f18:aa:1000::/64', '10.0.12.0/24'] });
    // One pod per zone (the not-ready node is not probed from), each deleted.
    expect(r.created).toBe(2);
    expect(r.live).toBe(0);
    const [sg, pg] = doc.targets.map((t) => t.diagnosis);
    expect(sg).toMatchObject({ cause: 'security-group', fails: ['eu-west-1b'], works: ['eu-west-1a'], add: ['2600:1f18:aa:1001::/64'] });
    expect(sg?.fix[0]).toBe('security group of 2600:1f18:aa:1020::52: inbound TCP 443 from 2600:1f18:aa:1001::/64');
    expect(sg?.summary).toContain('fails from eu-west-1b (nodes in 2600:1f18:aa:1001::/64), works from eu-west-1a (nodes in 2600:1f18:aa:1000::/64, 2600:1f18:aa:1002::/64)');
    // IPv4 from IPv6-only pods leaves through the node's IPv4: the node IP goes on the whitelist, never a pod prefix.
    expect(pg).toMatchObject({ cause: 'whitelist', fails: ['eu-west-1b'], add: ['10.0.17.5/32'] });
    expect(pg?.fix[0]).toBe('whitelist of 10.0.99.5 (PostgreSQL): add 10.0.17.5/32');
    expect(pg?.summary).toContain('fails from eu-west-1b (nodes in 10.0.17.0/24)');
  }, 90_000);

  it('--node-subnet in both families: the subnets, not single addresses', async () => {
    const targets = ['10.0.99.5:5432'];
    const r = await fleet(targets, { [A]: [OPEN], [B]: [SILENT] }, ['--node-subnet', '10.0.16.0/20,2600:1f18:aa:1001::/64']);
    expect(r.code, r.stderr).toBe(1);
    const doc = JSON.parse(r.stdout) as { diagnosis: Diagnosis };
    expect(doc.diagnosis).toMatchObject({ cause: 'whitelist', add: ['10.0.16.0/20'] });
  }, 90_000);

  it('a bad --node-subnet or --container-cidr: one line, exit 2, before any API read', async () => {
    for (const [args, re] of [
      [['--node-subnet', '2600:1f18:aa:1001::/129'], /^podreach: --node-subnet: "2600:1f18:aa:1001::\/129" is not a CIDR \(expected e\.g\. 172\.16\.0\.0\/16\)$/],
      [['--container-cidr', 'fd00::/56,fd01::/56'], /^podreach: --container-cidr: "fd00::\/56,fd01::\/56": two IPv6 values; give at most one per family$/],
    ] as const) {
      const r = await new Promise<{ code: number; stderr: string }>((ok) =>
        execFile(process.execPath, [BUNDLE, 'fleet', '10.0.99.5:5432', ...args, '--kubeconfig', '/nonexistent/kc'], { env: { HOME: '/nonexistent', PATH: process.env.PATH } }, (err, _o, stderr) => ok({ code: err ? Number((err as { code?: number }).code) : 0, stderr })),
      );
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr.trim()).toMatch(re);
    }
  });
});
