// In the lab: the recorded CCE cluster of the scenario's model is served by the test API server running inside
// the pod's network namespace (127.0.0.1 there); podreach runs in the pod namespace with an in-cluster-style
// service-account dir and no context flags; the probe pod runs `podreach probe` in the node namespace.
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import type { Lab } from '../lab/lab.ts';
import { NODE, withLab } from '../lab/lab.ts';
import { NODE_IP, SCENARIOS, SERVICE_CIDR, type Scenario } from '../lab/scenarios.ts';
import { until, waitLine } from '../lab/wait.ts';
import { fakeToken, writeServiceAccount } from './api-server.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
// A private copy: other suites rebuild dist/ while this one runs.
const PRIVATE = mkdtempSync(join(tmpdir(), 'podreach-bundle-'));
const BUNDLE = join(PRIVATE, 'podreach.mjs');
cpSync(join(ROOT, 'dist'), PRIVATE, { recursive: true });
afterAll(() => rmSync(PRIVATE, { recursive: true, force: true }));
const POD = 'test01-6cbbf97b78-krj6h';
const FLAVOUR = { tunnel: 'cce-tunnel', vpc: 'cce-vpc', eni: 'cce-turbo' } as const;

interface Api {
  env: string[];
  state(): { created: string[]; deleted: string[]; live: string[] };
}

async function withApi<T>(lab: Lab, fn: (api: Api) => Promise<T>, extra: string[] = []): Promise<T> {
  const s = lab.scenario;
  const dir = mkdtempSync(join(tmpdir(), 'podreach-lab-api-'));
  const token = fakeToken();
  const stateFile = join(dir, 'state.json');
  const rewrite = s.build.containerCidr.startsWith('172.17.') ? ['--rewrite', '172.16.=172.17.'] : [];
  const objects = s.apiObjects ? join(dir, 'objects.json') : undefined;
  if (objects) writeFileSync(objects, JSON.stringify(s.apiObjects));
  const child: ChildProcess = spawn(
    'ip',
    ['netns', 'exec', lab.ns('pod'), NODE, join(ROOT, 'test/kube/api-server-main.ts'), '--flavour', FLAVOUR[s.model], '--node-ns', lab.ns('node'),
      '--podreach', `${NODE} ${BUNDLE}`, '--token', token, '--state', stateFile, ...rewrite, ...(objects ? ['--objects', objects] : []), ...extra],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  try {
    const [, url] = await waitLine(child, child.stdout as Readable, /^(\S+) ready$/, { what: 'API server', also: [child.stderr as Readable] });
    const state = () => JSON.parse(readFileSync(stateFile, 'utf8'));
    const sa = writeServiceAccount(mkdtempSync(join(dir, 'sa-')), token, state().caFile);
    const u = new URL(url as string);
    const env = [`KUBERNETES_SERVICE_HOST=${u.hostname}`, `KUBERNETES_SERVICE_PORT=${u.port}`, `PODREACH_SERVICEACCOUNT_DIR=${sa}`, `HOSTNAME=${POD}`, 'HOME=/nonexistent'];
    return await fn({ env, state });
  } finally {
    try {
      process.kill(-(child.pid ?? 0), 'SIGTERM');
    } catch {}
    await new Promise<void>((r) => {
      const t = setTimeout(() => {
        try {
          process.kill(-(child.pid ?? 0), 'SIGKILL');
        } catch {}
        r();
      }, 5000);
      if (child.exitCode !== null) {
        clearTimeout(t);
        r();
      } else
        child.on('close', () => {
          clearTimeout(t);
          r();
        });
    });
    rmSync(dir, { recursive: true, force: true });
  }
}

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
          // The node side came from the probe pod, which is gone again.
          expect(rep.probes.node, 'node report from the probe pod').not.toBeNull();
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
