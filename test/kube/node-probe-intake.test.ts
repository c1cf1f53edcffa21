// The node-probe pod's log goes through the same intake as --node-report: a report podreach cannot use
// becomes a note naming what was wrong, and the verdict comes from the pod's own probes. Against the test
// API server; the "pod" prints a crafted log. Probes only 127.0.0.1 (host namespace, loopback).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runDiagnose } from '../../src/cli/diagnose.ts';
import { loadKubeContext, runNodeProbe } from '../../src/kube/index.ts';
import { makePlan } from '../../src/probe/plan.ts';
import { parseTarget } from '../../src/probe/target.ts';
import type { Target } from '../../src/probe/types.ts';
import type { PodreachReport } from '../../src/render/report.ts';
import { schemaErrors } from '../integration/schema.ts';
import { fullReport } from '../unit/probe/intake-fixtures.ts';
import { ApiServer, fakeToken, inClusterEnv, loadFixture, type PodRunner, rulesFromManifests, SA_USER } from './api-server.ts';

const TOKEN = fakeToken();
const POD = 'test01-6cbbf97b78-krj6h';
const dirs: string[] = [];
let server: ApiServer | undefined;
let listener: Server;
let target: Target;
/** A port nothing listens on: the pod's own probe fails, so the diagnosis waits for the node's report. */
let closed: Target;

beforeAll(async () => {
  listener = createServer((s) => s.end());
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', () => r()));
  const port = (listener.address() as { port: number }).port;
  target = { input: `127.0.0.1:${port}`, host: '127.0.0.1', ip: '127.0.0.1', port, portSource: 'target' };
  const gone = createServer();
  await new Promise<void>((r) => gone.listen(0, '127.0.0.1', () => r()));
  const free = (gone.address() as { port: number }).port;
  await new Promise<void>((r) => gone.close(() => r()));
  closed = { input: `127.0.0.1:${free}`, host: '127.0.0.1', ip: '127.0.0.1', port: free, portSource: 'target' };
});
afterEach(async () => {
  if (server) {
    expect(server.podreachPods()).toEqual([]);
    await server.close();
    server = undefined;
  }
});
afterAll(async () => {
  await new Promise<void>((r) => listener.close(() => r()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A probe pod whose log is `log`. */
async function podPrinting(log: string) {
  const dir = mkdtempSync(join(tmpdir(), 'podreach-sa-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'log'), log);
  const runner: PodRunner = () => ({ argv: ['cat', join(dir, 'log')] });
  const fx = loadFixture('cce-vpc');
  server = await ApiServer.start({
    objects: fx.items,
    crds: fx['x-podreach-fixture'].crds,
    tokens: { [TOKEN]: { user: SA_USER, rules: rulesFromManifests(['rbac.yaml', 'rbac-node-probe.yaml']) } },
    runner,
  });
  return inClusterEnv(dir, server, TOKEN, POD);
}

const planOf = (input: string) => makePlan([parseTarget(input)], 2500);

const report = (f: (r: Record<string, any>) => void = () => {}, t: Target = target) => {
  const r = structuredClone(fullReport(t)) as Record<string, any>;
  f(r);
  return JSON.stringify(r, null, 2);
};

describe('the probe pod log', () => {
  it('a report that breaks the schema → no report, an error naming the field', async () => {
    const env = await podPrinting(report((r) => (r.tcp.status = 'weird')));
    const res = await runNodeProbe(await loadKubeContext({ timeoutMs: 5000, env }), planOf(target.input), { timeoutMs: 20_000 });
    expect(res.reports?.[0]).toBeUndefined();
    expect(res.error).toMatch(/^node probe: pod default\/podreach-probe-\w+ printed a report podreach cannot use: \/tcp\/status must be one of open, refused/);
    expect(res.error).not.toContain('\n');
  });

  it('warnings before a good report are tolerated; unknown fields are removed', async () => {
    const env = await podPrinting(`warning: something\n${report((r) => (r.vendor = { x: 1 }))}\n`);
    const res = await runNodeProbe(await loadKubeContext({ timeoutMs: 5000, env }), planOf(target.input), { timeoutMs: 20_000 });
    expect(res.error).toBeUndefined();
    expect(res.reports?.[0]).toEqual(fullReport(target));
  });

  it('a log over 1 MB → refused by its size', async () => {
    const env = await podPrinting(report((r) => (r.pad = 'x'.repeat(1_100_000))));
    const res = await runNodeProbe(await loadKubeContext({ timeoutMs: 5000, env }), planOf(target.input), { timeoutMs: 20_000 });
    expect(res.reports?.[0]).toBeUndefined();
    expect(res.error).toMatch(/its log is over the 1 MB a probe report can be$/);
  });

  // A target the pod cannot reach: a reachable one would not wait for the node's view (the pod is cancelled).
  const diagnoseWith = async (log: string) => {
    const env = await podPrinting(log);
    const [only] = await runDiagnose([closed.input], { context: {}, env, version: '0.0.0', kube: {}, timeoutMs: 1000 });
    return only as PodreachReport;
  };

  it('through the diagnosis: a crashing shape → a note, the verdict from the pod alone, a valid report', async () => {
    const r = await diagnoseWith(report((r) => (r.from = 1), closed));
    expect(r.probes.node).toBeNull();
    expect(r.notes.join('\n')).toMatch(/node side: node probe: pod \S+ printed a report podreach cannot use: \/from must be an object; by hand: kubectl debug/);
    expect(r.diagnosis.cause).toBe('port-closed');
    expect(schemaErrors(r)).toEqual([]);
  });

  it('through the diagnosis: a report for another address → a note, not used', async () => {
    const r = await diagnoseWith(report((r) => (r.target.ip = '10.9.9.9'), closed));
    expect(r.probes.node).toBeNull();
    expect(r.notes.join('\n')).toContain("node side: the probe pod's report cannot be used: it probed 10.9.9.9, not 127.0.0.1");
  });
});
