// image/kubectl-podreach, the wrapper's own logic under dash (POSIX sh: no bash-only constructs): a fake
// `kubectl` first on PATH records every argv and answers from a table. The plugin against the real kubectl
// and an API server is test/kube/kubectl-plugin.test.ts.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../lab/lab.ts';
import { PKG_VERSION as VERSION, REPO } from './podman.ts';

const PLUGIN = join(REPO, 'image', 'kubectl-podreach');

const dir = mkdtempSync(join(tmpdir(), 'kubectl-podreach-'));
const LOG = join(dir, 'calls.log');
writeFileSync(
  join(dir, 'kubectl'),
  `#!/bin/sh
{ echo '>>>'; printf '%s\\n' "$@"; } >> "$FAKE_LOG"
case "$*" in
  *'get pod missing'*) echo 'Error from server (NotFound): pods "missing" not found' >&2; exit 1 ;;
  *'get pod empty'*) printf 'default '; exit 0 ;;
  *'get namespace'*) printf '%s' "\${FAKE_LEVEL-}"; exit 0 ;;
  *'.state.terminated.exitCode'*) printf '%s' "\${FAKE_EXIT:-0}"; exit 0 ;;
  *'.state}'*) printf 'map[terminated:map[exitCode:0]]'; exit 0 ;;
  *'get pod'*) printf 'default app'; exit 0 ;;
  *'debug node/'*) exit "\${FAKE_EXIT:-0}" ;;
  *debug*) exit 0 ;;
  *logs*) echo 'VERDICT  security-group: ...'; exit 0 ;;
esac
exit 99
`,
);
chmodSync(join(dir, 'kubectl'), 0o755);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the plugin with dash; returns its result and the kubectl calls it made (one argv per call). */
async function plugin(args: string[], env: Record<string, string> = {}) {
  rmSync(LOG, { force: true });
  const saved = { ...process.env };
  Object.assign(process.env, { PATH: `${dir}:${process.env.PATH}`, FAKE_LOG: LOG, ...env });
  if (!('PODREACH_IMAGE' in env)) delete process.env.PODREACH_IMAGE;
  try {
    const r = await run('dash', [PLUGIN, ...args], { timeoutMs: 10_000 });
    let calls: string[][] = [];
    try {
      calls = readFileSync(LOG, 'utf8')
        .split('>>>\n')
        .filter(Boolean)
        .map((c) => c.replace(/\n$/, '').split('\n'));
    } catch {}
    return { ...r, calls };
  } finally {
    process.env = saved;
  }
}

const debugCall = (calls: string[][]) => calls.find((c) => c.includes('debug')) ?? [];

describe('kubectl-podreach (wrapper logic, dash, fake kubectl)', () => {
  it('reads the pod, creates the debug container (netadmin, --target, detached), follows its log, exits with its code', async () => {
    const r = await plugin(['web-7d9f', '192.168.10.52:80', '10.1.0.20:80'], { FAKE_EXIT: '1' });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain('VERDICT  security-group');
    expect(r.calls[0]).toEqual(['get', 'pod', 'web-7d9f', '-o', 'jsonpath={.metadata.namespace} {.spec.containers[0].name}']);
    expect(r.calls[1]).toEqual(['get', 'namespace', 'default', '-o', 'jsonpath={.metadata.labels.pod-security\\.kubernetes\\.io/enforce}']);
    const name = debugCall(r.calls).find((a) => a.startsWith('--container='))?.slice('--container='.length) ?? '';
    expect(name).toMatch(/^podreach-[0-9a-f]{6}$/);
    expect(debugCall(r.calls)).toEqual([
      'debug', 'web-7d9f', `--image=podreach:${VERSION}`, '--profile=netadmin', '--target=app', `--container=${name}`, '--attach=false',
      '--env=PODREACH_DEBUG_PROFILE=netadmin', '--', 'podreach', 'diagnose', '192.168.10.52:80', '10.1.0.20:80',
    ]);
    expect(r.calls).toContainEqual(['logs', '-f', 'web-7d9f', '-c', name]);
  });

  it('passes namespace, container, image, profile, context, kubeconfig and podreach flags (quoted) through', async () => {
    const r = await plugin([
      'pod/web-7d9f', 'redis://192.168.20.10:6379', '-n', 'shop', '-c', 'sidecar', '--image', 'images.example/podreach:1', '--profile=general',
      '--context=prod', '--kubeconfig', "/tmp/it's here", '--', '--network-model', 'vpc', '-o', 'json', "a b'c",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const d = debugCall(r.calls);
    expect(d.slice(0, 5)).toEqual(['--namespace=shop', '--context=prod', "--kubeconfig=/tmp/it's here", 'debug', 'web-7d9f']);
    expect(d).toContain('--image=images.example/podreach:1');
    expect(d).toContain('--profile=general');
    expect(d).toContain('--target=sidecar');
    expect(d.slice(d.indexOf('--'))).toEqual(['--', 'podreach', 'diagnose', 'redis://192.168.20.10:6379', '--network-model', 'vpc', '-o', 'json', "a b'c"]);
    // A chosen profile is not second-guessed: no namespace read.
    expect(r.calls.some((c) => c.includes('namespace') && c[0] === 'get')).toBe(false);
  });

  it('a namespace labelled baseline or restricted: --profile=restricted, said in one line', async () => {
    const r = await plugin(['web', '192.168.10.52:80'], { FAKE_LEVEL: 'baseline' });
    expect(debugCall(r.calls)).toContain('--profile=restricted');
    expect(debugCall(r.calls)).toContain('--env=PODREACH_DEBUG_PROFILE=restricted');
    expect(r.stderr.trim().split('\n')).toEqual([
      'kubectl podreach: namespace default enforces Pod Security "baseline": using --profile=restricted (no NET_RAW: ICMP works only if the pod\'s net.ipv4.ping_group_range allows it)',
    ]);
  });

  it('takes the image from PODREACH_IMAGE', async () => {
    const r = await plugin(['web', '10.1.0.20', '-c', 'app'], { PODREACH_IMAGE: 'mirror.local/podreach:dev' });
    expect(debugCall(r.calls)).toContain('--image=mirror.local/podreach:dev');
  });

  it('node NODE TARGET: kubectl debug node/NODE with podreach probe, its exit code', async () => {
    const r = await plugin(['node', 'node-1', '192.168.10.52:80', '--', '-o', 'json'], { FAKE_EXIT: '1' });
    expect(r.code).toBe(1);
    expect(r.calls).toEqual([['debug', 'node/node-1', '-q', '-i', '--profile=netadmin', `--image=podreach:${VERSION}`, '--', 'podreach', 'probe', '192.168.10.52:80', '-o', 'json']]);
    expect(r.stderr).toContain('node-debugger-node-1');
  });

  it('says so when the pod cannot be read, exit 3', async () => {
    const missing = await plugin(['missing', '192.168.10.52:80']);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('could not read pod "missing"');
    expect(missing.calls).toHaveLength(1);
    const empty = await plugin(['empty', '192.168.10.52:80']);
    expect(empty.code).toBe(3);
    expect(empty.stderr).toContain('no containers');
  });

  it('--help and --version: stdout, exit 0, no kubectl call', async () => {
    const h = await plugin(['--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/^Usage: kubectl podreach POD TARGET/);
    expect(h.stdout).toContain('--profile=netadmin');
    expect(h.calls).toEqual([]);
    const v = await plugin(['--version']);
    expect(v.stdout).toBe(`kubectl-podreach ${VERSION} (image podreach:${VERSION})\n`);
    expect(v.calls).toEqual([]);
  });

  it.each([
    [[], 'missing POD'],
    [['node'], 'missing NODE'],
    [['web'], 'missing TARGET'],
    [['web', '1.2.3.4', '--bogus'], 'unknown option --bogus'],
    [['web', '1.2.3.4', '-n'], '-n needs a value'],
    [['web', '1.2.3.4', '--image='], '--image needs a value'],
    [['node', 'n1', '1.2.3.4', '-c', 'x'], '-c applies to a pod'],
  ])('bad usage %j → one line on stderr, exit 2', async (args, msg) => {
    const r = await plugin(args);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(msg);
    expect(r.calls).toEqual([]);
  });

  it("defaults to the image of this package's version; #!/bin/sh", () => {
    const text = readFileSync(PLUGIN, 'utf8');
    expect(text).toContain(`\nVERSION=${VERSION}\n`);
    expect(text.split('\n')[0]).toBe('#!/bin/sh');
  });
});
