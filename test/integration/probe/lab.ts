// A three-namespace lab with no link to the host namespace:
//   client (10.251.1.2) ── router (10.251.1.1 | 10.251.2.1) ── server (10.251.2.2, 10.251.2.5)
// server: :80 open, :81 drops SYNs, :82 closed (RST); 10.251.2.5 drops echo requests.
// router: no route to 10.251.3.0/24 (net unreachable), REJECTs 10.251.2.3 (admin prohibited) and
// 10.251.2.4 (host unreachable).
// Prefix, registry, teardown and command running are the VPC lab's (test/lab/lab.ts): `cli.ts clean` and its
// exit/signal handlers cover this lab too.
import { spawn, spawnSync } from 'node:child_process';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { IcmpResult, ProbeReport, TcpResult } from '../../../src/probe/types.ts';
import { claimLab, type ExecResult, mustSucceed, NODE, run } from '../../lab/lab.ts';
import { until, waitLine } from '../../lab/wait.ts';

export const RUN_PROBE = fileURLToPath(new URL('./run-probe.ts', import.meta.url));

export const SERVER = '10.251.2.2';
export const SERVER_NO_PING = '10.251.2.5';
export const NO_ROUTE = '10.251.3.5';
export const FILTERED = '10.251.2.3';
export const HOST_UNREACHABLE = '10.251.2.4';
export const GATEWAY = '10.251.1.1';

export function canBuildLab(): boolean {
  if (process.getuid?.() !== 0) return false;
  return ['ip', 'iptables', 'ping'].every((c) => spawnSync('sh', ['-c', `command -v ${c}`]).status === 0);
}

export interface Lab {
  client: string;
  router: string;
  server: string;
  /** Runs test/integration/probe/run-probe.ts in the client namespace; returns its parsed JSON and wall time. */
  probe(args: string[]): Promise<{ report: ProbeReport & { tcp: TcpResult; gateway: IcmpResult }; wallMs: number; stderr: string }>;
  /** Any command in a namespace. */
  exec(ns: string, argv: string[], opts?: { timeoutMs?: number }): Promise<ExecResult>;
  destroy(): Promise<void>;
}

export async function createLab(): Promise<Lab> {
  const { prefix, destroy } = claimLab();
  const client = `${prefix}-client`;
  const router = `${prefix}-router`;
  const server = `${prefix}-server`;
  const exec: Lab['exec'] = (ns, argv, opts) => run('ip', ['netns', 'exec', ns, ...argv], { timeoutMs: 15_000, ...opts });

  try {
    // veths are created directly between namespaces: nothing ever appears in the host namespace.
    const host = [
      ...[client, router, server].map((ns) => `netns add ${ns}`),
      // Distinct ifindexes on the two ends, as in test/lab/topology.ts: equal ones delay carrier-up by up to 1 s.
      `link add c0 index 20 netns ${client} type veth peer name r0 index 21 netns ${router}`,
      `link add r1 index 22 netns ${router} type veth peer name s0 index 23 netns ${server}`,
    ];
    mustSucceed('creating namespaces and veths', await run('ip', ['-batch', '-'], { input: `${host.join('\n')}\n`, timeoutMs: 15_000 }));
    const setup: Record<string, string[]> = {
      [client]: ['ip addr add 10.251.1.2/24 dev c0', 'ip link set c0 up', `ip route add default via ${GATEWAY}`],
      [router]: [
        'ip addr add 10.251.1.1/24 dev r0',
        'ip addr add 10.251.2.1/24 dev r1',
        'ip link set r0 up',
        'ip link set r1 up',
        'sysctl -qw net.ipv4.ip_forward=1',
        // Routers rate-limit ICMP errors; tests hit them several times in a row.
        'sysctl -qw net.ipv4.icmp_ratelimit=0',
        `iptables -A FORWARD -d ${FILTERED} -j REJECT --reject-with icmp-admin-prohibited`,
        `iptables -A FORWARD -d ${HOST_UNREACHABLE} -j REJECT --reject-with icmp-host-unreachable`,
      ],
      [server]: [
        `ip addr add ${SERVER}/24 dev s0`,
        `ip addr add ${SERVER_NO_PING}/24 dev s0`,
        'ip link set s0 up',
        'ip route add default via 10.251.2.1',
        'iptables -A INPUT -p tcp --dport 81 --syn -j DROP',
        `iptables -A INPUT -d ${SERVER_NO_PING} -p icmp --icmp-type echo-request -j DROP`,
      ],
    };
    await Promise.all(
      Object.entries(setup).map(async ([ns, lines]) =>
        mustSucceed(`setting up ${ns}`, await exec(ns, ['sh', '-c', ['set -e', 'ip link set lo up', ...lines].join('\n')])),
      ),
    );
    // Detached and unref'd: teardown kills it with everything else in the namespace. It says `ready` once
    // listening; then :80 must answer from the client side, which also waits out carrier-up on the veths.
    const listener = spawn(
      'ip',
      ['netns', 'exec', server, NODE, '-e', "require('net').createServer(s=>s.end()).listen(80,'0.0.0.0',()=>console.log('ready'))"],
      { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    listener.on('error', () => {});
    try {
      await waitLine(listener, listener.stdout as Readable, /^ready$/, { what: 'lab: listener on :80', also: [listener.stderr as Readable] });
    } finally {
      listener.stdout?.destroy();
      listener.stderr?.destroy();
      listener.unref();
    }
    await until(async () => (await exec(client, ['bash', '-c', `exec 3<>/dev/tcp/${SERVER}/80`], { timeoutMs: 2000 })).code === 0, {
      what: `lab: ${SERVER}:80 from the client`,
    });
    // libuv leaves an interface that is not RUNNING yet out of os.networkInterfaces(), and packets may
    // flow before the link watcher marks it so: the report's from.addresses would be empty.
    await until(async () => (await exec(client, ['cat', '/sys/class/net/c0/operstate'])).stdout.trim() === 'up', { what: 'lab: c0 operstate up' });
  } catch (err) {
    await destroy();
    throw err;
  }

  return {
    client,
    router,
    server,
    async probe(args) {
      const r = await exec(client, [NODE, RUN_PROBE, ...args]);
      if (r.code !== 0) throw new Error(`run-probe ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
      return { report: JSON.parse(r.stdout), wallMs: r.ms, stderr: r.stderr };
    },
    exec,
    destroy,
  };
}
