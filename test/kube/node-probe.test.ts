// The automatic node-side probe against the test API server: create → wait → log → delete, and cleanup on
// abort, timeout, SIGINT and refusal. Probes only 127.0.0.1 (host namespace, loopback).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadKubeContext, runNodeProbe } from '../../src/kube/index.ts';
import { encodePlan, makePlan } from '../../src/probe/plan.ts';
import { parseTarget } from '../../src/probe/target.ts';

const planOf = (input: string) => makePlan([parseTarget(input)], 2500);
import { until } from '../lab/wait.ts';
import { ApiServer, fakeToken, inClusterEnv, loadFixture, type PodRunner, type Rule, rulesFromManifests, SA_USER, type WatchFault } from './api-server.ts';

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

async function setup(
  opts: { rules?: Parameters<typeof rulesFromManifests>[0]; extraRules?: Rule[]; runner?: PodRunner; restricted?: boolean; watchFaults?: WatchFault[]; podStartMs?: number } = {},
) {
  const fx = loadFixture('cce-vpc');
  server = await ApiServer.start({
    objects: fx.items,
    crds: fx['x-podreach-fixture'].crds,
    tokens: { [TOKEN]: { user: SA_USER, rules: [...rulesFromManifests(opts.rules ?? ['rbac.yaml', 'rbac-node-probe.yaml']), ...(opts.extraRules ?? [])] } },
    runner: opts.runner ?? realCli,
    restrictedNamespaces: opts.restricted ? ['default'] : [],
    watchFaults: opts.watchFaults,
    podStartMs: opts.podStartMs,
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
    const took = performance.now() - t0;
    console.log(`abort → cleaned up in ${took.toFixed(0)} ms after the signal`);
    // Not a speed goal: far under the 20 s timeout, i.e. the abort ended the wait, the timeout did not.
    expect(took).toBeLessThan(10_000);
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

/** The requests that waited for the probe pod: its watches ("?watch 200") and its plain reads. */
function waits(s: ApiServer, pod: string | undefined) {
  return {
    watches: s.requests.filter((r) => r.startsWith('GET /api/v1/namespaces/default/pods?watch ')),
    gets: s.requests.filter((r) => r.startsWith(`GET /api/v1/namespaces/default/pods/${pod} `)),
  };
}

describe('waiting for the probe pod: a watch, and the fallbacks', () => {
  const target = () => planOf(`127.0.0.1:${port}`);
  const nodeReport = (res: Awaited<ReturnType<typeof runNodeProbe>>) => {
    expect(res.error).toBeUndefined();
    expect(res.reports?.[0]?.from.role).toBe('node');
    expect(res.reports?.[0]?.tcp?.status).toBe('open');
  };

  it('watched: one watch request through the pod start, no repeated reads of the pod', async () => {
    const { ctx, s } = await setup({ podStartMs: 600 });
    const res = await runNodeProbe(ctx, target(), { timeoutMs: 20_000 });
    nodeReport(res);
    const w = waits(s, res.podName);
    expect(w.watches).toEqual(['GET /api/v1/namespaces/default/pods?watch 200']);
    // Polling every 200 ms through a 600 ms start would have read it 3 times or more.
    expect(w.gets).toEqual([]);
    expect(s.deleted).toEqual(s.created);
  });

  it('a failed pod is seen failed through the watch, with its exit code', async () => {
    const { ctx, s } = await setup({ runner: () => ({ argv: ['sh', '-c', 'exit 3'] }) });
    const res = await runNodeProbe(ctx, planOf('127.0.0.1:1'), { timeoutMs: 20_000 });
    expect(res.error).toMatch(/failed \(Error, exit 3\) without a podreach report/);
    expect(waits(s, res.podName).gets).toEqual([]);
  });

  it('the pod deleted by someone else during the watch → "disappeared", at once', async () => {
    const { ctx, s } = await setup({ runner: sleeper });
    const pending = runNodeProbe(ctx, planOf('127.0.0.1:1'), { timeoutMs: 20_000 });
    await until(() => s.podreachPods().length > 0, { what: 'probe pod created', pollMs: 20 });
    const name = s.podreachPods()[0]?.metadata.name as string;
    // Let the watch open first (a watch is logged when it ends, so there is nothing to wait on).
    await new Promise((r) => setTimeout(r, 300));
    await deletePod(s, name);
    const res = await pending;
    expect(res.error).toContain(`pod default/${name} disappeared before it finished`);
    expect(waits(s, name).watches).toHaveLength(1);
  });

  it.each([
    ['RBAC grants no watch (403)', { rules: ['rbac.yaml'], extraRules: NO_WATCH }, 403],
    ['watch not served (405)', { watchFaults: ['refused'] }, 405],
    ['watch not found (404)', { watchFaults: ['not-found'] }, 404],
  ] as [string, Parameters<typeof setup>[0], number][])('%s → polled, the report still arrives', async (_, opts, code) => {
    const { ctx, s } = await setup({ ...opts, podStartMs: 300 });
    const res = await runNodeProbe(ctx, target(), { timeoutMs: 20_000 });
    nodeReport(res);
    const w = waits(s, res.podName);
    expect(w.watches).toEqual([`GET /api/v1/namespaces/default/pods?watch ${code}`]);
    expect(w.gets.length).toBeGreaterThan(0);
  });

  it.each([
    ['the connection cut mid-stream', 'cut'],
    ['the stream ended by the server (timeoutSeconds, a restart)', 'closed'],
  ] as [string, WatchFault][])('%s → watched again from the last resourceVersion, no reads of the pod', async (_, fault) => {
    const { ctx, s } = await setup({ watchFaults: [fault], podStartMs: 300 });
    const res = await runNodeProbe(ctx, target(), { timeoutMs: 20_000 });
    nodeReport(res);
    const w = waits(s, res.podName);
    expect(w.watches).toHaveLength(2);
    expect(w.gets).toEqual([]);
  });

  it.each([
    ['410 Gone (an ERROR event)', 'gone'],
    ['a line that is not JSON', 'garbage'],
    ['the list instead of a watch (watch=1 dropped on the way)', 'ignored'],
  ] as [string, WatchFault][])('%s → one read and polling, the report still arrives', async (_, fault) => {
    const { ctx, s } = await setup({ watchFaults: [fault], podStartMs: 300 });
    const res = await runNodeProbe(ctx, target(), { timeoutMs: 20_000 });
    nodeReport(res);
    const w = waits(s, res.podName);
    expect(w.watches).toHaveLength(1);
    expect(w.gets.length).toBeGreaterThan(0);
  });

  it('abort during the watch → cancelled at once, the watch closed, the pod deleted', async () => {
    const { ctx, s } = await setup({ runner: sleeper });
    const ac = new AbortController();
    const pending = runNodeProbe(ctx, planOf('127.0.0.1:1'), { timeoutMs: 20_000, signal: ac.signal });
    await until(() => s.podreachPods().length > 0, { what: 'probe pod created', pollMs: 20 });
    await new Promise((r) => setTimeout(r, 300));
    const t0 = performance.now();
    ac.abort();
    const res = await pending;
    expect(performance.now() - t0).toBeLessThan(10_000); // the abort ended it, not the 20 s timeout
    expect(res.error).toContain('cancelled');
    expect(s.deleted).toEqual(s.created);
    await until(() => waits(s, res.podName).watches.length === 1, { what: 'the watch closed', pollMs: 20, deadlineMs: 5000 });
    expect(waits(s, res.podName).gets).toEqual([]);
  });
});

/** The node-probe rights of rbac-node-probe.yaml as they were before watch: create, get, delete, the log. */
const NO_WATCH: Rule[] = [
  { verbs: ['create', 'get', 'delete'], resources: ['pods'], namespaces: ['default'] },
  { verbs: ['get'], resources: ['pods/log'], namespaces: ['default'] },
];

/** Someone else deletes the pod (kubectl delete pod), with the test's own token. */
function deletePod(s: ApiServer, name: string): Promise<void> {
  return new Promise((ok, no) => {
    const req = httpsRequest(`${s.url}/api/v1/namespaces/default/pods/${name}`, { method: 'DELETE', ca: readFileSync(s.caFile as string), headers: { authorization: `Bearer ${TOKEN}` } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? ok() : no(new Error(`DELETE ${name}: ${res.statusCode}`))));
    });
    req.on('error', no);
    req.end();
  });
}
