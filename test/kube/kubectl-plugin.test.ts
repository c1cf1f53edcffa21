// `kubectl podreach` with the REAL kubectl (/usr/bin/kubectl: the dispatcher over kubectl 1.27–1.33, which
// picks the server's minor version) against the test API server. kubectl debug PATCHes the pod's
// ephemeralcontainers; the server runs that container's `podreach diagnose ...` inside the lab pod's network
// namespace (as root for netadmin; as uid 1000 with every capability dropped for restricted) and serves its
// log to `kubectl logs -f`. Nothing is faked on the client side.
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, type Lab, NODE, run } from '../lab/lab.ts';
import { findScenario } from '../lab/scenarios.ts';
import { ApiServer, type DebugContainer, type KubeObject, loadFixture, writeKubeconfig } from './api-server.ts';
// The repository's bundle, not lab-api's private copy: the restricted container runs as uid 1000.
import { BUNDLE } from '../integration/podreach.ts';

const KUBECTL = '/usr/bin/kubectl';
const REPO = join(import.meta.dirname, '..', '..');
const canRun = process.getuid?.() === 0 && existsSync(KUBECTL) && existsSync(BUNDLE);
const scenario = findScenario('vpc-sg-container-cidr')!;

type Report = {
  context: { podIp?: { value: string } };
  notes: string[];
  probes: { pod: { icmp: { status: string; sent: number; detail?: string } } };
  diagnosis: { cause: string };
};

describe.skipIf(!canRun)('kubectl podreach, real kubectl, test API server', () => {
  let lab: Lab;
  let server: ApiServer;
  const dir = mkdtempSync(join(tmpdir(), 'kubectl-plugin-'));
  const plugins = join(dir, 'plugins');
  const bin = join(dir, 'bin');
  /** The containers kubectl debug added, as the server received them. */
  const debugged: DebugContainer[] = [];
  let pod: KubeObject;
  const kubeconfigs: Record<string, string> = {};

  beforeAll(async () => {
    lab = await createLab(scenario);
    // The pod sysctl the manifests set (a fresh network namespace has the range closed).
    await lab.exec('pod', ['sysctl', '-qw', 'net.ipv4.ping_group_range=0 2147483647']);
    const fx = loadFixture('cce-vpc');
    pod = fx.items.find((o) => o.kind === 'Pod')!;
    const ns = (name: string, level?: string): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, ...(level ? { labels: { 'pod-security.kubernetes.io/enforce': level } } : {}) } });
    const copyIn = (namespace: string): KubeObject => ({ ...structuredClone(pod), metadata: { ...structuredClone(pod.metadata), namespace } });
    chmodSync(dir, 0o755); // uid 1000 runs the ping in bin/
    for (const d of [plugins, bin]) mkdirSync(d);
    for (const f of ['kubectl-podreach', 'kubectl_complete-podreach']) symlinkSync(join(REPO, 'image', f), join(plugins, f));
    // The image's ping has cap_net_raw+p: without NET_RAW in the bounding set that is a ping with no
    // capability at all, i.e. a copy without the host's cap_net_raw=ep (cp drops the xattr).
    copyFileSync('/usr/bin/ping', join(bin, 'ping'));
    chmodSync(join(bin, 'ping'), 0o755);
    server = await ApiServer.start({
      objects: [...fx.items, ns('default'), ns('locked', 'restricted'), copyIn('locked'), ns('sealed', 'baseline'), copyIn('sealed')],
      crds: [],
      tokens: {
        admin: { user: 'admin', rules: [{ verbs: ['*'], resources: ['*'] }] },
        // May debug pods but not read namespaces: the plugin learns the level from the refusal.
        debugger: { user: 'debugger', rules: [{ verbs: ['get', 'patch'], resources: ['pods', 'pods/log', 'pods/ephemeralcontainers'] }] },
      },
      debugRunner: (d) => {
        debugged.push(d);
        if (d.argv[0] !== 'podreach') return undefined;
        const caps = (d.container.securityContext?.capabilities ?? {}) as { add?: string[]; drop?: string[] };
        const unprivileged = caps.drop?.includes('ALL') && !caps.add?.length;
        const env: NodeJS.ProcessEnv = { PATH: `${bin}:/usr/sbin:/usr/bin:/sbin:/bin`, HOME: '/nonexistent', LC_ALL: 'C' };
        for (const e of d.container.env ?? []) env[e.name] = e.value ?? '';
        const drop = ['setpriv', '--reuid=1000', '--regid=1000', '--clear-groups', '--inh-caps=-all', '--bounding-set=-all', '--'];
        return { argv: ['ip', 'netns', 'exec', lab.ns('pod'), ...(unprivileged ? drop : []), NODE, BUNDLE, ...d.argv.slice(1)], env };
      },
    });
    for (const token of ['admin', 'debugger']) kubeconfigs[token] = writeKubeconfig(mkdtempSync(join(dir, `${token}-`)), server, token);
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await lab?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The plugin as kubectl runs it: `kubectl podreach ...` with only our plugin directory added to PATH. */
  async function kubectl(args: string[], token = 'admin') {
    const home = join(dir, `home-${token}`);
    const env = { HOME: home, PATH: `${plugins}:/usr/bin:/bin:/usr/sbin:/sbin`, KUBECONFIG: kubeconfigs[token] ?? '', PODREACH_START_WAIT: '20' };
    return run('env', ['-i', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), KUBECTL, ...args], { timeoutMs: 60_000 });
  }

  const diagnose = (namespace: string, token?: string) =>
    kubectl(['podreach', pod.metadata.name, `${scenario.target.host}:${scenario.target.port}`, '-n', namespace, '--', ...scenario.flags, '-o', 'json'], token);

  it('kubectl plugin list finds kubectl-podreach', async () => {
    const r = await kubectl(['plugin', 'list']);
    expect(r.stdout, r.stderr).toContain(join(plugins, 'kubectl-podreach'));
  });

  it('kubectl podreach <TAB>: kubectl_complete-podreach offers node, pods, namespaces, profiles and flags', async () => {
    // What the shell's completion function asks kubectl: `kubectl __complete podreach WORDS... CURRENT`.
    const complete = async (...words: string[]) => (await kubectl(['__complete', 'podreach', ...words])).stdout.trim().split('\n');
    expect(await complete('')).toEqual(['node', pod.metadata.name, ':4']);
    expect(await complete('-n', '')).toEqual(['default', 'locked', 'sealed', ':4']);
    expect(await complete('--prof')).toEqual(['--profile', ':4']);
    expect(await complete('--profile', 'r')).toEqual(['restricted', ':4']);
    expect(await complete('-n', 'locked', pod.metadata.name, '-c', '')).toEqual(['app', ':4']);
    expect(await complete(pod.metadata.name, '')).toEqual([':4']); // a TARGET: nothing to guess
  });

  it('kubectl podreach --version and -h answer without a cluster', async () => {
    const v = await kubectl(['podreach', '--version']);
    expect(v.stdout).toMatch(/^kubectl-podreach \d+\.\d+\.\d+ \(image podreach:\d+\.\d+\.\d+\)\n$/);
    expect((await kubectl(['podreach', '-h'])).stdout).toMatch(/^Usage: kubectl podreach POD TARGET/);
  });

  it('kubectl podreach POD TARGET: netadmin by default, the verdict from inside the lab pod\'s namespace', async () => {
    const r = await diagnose('default');
    expect(r.code, `${r.stderr}\n${r.stdout}`).toBe(1); // not reachable: podreach's own exit code, through kubectl
    const rep = JSON.parse(r.stdout) as Report;
    expect(rep.diagnosis.cause).toBe(scenario.expectedCause);
    expect(rep.context.podIp?.value).toBe(lab.podIp);
    expect(r.stderr).not.toContain('--profile=restricted');
    const c = debugged.at(-1)!;
    expect(c.container.securityContext).toMatchObject({ capabilities: { add: ['NET_ADMIN', 'NET_RAW'] } });
    expect(c.container.targetContainerName).toBe('app');
  });

  it('a namespace enforcing "restricted" (label readable): falls back to --profile=restricted, one line, still a verdict, ICMP over datagram sockets', async () => {
    const r = await diagnose('locked');
    expect(r.code, `${r.stderr}\n${r.stdout}`).toBe(1);
    expect(r.stderr.trim().split('\n').filter((l) => l.includes('--profile=restricted'))).toEqual([
      'kubectl podreach: namespace locked enforces Pod Security "restricted": using --profile=restricted (no NET_RAW: ICMP works only if the pod\'s net.ipv4.ping_group_range allows it)',
    ]);
    const rep = JSON.parse(r.stdout) as Report;
    expect(rep.diagnosis.cause).toBe(scenario.expectedCause);
    expect(debugged.at(-1)!.container.securityContext).toMatchObject({ runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    // ping ran (as uid 1000 with no capability): echoes went out, none was refused to us.
    expect(rep.probes.pod.icmp.status, rep.probes.pod.icmp.detail).not.toBe('not-run');
    expect(rep.probes.pod.icmp.sent).toBeGreaterThan(0);
    expect(rep.notes.join('\n')).toMatch(/--profile=restricted: no NET_RAW.*ping_group_range.*0 2147483647, which covers gid 1000/);
  });

  it('a namespace enforcing "baseline" it may not read: netadmin is refused, the refusal names the level, it falls back and still gives a verdict', async () => {
    const r = await diagnose('sealed', 'debugger');
    expect(r.code, `${r.stderr}\n${r.stdout}`).toBe(1);
    expect(r.stderr).toContain('namespace sealed enforces Pod Security "baseline": using --profile=restricted');
    expect(JSON.parse(r.stdout).diagnosis.cause).toBe(scenario.expectedCause);
    expect(server.requests.filter((q) => q.includes('/namespaces/sealed/pods/') && q.startsWith('PATCH')).map((q) => q.split(' ')[2])).toEqual(['403', '200']);
  });

  it('--profile passes through as given (no fallback when chosen)', async () => {
    const r = await kubectl(['podreach', pod.metadata.name, '127.0.0.1:1', '-n', 'locked', '--profile', 'netadmin', '--', '--no-api', '-o', 'json']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/violates PodSecurity "restricted:latest"/);
    expect(r.stderr).not.toContain('using --profile=restricted');
  });
});
