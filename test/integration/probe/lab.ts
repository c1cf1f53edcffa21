// A three-namespace lab with no link to the host namespace:
//   client (10.251.1.2) ── router (10.251.1.1 | 10.251.2.1) ── server (10.251.2.2, 10.251.2.5)
// server: :80 open, :81 drops SYNs, :82 closed (RST); 10.251.2.5 drops echo requests.
// router: no route to 10.251.3.0/24 (net unreachable), REJECTs 10.251.2.3 (admin prohibited) and
// 10.251.2.4 (host unreachable).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { IcmpResult, ProbeReport, TcpResult } from '../../../src/probe/types.ts';

export const NODE = fileURLToPath(new URL('../../../node_modules/.bin/node', import.meta.url));
export const RUN_PROBE = fileURLToPath(new URL('./run-probe.ts', import.meta.url));

export const SERVER = '10.251.2.2';
export const SERVER_NO_PING = '10.251.2.5';
export const NO_ROUTE = '10.251.3.5';
export const FILTERED = '10.251.2.3';
export const HOST_UNREACHABLE = '10.251.2.4';
export const GATEWAY = '10.251.1.1';

function sh(args: string[]): void {
  const r = spawnSync(args[0] as string, args.slice(1), { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr || r.error?.message}`);
}

export function canBuildLab(): boolean {
  if (process.getuid?.() !== 0) return false;
  return ['ip', 'iptables', 'ping'].every((c) => spawnSync('sh', ['-c', `command -v ${c}`]).status === 0);
}

export interface Lab {
  client: string;
  router: string;
  server: string;
  /** Runs test/integration/probe/run-probe.ts in the client namespace; returns its parsed JSON and wall time. */
  probe(args: string[]): { report: ProbeReport & { tcp: TcpResult; gateway: IcmpResult }; wallMs: number; stderr: string };
  /** Any command in a namespace; returns stdout+stderr and the exit code. */
  exec(ns: string, args: string[]): { out: string; code: number | null };
  destroy(): void;
}

export function createLab(): Lab {
  const prefix = `prq${process.pid.toString(36)}${randomBytes(2).toString('hex')}`;
  const client = `${prefix}c`;
  const router = `${prefix}r`;
  const server = `${prefix}s`;
  const created: string[] = [];
  let listener: ChildProcess | undefined;

  const destroy = (): void => {
    listener?.kill('SIGKILL');
    for (const ns of created) spawnSync('ip', ['netns', 'del', ns], { timeout: 10_000 });
    created.length = 0;
  };
  // Even if the test runner dies between setup and afterAll.
  process.once('exit', destroy);

  try {
    for (const ns of [client, router, server]) {
      sh(['ip', 'netns', 'add', ns]);
      created.push(ns);
      sh(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
    }
    // veths are created directly between namespaces: nothing ever appears in the host namespace.
    sh(['ip', 'link', 'add', 'c0', 'netns', client, 'type', 'veth', 'peer', 'name', 'r0', 'netns', router]);
    sh(['ip', 'link', 'add', 'r1', 'netns', router, 'type', 'veth', 'peer', 'name', 's0', 'netns', server]);
    const addr = (ns: string, dev: string, cidr: string): void => {
      sh(['ip', '-n', ns, 'addr', 'add', cidr, 'dev', dev]);
      sh(['ip', '-n', ns, 'link', 'set', dev, 'up']);
    };
    addr(client, 'c0', '10.251.1.2/24');
    addr(router, 'r0', '10.251.1.1/24');
    addr(router, 'r1', '10.251.2.1/24');
    addr(server, 's0', '10.251.2.2/24');
    sh(['ip', '-n', server, 'addr', 'add', '10.251.2.5/24', 'dev', 's0']);
    sh(['ip', '-n', client, 'route', 'add', 'default', 'via', GATEWAY]);
    sh(['ip', '-n', server, 'route', 'add', 'default', 'via', '10.251.2.1']);
    sh(['ip', 'netns', 'exec', router, 'sysctl', '-qw', 'net.ipv4.ip_forward=1']);
    // Routers rate-limit ICMP errors; tests hit them several times in a row.
    sh(['ip', 'netns', 'exec', router, 'sysctl', '-qw', 'net.ipv4.icmp_ratelimit=0']);
    const ipt = (ns: string, rule: string): void => sh(['ip', 'netns', 'exec', ns, 'iptables', ...rule.split(' ')]);
    ipt(router, `-A FORWARD -d ${FILTERED} -j REJECT --reject-with icmp-admin-prohibited`);
    ipt(router, `-A FORWARD -d ${HOST_UNREACHABLE} -j REJECT --reject-with icmp-host-unreachable`);
    ipt(server, '-A INPUT -p tcp --dport 81 --syn -j DROP');
    ipt(server, `-A INPUT -d ${SERVER_NO_PING} -p icmp --icmp-type echo-request -j DROP`);
    listener = spawn('ip', ['netns', 'exec', server, NODE, '-e', "require('net').createServer(s=>s.end()).listen(80,'0.0.0.0')"], {
      stdio: 'ignore',
    });
    // Wait (bounded) until :80 answers from the client side.
    let up = false;
    for (let i = 0; i < 50 && !up; i++) {
      up = spawnSync('ip', ['netns', 'exec', client, 'bash', '-c', `exec 3<>/dev/tcp/${SERVER}/80`], { timeout: 2000 }).status === 0;
      if (!up) spawnSync('sleep', ['0.1']);
    }
    if (!up) throw new Error('lab: listener on :80 did not come up');
  } catch (err) {
    destroy();
    throw err;
  }

  return {
    client,
    router,
    server,
    probe(args) {
      const t = performance.now();
      const r = spawnSync('ip', ['netns', 'exec', client, NODE, RUN_PROBE, ...args], { encoding: 'utf8', timeout: 15_000 });
      const wallMs = Math.round(performance.now() - t);
      if (r.status !== 0) throw new Error(`run-probe ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
      return { report: JSON.parse(r.stdout), wallMs, stderr: r.stderr };
    },
    exec(ns, args) {
      const r = spawnSync('ip', ['netns', 'exec', ns, ...args], { encoding: 'utf8', timeout: 15_000 });
      return { out: `${r.stdout}${r.stderr}`, code: r.status };
    },
    destroy,
  };
}
