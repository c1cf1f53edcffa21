// --from-env over the API: the target pod's env, envFrom ConfigMaps and (only with =secrets and RBAC) Secrets,
// against the test API server with RBAC parsed from manifests/rbac*.yaml. The CLI runs from the bundle inside
// an empty network namespace (loopback only) that also holds the server; every target is on 127.0.0.0/8.
// The lab's password must not appear in stdout or stderr of any output mode.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { useEmptyNetns } from '../support/netns.ts';
import { FROM_ENV_API_MS, PodEnvError, podDependencies } from '../../src/kube/from-env.ts';
import { NODE, run } from '../lab/lab.ts';
import { ApiServer, fakeToken, inClusterEnv, type KubeObject, loadFixture, rulesFromManifests, SA_USER } from './api-server.ts';
import { BUNDLE, withApiIn } from './lab-api.ts';

const NS = useEmptyNetns('envapi');
const PASSWORD = 'pw-in-the-lab-configmap-Zq7';
const SHOP = 'shop-7d9f8c6b5-x2k4q';
const b64 = (s: string) => Buffer.from(s).toString('base64');

const OBJECTS: KubeObject[] = [
  {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: SHOP, namespace: 'default', uid: 'a1b2c3d4-0000-4000-8000-000000000001', labels: { app: 'shop' } },
    spec: {
      nodeName: '192.168.10.11',
      containers: [
        {
          name: 'app',
          image: 'shop:2.3.1',
          envFrom: [{ configMapRef: { name: 'shop-config' } }],
          env: [
            { name: 'REDIS_HOST', value: '127.0.0.2' },
            { name: 'REDIS_PORT', value: '6379' },
            { name: 'SHOP_JDBC_URL', valueFrom: { secretKeyRef: { name: 'shop-db', key: 'jdbc-url' } } },
            { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'shop-db', key: 'password' } } },
          ],
        },
      ],
    },
    status: { phase: 'Running', podIP: '172.16.1.20', hostIP: '192.168.10.11' },
  },
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'shop-config', namespace: 'default' }, data: { DATABASE_URL: `mysql://app:${PASSWORD}@127.0.0.1:3306/orders`, LOG_LEVEL: 'info' } },
  {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'shop-db', namespace: 'default' },
    type: 'Opaque',
    data: { 'jdbc-url': b64(`jdbc:postgresql://127.0.0.3:5432/shop?user=app&password=${PASSWORD}`), password: b64(PASSWORD) },
  },
];

const FROM = `pod default/${SHOP} container app env`;
const DSN = [`mysql://app:***@127.0.0.1:3306/orders`, `${FROM} DATABASE_URL (configmap shop-config key DATABASE_URL)`];
const REDIS = ['127.0.0.2:6379', `${FROM} REDIS_HOST + REDIS_PORT`];
const JDBC = ['postgres://127.0.0.3:5432', `${FROM} SHOP_JDBC_URL (secret shop-db key jdbc-url)`];
const RBAC = 'rbac.yaml,rbac-from-env.yaml';
const ALL_RBAC = 'rbac.yaml,rbac-from-env.yaml,rbac-from-env-secrets.yaml';


type Run = Awaited<ReturnType<typeof run>>;

/** podreach diagnose in the namespace, with the API's in-cluster env; `env` overrides (HOSTNAME=...). */
async function diagnose(rbac: string, args: string[], outputs: string[] = ['json'], env: string[] = []): Promise<Run[]> {
  return withApiIn(
    { podNs: NS, nodeNs: NS, flavour: 'cce-vpc', objects: OBJECTS },
    async (api) => {
      const out: Run[] = [];
      for (const o of outputs) {
        const argv = ['netns', 'exec', NS, 'env', '-i', 'PATH=/usr/sbin:/usr/bin:/sbin:/bin', 'LC_ALL=C', ...api.env, ...env, NODE, BUNDLE, 'diagnose', ...args, '--no-node-probe', '-o', o];
        out.push(await run('ip', argv, { timeoutMs: 30_000 }));
      }
      return out;
    },
    ['--rbac', rbac],
  );
}

type Doc = { target: { input: string; from: string } };
/** One target is one report; several, a sweep of them. */
const targets = (r: Run) => {
  const doc = JSON.parse(r.stdout) as Doc | { reports: Doc[] };
  return ('reports' in doc ? doc.reports : [doc]).map((x) => [x.target.input, x.target.from]);
};

function noPassword(runs: Run[]): void {
  for (const r of runs) {
    expect(r.timedOut).toBe(false);
    expect(r.stdout + r.stderr).not.toContain(PASSWORD);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  }
}

describe('podreach diagnose --from-env --pod, over the API', () => {
  it('ConfigMap DSN and literal REDIS_HOST/PORT, not the Secret; every output mode without the password', async () => {
    const runs = await diagnose(RBAC, ['--from-env', '--pod', SHOP], ['json', 'text', 'junit']);
    const [json, text, junit] = runs as [Run, Run, Run];
    expect(json.code, json.stderr).toBeLessThan(2);
    expect(targets(json)).toEqual([DSN, REDIS]);
    expect(json.stderr).toContain(`pod default/${SHOP} container app: SHOP_JDBC_URL (secret shop-db), DB_PASSWORD (secret shop-db): from Secrets, not read without --from-env=secrets`);
    expect(text.stdout).toContain('DATABASE_URL (configmap shop-config key DATABASE_URL)');
    expect(junit.stdout).toContain('<testcase name="mysql://app:***@127.0.0.1:3306/orders"');
    noPassword(runs);
  });

  it('the pod is read once: the targets and the run\'s API context come from the same GET', async () => {
    const gets = await withApiIn(
      { podNs: NS, nodeNs: NS, flavour: 'cce-vpc', objects: OBJECTS },
      async (api) => {
        const argv = ['netns', 'exec', NS, 'env', '-i', 'PATH=/usr/sbin:/usr/bin:/sbin:/bin', 'LC_ALL=C', ...api.env, NODE, BUNDLE, 'diagnose', '--from-env', '--pod', SHOP, '--no-node-probe', '-o', 'json'];
        const r = await run('ip', argv, { timeoutMs: 30_000 });
        expect(r.code, r.stderr).toBeLessThan(2);
        // The pod's own facts still come from it (the API context used the object --from-env read).
        const doc = JSON.parse(r.stdout) as { reports: { context: { podIp?: { value: string; source: string } } }[] };
        expect(doc.reports[0]?.context.podIp).toMatchObject({ value: '172.16.1.20', source: 'api' });
        return api.state().requestLog.filter((l) => l.startsWith(`GET /api/v1/namespaces/default/pods/${SHOP} `));
      },
      ['--rbac', RBAC],
    );
    expect(gets).toHaveLength(1);
  });

  it('=secrets with the opt-in RBAC: the JDBC URL from the Secret too, still no password anywhere', async () => {
    const runs = await diagnose(ALL_RBAC, ['--from-env=secrets', '--pod', SHOP], ['json', 'text', 'junit']);
    expect(runs[0]?.code, runs[0]?.stderr).toBeLessThan(2);
    expect(targets(runs[0] as Run)).toEqual([DSN, REDIS, JDBC]);
    expect(runs[0]?.stderr).toBe('');
    noPassword(runs);
  });

  it('=secrets without RBAC for secrets: the permission named, the rest still checked', async () => {
    const runs = await diagnose(RBAC, ['--from-env=secrets', '--pod', SHOP], ['json', 'text']);
    expect(targets(runs[0] as Run)).toEqual([DSN, REDIS]);
    expect(runs[0]?.stderr).toMatch(/^podreach: --from-env: 403 Forbidden: .* getting secret default\/shop-db \(grant get secrets in default \(manifests\/rbac-from-env-secrets\.yaml\)\)$/m);
    noPassword(runs);
  });

  it('no RBAC for configmaps: the permission named; the literal env is still read', async () => {
    const runs = await diagnose('rbac.yaml', ['--from-env', '--pod', SHOP]);
    expect(targets(runs[0] as Run)).toEqual([REDIS]);
    expect(runs[0]?.stderr).toContain('getting configmap default/shop-config (grant get configmaps in default (manifests/rbac-from-env.yaml))');
    noPassword(runs);
  });

  it('our own pod by hostname when --pod is not given; a TARGET right after --from-env is a target', async () => {
    const runs = await diagnose(RBAC, ['--from-env', '127.0.0.9:7'], ['json'], [`HOSTNAME=${SHOP}`]);
    expect(targets(runs[0] as Run).slice(1)).toEqual([DSN, REDIS]);
    expect(targets(runs[0] as Run)[0]?.[0]).toBe('127.0.0.9:7');
  });

  it('=secrets or --pod with --no-api: a usage error before anything is sent', async () => {
    const runs = await diagnose(RBAC, ['--from-env=secrets', '--no-api']);
    expect(runs[0]?.code).toBe(2);
    expect(runs[0]?.stderr).toBe('podreach: --from-env=secrets reads the pod over the API: drop --no-api\n');
  });

  it('the pod cannot be read (no get pods): one line naming the permission, exit 3', async () => {
    const runs = await diagnose('rbac-from-env.yaml', ['--from-env', '--pod', SHOP]);
    const r = runs[0] as Run;
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^podreach: failed: --from-env: 403 Forbidden: .* getting pod default/${SHOP} from https://127\\.0\\.0\\.1:\\d+ \\(grant get pods in default \\(manifests/rbac\\.yaml\\)\\)\\n$`));
  });

  it('--container that the pod does not have: a usage error naming the ones it has', async () => {
    const runs = await diagnose(RBAC, ['--from-env', '--pod', SHOP, '--container', 'sidecar']);
    expect(runs[0]?.code).toBe(2);
    expect(runs[0]?.stderr).toBe(`podreach: --container sidecar: no such container in pod default/${SHOP} (containers: app)\n`);
  });
});

describe('podDependencies: faults (server on 127.0.0.1)', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  async function serve(hang?: RegExp[]) {
    const fx = loadFixture('cce-vpc');
    const token = fakeToken();
    const s = await ApiServer.start({ objects: [...fx.items, ...OBJECTS], crds: fx['x-podreach-fixture'].crds, tokens: { [token]: { user: SA_USER, rules: rulesFromManifests(['rbac.yaml', 'rbac-from-env.yaml']) } }, hang });
    const dir = mkdtempSync(join(tmpdir(), 'podreach-envapi-'));
    dirs.push(dir);
    return { s, env: inClusterEnv(dir, s, token, 'test01-6cbbf97b78-krj6h') };
  }

  it('a silent API: --pod waits at most its budget, then one line; our own pod: a note, no error', async () => {
    const { s, env } = await serve([/\/pods\//]);
    try {
      const t0 = performance.now();
      const err = await podDependencies({ pod: SHOP, secrets: false, env, timeoutMs: 500 }).catch((e: unknown) => e);
      const waited = performance.now() - t0;
      console.log(`--from-env --pod, silent API: gave up after ${waited.toFixed(0)} ms (budget 500 ms; CLI budget ${FROM_ENV_API_MS} ms)`);
      expect(err).toBeInstanceOf(PodEnvError);
      expect((err as Error).message).toMatch(/^--from-env: timeout: no answer within \d+ ms .*getting pod default\/shop-7d9f8c6b5-x2k4q .*\(the targets come from the pod: --from-env waits for it\)$/);
      expect(waited).toBeLessThan(5000); // does not hang
      const own = await podDependencies({ secrets: false, env, timeoutMs: 300 });
      expect(own?.deps).toEqual([]);
      expect(own?.notes[0]).toMatch(/getting pod default\/test01-6cbbf97b78-krj6h .*; only this container's environment is read$/);
    } finally {
      await s.close();
    }
  });

  it('no credentials: --pod is an error; without it, nothing to read', async () => {
    const env = { HOME: '/nonexistent', PODREACH_SERVICEACCOUNT_DIR: '/nonexistent' };
    await expect(podDependencies({ pod: SHOP, secrets: false, env, timeoutMs: 500 })).rejects.toThrow(/no API credentials/);
    expect(await podDependencies({ secrets: false, env, timeoutMs: 500 })).toBeUndefined();
  });

  it('the fixture pod (no env at all): no dependencies, no notes', async () => {
    const { s, env } = await serve();
    try {
      expect(await podDependencies({ secrets: true, env, timeoutMs: 2000 })).toMatchObject({ deps: [], notes: [] });
      expect(s.requests.filter((r) => /secrets|configmaps/.test(r))).toEqual([]);
    } finally {
      await s.close();
    }
  });
});
