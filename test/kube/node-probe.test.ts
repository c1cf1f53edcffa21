// The automatic node-side probe against the test API server: create → wait → log → delete, and cleanup on
// abort, timeout, SIGINT and refusal. Probes only 127.0.0.1 (host namespace, loopback).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadKubeContext, runNodeProbe } from '../../src/kube/index.ts';
import { encodePlan, makePlan } from '../../src/probe/plan.ts';
import { parseTarget } from '../../src/probe/target.ts';

const planOf = (input: string) => makePlan([parseTarget(input)], 2500);
import { until } from '../lab/wait.ts';
import { ApiServer, fakeToken, inClusterEnv, loadFixture, type PodRunner, rulesFromManifests, SA_USER } from './api-server.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const CLI = join(ROOT, 'src/cli/main.ts');
const TOKEN = fakeToken();
const POD = 'test01-6cbbf97b78-krj6h';
const dirs: string[] = [];
let server: ApiServer | undefined;
let listener: Server;
let port = 0;

beforeAll(async () => {
  listener = createServer((s) => s.end());
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', () => r()));
  port = (listener.address() as { port: number }).port;
});
afterEach(async () => {
  if (server) {
    // The invariant of every test: nothing podreach created is left behind.
    expect(server.podreachPods()).toEqual([]);
    await server.close();
    server = undefined;
  }
});
afterAll(async () => {
  await new Promise<void>((r) => listener.close(() => r()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** `podreach ...` in the pod's command → this checkout's CLI (the image's entrypoint, locally). */
const realCli: PodRunner = ({ argv }) => (argv[0] === 'podreach' ? { argv: [process.execPath, CLI, ...argv.slice(1)] } : undefined);
const sleeper: PodRunner = () => ({ argv: ['sleep', '30'] });

async function setup(opts: { rules?: Parameters<typeof rulesFromManifests>[0]; runner?: PodRunner; restricted?: boolean } = {}) {
  const fx = loadFixture('cce-vpc');
  server = await ApiServer.start({
    objects: fx.items,
    crds: fx['x-podreach-fixture'].crds,
    tokens: { [TOKEN]: { user: SA_USER, rules: rulesFromManifests(opts.rules ?? ['rbac.yaml', 'rbac-node-probe.yaml']) } },
    runner: opts.runner ?? realCli,
    restrictedNamespaces: opts.restricted ? ['default'] : [],
  });
  const dir = mkdtempSync(join(tmpdir(), 'podreach-sa-'));
  dirs.push(dir);
  const env = inClusterEnv(dir, server, TOKEN, POD);
  const ctx = await loadKubeContext({ timeoutMs: 5000, env });
  expect(ctx.access, ctx.notes.join('\n')).toBe('ok');
  return { ctx, env, s: server };
}

describe('runNodeProbe', () => {
  it('runs the probe pod on our node, returns its report, deletes the pod', async () => {
    const { ctx, s } = await setup();
    const t0 = performance.now();
    const res = await runNodeProbe(ctx, planOf(`127.0.0.1:${port}`), { timeoutMs: 20_000 });
    console.log(`node probe round trip (create, run CLI, log, delete): ${(performance.now() - t0).toFixed(0)} ms`);
    expect(res.error).toBeUndefined();
    expect(res.reports?.[0]?.kind).toBe('podreach.probe');
    expect(res.reports?.[0]?.from.role).toBe('node');
    expect(res.reports?.[0]?.tcp?.status).toBe('open');
    expect(s.created).toEqual([`default/${res.podName}`]);
    expect(s.deleted).toEqual([`default/${res.podName}`]);
    expect(res.manualCommand).toBe(`kubectl debug node/192.168.10.11 -q --attach --profile=netadmin --image=podreach:0.1.0 -- podreach probe 127.0.0.1:${port} -o json`);
  });

  it('the pod it creates: hostNetwork, pinned to our node, Never restarts, deadline, owner, labels, tight resources', async () => {
    let seen: Record<string, unknown> | undefined;
    const { ctx } = await setup({
      runner: ({ pod }) => {
        seen = structuredClone(pod) as Record<string, unknown>;
        return { argv: ['true'] };
      },
    });
    await runNodeProbe(ctx, planOf('127.0.0.1:1'), { timeoutMs: 5000, image: 'podreach:test' });
    // biome-ignore lint/suspicious/noExplicitAny: a raw pod object, read field by field
    const pod = seen as { metadata: Record<string, any>; spec: Record<string, any> };
    expect(pod.spec.hostNetwork).toBe(true);
    expect(pod.spec.nodeName).toBe('192.168.10.11');
    expect(pod.spec.restartPolicy).toBe('Never');
    expect(pod.spec.activeDeadlineSeconds).toBeGreaterThan(0);
    expect(pod.spec.automountServiceAccountToken).toBe(false);
    expect(pod.metadata.name).toMatch(/^podreach-probe-[0-9a-f]{6}$/);
    expect(pod.metadata.labels['app.kubernetes.io/component']).toBe('node-probe');
    expect(pod.metadata.ownerReferences[0]).toMatchObject({ kind: 'Pod', name: POD });
    expect(pod.spec.containers[0].image).toBe('podreach:test');
    expect(pod.spec.containers[0].command).toEqual(['podreach', 'probe', '--plan', encodePlan(planOf('127.0.0.1:1')), '-o', 'json']);
    expect(pod.spec.containers[0].resources.limits).toEqual({ cpu: '200m', memory: '128Mi' });
  });

  it('abort while the pod runs → cancelled, pod deleted', async () => {
    const { ctx, s } = await setup({ runner: sleeper });
    const ac = new AbortController();
    const pending = runNodeProbe(ctx, planOf('127.0.0.1:1'), { timeoutMs: 20_000, signal: ac.signal });
    // Abort once the pod exists (a fixed delay could fire before it does on a loaded machine).
    await until(() => s.created.length > 0, { what: 'probe pod created', pollMs: 20 });
    const t0 = performance.now();
    ac.abort();
    const res = await pending;
    console.log(`abort → cleaned up in ${(performance.now() - t0).toFixed(0)} ms after the signal`);
    expect(res.error).toContain('cancelled');
    expect(s.deleted).toHaveLength(1);
  });

  it('timeout while the pod runs → error, pod deleted', async () => {
    const { ctx, s } = await setup({ runner: sleeper });
    // The pod sleeps 30 s; 5 s leaves a loaded machine time to create it before the timeout.
    const res = await runNodeProbe(ctx, planOf('127.0.0.1:1'), { timeoutMs: 5000 });
    expect(res.error).toContain('did not finish');
    expect(s.deleted).toHaveLength(1);
  });

  it('RBAC without pod creation → says so, prints the kubectl debug command, creates nothing', async () => {
    const { ctx, s } = await setup({ rules: ['rbac.yaml'] });
    const res = await runNodeProbe(ctx, planOf('192.0.2.1:80'), { timeoutMs: 5000 });
    expect(res.reports).toBeUndefined();
    expect(res.error).toMatch(/not allowed to create pods in default/);
    expect(res.error).toContain('rbac-node-probe.yaml');
    expect(res.manualCommand).toContain('kubectl debug node/192.168.10.11');
    expect(res.manualCommand).toContain('-- podreach probe 192.0.2.1:80 -o json');
    expect(s.created).toEqual([]);
  });

  it('Pod Security "restricted" namespace → names it, nothing created', async () => {
    const { ctx, s } = await setup({ restricted: true });
    const res = await runNodeProbe(ctx, planOf('127.0.0.1:1'), { timeoutMs: 5000 });
    expect(res.error).toMatch(/Pod Security/);
    expect(res.manualCommand).toMatch(/^kubectl debug node\//);
    expect(s.created).toEqual([]);
  });

  it('no API session → the manual command only', async () => {
    const res = await runNodeProbe({ access: 'forbidden', facts: {}, missing: [], notes: [] }, planOf('10.1.0.20:80'), { timeoutMs: 1000 });
    expect(res.error).toContain('--node-report');
    expect(res.manualCommand).toBe(`kubectl debug node/<NODE> -q --attach --profile=netadmin --image=podreach:0.1.0 -- podreach probe 10.1.0.20:80 -o json`);
  });

  it('SIGINT to a podreach process while its probe pod runs → the pod is deleted before it exits', async () => {
    const { env, s } = await setup({ runner: sleeper });
    const child = spawn(process.execPath, [join(ROOT, 'test/kube/drive.ts'), '127.0.0.1:1', '20000'], { env: { ...env, PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    // Wait (bounded) until the probe pod exists, then interrupt.
    const gone = () => (child.exitCode !== null ? `drive.ts exited (${child.exitCode}) first` : undefined);
    await until(() => s.created.length > 0, { what: 'probe pod created', pollMs: 50, gone });
    expect(s.created).toHaveLength(1);
    expect(s.podreachPods()).toHaveLength(1);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(code).toBe(130);
    expect(JSON.parse(out).probe.error).toContain('cancelled');
    expect(s.deleted).toEqual(s.created);
  });
});
