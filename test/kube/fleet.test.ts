// podreach fleet in the multi-node lab, with real packets: each scenario's cross-group diagnosis names the
// groups that fail and exactly the CIDRs / IPs to add; the control says reachable everywhere. The test API
// server runs each probe pod in the namespace of the node it is pinned to; no probe pod outlives a run.
import { parse as parseJunit } from 'junit2json';
import { describe, expect, it } from 'vitest';
import { FLEET_NODES, FLEET_SCENARIOS, findFleetScenario } from '../lab/fleet.ts';
import { sleep, until } from '../lab/wait.ts';
import { fleetSchemaErrors } from '../integration/schema.ts';
import { withFleet } from './fleet-lab.ts';

type Diagnosis = { cause: string; reachable: boolean; summary: string; fix: string[]; fails: string[]; works: string[]; unknown: string[]; add: string[] };
type Doc = {
  kind: string;
  groups: { key: string; probedFrom: string; sourceSeen: { allow: string[] }[]; reports: { vantage: string; outcome: string; report: { from: { role: string; addresses: string[] } } | null }[] }[];
  diagnosis?: Diagnosis;
  targets?: { target: string; diagnosis: Diagnosis }[];
  summary: { pods: number; reachableEverywhere: number };
  timings: { planMs: number };
};

const groupCount = (by: string) => new Set(FLEET_NODES.map((n) => (by === 'node' ? n.name : by === 'pool' ? n.pool : by === 'zone' ? n.zone : n.subnet))).size;

describe('podreach fleet in the multi-node lab', () => {
  for (const s of FLEET_SCENARIOS) {
    it(`${s.id}: ${s.title}`, async () => {
      await withFleet(s, async ({ fleet, fleetInTerminal, api, lab }) => {
        const r = await fleet(['-o', 'json']);
        expect(r.code, r.stderr).toBe(s.expect.cause === 'reachable' ? 0 : 1);
        const doc = JSON.parse(r.stdout) as Doc;
        expect(fleetSchemaErrors(doc)).toEqual([]);
        expect(doc.kind).toBe('podreach.fleet');
        expect(doc.groups).toHaveLength(groupCount(s.by));
        // One pod per group (one vantage point), each gone.
        expect(api.state().created).toHaveLength(groupCount(s.by));
        expect(api.state().live).toEqual([]);
        const verdicts = doc.diagnosis ? [doc.diagnosis] : (doc.targets ?? []).map((t) => t.diagnosis);
        expect(verdicts).toHaveLength(s.targets.length);
        console.log(`${s.id}: ${verdicts.map((d) => d.summary).join(' | ')} (${r.ms} ms, planning ${doc.timings.planMs} ms)`);
        for (const d of verdicts) {
          expect(d.cause).toBe(s.expect.cause);
          expect([...d.fails].sort()).toEqual(s.expect.fails);
          expect(d.add).toEqual(s.expect.add);
          for (const cidr of s.expect.add) expect(d.fix.join(' ')).toContain(cidr);
          if (s.expect.cause === 'reachable') expect(d.works).toHaveLength(groupCount(s.by));
        }
        // The probe pods ran where they were pinned: the pod's view from a pod namespace, the node's from the node.
        const vantage = s.model === 'tunnel' ? 'node' : 'pod';
        for (const g of doc.groups) {
          const node = FLEET_NODES.find((n) => n.name === g.probedFrom);
          const rep = g.reports[0]?.report;
          expect(g.reports[0]?.vantage).toBe(vantage);
          expect(rep?.from.addresses).toContain(vantage === 'node' ? node?.ip : node?.podCidr.replace(/0\/24$/, '10'));
        }
        if (s.id === 'fleet-vpc-sg-podcidr') {
          // Both vantage points: one pod-network and one hostNetwork pod per group. The nodes' own IPs are allowed,
          // so every node reaches the ECS; the verdict stays with the pods' view, the source the peer sees.
          const both = await fleet(['-o', 'json', '--vantage', 'both']);
          const d2 = JSON.parse(both.stdout) as Doc;
          expect(fleetSchemaErrors(d2)).toEqual([]);
          expect(api.state().created).toHaveLength(groupCount(s.by) * 3);
          expect(api.state().live).toEqual([]);
          for (const g of d2.groups) expect(g.reports.map((x) => `${x.vantage}:${x.report?.from.role}:${x.outcome}`)).toEqual([`node:node:reached`, `pod:pod:${g.key === 'node-a1' ? 'reached' : 'silent'}`]);
          expect(d2.diagnosis).toMatchObject({ cause: 'security-group', add: s.expect.add });
        }
        if (s.id === 'fleet-dual-sg-prefix6') {
          // Real packets over IPv6: the ECS saw pod-b1's own IPv6 address (no SNAT) and its IPv6 security group dropped it.
          expect(await lab.iptablesCounter('ecs', 'src6-pod-b1', 6)).toBeGreaterThan(0);
          expect(await lab.iptablesCounter('ecs', 'src6-b1', 6)).toBe(0);
          expect(await lab.iptablesCounter('ecs', 'sg-drop', 6)).toBeGreaterThan(0);
          expect(verdicts[0]?.summary).toContain('fails from pool-b (nodes in fd00:192:168:11::/64), works from pool-a (nodes in fd00:192:168:10::/64)');
          expect(verdicts[0]?.fix[0]).toBe('security group of fd00:192:168:10::52: inbound TCP 80 from fd00:172:16:3::/64');
        }
        if (s.id === 'fleet-control') {
          const text = await fleet(['-o', 'text']);
          expect(text.code).toBe(0);
          expect(text.stdout).toMatch(/^GROUP\s+PROBED FROM\s+T1\s+T2\s+T3$/m);
          expect(text.stdout).toMatch(/^pool-b\s+node-b1\s+✓\s+✓\s+✓$/m);
          expect(text.stdout).toContain('3 of 3 reachable from every group');
        }
        if (s.id === 'fleet-tunnel-sg-subnet') {
          // Real packets: the ECS saw node-b1's address and its security group dropped it.
          expect(await lab.iptablesCounter('ecs', 'src-b1')).toBeGreaterThan(0);
          expect(await lab.iptablesCounter('ecs', 'sg-drop')).toBeGreaterThan(0);
          const text = await fleet(['-o', 'text']);
          expect(text.code).toBe(1);
          expect(text.stdout).toMatch(/^pool-b\s+node-b1\s+✗$/m);
          expect(text.stdout).toMatch(/^pool-a\s+node-a1\s+✓$/m);
          expect(text.stdout).toContain('fails from pool-b (nodes in 192.168.11.0/24), works from pool-a (nodes in 192.168.10.0/24)');
          expect(text.stdout).toContain('→ security group of 192.168.10.52: inbound TCP 80 from 192.168.11.0/24');
          const junit = await fleet(['-o', 'junit']);
          const parsed = (await parseJunit(junit.stdout)) as { tests?: number; failures?: number; testsuite?: { testcase?: { name?: string; failure?: { type?: string }[] }[] }[] };
          expect(parsed).toMatchObject({ tests: 2, failures: 1 });
          expect(parsed.testsuite?.[0]?.testcase?.map((c) => `${c.name} ${c.failure?.[0]?.type ?? 'ok'}`)).toEqual(['pool-a → 192.168.10.52:80 ok', 'pool-b → 192.168.10.52:80 security-group']);
          expect(api.state().live).toEqual([]);
          // On a terminal without -o: the live matrix fills in (· waiting, … running), is erased, then the text.
          const tty = await fleetInTerminal();
          expect(tty.code, tty.stderr).toBe(1);
          expect(tty.stdout).toMatch(/pool-[ab]\s+node-[ab]1\s+[·…]/);
          expect(tty.stdout).toContain('0 of 2 groups probed');
          expect(tty.stdout).toContain('\x1b[J');
          const after = tty.stdout.slice(tty.stdout.lastIndexOf('\x1b[J'));
          expect(after).toMatch(/^\x1b\[J\S*podreach fleet: 1 target from 2 groups by pool/);
          expect(after).toContain('→ security group of 192.168.10.52: inbound TCP 80 from 192.168.11.0/24');
          expect(api.state().live).toEqual([]);
        }
      });
    }, 240_000);
  }
});

describe('podreach fleet leaves no probe pod behind', () => {
  const s = findFleetScenario('fleet-tunnel-sg-subnet');
  const silent = ['192.168.10.99:80'];

  it('a target that times out everywhere: every group fails, every pod is deleted', async () => {
    await withFleet(s, async ({ fleet, api }) => {
      const r = await fleet(['-o', 'json', '--by', 'node'], { targets: silent });
      expect(r.code, r.stderr).toBe(1);
      const doc = JSON.parse(r.stdout) as Doc;
      expect(doc.diagnosis?.works).toEqual([]);
      expect(doc.diagnosis?.fails).toHaveLength(3);
      expect(api.state().created).toHaveLength(3);
      expect(api.state().live).toEqual([]);
    });
  }, 240_000);

  for (const fault of ['server-error', 'reset'] as const) {
    const what = fault === 'reset' ? 'closing connections' : 'answering 500';
    it(`the API ${what} mid-run (status polls, a log read, the first deletes): a clear note, no pod left`, async () => {
      const pod = '/pods/podreach-probe-[0-9a-f]+';
      await withFleet(
        s,
        async ({ fleet, api }) => {
          const r = await fleet(['-o', 'json', '--by', 'node', '--max-pods', '3']);
          expect(r.stderr).toBe('');
          const doc = JSON.parse(r.stdout) as Doc & { notes: string[] };
          // One group's log read failed (whichever pod ended first): that group is unknown, named in a note; the others are judged.
          expect(doc.diagnosis?.unknown).toHaveLength(1);
          expect(doc.notes.join('\n')).toMatch(/could not read the log of pod podreach\/podreach-probe-/);
          expect(doc.diagnosis?.fails).toEqual(['node-b1'].filter((k) => !doc.diagnosis?.unknown.includes(k)));
          // node-b1 fails when it was judged; unknown, the groups that were judged all reach the target.
          expect(r.code, r.stderr).toBe(doc.diagnosis?.fails.length ? 1 : 0);
          expect(api.state().created).toHaveLength(3);
          expect(api.state().live).toEqual([]);
        },
        [
          { fault, path: `${pod}$`, method: 'GET', times: 4 },
          { fault, path: `${pod}/log$`, method: 'GET', times: 1 },
          { fault, path: `${pod}$`, method: 'DELETE', times: 2 },
        ],
      );
    }, 240_000);
  }

  for (const when of ['being created', 'running'] as const) {
    it(`SIGINT while pods are ${when}: exit 130, every created pod deleted`, async () => {
      await withFleet(s, async ({ spawnFleet, api }) => {
        const { child, done } = spawnFleet(['-o', 'json', '--by', 'node', '--max-pods', '2'], silent);
        await until(() => (when === 'running' ? api.state().live.length >= 2 : api.state().created.length >= 1), { what: `pods ${when}`, pollMs: 10 });
        if (when === 'running') await sleep(500);
        child.kill('SIGINT');
        const end = await done;
        expect(end.code, end.stderr).toBe(130);
        expect(api.state().created.length).toBeGreaterThan(0);
        expect(api.state().created.length).toBeLessThanOrEqual(2);
        expect(api.state().live).toEqual([]);
      });
    }, 240_000);
  }

  it('--cleanup deletes what a run killed hard (SIGKILL) left behind', async () => {
    await withFleet(s, async ({ spawnFleet, fleet, api }) => {
      const { child, done } = spawnFleet(['--by', 'node', '--max-pods', '3'], silent);
      await until(() => api.state().live.length >= 3, { what: 'pods running', pollMs: 10 });
      child.kill('SIGKILL');
      await done;
      expect(api.state().live.length).toBeGreaterThan(0);
      const c = await fleet(['--cleanup'], { targets: [] });
      expect(c.code, c.stderr).toBe(0);
      expect(c.stdout).toMatch(/^deleted pod podreach\/podreach-probe-/m);
      expect(api.state().live).toEqual([]);
    });
  }, 240_000);
});
