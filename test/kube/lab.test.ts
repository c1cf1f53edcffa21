// In the lab: the recorded CCE cluster of the scenario's model is served by the test API server running inside
// the pod's network namespace (127.0.0.1 there); podreach runs in the pod namespace with an in-cluster-style
// service-account dir and no context flags; the probe pod runs `podreach probe` in the node namespace.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { NODE, withLab } from '../lab/lab.ts';
import { NODE_IP, SCENARIOS, SERVICE_CIDR, type Scenario } from '../lab/scenarios.ts';
import { until } from '../lab/wait.ts';
import { BUNDLE, withApi } from './lab-api.ts';

function target(s: Scenario): string {
  return `${s.target.host}:${s.target.port}`;
}

function expectCause(s: Scenario, cause: string, alternatives: string[], label: string) {
  const ambiguous = (s as Scenario & { indistinguishableFrom?: string }).indistinguishableFrom;
  if (ambiguous && cause === ambiguous) expect(alternatives, label).toContain(s.expectedCause);
  else expect(cause, label).toBe(s.expectedCause);
}

describe.each(['tunnel', 'vpc', 'eni'] as const)('`podreach diagnose TARGET` with no context flags, API and node probe, %s model', (model) => {
  for (const s of SCENARIOS.filter((x) => x.model === model)) {
    it(`${s.id} → ${s.expectedCause}`, async () => {
      await withLab(s, (lab) =>
        withApi(lab, async (api) => {
          type Fact = { value: unknown; source: string };
          type Rep = {
            context: Record<string, Fact | undefined>;
            probes: { node: object | null };
            notes: string[];
            diagnosis: { cause: string; confidence: number; summary: string; evidence: string[]; fix: string[]; alternatives: { cause: string }[] };
          };
          const d = await lab.exec('pod', ['env', ...api.env, NODE, BUNDLE, 'diagnose', target(s), '-o', 'json'], { timeoutMs: 30_000 });
          const rep = JSON.parse(d.stdout) as Rep;
          // The API supplies what the foundation tests passed as flags, and says so.
          const flag = (name: string) => s.flags[s.flags.indexOf(name) + 1];
          const c = rep.context;
          // On a failure, what podreach itself said (API and probe notes, the verdict's evidence), not just the value.
          const said = `${d.ms} ms; notes: ${rep.notes.join(' | ')}; evidence: ${rep.diagnosis.evidence.join(' | ')}`;
          expect(c.networkModel, said).toMatchObject({ value: s.model, source: 'api' });
          expect(c.nodeIp).toMatchObject({ value: NODE_IP, source: 'api' });
          expect(c.containerCidr).toMatchObject({ value: flag('--container-cidr'), source: 'api' });
          expect(c.serviceCidr?.value).toBe(SERVICE_CIDR);
          // The node side came from the probe pod, which is gone again; a target this pod reached needs none
          // (its probe pod, if the API answered first and it was created, was cancelled).
          if (s.expectedCause === 'reachable') {
            expect(rep.probes.node, said).toBeNull();
            expect(rep.notes.join('\n')).toContain('node side: not needed');
          } else expect(rep.probes.node, `node report from the probe pod (${said})`).not.toBeNull();
          expect(api.state().live).toEqual([]);
          expect(api.state().deleted).toEqual(api.state().created);
          const diag = rep.diagnosis;
          console.log(`${s.id.padEnd(26)} no flags → ${diag.cause} ${diag.confidence.toFixed(2)} (${Math.round(d.ms)} ms with API and node probe)`);
          expectCause(s, diag.cause, diag.alternatives.map((x) => x.cause), `${s.id}: ${diag.cause} ${diag.confidence} — ${diag.summary} (${said})`);
          // The policy came from the API, and the fix names it.
          if (s.expectedCause === 'network-policy') {
            expect(c.egressPolicies).toMatchObject({ source: 'api' });
            const policy = (s.apiObjects?.[0] as { metadata: { name: string } }).metadata.name;
            expect(diag.fix.join('\n')).toContain(`kubectl -n default patch networkpolicy ${policy}`);
          }
        }),
      );
    });
  }
});

describe('evidence that cannot change the verdict is not awaited', () => {
  type Rep = { diagnosis: { cause: string }; probes: { node: object | null } };
  /** diagnose in scenario `id` with the API, each probe pod held Pending `podStartMs`; no pod may be left. */
  const diagnoseWithPodStart = (id: string, podStartMs: number, check: (rep: Rep, ms: number, log: () => string[]) => void | Promise<void>) => {
    const s = SCENARIOS.find((x) => x.id === id) as Scenario;
    return withLab(s, (lab) =>
      withApi(
        lab,
        async (api) => {
          const d = await lab.exec('pod', ['env', ...api.env, NODE, BUNDLE, 'diagnose', target(s), '-o', 'json'], { timeoutMs: 30_000 });
          await check(JSON.parse(d.stdout) as Rep, d.ms, () => api.state().requestLog);
          expect(api.state().live).toEqual([]);
          expect(api.state().deleted).toEqual(api.state().created);
        },
        ['--pod-start-ms', String(podStartMs)],
      ),
    );
  };

  it('a reachable target: the verdict does not wait for a probe pod that takes 10 s to start, and no pod is left', async () => {
    await diagnoseWithPodStart('vpc-ok', 10_000, (rep, ms) => {
      expect(rep.diagnosis.cause).toBe('reachable');
      expect(rep.probes.node).toBeNull();
      // Waiting for the pod would take ≥ 10 s; the bound only proves it was not awaited.
      expect(ms).toBeLessThan(10_000);
    });
  });

  it('a failing target still gets the node side, after the pod start', async () => {
    await diagnoseWithPodStart('vpc-sg-container-cidr', 2000, async (rep, ms, log) => {
      expect(rep.probes.node).not.toBeNull();
      expect(rep.diagnosis.cause).toBe('security-group');
      expect(ms).toBeGreaterThanOrEqual(2000);
      // The pod's end was watched through its 2 s start: one watch, not a read every 200 ms. (A watch is logged
      // when its connection closes: the server may write its state a moment after the CLI exits.)
      await until(() => log().some((q) => q.includes('/pods?watch ')), { what: 'the watch logged', pollMs: 50, deadlineMs: 5000 });
      expect(log().filter((q) => q.includes('/pods?watch '))).toEqual(['GET /api/v1/namespaces/default/pods?watch 200']);
      expect(log().filter((q) => /\/pods\/podreach-probe-[0-9a-f]+ /.test(q) && q.startsWith('GET '))).toEqual([]);
    });
  });
});

describe('the probe pod is on its way as soon as it can be placed', () => {
  it('a failing target: the probe pod is created once our pod is read, while the cluster\'s slow reads are still out', async () => {
    const s = SCENARIOS.find((x) => x.id === 'vpc-sg-container-cidr') as Scenario;
    // Every read of the cluster's network signals takes 300 ms (a loaded server, a large cluster); our pod and node do not.
    const bulk = ['/daemonsets$', '/configmaps/', '/network-attachment-definitions$', '/ippools$', '/services/kubernetes$', '/networkpolicies$'];
    await withLab(s, (lab) =>
      withApi(
        lab,
        async (api) => {
          const d = await lab.exec('pod', ['env', ...api.env, NODE, BUNDLE, 'diagnose', target(s), '-o', 'json'], { timeoutMs: 30_000 });
          const rep = JSON.parse(d.stdout) as { diagnosis: { cause: string }; probes: { node: object | null }; notes: string[] };
          expect(rep.diagnosis.cause).toBe('security-group');
          expect(rep.probes.node).not.toBeNull();
          // The server logs a request when it answers it: the create was answered before the first slow read was.
          const log = api.state().requestLog;
          const created = log.findIndex((q) => q === 'POST /api/v1/namespaces/default/pods 201');
          const firstSlow = log.findIndex((q) => q.includes('/kube-system/'));
          expect(created).toBeGreaterThanOrEqual(0);
          expect(firstSlow).toBeGreaterThan(created);
          // And the slow reads were still waited for: the context has them.
          expect(rep.notes.join('\n')).not.toMatch(/did not finish|no answer within/);
          expect(api.state().live).toEqual([]);
        },
        bulk.flatMap((p) => ['--slow', `${p}=300`]),
      ),
    );
  });
});

describe('interrupting the CLI', () => {
  it('SIGINT while the probe pod runs: the CLI deletes it before exiting', async () => {
    const s = SCENARIOS.find((x) => x.id === 'vpc-sg-container-cidr') as Scenario;
    await withLab(s, (lab) =>
      withApi(lab, async (api) => {
        const child = spawn('ip', ['netns', 'exec', lab.ns('pod'), 'env', ...api.env, NODE, BUNDLE, 'diagnose', target(s), '-o', 'json', '--timeout', '20000'], { stdio: 'ignore' });
        const gone = () => (child.exitCode !== null ? `the CLI exited (${child.exitCode}) first` : undefined);
        await until(() => api.state().created.length > 0, { what: 'probe pod created', pollMs: 50, gone });
        expect(api.state().created.length).toBe(1);
        child.kill('SIGINT');
        await new Promise((r) => child.on('close', r));
        expect(api.state().live).toEqual([]);
      }),
    );
  });
});
