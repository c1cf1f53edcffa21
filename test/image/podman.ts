// Builds the podreach image from image/Containerfile (unchanged) with podman and runs it the way
// `kubectl debug` runs it: joined to an existing network namespace (`--network ns:/run/netns/NAME`).
// Shared by the image test and the image benchmark.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildArgFlags, imageBuildArgs } from '../../scripts/image-args.ts';
import { run, type ExecResult } from '../lab/lab.ts';

export const REPO = join(import.meta.dirname, '..', '..');
export const CONTAINERFILE = join(REPO, 'image', 'Containerfile');
export const IMAGE = 'localhost/podreach:test';
export const PKG_VERSION: string = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version;

// runc (Debian's podman would pick crun, not installed); this VM refuses the default rlimits.
const GLOBAL = ['--runtime', 'runc'];
export const LIMITS = ['--ulimit', 'nofile=1024:4096', '--ulimit', 'nproc=1024:4096'];

export function podman(args: string[], timeoutMs = 60_000, input?: string): Promise<ExecResult> {
  return run('podman', [...GLOBAL, ...args], { timeoutMs, input });
}

function tail(r: ExecResult, n = 8): string {
  return `${r.stderr}\n${r.stdout}`.trim().split('\n').slice(-n).join('\n');
}

/** Why podman cannot run on this machine at all (then the image tests skip loudly), or null. */
export function cannotRun(): string | null {
  if (process.getuid?.() !== 0) return 'not root: podman joining lab network namespaces needs root';
  if (process.platform !== 'linux') return `not Linux (${process.platform})`;
  return null;
}

/** test/image/prepare.sh: installs podman & co. when missing, makes the stand-in Node base. Returns its name. */
export async function prepare(): Promise<string> {
  const r = await run('bash', [join(REPO, 'test/image/prepare.sh')], { timeoutMs: 20 * 60_000 });
  if (r.code !== 0) throw new Error(`test/image/prepare.sh failed (exit ${r.code}${r.timedOut ? ', timed out' : ''}):\n${tail(r)}`);
  const base = r.stdout.trim().split('\n').pop() ?? '';
  if (!base) throw new Error('test/image/prepare.sh printed no base image name');
  return base;
}

/** A trivial container in the base: null when podman really runs containers here, else why not. */
export async function smoke(base: string): Promise<string | null> {
  const r = await podman(['run', '--rm', ...LIMITS, '--network', 'none', base, 'true'], 60_000);
  return r.code === 0 ? null : tail(r, 4);
}

/** `podman build -f image/Containerfile` with NODE_IMAGE overridden and the labels' arguments of scripts/image-args.ts. */
export async function buildImage(base: string, tag = IMAGE): Promise<{ ms: number }> {
  const before = (await podman(['image', 'inspect', '--format', '{{.Id}}', tag])).stdout.trim();
  const r = await podman(
    [
      'build', ...LIMITS, '--quiet',
      '--build-arg', `NODE_IMAGE=${base}`,
      ...buildArgFlags(imageBuildArgs()),
      '-f', CONTAINERFILE, '-t', tag, REPO,
    ],
    15 * 60_000,
  );
  if (r.code !== 0) throw new Error(`podman build failed (exit ${r.code}${r.timedOut ? ', timed out' : ''}):\n${tail(r, 20)}`);
  // Each source change leaves a ~200 MB image behind: drop the one this build replaced, and build
  // cache older than a day (recent layers stay, so a rebuild after a small change stays quick).
  const after = (await podman(['image', 'inspect', '--format', '{{.Id}}', tag])).stdout.trim();
  if (before && before !== after) await podman(['rmi', before]);
  await podman(['image', 'prune', '--force', '--filter', 'until=24h']);
  return { ms: r.ms };
}

export interface RunAs {
  /** Container user; default: the image's (non-root). */
  user?: string;
  capDrop?: string[];
  capAdd?: string[];
  /** securityContext.readOnlyRootFilesystem */
  readOnly?: boolean;
  /** securityContext.allowPrivilegeEscalation: false */
  noNewPrivileges?: boolean;
}

/** kubectl debug --profile=netadmin run as root: NET_ADMIN + NET_RAW on top of the defaults. */
export const ROOT_NETADMIN: RunAs = { user: '0', capAdd: ['NET_ADMIN', 'NET_RAW'] };
/** kubectl debug --profile=netadmin as documented: the image's own user (1000) with NET_ADMIN + NET_RAW. */
export const NETADMIN_PROFILE: RunAs = { capAdd: ['NET_ADMIN', 'NET_RAW'] };
/** The locked-down case (manifests/job.yaml): the image's non-root user, every capability dropped. */
export const NONROOT_NO_CAPS: RunAs = { capDrop: ['ALL'], readOnly: true, noNewPrivileges: true };

export interface RunOptions {
  /** Network namespace name under /run/netns to join, or 'none' for no network at all. */
  netns: string;
  as?: RunAs;
  /** host path → container path, read-only. */
  files?: Record<string, string>;
  env?: Record<string, string>;
  /** A program, or an argv prefix (a pod spec's `command`). */
  entrypoint?: string | string[];
  /** Fed to the container's stdin (`kubectl debug -i ... < file`). */
  input?: string;
  timeoutMs?: number;
}

/** The namespace's own net.ipv4.ping_group_range ("1 0" = closed, the default of a new namespace). */
export async function pingGroupRange(netns: string): Promise<string> {
  const r = await run('ip', ['netns', 'exec', netns, 'cat', '/proc/sys/net/ipv4/ping_group_range']);
  if (r.code !== 0) throw new Error(`reading ping_group_range in ${netns}: ${tail(r)}`);
  return r.stdout.trim().split(/\s+/).join(' ');
}

/** `podman run --network ns:/run/netns/NAME IMAGE args...`: the container shares that namespace's network only. */
export async function runIn(o: RunOptions, args: string[], image = IMAGE): Promise<ExecResult> {
  return podman(await runArgv(o, args, image), o.timeoutMs ?? 30_000, o.input);
}

/** The podman arguments of runIn; with `tty`, for a terminal (`kubectl debug -it`): --tty --interactive. */
export async function runArgv(o: RunOptions & { tty?: boolean }, args: string[], image = IMAGE): Promise<string[]> {
  const flags = ['run', '--rm', '--pull=never', ...LIMITS];
  if (o.netns === 'none') flags.push('--network', 'none');
  else {
    // podman writes its default net.ipv4.ping_group_range ("0 0") into the namespace it joins;
    // kubectl debug changes no pod sysctl, so hand podman the namespace's own value back.
    flags.push('--network', `ns:/run/netns/${o.netns}`, '--sysctl', `net.ipv4.ping_group_range=${await pingGroupRange(o.netns)}`);
  }
  // What kubelet gives every container of a pod, the debug container included: the pod's resolv.conf.
  const resolv = `/etc/netns/${o.netns}/resolv.conf`;
  if (existsSync(resolv)) flags.push('-v', `${resolv}:/etc/resolv.conf:ro`);
  for (const [host, inside] of Object.entries(o.files ?? {})) flags.push('-v', `${host}:${inside}:ro`);
  if (o.as?.user !== undefined) flags.push('--user', o.as.user);
  for (const c of o.as?.capDrop ?? []) flags.push('--cap-drop', c);
  for (const c of o.as?.capAdd ?? []) flags.push('--cap-add', c);
  if (o.as?.readOnly) flags.push('--read-only');
  if (o.as?.noNewPrivileges) flags.push('--security-opt', 'no-new-privileges');
  for (const [k, v] of Object.entries(o.env ?? {})) flags.push('--env', `${k}=${v}`);
  if (o.entrypoint) flags.push('--entrypoint', typeof o.entrypoint === 'string' ? o.entrypoint : JSON.stringify(o.entrypoint));
  if (o.input !== undefined || o.tty) flags.push('--interactive');
  if (o.tty) flags.push('--tty');
  return [...flags, image, ...args];
}

/** Compressed size as a registry would hold it: `podman save | gzip -6 | wc -c`. */
export async function compressedBytes(image = IMAGE): Promise<number> {
  const r = await run('bash', ['-o', 'pipefail', '-c', `podman save ${image} 2>/dev/null | gzip -6 | wc -c`], { timeoutMs: 5 * 60_000 });
  if (r.code !== 0) throw new Error(`podman save | gzip failed: ${tail(r)}`);
  return Number(r.stdout.trim());
}

export async function inspect(image = IMAGE): Promise<{ Size: number; Config: { User?: string; Entrypoint?: string[]; Cmd?: string[]; Env?: string[]; Labels?: Record<string, string> } }> {
  const r = await podman(['image', 'inspect', image]);
  if (r.code !== 0) throw new Error(`podman image inspect ${image}: ${tail(r)}`);
  const [first] = JSON.parse(r.stdout) as Awaited<ReturnType<typeof inspect>>[];
  if (!first) throw new Error(`podman image inspect ${image}: empty`);
  return first;
}
