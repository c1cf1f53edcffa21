// Builds one scenario as a set of network namespaces, runs commands in them, and tears them down.
// No link ever exists in the host namespace: veths are created directly inside their namespaces.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { Readable } from 'node:stream';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { newPrefix, register, teardown } from './registry.ts';
import { findScenario, podAddressing, type Scenario } from './scenarios.ts';
import { DELAY_DEV, NO_CARRIER_PORT, RESOLV_CONF, ROLES, type Role, plan } from './topology.ts';
import { INFRA_DEADLINE_MS, until, waitLine } from './wait.ts';

export const LAB_DIR = dirname(fileURLToPath(import.meta.url));
const REPO = join(LAB_DIR, '..', '..');
/** Node 24 (runs .ts). vitest may itself run on an older node found first on PATH. */
export const NODE = existsSync(join(REPO, 'node_modules/.bin/node')) ? join(REPO, 'node_modules/.bin/node') : process.execPath;

export interface ExecResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
  timedOut: boolean;
}

export interface Lab {
  prefix: string;
  scenario: Scenario;
  podIp: string;
  /** Wall time of createLab, ms. */
  buildMs: number;
  ns(role: Role): string;
  exec(role: Role, argv: string[], opts?: { timeoutMs?: number; input?: string }): Promise<ExecResult>;
  /** Packets counted by the filter-table rule(s) carrying this comment. */
  iptablesCounter(role: Role, comment: string): Promise<number>;
  destroy(): Promise<void>;
}

const live = new Set<string>();
let handlersInstalled = false;

function teardownAll(): void {
  for (const p of [...live]) {
    live.delete(p);
    try {
      teardown(p);
    } catch {}
  }
}

/** Once per process: exit, signals and crashes tear down every lab this process built. */
function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', teardownAll);
  process.on('uncaughtExceptionMonitor', teardownAll);
  for (const [sig, num] of [['SIGINT', 2], ['SIGTERM', 15], ['SIGHUP', 1]] as const) {
    process.on(sig, () => {
      teardownAll();
      // Only exit if nobody else wants the signal (the CLI's `up` has its own handler).
      if (process.listenerCount(sig) <= 1) process.exit(128 + num);
    });
  }
}

export interface Claim {
  /** Namespaces must be named `<prefix>-<anything>` for teardown and `clean` to find them. */
  prefix: string;
  /** Scratch directory, removed with the lab. */
  tmp: string;
  /** Kills every process in the lab's namespaces, deletes them, /etc/netns/<ns> and the scratch dir. Idempotent. */
  destroy(): Promise<void>;
}

/**
 * Reserves a lab prefix before anything exists, so a crash mid-build still leaves a record for `clean`; exit,
 * signals and uncaught errors tear it down. Any namespace lab (this one, the probe lab) starts here.
 */
export function claimLab(): Claim {
  installHandlers();
  const prefix = newPrefix();
  register(prefix);
  live.add(prefix);
  const tmp = mkdtempSync(join(tmpdir(), `${prefix}-`));
  const destroy = async (): Promise<void> => {
    live.delete(prefix);
    teardown(prefix);
  };
  return { prefix, tmp, destroy };
}

/** Runs a command with a hard deadline; kills its whole process group on timeout. */
export function run(cmd: string, argv: string[], opts: { timeoutMs?: number; input?: string } = {}): Promise<ExecResult> {
  const timeoutMs = opts.timeoutMs ?? 5000;
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, { detached: true, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const cap = (s: string, d: Buffer) => (s.length < 1_000_000 ? s + d.toString('utf8') : s);
    child.stdout.on('data', (d: Buffer) => (stdout = cap(stdout, d)));
    child.stderr.on('data', (d: Buffer) => (stderr = cap(stderr, d)));
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-(child.pid ?? 0), 'SIGKILL');
      } catch {}
    }, timeoutMs);
    const done = (code: number | null) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Math.round(performance.now() - t0), timedOut });
    };
    child.on('error', (e) => {
      stderr += e.message;
      done(null);
    });
    child.on('close', (code) => done(code));
  });
}

export function mustSucceed(what: string, r: ExecResult): void {
  if (r.code !== 0) throw new Error(`${what} failed: ${(r.stderr || r.stdout).trim().split('\n').slice(0, 3).join(' | ')}`);
}

function setupScript(ipFile: string, sysctls: string[], iptFile: string | null, router: boolean): string {
  const lines = [
    `ip -batch ${ipFile}`,
    `sysctl -qew ${sysctls.join(' ')} >/dev/null`,
    // Effective rp_filter is max(all, dev): clear it on every interface.
    'for f in /proc/sys/net/ipv4/conf/*/rp_filter; do echo 0 > "$f"; done',
  ];
  if (router) lines.push('for f in /proc/sys/net/ipv4/conf/*/send_redirects; do echo 0 > "$f"; done');
  if (iptFile) lines.push(`iptables-restore < ${iptFile}`);
  return `set -e\n${lines.join('\n')}\n`;
}

/**
 * Starts one lab server in its namespace; resolves when it says `ready` on its ready pipe (fd 3), as it happens.
 * Its log (connections it saw) goes to `logFile`; a server that dies first fails the build at once, with that log.
 */
async function startServer(ns: string, args: string[], logFile: string, program = [NODE, join(LAB_DIR, 'server.ts')]): Promise<void> {
  const fd = openSync(logFile, 'w');
  const child = spawn('ip', ['netns', 'exec', ns, ...program, '--ready-fd', '3', ...args], {
    detached: true,
    stdio: ['ignore', fd, fd, 'pipe'],
  });
  closeSync(fd);
  child.on('error', () => {});
  const ready = child.stdio[3] as Readable;
  try {
    await waitLine(child, ready, /^ready$/, { what: `server in ${ns}` });
  } catch (e) {
    throw new Error(`${(e as Error).message} ${readFileSync(logFile, 'utf8').trim().slice(-200)}`);
  } finally {
    ready.destroy();
    child.unref();
  }
}

/**
 * Carrier and bridge-port state changes reach the stack through the kernel's linkwatch, which batches them up
 * to a second: until then a bridge port drops frames and the first SYN is lost. Wait for every link instead.
 */
async function waitLinksUp(ns: (r: Role) => string, skip: string[]): Promise<void> {
  let down: string[] = [];
  await until(
    async () => {
      const outs = await Promise.all(
        ROLES.flatMap((r) => [
          run('ip', ['-n', ns(r), '-o', 'link', 'show']),
          ...(r === 'vpcr' || r === 'node' ? [run('bridge', ['-n', ns(r), 'link', 'show'])] : []),
        ]),
      );
      if (outs.some((o) => o.code !== 0)) return false;
      down = outs
        .flatMap((o) => o.stdout.split('\n'))
        .filter((l) => / state /.test(l) && !/ lo: /.test(l) && !/ state (UP|forwarding) /.test(l))
        .filter((l) => !skip.some((d) => l.includes(` ${d}:`) || l.includes(` ${d}@`)));
      return down.length === 0;
    },
    { what: 'lab links up', last: () => `still down: ${down.map((l) => l.slice(0, 60)).join(' | ')}` },
  );
}

export async function createLab(scenarioOrId: Scenario | string): Promise<Lab> {
  const scenario = typeof scenarioOrId === 'string' ? findScenario(scenarioOrId) : scenarioOrId;
  if (!scenario) throw new Error(`unknown scenario "${String(scenarioOrId)}"`);
  const t0 = performance.now();
  const { prefix, tmp, destroy } = claimLab();
  const ns = (r: Role) => `${prefix}-${r}`;
  try {
    const p = plan(prefix, scenario.build);
    mustSucceed('creating namespaces and veths', await run('ip', ['-batch', '-'], { input: `${p.host.join('\n')}\n`, timeoutMs: INFRA_DEADLINE_MS }));
    for (const r of p.resolv) {
      mkdirSync(`/etc/netns/${ns(r)}`, { recursive: true });
      writeFileSync(`/etc/netns/${ns(r)}/resolv.conf`, RESOLV_CONF);
    }
    await Promise.all(
      ROLES.map(async (r) => {
        writeFileSync(join(tmp, `${r}.ip`), `${p.ip[r].join('\n')}\n`);
        const ipt = p.iptables[r];
        if (ipt) writeFileSync(join(tmp, `${r}.rules`), ipt);
        const script = setupScript(join(tmp, `${r}.ip`), p.sysctl[r], ipt ? join(tmp, `${r}.rules`) : null, r.startsWith('vpcr') || r === 'node');
        mustSucceed(`setting up ${ns(r)}`, await run('ip', ['netns', 'exec', ns(r), 'sh', '-c', script], { timeoutMs: INFRA_DEADLINE_MS }));
      }),
    );
    // A TUN device has no carrier state to wait for (UNKNOWN once delay.py holds it).
    const skip = [
      ...(scenario.build.ecsBridge ? [scenario.build.ecsBridge.name, NO_CARRIER_PORT, `${NO_CARRIER_PORT}p`] : []),
      ...(scenario.build.peeringDelayMs ? [DELAY_DEV] : []),
    ];
    await Promise.all([
      waitLinksUp(ns, skip),
      ...p.servers.map((s) => startServer(ns(s.role), s.args, join(tmp, `${s.role}.log`), s.program)),
    ]);
  } catch (e) {
    await destroy();
    throw e;
  }
  const exec: Lab['exec'] = (role, argv, opts) => run('ip', ['netns', 'exec', ns(role), ...argv], opts);
  return {
    prefix,
    scenario,
    podIp: podAddressing(scenario.model, scenario.build.containerCidr).podIp,
    buildMs: Math.round(performance.now() - t0),
    ns,
    exec,
    iptablesCounter: (role, comment) => ruleCounter((argv) => exec(role, argv), ns(role), comment, 4, 'filter'),
    destroy,
  };
}

export function withLab<T>(scenario: Scenario | string, fn: (lab: Lab) => Promise<T>): Promise<T> {
  return destroyedAfter(createLab(scenario), fn);
}

/** Runs `fn` on the lab once it is up, and tears the lab down after, whatever `fn` did. */
export async function destroyedAfter<L extends { destroy(): Promise<void> }, T>(creating: Promise<L>, fn: (lab: L) => Promise<T>): Promise<T> {
  const lab = await creating;
  try {
    return await fn(lab);
  } finally {
    await lab.destroy();
  }
}

/** Packets counted by the rules carrying `comment` (iptables -m comment), summed over the table's chains. */
export async function ruleCounter(exec: (argv: string[]) => Promise<ExecResult>, where: string, comment: string, family: 4 | 6, table: 'filter' | 'nat'): Promise<number> {
  const tool = family === 6 ? 'ip6tables' : 'iptables';
  const r = await exec([tool, '-t', table, '-L', '-v', '-x', '-n']);
  mustSucceed(`reading ${tool} in ${where}`, r);
  let sum = 0;
  for (const line of r.stdout.split('\n')) if (line.includes(`/* ${comment} */`)) sum += Number(line.trim().split(/\s+/)[0]) || 0;
  return sum;
}

export { ROLES, type Role };

/** Every link in these namespaces up (bridge ports forwarding in `bridged`): the fleet lab's wait, as waitLinksUp's. */
export async function waitNamespacesUp(namespaces: string[], bridged: string[]): Promise<void> {
  let down: string[] = [];
  await until(
    async () => {
      const outs = await Promise.all([...namespaces.map((n) => run('ip', ['-n', n, '-o', 'link', 'show'])), ...bridged.map((n) => run('bridge', ['-n', n, 'link', 'show']))]);
      if (outs.some((o) => o.code !== 0)) return false;
      down = outs.flatMap((o) => o.stdout.split('\n')).filter((l) => / state /.test(l) && !/ lo: /.test(l) && !/ state (UP|forwarding) /.test(l));
      return down.length === 0;
    },
    { what: 'lab links up', last: () => `still down: ${down.map((l) => l.slice(0, 60)).join(' | ')}` },
  );
}

export { setupScript, startServer };
