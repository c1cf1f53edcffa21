// The image, tested the way it is used: built with podman from image/Containerfile (unchanged; only
// NODE_IMAGE points at a local stand-in of the official Node 24 slim image, made by prepare.sh), then
// run with `--network ns:<lab pod namespace>` — what `kubectl debug --target` does — against lab
// scenarios, as root with NET_ADMIN + NET_RAW (--profile=netadmin) and as non-root with every
// capability dropped.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PodreachReport } from '../../src/render/report.ts';
import { targetArg } from '../integration/podreach.ts';
import { type ExecResult, type Lab, withLab } from '../lab/lab.ts';
import { ECS, NODE_IP, REDIS } from '../lab/scenarios.ts';
import { haveTmux, openPane } from '../tui/tmux.ts';
import { configMapData, type Downward, type PodSpec, podSpecOf, podmanFor } from './manifests.ts';
import {
  CONTAINERFILE,
  IMAGE,
  NETADMIN_PROFILE,
  NONROOT_NO_CAPS,
  PKG_VERSION,
  ROOT_NETADMIN,
  type RunAs,
  buildImage,
  cannotRun,
  compressedBytes,
  inspect,
  pingGroupRange,
  prepare,
  runArgv,
  runIn,
  smoke,
} from './podman.ts';

const MB = 1_000_000;
const why = cannotRun();
if (why) console.warn(`\n!!!!!!!! SKIPPING the podreach image tests: ${why} !!!!!!!!\n`);

let unusable: string | null = null;
const tmp = mkdtempSync(join(tmpdir(), 'podreach-image-'));

beforeAll(async () => {
  if (why) return;
  const base = await prepare();
  unusable = await smoke(base);
  if (unusable) {
    console.warn(`\n!!!!!!!! SKIPPING the podreach image tests: podman cannot run a container here:\n${unusable}\n!!!!!!!!\n`);
    return;
  }
  const { ms } = await buildImage(base);
  console.log(`image ${IMAGE} built from image/Containerfile on ${base} in ${(ms / 1000).toFixed(1)} s`);
}, 30 * 60_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function reportOf(what: string, r: ExecResult): PodreachReport {
  try {
    return JSON.parse(r.stdout);
  } catch {
    throw new Error(`${what} in the container printed no JSON (exit ${r.code}): ${r.stderr || r.stdout}`);
  }
}

/** `kubectl debug node/NODE -- podreach probe TARGET -o json`: in the lab's node namespace. */
async function nodeReport(l: Lab): Promise<string> {
  const r = await runIn({ netns: l.ns('node'), as: ROOT_NETADMIN }, ['probe', targetArg(l), '-o', 'json']);
  expect(r.stdout.trim().startsWith('{'), `node probe printed no JSON (exit ${r.code}): ${r.stderr}`).toBe(true);
  const file = join(tmp, `${l.prefix}-node.json`);
  writeFileSync(file, r.stdout, { mode: 0o644 });
  return file;
}

/** `kubectl debug POD --target=app -- podreach diagnose TARGET <flags> -o json`: in the lab's pod namespace. */
async function diagnose(l: Lab, as: RunAs, withNode: boolean): Promise<{ code: number | null; report: PodreachReport; stderr: string }> {
  const files: Record<string, string> = {};
  const extra: string[] = [];
  if (withNode) {
    files[await nodeReport(l)] = '/tmp/node.json';
    extra.push('--node-report', '/tmp/node.json');
  }
  const r = await runIn({ netns: l.ns('pod'), as, files }, ['diagnose', targetArg(l), ...l.scenario.flags, ...extra, '-o', 'json']);
  return { code: r.code, report: reportOf('diagnose', r), stderr: r.stderr };
}

function verdict(id: string, d: PodreachReport['diagnosis']): string {
  return `${id}: ${d.cause} ${d.confidence.toFixed(2)} — ${d.summary}`;
}

describe.skipIf(why !== null)('the podreach image', () => {
  it('is what image/Containerfile says: labels, non-root user, entrypoint, ping +p, no npm or compilers', async (ctx) => {
    if (unusable) ctx.skip();
    const info = await inspect();
    const labels = info.Config.Labels ?? {};
    expect(labels['org.opencontainers.image.version']).toBe(PKG_VERSION);
    // The Containerfile's default must follow package.json, or a plain `podman build` mislabels.
    expect(readFileSync(CONTAINERFILE, 'utf8')).toContain(`ARG VERSION=${PKG_VERSION}\n`);
    expect(labels['org.opencontainers.image.source']).toMatch(/^https:\/\//);
    expect(labels['org.opencontainers.image.url']).toMatch(/^https:\/\//);
    expect(Date.parse(labels['org.opencontainers.image.created'] ?? '')).toBeGreaterThan(Date.parse('2026-01-01'));
    expect(labels['org.opencontainers.image.description']).toMatch(/reach/);
    expect(info.Config.User).toBe('1000:1000');
    expect(info.Config.Entrypoint).toEqual(['podreach']);

    const r = await runIn({ netns: 'none', entrypoint: 'sh' }, [
      '-c',
      'id -u; getcap /usr/bin/ping; for b in npm npx corepack yarn gcc cc c++ make; do command -v $b; done; ' +
        'for p in /usr/local/lib/node_modules/npm /usr/local/include/node; do [ -e $p ] && echo $p; done; ' +
        'echo --; podreach --version',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const [uid, caps, ...rest] = r.stdout.trim().split('\n');
    expect(uid).toBe('1000');
    expect(caps).toMatch(/^\/usr\/bin\/ping cap_net_raw=p$/);
    expect(rest).toEqual(['--', PKG_VERSION]);
  });

  it('is at most 80 MB compressed', async (ctx) => {
    if (unusable) ctx.skip();
    const bytes = await compressedBytes();
    console.log(`compressed (podman save | gzip -6): ${(bytes / MB).toFixed(1)} MB`);
    expect(bytes).toBeLessThanOrEqual(80 * MB);
  });

  it('a bad command line exits 2 with one line on stderr, no stack trace', async (ctx) => {
    if (unusable) ctx.skip();
    const r = await runIn({ netns: 'none' }, ['diagnose', '300.1.2.3:80', '--network-model', 'nonsense']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('carries V8 code cache for a run, read from a read-only filesystem by the non-root user', async (ctx) => {
    if (unusable) ctx.skip();
    const args = ['diagnose', '127.0.0.1:9', '--no-api', '-o', 'json'];
    const r = await runIn({ netns: 'none', as: NONROOT_NO_CAPS, env: { NODE_DEBUG_NATIVE: 'COMPILE_CACHE' } }, args);
    expect(r.code, r.stderr).toBe(1);
    expect(JSON.parse(r.stdout).diagnosis.cause).toBe('port-closed');
    const accepted = [...r.stderr.matchAll(/code cache for ESM \S+\/(\S+?)(?:-[A-Z0-9]+)?\.mjs was accepted/g)].map((m) => m[1]);
    expect(accepted).toEqual(expect.arrayContaining(['main', 'diagnose']));
    expect(r.stderr).not.toMatch(/was rejected|Error|at .+\.mjs:\d+/);
    // Figures only: the same run with the cache switched off.
    const timed = async (env: Record<string, string>) => {
      const t0 = performance.now();
      await runIn({ netns: 'none', as: NONROOT_NO_CAPS, env }, args);
      return performance.now() - t0;
    };
    const withCache = Math.min(await timed({}), await timed({}));
    const without = Math.min(await timed({ NODE_DISABLE_COMPILE_CACHE: '1' }), await timed({ NODE_DISABLE_COMPILE_CACHE: '1' }));
    console.log(`podman run, diagnose 127.0.0.1:9 -o json: ${withCache.toFixed(0)} ms with the baked code cache, ${without.toFixed(0)} ms without (best of 2)`);
  });

  describe('root with NET_ADMIN + NET_RAW (kubectl debug --profile=netadmin), joined to the lab pod namespace', () => {
    // The cause, and whether it takes the node side (kubectl debug node/...) to name it.
    const cases = [
      { id: 'vpc-ok', cause: 'reachable', node: false },
      { id: 'vpc-sg-container-cidr', cause: 'security-group', node: true },
      { id: 'vpc-peer-return-route', cause: 'route', node: true },
      { id: 'tunnel-peering-missing', cause: 'route', node: false },
    ] as const;
    for (const c of cases) {
      it(`${c.id} → ${c.cause}`, async (ctx) => {
        if (unusable) ctx.skip();
        await withLab(c.id, async (l) => {
          const { code, report } = await diagnose(l, ROOT_NETADMIN, c.node);
          const d = report.diagnosis;
          console.log(verdict(c.id, d));
          expect(d.cause, verdict(c.id, d)).toBe(c.cause);
          expect(code).toBe(c.cause === 'reachable' ? 0 : 1);
          expect(report.probes.pod.from.addresses).toContain(l.podIp);
          // NET_RAW: ping used a raw socket and ran.
          expect(report.probes.pod.icmp.status).not.toBe('not-run');
        });
      });
    }

    it('TCP traceroute works (traceroute -T needs root + NET_RAW)', async (ctx) => {
      if (unusable) ctx.skip();
      await withLab('vpc-ok', async (l) => {
        const args = ['-T', '-n', '-p', '80', '-q', '1', '-w', '1', '-m', '5', ECS];
        const root = await runIn({ netns: l.ns('pod'), as: ROOT_NETADMIN, entrypoint: 'traceroute' }, args);
        expect(root.code, root.stderr).toBe(0);
        const hops = root.stdout.trim().split('\n').slice(1);
        expect(hops.at(-1), root.stdout).toMatch(new RegExp(`^\\s*\\d+\\s+${ECS.replaceAll('.', '\\.')}\\s`));
        const locked = await runIn({ netns: l.ns('pod'), as: NONROOT_NO_CAPS, entrypoint: 'traceroute' }, args);
        expect(locked.code).not.toBe(0);
        expect(locked.stderr).toMatch(/privilege|not permitted/i);
      });
    });
  });

  it('podreach peer on the target host (podman run --network host, root + NET_ADMIN): reads the host firewall', async (ctx) => {
    if (unusable) ctx.skip();
    await withLab('vpc-host-firewall', async (l) => {
      // The ECS's own iptables drops the container CIDR on port 80: the image's iptables-save must read it.
      const r = await runIn({ netns: l.ns('ecs'), as: ROOT_NETADMIN }, ['peer', '--source', '172.16.1.10', '--port', '80', '-o', 'json']);
      expect(r.code, r.stderr).toBe(0);
      const doc = JSON.parse(r.stdout) as { kind: string; sources: { ip: string; firewall?: { verdict: string } }[] };
      expect(doc.kind).toBe('podreach.peer');
      expect(doc.sources[0]?.firewall?.verdict).toBe('drop');
    });
  });

  it('as manifests/debug.md runs it: image user + NET_ADMIN/NET_RAW, node report piped in on stdin', async (ctx) => {
    if (unusable) ctx.skip();
    await withLab('vpc-peer-return-route', async (l) => {
      // kubectl debug node/NODE -q --attach --profile=netadmin ... -- podreach probe TARGET -o json > node.json
      const node = await runIn({ netns: l.ns('node'), as: NETADMIN_PROFILE }, ['probe', targetArg(l), '-o', 'json']);
      expect(node.code, node.stderr).toBe(0);
      // kubectl debug -i POD --profile=netadmin --target=app ... -- podreach diagnose TARGET --node-report /dev/stdin < node.json
      const r = await runIn({ netns: l.ns('pod'), as: NETADMIN_PROFILE, input: node.stdout }, [
        'diagnose', targetArg(l), ...l.scenario.flags, '--node-report', '/dev/stdin', '-o', 'json',
      ]);
      const report = reportOf('diagnose', r);
      console.log(`netadmin profile, uid 1000: ${verdict(l.scenario.id, report.diagnosis)}`);
      expect(report.diagnosis.cause).toBe('route');
      expect(r.code).toBe(1);
      expect(report.probes.node?.from.addresses).toContain(NODE_IP);
      // Non-root, yet ping had NET_RAW through its +p file capability: a raw socket, no sysctl needed.
      expect(await pingGroupRange(l.ns('pod'))).toBe('1 0');
      expect(report.probes.pod.icmp.status).not.toBe('not-run');
    });
  });

  it('kubectl debug -it: the live view in a real terminal (tmux), from the image, q quits', async (ctx) => {
    if (unusable || !haveTmux()) ctx.skip();
    await withLab('vpc-sg-container-cidr', async (l) => {
      const argv = await runArgv({ netns: l.ns('pod'), as: NETADMIN_PROFILE, tty: true }, ['diagnose', targetArg(l), ...l.scenario.flags]);
      const pane = openPane(['podman', ...argv], { cols: 100, rows: 50, env: { TERM: 'xterm-256color' } });
      try {
        // The view's thread and ink's chunk ship in the image: probes running, then the verdict and the fix.
        await pane.waitFor((s) => s.includes('PROBES'), 20_000, 'first frame');
        const done = await pane.waitFor((s) => s.includes('q quit · r re-run probes'), 10_000, 'verdict');
        expect(done).toContain('Security group blocks the source');
        expect(done.replace(/\s+/g, ' ')).toContain('allowing source 172.16.0.0/16');
        pane.send('q');
        expect(await pane.waitExit()).toBe(1);
      } finally {
        pane.kill();
      }
    });
  });

  describe('non-root, every capability dropped', () => {
    it('ping_group_range open: ICMP through datagram sockets, verdicts as with root', async (ctx) => {
      if (unusable) ctx.skip();
      for (const c of [
        { id: 'vpc-ok', cause: 'reachable', node: false },
        { id: 'vpc-sg-container-cidr', cause: 'security-group', node: true },
      ] as const) {
        await withLab(c.id, async (l) => {
          // A safe per-pod sysctl (securityContext.sysctls); containerd 2.x opens it by default.
          const set = await l.exec('pod', ['sysctl', '-qw', 'net.ipv4.ping_group_range=0 2147483647']);
          expect(set.code).toBe(0);
          const { code, report } = await diagnose(l, NONROOT_NO_CAPS, c.node);
          const d = report.diagnosis;
          console.log(`non-root ${verdict(c.id, d)} | icmp ${report.probes.pod.icmp.status}`);
          expect(d.cause, verdict(c.id, d)).toBe(c.cause);
          expect(code).toBe(c.cause === 'reachable' ? 0 : 1);
          expect(report.probes.pod.icmp.status).toBe(c.cause === 'reachable' ? 'reply' : 'no-reply');
        });
      }
    });

    it('ping_group_range closed: ICMP is reported impossible, never as a timeout', async (ctx) => {
      if (unusable) ctx.skip();
      await withLab('vpc-ok', async (l) => {
        expect(await pingGroupRange(l.ns('pod'))).toBe('1 0');
        const { code, report } = await diagnose(l, NONROOT_NO_CAPS, false);
        const icmp = report.probes.pod.icmp;
        console.log(`non-root, range closed: icmp ${icmp.status} (${icmp.detail}); verdict ${report.diagnosis.cause}`);
        expect(icmp.status).toBe('not-run');
        expect(icmp.detail).toMatch(/not permitted/i);
        // TCP still answers the question.
        expect(report.diagnosis.cause).toBe('reachable');
        expect(code).toBe(0);
      });
    });
  });

  describe('the shipped manifests, run as kubelet would run them (podman flags from their securityContext)', () => {
    const downward = (l: Lab): Downward => ({
      'status.podIP': l.podIp,
      'status.podIPs': l.podIp,
      'status.hostIP': NODE_IP,
      'spec.nodeName': 'lab-node',
      'metadata.name': 'podreach-x7k2p',
      'metadata.namespace': 'default',
    });
    async function podSysctls(l: Lab, pod: PodSpec): Promise<void> {
      for (const { name, value } of pod.securityContext?.sysctls ?? []) {
        const r = await l.exec('pod', ['sysctl', '-qw', `${name}=${value}`]);
        expect(r.code, r.stderr).toBe(0);
      }
    }

    it('job.yaml: image of this version, non-root, one verdict per run; exit 0 reachable, 1 with the cause', async (ctx) => {
      if (unusable) ctx.skip();
      const pod = podSpecOf('job.yaml', 'Job');
      const [c] = pod.containers;
      if (!c) throw new Error('job.yaml: no container');
      expect(c.image).toBe(`podreach:${PKG_VERSION}`);
      expect(pod.securityContext?.runAsNonRoot).toBe(true);
      expect(pod.securityContext?.runAsUser).not.toBe(0);
      expect(c.args?.[0]).toBe('diagnose');
      for (const [id, code, cause] of [['vpc-ok', 0, 'reachable'], ['tunnel-peering-missing', 1, 'route']] as const) {
        await withLab(id, async (l) => {
          await podSysctls(l, pod);
          const { opts, args } = podmanFor(pod, c, downward(l), l.ns('pod'));
          // The user's edits: their TARGET, and the facts the API would give (no cluster here).
          args[1] = targetArg(l);
          const env = { ...opts.env, PODREACH_NETWORK_MODEL: l.scenario.model, PODREACH_VPC_CIDR: '192.168.0.0/16' };
          const r = await runIn({ ...opts, env }, args);
          console.log(`job.yaml in ${id}: exit ${r.code}, ${r.stdout.match(/VERDICT.*/)?.[0]}`);
          expect(r.code, r.stderr).toBe(code);
          expect(r.stdout).toMatch(new RegExp(`VERDICT\\s+${cause}`));
          // POD_IP / NODE_IP from the downward API reached the report.
          expect(r.stdout).toContain(`from pod ${l.podIp} on node ${NODE_IP}`);
        });
      }
    });

    it('job-configmap.yaml: the targets from the ConfigMap (mounted as a file), one sweep, exit 0 when all answer', async (ctx) => {
      if (unusable) ctx.skip();
      const pod = podSpecOf('job-configmap.yaml', 'Job');
      const [c] = pod.containers;
      if (!c) throw new Error('job-configmap.yaml: no container');
      expect(c.image).toBe(`podreach:${PKG_VERSION}`);
      const targets = configMapData('job-configmap.yaml', 'podreach-targets').targets ?? '';
      const file = join(tmp, 'targets');
      writeFileSync(file, targets);
      await withLab('vpc-ok', async (l) => {
        await podSysctls(l, pod);
        const { opts, args } = podmanFor(pod, c, downward(l), l.ns('pod'));
        const env = { ...opts.env, PODREACH_NETWORK_MODEL: 'vpc', PODREACH_CONTAINER_CIDR: '172.16.0.0/16', PODREACH_VPC_CIDR: '192.168.0.0/16' };
        const r = await runIn({ ...opts, env, files: { [file]: '/etc/podreach/targets' } }, args);
        console.log(`job-configmap.yaml in vpc-ok: exit ${r.code}\n${r.stdout}`);
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout).toMatch(/^podreach: 3 targets from pod /m);
        expect(r.stdout).toMatch(/^3 reachable, 0 not reachable/m);
      });
    });

    it('initcontainer.yaml: logs a verdict per dependency; the app starts anyway unless PODREACH_STRICT=1', async (ctx) => {
      if (unusable) ctx.skip();
      const pod = podSpecOf('initcontainer.yaml', 'Deployment');
      const c = pod.initContainers?.[0];
      if (!c) throw new Error('initcontainer.yaml: no initContainer');
      expect(c.image).toBe(`podreach:${PKG_VERSION}`);
      await withLab('vpc-ok', async (l) => {
        await podSysctls(l, pod);
        const { opts, args } = podmanFor(pod, c, downward(l), l.ns('pod'));
        const deps = `redis://${REDIS}:6379 ${ECS}:81`; // Redis answers; nothing listens on ECS:81
        const lenient = await runIn({ ...opts, env: { ...opts.env, DEPENDENCIES: deps } }, args);
        console.log(`initcontainer.yaml: exit ${lenient.code}\n${lenient.stdout}`);
        expect(lenient.code, lenient.stderr).toBe(0);
        // One sweep: a row per dependency, then the failing one's cause and fix.
        expect(lenient.stdout).toMatch(new RegExp(`^redis://${REDIS}:6379\\s+✓ reachable`, 'm'));
        expect(lenient.stdout).toMatch(new RegExp(`^${ECS}:81\\s+✗ port-closed`, 'm'));
        expect(lenient.stdout).toContain(`── ${ECS}:81 ── port-closed`);
        expect(lenient.stdout).toContain('podreach-deps: not every dependency is reachable (exit 1); starting the app anyway');
        const strict = await runIn({ ...opts, env: { ...opts.env, DEPENDENCIES: deps, PODREACH_STRICT: '1' } }, args);
        expect(strict.code).toBe(1);
      });
    });
  });
});
