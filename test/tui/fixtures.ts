// Reports for the TUI tests, made by the real engine from the diagnosis fixtures: no verdict is typed in.
import type { ContextReport } from '../../src/context/types.ts';
import { diagnose } from '../../src/diagnose/engine.ts';
import type { CauseId, Evidence } from '../../src/diagnose/types.ts';
import { nodeSide, podSide } from '../../src/diagnose/vantage.ts';
import { buildReport, type PodreachReport } from '../../src/render/report.ts';
import { type RunHooks, startRun } from '../../src/render/tui/live.ts';
import { arrived, ctx, ECS, evidence, OPEN, PEER, peerReport, REDIS, SILENT, target, withPeer } from '../unit/diagnose/fixtures.ts';

export function reportFrom(ev: Evidence, extra: Partial<ContextReport> = {}): PodreachReport {
  return buildReport({
    version: 'test',
    target: ev.target,
    context: {
      facts: ev.context,
      missing: extra.missing ?? [],
      notes: extra.notes ?? [],
    },
    cidr: ev.cidr,
    pod: podSide(ev),
    node: nodeSide(ev),
    diagnosis: diagnose(ev),
    timings: { probeMs: 1000, diagnoseMs: 1, totalMs: 1001 },
  });
}

const unreach = {
  tcp: 'unreachable' as const,
  errno: 'ENETUNREACH',
  icmp: 'unreachable' as const,
  icmpDetail: 'From 192.168.10.1 icmp_seq=1 Destination Net Unreachable',
};

/** One situation per verdict kind; `cause` is what the engine is expected to name for it. */
export const CASES: { name: string; cause: CauseId; ev: () => Evidence }[] = [
  {
    name: 'reachable',
    cause: 'reachable',
    ev: () => evidence(ECS, ctx('vpc'), OPEN),
  },
  {
    name: 'security group (vpc, node passes)',
    cause: 'security-group',
    ev: () => evidence(ECS, ctx('vpc'), SILENT, OPEN),
  },
  {
    name: 'whitelist (tunnel, Redis)',
    cause: 'whitelist',
    ev: () => evidence(REDIS, ctx('tunnel'), SILENT, SILENT),
  },
  {
    name: 'route (vpc over peering)',
    cause: 'route',
    ev: () => evidence(PEER, ctx('vpc'), SILENT, OPEN),
  },
  {
    name: 'route (net unreachable)',
    cause: 'route',
    ev: () => evidence(PEER, ctx('tunnel'), unreach, unreach),
  },
  {
    name: 'docker bridge (pod in docker0)',
    cause: 'docker-bridge-conflict',
    ev: () => evidence(ECS, ctx('vpc', { podIp: '172.17.1.10', containerCidr: '172.17.0.0/16' }), SILENT, OPEN),
  },
  {
    name: 'port closed',
    cause: 'port-closed',
    ev: () => evidence(target('192.168.10.52', 81), ctx('vpc'), { tcp: 'refused', icmp: 'reply' }, { tcp: 'refused', icmp: 'reply' }),
  },
  {
    name: 'host unreachable',
    cause: 'host-unreachable',
    ev: () =>
      evidence(target('192.168.10.99', 80), ctx('vpc'), {
        tcp: 'unreachable',
        errno: 'EHOSTUNREACH',
        icmp: 'unreachable',
        icmpDetail: 'From 192.168.10.11 icmp_seq=1 Destination Host Unreachable',
      }),
  },
  {
    name: 'dns',
    cause: 'dns',
    ev: () =>
      evidence(
        {
          input: 'nosuch.lab.internal:80',
          host: 'nosuch.lab.internal',
          port: 80,
        },
        ctx('tunnel'),
        { dns: 'nxdomain', icmp: 'skipped' },
      ),
  },
  {
    name: 'whitelist (MySQL names the pod IP)',
    cause: 'whitelist',
    ev: () =>
      evidence(target('192.168.20.30', 3306), ctx('vpc'), {
        tcp: 'open',
        app: { protocol: 'mysql', status: 'denied', reply: "error 1130: Host '172.16.1.10' is not allowed to connect to this MySQL server", seenSource: '172.16.1.10', ms: 2 },
      }),
  },
  {
    name: 'mtu (full-size packets vanish)',
    cause: 'mtu',
    ev: () =>
      evidence(ECS, ctx('vpc'), {
        tcp: 'open',
        icmp: 'reply',
        pmtu: { status: 'dropped', mtu: 1500, pathMtu: 1400, tried: [{ mtu: 1450, fits: false }, { mtu: 1400, fits: true }], ms: 620 },
      }),
  },
  {
    name: 'network policy (egress only to DNS)',
    cause: 'network-policy',
    ev: () =>
      evidence(
        ECS,
        ctx('tunnel', {
          namespace: 'shop',
          podLabels: { app: 'test01' },
          egressPolicies: [{ name: 'dns-only', podSelector: {}, egress: [{ to: [{ namespaceSelector: {} }], ports: [{ protocol: 'UDP', port: 53 }] }] }],
        }),
        SILENT,
        OPEN,
      ),
  },
  {
    name: 'unknown (tunnel, only the pod fails)',
    cause: 'unknown',
    ev: () => evidence(ECS, ctx('tunnel'), SILENT, OPEN),
  },
  {
    name: 'host firewall (read on the peer)',
    cause: 'host-firewall',
    ev: () =>
      withPeer(
        evidence(ECS, ctx('vpc'), SILENT, OPEN),
        peerReport('172.16.1.10', { firewall: { verdict: 'drop', tool: 'iptables-save', chain: 'INPUT', rule: '-A INPUT -s 172.16.0.0/16 -p tcp -m tcp --dport 80 -j DROP' }, arrived: arrived(false) }),
      ),
  },
];

/** Two causes the wire cannot separate: the engine ranks both. */
export const AMBIGUOUS = () => evidence(ECS, ctx('vpc', { podIp: '172.17.1.10', containerCidr: '172.17.0.0/16' }), SILENT, OPEN);
export const REDIS_VPC = () => evidence(REDIS, ctx('vpc'), { tcp: 'timeout', icmp: 'no-reply' }, { tcp: 'open', icmp: 'no-reply' });

/** A run whose events, context and report the test hands over by hand. */
export function manualRun(n = 1) {
  let hooks: RunHooks | undefined;
  let settle: { resolve: (r: PodreachReport) => void; reject: (e: Error) => void } | undefined;
  const run = startRun((h) => {
    hooks = h;
    return new Promise<PodreachReport>((resolve, reject) => (settle = { resolve, reject }));
  }, n);
  return { run, hooks: hooks!, settle: settle! };
}

export async function until(test: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (test()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`never: ${what}`);
}
