// Every dependency of an app in one run, in the lab with the test API server: each cause named as a
// single-target run names it, one node-probe pod for all targets, and no credential in any output.
import { parse as parseJunit } from 'junit2json';
import { describe, expect, it } from 'vitest';
import { NODE, withLab } from '../lab/lab.ts';
import { REDIS, SWEEPS, type Sweep } from '../lab/scenarios.ts';
import { schemaErrors, sweepSchemaErrors } from '../integration/schema.ts';
import { BUNDLE, withApi } from './lab-api.ts';

const deps = SWEEPS.find((s) => s.id === 'tunnel-app-deps') as Sweep;
const PASSWORD = 's3cret-lab-pw';

type Report = {
  timings: { probeMs: number };
  target: { input: string; port: number | null };
  notes: string[];
  probes: { pod: { tcp?: { port: number } }; node: { from: { role: string }; tcp?: { port: number }; durationMs: number } | null };
  diagnosis: { cause: string; confidence: number; summary: string; fix: string[] };
};

describe('podreach diagnose T1 T2 ... (a sweep), API and node probe, in the lab', () => {
  it(`${deps.id}: each dependency's cause, as the single-target runs name it; one probe pod in total; no password in any output`, async () => {
    await withLab(deps, (lab) =>
      withApi(lab, async (api) => {
        const inputs = deps.dependencies.map((d) => d.input);
        expect(inputs.join(' '), 'the lab gives one target a password').toContain(PASSWORD);
        const podreach = (args: string[]) => lab.exec('pod', ['env', ...api.env, NODE, BUNDLE, 'diagnose', ...args], { timeoutMs: 90_000 });

        const j = await podreach([...inputs, '-o', 'json']);
        expect(j.code, j.stderr).toBe(1);
        const sweep = JSON.parse(j.stdout) as { kind: string; reports: Report[]; summary: { targets: number; reachable: number; causes: Record<string, number> } };
        expect(sweepSchemaErrors(sweep)).toEqual([]);
        expect(sweep.kind).toBe('podreach.sweep');
        expect(sweep.summary).toMatchObject({ targets: inputs.length, reachable: 1 });
        // One node-probe pod ran the plan of every target, and is gone.
        expect(api.state().created).toHaveLength(1);
        expect(api.state().live).toEqual([]);
        const causes = sweep.reports.map((r) => r.diagnosis.cause);
        console.log(`${deps.id}: ${causes.join(', ')} (${j.ms} ms for ${inputs.length} targets; pod probes ${sweep.reports.map((r) => r.timings.probeMs).join('/')} ms, node ${sweep.reports.map((r) => r.probes.node?.durationMs).join('/')} ms)`);
        expect(causes).toEqual(deps.dependencies.map((d) => d.cause));
        for (const r of sweep.reports) {
          expect(r.probes.node?.from.role, r.target.input).toBe('node');
          if (r.probes.pod.tcp) expect(r.probes.node?.tcp?.port, r.target.input).toBe(r.target.port);
        }

        // The single-target run of each dependency names the same cause (one probe pod each).
        for (const [i, d] of deps.dependencies.entries()) {
          const one = await podreach([d.input, '-o', 'json']);
          const rep = JSON.parse(one.stdout) as Report;
          expect(schemaErrors(rep)).toEqual([]);
          expect(rep.diagnosis.cause, `${d.input} alone`).toBe(causes[i]);
        }
        // A reachable target alone may have its verdict before the API context is in: then no probe pod is
        // created at all (its node view could not change the verdict). Every other run creates one; none is left.
        const reachable = causes.filter((c) => c === 'reachable').length;
        expect(api.state().created.length).toBeGreaterThanOrEqual(1 + inputs.length - reachable);
        expect(api.state().created.length).toBeLessThanOrEqual(1 + inputs.length);
        expect(api.state().live).toEqual([]);

        const text = await podreach([...inputs, '-o', 'text']);
        expect(text.code).toBe(1);
        for (const d of deps.dependencies) expect(text.stdout).toMatch(new RegExp(`^\\S*${escape(d.input.replace(PASSWORD, '***'))}\\S*\\s+. ${d.cause}`, 'm'));
        expect(text.stdout).toMatch(/^1 reachable, 5 not reachable/m);

        const junit = await podreach([...inputs, '-o', 'junit']);
        expect(junit.code).toBe(1);
        const parsed = (await parseJunit(junit.stdout)) as { tests?: number; failures?: number; testsuite?: { testcase?: { name?: string; failure?: { message?: string; type?: string }[] }[] }[] };
        expect(parsed).toMatchObject({ tests: inputs.length, failures: inputs.length - 1 });
        const cases = parsed.testsuite?.[0]?.testcase ?? [];
        expect(cases.map((c) => c.failure?.[0]?.type ?? 'reachable')).toEqual(causes);
        expect(cases[1]?.failure?.[0]?.message).toContain(sweep.reports[1]?.diagnosis.fix[0]);

        for (const out of [j, text, junit]) expect(out.stdout + out.stderr).not.toContain(PASSWORD);
        for (const r of sweep.reports) expect(JSON.stringify(r)).not.toContain(PASSWORD);
      }),
    );
  }, 300_000);

  it('--port reaches the node probe: `diagnose IP --port N` makes the node probe TCP N, and the manual command carries it', async () => {
    await withLab(deps, (lab) =>
      withApi(lab, async (api) => {
        const d = await lab.exec('pod', ['env', ...api.env, NODE, BUNDLE, 'diagnose', REDIS, '--port', '6380', '-o', 'json'], { timeoutMs: 60_000 });
        const rep = JSON.parse(d.stdout) as Report;
        expect(rep.probes.pod.tcp?.port).toBe(6380);
        expect(rep.probes.node?.tcp?.port).toBe(6380);
        expect(rep.diagnosis.cause).toBe('port-closed');
        // Without the API the node side is a command to run by hand: the same targets, port and all.
        const manual = await lab.exec('pod', ['env', 'HOME=/nonexistent', NODE, BUNDLE, 'diagnose', REDIS, '--port', '6380', '-o', 'json'], { timeoutMs: 60_000 });
        const note = (JSON.parse(manual.stdout) as Report).notes.find((n) => n.includes('kubectl debug node/')) ?? '';
        expect(note).toContain(`-- podreach probe ${REDIS}:6380 -o json`);
      }),
    );
  }, 120_000);
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
