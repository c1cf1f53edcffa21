// image/kubectl-podreach, the `kubectl podreach POD TARGET` plugin. This tests the wrapper's own
// logic only: a fake `kubectl` first on PATH records every argv and answers `get pod` from a table;
// no cluster is involved (the image itself is tested in image.test.ts).
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
  `#!/usr/bin/env bash
{ echo '>>>'; printf '%s\\n' "$@"; } >> "$FAKE_LOG"
for a in "$@"; do
  case "$a" in
    get) for p in "$@"; do
           case "$p" in
             missing) echo 'Error from server (NotFound): pods "missing" not found' >&2; exit 1 ;;
             empty) exit 0 ;;
           esac
         done
         printf app; exit 0 ;;
    debug) exit "\${FAKE_DEBUG_EXIT:-0}" ;;
  esac
done
exit 99
`,
);
chmodSync(join(dir, 'kubectl'), 0o755);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the plugin; returns its result and the kubectl calls it made (one argv per call). */
async function plugin(args: string[], env: Record<string, string> = {}) {
  rmSync(LOG, { force: true });
  const saved = { ...process.env };
  Object.assign(process.env, { PATH: `${dir}:${process.env.PATH}`, FAKE_LOG: LOG, ...env });
  if (!('PODREACH_IMAGE' in env)) delete process.env.PODREACH_IMAGE;
  try {
    const r = await run('bash', [PLUGIN, ...args], { timeoutMs: 10_000 });
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

describe('kubectl-podreach (wrapper logic, fake kubectl)', () => {
  it('finds the first container and runs podreach diagnose through kubectl debug --profile=netadmin', async () => {
    const r = await plugin(['web-7d9f', '192.168.10.52:80']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.calls).toEqual([
      ['get', 'pod', 'web-7d9f', '-o', 'jsonpath={.spec.containers[0].name}'],
      // stdin is not a terminal here: -i without -t.
      ['debug', '-i', 'web-7d9f', `--image=podreach:${VERSION}`, '--profile=netadmin', '--target=app', '--', 'podreach', 'diagnose', '192.168.10.52:80'],
    ]);
  });

  it('passes namespace, container, image, context and podreach flags through; no lookup when -c is given', async () => {
    const r = await plugin([
      'pod/web-7d9f', 'redis://192.168.20.10:6379', '-n', 'shop', '-c', 'sidecar', '--image', 'images.example/podreach:1',
      '--context=prod', '--', '--network-model', 'vpc', '-o', 'json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.calls).toEqual([
      [
        '--context=prod', '--namespace=shop', 'debug', '-i', 'web-7d9f', '--image=images.example/podreach:1', '--profile=netadmin',
        '--target=sidecar', '--', 'podreach', 'diagnose', 'redis://192.168.20.10:6379', '--network-model', 'vpc', '-o', 'json',
      ],
    ]);
  });

  it('takes the image from PODREACH_IMAGE', async () => {
    const r = await plugin(['web', '10.1.0.20', '-c', 'app'], { PODREACH_IMAGE: 'mirror.local/podreach:dev' });
    expect(r.calls[0]).toContain('--image=mirror.local/podreach:dev');
  });

  it("propagates kubectl debug's exit code (podreach's verdict)", async () => {
    const r = await plugin(['web', '192.168.10.52:80', '-c', 'app'], { FAKE_DEBUG_EXIT: '1' });
    expect(r.code).toBe(1);
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

  it('--help prints usage, exit 0, calls nothing', async () => {
    const r = await plugin(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: kubectl podreach POD TARGET/);
    expect(r.stdout).toContain('--profile=netadmin');
    expect(r.calls).toEqual([]);
  });

  it.each([
    [[], 'missing POD'],
    [['web'], 'missing TARGET'],
    [['web', '1.2.3.4', 'extra'], 'unexpected argument "extra"'],
    [['web', '1.2.3.4', '--bogus'], 'unknown option --bogus'],
    [['web', '1.2.3.4', '-n'], '-n needs a value'],
    [['web', '1.2.3.4', '--image='], '--image needs a value'],
  ])('bad usage %j → one line on stderr, exit 2', async (args, msg) => {
    const r = await plugin(args);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(msg);
    expect(r.calls).toEqual([]);
  });

  it("defaults to the image of this package's version", () => {
    expect(readFileSync(PLUGIN, 'utf8')).toContain(`\nVERSION=${VERSION}\n`);
  });
});
