import type { Fact, FactSource, NetworkModel, PodContext } from '../../../src/context/types.ts';
import { cidrFacts } from '../../../src/diagnose/cidr.ts';
import { peerObservation, podAndNode } from '../../../src/diagnose/index.ts';
import type { Evidence } from '../../../src/diagnose/types.ts';
import type { PeerReport, PeerSource } from '../../../src/probe/peer/types.ts';
import type { AppResult, DnsResult, IcmpStatus, PmtuResult, ProbeReport, Target, TcpStatus } from '../../../src/probe/types.ts';

const f = <T>(value: T, source: FactSource = 'flag'): Fact<T> => ({ value, source, confidence: 1 });

/** The guide's cluster: nodes in 192.168.10.0/24 of VPC 192.168.0.0/16, container CIDR 172.16.0.0/16. */
export function ctx(model: NetworkModel | undefined, over: Partial<Record<keyof PodContext, unknown>> = {}): PodContext {
  const eni = model === 'eni';
  const base: PodContext = {
    podIp: f(eni ? '192.168.30.10' : '172.16.1.10', 'interface'),
    nodeIp: f('192.168.10.11'),
    containerCidr: f(eni ? '192.168.30.0/24' : '172.16.0.0/16'),
    vpcCidrs: f(['192.168.0.0/16']),
    serviceCidr: f('10.247.0.0/16'),
    ...(model ? { networkModel: f(model) } : {}),
  };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) delete (base as Record<string, unknown>)[k];
    else (base as Record<string, unknown>)[k] = f(v);
  }
  return base;
}

export interface Side {
  tcp?: TcpStatus;
  icmp?: IcmpStatus;
  icmpDetail?: string;
  errno?: string;
  dns?: DnsResult['status'];
  /** The application exchange after an open TCP port. */
  app?: AppResult;
  /** The full-size DF echo. */
  pmtu?: PmtuResult;
}

export function probe(target: Target, s: Side, role: 'pod' | 'node' = 'pod'): ProbeReport {
  const icmp = s.icmp ?? 'no-reply';
  return {
    kind: 'podreach.probe',
    schemaVersion: 1,
    from: { role, hostname: role, addresses: [role === 'pod' ? '172.16.1.10' : '192.168.10.11'] },
    target,
    ...(s.dns ? { dns: { status: s.dns, name: target.host, addresses: [], ms: 12, servers: ['10.247.3.10'] } } : {}),
    icmp: {
      status: icmp,
      sent: icmp === 'not-run' ? 0 : 3,
      received: icmp === 'reply' ? 3 : 0,
      ...(icmp === 'reply' ? { rttMs: 0.4 } : {}),
      ms: icmp === 'reply' ? 50 : 1000,
      ...(s.icmpDetail ? { detail: s.icmpDetail } : {}),
    },
    ...(s.tcp && target.port
      ? {
          tcp: {
            status: s.tcp,
            port: target.port,
            ms: s.tcp === 'timeout' ? 900 : 1,
            attempts: s.tcp === 'timeout' ? 2 : 1,
            waitMs: 450,
            ...(s.errno ? { errno: s.errno } : {}),
          },
        }
      : {}),
    ...(s.app ? { app: s.app } : {}),
    ...(s.pmtu ? { pmtu: s.pmtu } : {}),
    rtt: { ms: 0.4, basis: 'gateway', waitMs: 450 },
    startedAt: '2026-11-21T00:00:00.000Z',
    durationMs: 1000,
  };
}

export function target(ip: string, port?: number, host = ip): Target {
  return { input: port ? `${host}:${port}` : host, host, ip, ...(port ? { port } : {}) };
}

export function evidence(t: Target, context: PodContext, pod: Side, node?: Side): Evidence {
  return {
    target: t,
    context,
    observations: podAndNode(probe(t, pod), node && probe(t, node, 'node'), context.nodeName?.value),
    cidr: cidrFacts(t.ip, context),
  };
}

export const ECS = target('192.168.10.52', 80);
export const REDIS = target('192.168.20.10', 6379);
export const PEER = target('10.1.0.20', 80);
export const SILENT: Side = { tcp: 'timeout', icmp: 'no-reply' };
export const OPEN: Side = { tcp: 'open', icmp: 'reply' };

/** What `podreach peer` on the target would report for one source: a normal route out, nothing in the way, unless `over` says otherwise. */
export function peerReport(src: string, over: Partial<PeerSource> = {}, host = '192.168.10.52'): PeerReport {
  return {
    kind: 'podreach.peer',
    schemaVersion: 1,
    tool: { name: 'podreach', version: 'test' },
    generatedAt: '2026-12-06T00:00:00Z',
    host: { hostname: 'peer-host', addresses: [host], uid: 0 },
    port: 80,
    listener: { port: 80, listening: true, on: ['0.0.0.0'] },
    sources: [
      {
        ip: src,
        route: { kind: 'gateway', dev: 'eth0', via: '192.168.10.1', defaultDev: true, bridge: false, docker: false, line: `${src} via 192.168.10.1 dev eth0` },
        covering: [],
        firewall: { verdict: 'accept', tool: 'iptables-save' },
        ...over,
      },
    ],
    notes: [],
  };
}

/** `arrived` for a window that saw (or did not see) the source. */
export const arrived = (seen: boolean): PeerSource['arrived'] => ({
  seen,
  windowMs: 3000,
  states: seen ? ['SYN-RECV'] : [],
  methods: [{ method: 'socket-states', needs: 'none', available: true, seen: seen ? 2 : 0, detail: 'test' }],
});

/** The evidence with the target host's report added as the peer vantage. */
export const withPeer = (ev: Evidence, peer: PeerReport): Evidence => ({ ...ev, observations: [...ev.observations, peerObservation(peer)] });
