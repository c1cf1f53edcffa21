// src/kube against the recorded-API test server on 127.0.0.1 (host namespace, loopback only).
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detect } from '../../src/kube/detect.ts';
import { loadKubeContext } from '../../src/kube/index.ts';
import {
  ApiServer,
  fakeToken,
  type Flavour,
  inClusterEnv as inClusterEnvIn,
  type Rule,
  loadFixture,
  rulesFromManifests,
  SA_USER,
  writeKubeconfig,
} from './api-server.ts';

const NODE = process.execPath;
const dirs: string[] = [];
const servers: ApiServer[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'podreach-kube-'));
  dirs.push(d);
  return d;
}
afterAll(async () => {
  for (const s of servers) await s.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const TOKEN = fakeToken();
const ADMIN: Rule[] = [{ verbs: ['*'], resources: ['*'] }];

async function serve(flavour: Flavour, rules = ADMIN, extra: Partial<Parameters<typeof ApiServer.start>[0]> = {}): Promise<ApiServer> {
  const fx = loadFixture(flavour);
  const s = await ApiServer.start({ objects: fx.items, crds: fx['x-podreach-fixture'].crds, tokens: { [TOKEN]: { user: SA_USER, rules } }, ...extra });
  servers.push(s);
  return s;
}

function inClusterEnv(s: ApiServer, podName: string, namespace = 'default', token = TOKEN): NodeJS.ProcessEnv {
  return inClusterEnvIn(tmp(), s, token, podName, namespace);
}

const POD = 'test01-6cbbf97b78-krj6h';

interface Expect {
  pod: string;
  ns: string;
  model: string;
  cloud?: string;
  cni: string;
  podIp: string;
  nodeIp: string;
  containerCidr?: string;
  nodePodCidr?: string;
  nonMasq?: string[];
  serviceCidr?: string;
}

const CASES: Record<Flavour, Expect> = {
  'cce-tunnel': { pod: POD, ns: 'default', model: 'tunnel', cloud: 'cce', cni: 'canal', podIp: '172.16.1.10', nodeIp: '192.168.10.11', containerCidr: '172.16.0.0/16', serviceCidr: '10.247.0.0/16' },
  'cce-vpc': { pod: POD, ns: 'default', model: 'vpc', cloud: 'cce', cni: 'yangtse', podIp: '172.16.1.10', nodeIp: '192.168.10.11', containerCidr: '172.16.0.0/16', nodePodCidr: '172.16.1.0/24', serviceCidr: '10.247.0.0/16' },
  'cce-turbo': { pod: POD, ns: 'default', model: 'eni', cloud: 'cce', cni: 'yangtse', podIp: '192.168.30.10', nodeIp: '192.168.10.11', containerCidr: '192.168.30.0/24', serviceCidr: '10.247.0.0/16' },
  eks: { pod: 'orders-7d9f8c6b5d-q2wxl', ns: 'shop', model: 'eni', cloud: 'eks', cni: 'aws-vpc-cni', podIp: '10.0.12.143', nodeIp: '10.0.12.87' },
  gke: { pod: 'api-5c7d9b8f4-mz2lp', ns: 'default', model: 'vpc', cloud: 'gke', cni: 'gke', podIp: '10.52.1.14', nodeIp: '10.132.0.7', nodePodCidr: '10.52.1.0/24', nonMasq: ['10.0.0.0/8', '172.16.0.0/12'] },
  calico: { pod: 'web-6f7b9c8d5-hk4tn', ns: 'default', model: 'tunnel', cni: 'calico', podIp: '10.244.133.75', nodeIp: '10.20.0.12', containerCidr: '10.244.0.0/16', nodePodCidr: '10.244.2.0/24' },
  'aks-overlay': { pod: 'cart-84c5d7f9b6-7nwzv', ns: 'default', model: 'tunnel', cloud: 'aks', cni: 'azure-cni-overlay', podIp: '10.244.2.31', nodeIp: '10.224.0.6', nodePodCidr: '10.244.2.0/24' },
};

describe('network model per recorded cluster flavour (kubeconfig, full read access)', () => {
  for (const [flavour, want] of Object.entries(CASES) as [Flavour, Expect][]) {
    it(flavour, async () => {
      const s = await serve(flavour);
      const kc = writeKubeconfig(tmp(), s, TOKEN, undefined, want.ns);
      const ctx = await loadKubeContext({ kubeconfig: kc, pod: want.pod, timeoutMs: 5000, env: { HOME: '/nonexistent' } });
      expect(ctx.access, ctx.notes.join('\n')).toBe('ok');
      const f = ctx.facts;
      expect(f.networkModel?.value).toBe(want.model);
      expect(f.networkModel?.source).toBe('api');
      expect(f.networkModel?.note).toBeTruthy();
      expect(f.cni?.value).toBe(want.cni);
      expect(f.cloud?.value).toBe(want.cloud);
      expect(f.podIp?.value).toBe(want.podIp);
      expect(f.nodeIp?.value).toBe(want.nodeIp);
      expect(f.containerCidr?.value).toBe(want.containerCidr);
      expect(f.nodePodCidr?.value).toBe(want.nodePodCidr);
      expect(f.nonMasqueradeCidrs?.value).toEqual(want.nonMasq);
      if (want.serviceCidr) expect(f.serviceCidr?.value).toBe(want.serviceCidr);
      for (const fact of Object.values(f)) {
        expect(fact.source).toBe('api');
        expect(fact.confidence).toBeGreaterThan(0);
        expect(fact.confidence).toBeLessThanOrEqual(1);
      }
      expect(ctx.session?.nodeName).toBe(f.nodeName?.value);
      expect(ctx.session?.ownImage).toBe('podreach:0.1.0'); // the ephemeral container kubectl debug added
    });
  }
});

describe('credentials and RBAC', () => {
  it('in-cluster service account with exactly manifests/rbac.yaml reads everything it needs', async () => {
    const s = await serve('cce-vpc', rulesFromManifests(['rbac.yaml']));
    const ctx = await loadKubeContext({ timeoutMs: 5000, env: inClusterEnv(s, POD) });
    expect(ctx.access, ctx.notes.join('\n')).toBe('ok');
    expect(ctx.facts.networkModel?.value).toBe('vpc');
    expect(ctx.notes.some((n) => n.includes(' 403 '))).toBe(false);
    expect(ctx.notes[0]).toContain(SA_USER);
    // Read-only: the server saw no write.
    expect(s.requests.filter((r) => !r.startsWith('GET '))).toEqual([]);
  });

  it('NetworkPolicies in the namespace (manifests/rbac.yaml): egress ones become a fact, with the pod labels', async () => {
    const policy = (name: string, spec: object) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: 'default' }, spec });
    const fx = loadFixture('cce-vpc');
    const s = await serve('cce-vpc', rulesFromManifests(['rbac.yaml']), {
      objects: [
        ...fx.items,
        policy('dns-only', { podSelector: { matchLabels: { app: 'test01' } }, policyTypes: ['Egress'], egress: [{ ports: [{ protocol: 'UDP', port: 53 }] }] }),
        policy('ingress-only', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{}] }),
      ],
    });
    const ctx = await loadKubeContext({ timeoutMs: 5000, env: inClusterEnv(s, POD) });
    expect(ctx.access, ctx.notes.join('\n')).toBe('ok');
    expect(ctx.facts.podLabels?.value).toMatchObject({ app: 'test01' });
    expect(ctx.facts.egressPolicies?.value.map((p) => p.name)).toEqual(['dns-only']);
    expect(ctx.facts.egressPolicies?.source).toBe('api');
    expect(s.requests.some((r) => r.startsWith('GET /apis/networking.k8s.io/v1/namespaces/default/networkpolicies '))).toBe(true);
  });

  it('NetworkPolicies not readable: no policy fact (never "none"), and the note names the rule', async () => {
    const s = await serve('cce-vpc', [{ verbs: ['get'], resources: ['pods'], namespaces: ['default'] }, { verbs: ['get'], resources: ['nodes'] }]);
    const ctx = await loadKubeContext({ timeoutMs: 5000, env: inClusterEnv(s, POD) });
    expect(ctx.facts.egressPolicies).toBeUndefined();
    expect(ctx.notes.find((n) => n.includes('listing networkpolicies'))).toMatch(/403 .*grant list networkpolicies\.networking\.k8s\.io in default/);
  });

  it('API forbids everything: degrades, says so, and names the RBAC rule and the flag', async () => {
    const s = await serve('cce-vpc', []);
    const ctx = await loadKubeContext({ timeoutMs: 5000, env: inClusterEnv(s, POD) });
    expect(ctx.access).toBe('forbidden');
    expect(ctx.facts).toEqual({});
    expect(ctx.session).toBeUndefined();
    const podNote = ctx.notes.find((n) => n.includes('getting pod'));
    expect(podNote).toMatch(/403 .*grant get pods in default/);
    expect(podNote).toContain('cannot get resource "pods"');
    const model = ctx.missing.find((m) => m.fact === 'networkModel');
    expect(model?.hint).toContain('--network-model');
    expect(model?.hint).toContain('grant');
  });

  it('only the own pod is readable: partial, pod facts from the API, node facts missing with their rule', async () => {
    const s = await serve('cce-vpc', [{ verbs: ['get'], resources: ['pods'], namespaces: ['default'] }]);
    const ctx = await loadKubeContext({ timeoutMs: 5000, env: inClusterEnv(s, POD) });
    expect(ctx.access).toBe('partial');
    expect(ctx.facts.podIp?.value).toBe('172.16.1.10');
    expect(ctx.facts.nodeIp?.value).toBe('192.168.10.11');
    expect(ctx.facts.nodePodCidr).toBeUndefined();
    expect(ctx.notes.some((n) => n.includes('grant get nodes'))).toBe(true);
    expect(ctx.missing.find((m) => m.fact === 'networkModel')?.hint).toContain('get nodes');
  });

  it('a rejected token (401) is reported, not thrown', async () => {
    const s = await serve('cce-vpc');
    const ctx = await loadKubeContext({ timeoutMs: 5000, env: inClusterEnv(s, POD, 'default', 'not-a-valid-token') });
    expect(ctx.access).toBe('forbidden');
    expect(ctx.notes.some((n) => n.includes('401') && n.includes('rejected'))).toBe(true);
  });

  it('no credentials anywhere → no-credentials, with hints', async () => {
    const ctx = await loadKubeContext({ timeoutMs: 2000, env: { HOME: '/nonexistent' } });
    expect(ctx.access).toBe('no-credentials');
    expect(ctx.missing.map((m) => m.fact)).toContain('networkModel');
    expect(ctx.notes[0]).toContain('--kubeconfig');
  });

  it('--context that does not exist is one clear note, not a throw', async () => {
    const s = await serve('cce-vpc');
    const kc = writeKubeconfig(tmp(), s, TOKEN);
    const ctx = await loadKubeContext({ kubeconfig: kc, context: 'nope', pod: POD, timeoutMs: 2000, env: { HOME: '/nonexistent' } });
    expect(ctx.access).toBe('error');
    expect(ctx.notes[0]).toContain('context "nope" not found');
  });

  it('--kubeconfig that does not exist is one note naming the file, not a throw', async () => {
    const ctx = await loadKubeContext({ kubeconfig: '/nonexistent/kubeconfig', pod: POD, timeoutMs: 2000, env: { HOME: '/nonexistent' } });
    expect(ctx.access).toBe('error');
    expect(ctx.notes).toEqual(['API: kubeconfig /nonexistent/kubeconfig: no such file; using what the pod itself shows']);
  });

  it('a missing pod name (laptop, no --pod) still reads cluster-wide signals and asks for --pod', async () => {
    const s = await serve('calico');
    const kc = writeKubeconfig(tmp(), s, TOKEN);
    const ctx = await loadKubeContext({ kubeconfig: kc, timeoutMs: 5000, env: { HOME: '/nonexistent' } });
    expect(ctx.access).toBe('partial');
    expect(ctx.facts.containerCidr?.value).toBe('10.244.0.0/16');
    expect(ctx.notes.some((n) => n.includes('--pod NAME'))).toBe(true);
  });
});

describe('bounded: never a hang', () => {
  let closedPort = 0;
  beforeAll(async () => {
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    closedPort = (srv.address() as { port: number }).port;
    await new Promise<void>((r) => srv.close(() => r()));
  });

  it('closed 127.0.0.1 port → unreachable, fast', async () => {
    const kc = writeKubeconfig(tmp(), `https://127.0.0.1:${closedPort}`, TOKEN);
    const t0 = performance.now();
    const ctx = await loadKubeContext({ kubeconfig: kc, pod: POD, timeoutMs: 3000, env: { HOME: '/nonexistent' } });
    const ms = performance.now() - t0;
    console.log(`unreachable API answered in ${ms.toFixed(0)} ms (timeout 3000)`);
    expect(ctx.access).toBe('unreachable');
    expect(ctx.notes.join('\n')).toContain('ECONNREFUSED');
    expect(ms).toBeLessThan(3000 + 2000); // bounded by timeoutMs, not a speed goal
  });

  it('a server that accepts and never answers → unreachable within the timeout', async () => {
    const s = await serve('cce-vpc', ADMIN, { hang: [/./] });
    const kc = writeKubeconfig(tmp(), s, TOKEN);
    const t0 = performance.now();
    const ctx = await loadKubeContext({ kubeconfig: kc, pod: POD, timeoutMs: 1500, env: { HOME: '/nonexistent' } });
    const ms = performance.now() - t0;
    console.log(`hanging API given up after ${ms.toFixed(0)} ms (timeout 1500)`);
    expect(ctx.access).toBe('unreachable');
    expect(ms).toBeLessThan(1500 + 2000);
  });
});

describe('lazy client', () => {
  const probe = `
import { registerHooks } from 'node:module';
let loaded = false;
registerHooks({ resolve(spec, ctx, next) { if (spec.includes('@kubernetes/client-node')) loaded = true; return next(spec, ctx); } });
const kube = await import(${JSON.stringify(new URL('../../src/kube/index.ts', import.meta.url).pathname)});
const afterImport = loaded;
const ctx = await kube.loadKubeContext({ timeoutMs: 1000, env: { HOME: '/nonexistent' } });
const afterNoCreds = loaded;
const dead = await kube.loadKubeContext({ kubeconfig: process.argv[1], pod: 'x', timeoutMs: 1000, env: { HOME: '/nonexistent' } });
const afterDead = loaded;
const live = await kube.loadKubeContext({ kubeconfig: process.argv[2], pod: 'x', timeoutMs: 3000, env: { HOME: '/nonexistent' } });
console.log(JSON.stringify({ afterImport, afterNoCreds, access: ctx.access, afterDead, dead: dead.access, afterUse: loaded, live: live.access }));
`;
  it('src/kube never loads @kubernetes/client-node: not on import, not without credentials, not for a dead or a live server', async () => {
    const dead = writeKubeconfig(tmp(), 'https://127.0.0.1:1', TOKEN);
    const live = writeKubeconfig(tmp(), await serve('cce-vpc'), TOKEN);
    // Asynchronously: the live server runs in this process.
    const { stdout } = await promisify(execFile)(NODE, ['--input-type=module', '-e', probe, dead, live], { encoding: 'utf8', timeout: 20_000 });
    expect(JSON.parse(stdout.trim().split('\n').pop() as string)).toEqual({
      afterImport: false,
      afterNoCreds: false,
      access: 'no-credentials',
      afterDead: false,
      dead: 'unreachable',
      afterUse: false,
      live: 'partial',
    });
  });

  it('import cost of src/kube/index.ts vs the client (figures only)', () => {
    const time = (code: string) => {
      const r = spawnSync(NODE, ['--input-type=module', '-e', `const t=performance.now(); ${code}; console.log(performance.now()-t)`], { encoding: 'utf8', timeout: 30_000 });
      return Number(r.stdout.trim());
    };
    const kube = time(`await import(${JSON.stringify(new URL('../../src/kube/index.ts', import.meta.url).pathname)})`);
    const client = time(`await import('@kubernetes/client-node')`);
    console.log(`import src/kube/index.ts: ${kube.toFixed(0)} ms; import @kubernetes/client-node: ${client.toFixed(0)} ms`);
    expect(Number.isFinite(kube) && Number.isFinite(client)).toBe(true);
  });
});

describe('detect() edge cases', () => {
  it('ip-masq-agent DaemonSet without a readable ConfigMap → its RFC 1918 defaults, lower confidence', () => {
    const d = detect({
      namespace: 'default',
      daemonSets: { ok: true, value: [{ metadata: { name: 'ip-masq-agent' } }] },
      configMaps: { 'ip-masq-agent': { ok: false, status: 'forbidden', code: 403, message: 'no' } },
    });
    expect(d.facts.nonMasqueradeCidrs?.value).toEqual(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16']);
    expect(d.facts.nonMasqueradeCidrs?.confidence).toBeLessThan(0.9);
  });
  it('nothing readable → no facts at all (no invented model)', () => {
    expect(detect({ namespace: 'default', configMaps: {} }).facts).toEqual({});
  });
});

