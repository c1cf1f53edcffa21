import type { Fact, NetworkModel } from '../context/types.ts';
import { fmtMs, hostPort } from '../net/format.ts';
import { podHasFamily } from '../context/family.ts';
import { familyOf, hostCidr, inCidr } from '../net/ip.ts';
import type { AppProtocol, AppStatus, DnsResult, ProbeReport } from '../probe/types.ts';
import { MANAGED_PORTS, peerSees, withoutFamily } from './sources.ts';
import { type PeerSignal, peerSignal } from './peer.ts';
import type { Differential, Evidence, SourceSeen } from './types.ts';
import { from, nodeSide, podSide } from './vantage.ts';

/** What one side's probes amount to. `denied`: TCP connected, and the service turned this client away by its address. */
export type Outcome = 'ok' | 'refused' | 'silent' | 'unreachable' | 'dns-failed' | 'denied' | 'error' | 'not-run';

export interface SideResult {
  outcome: Outcome;
  /** The probe that decided: 'tcp/80', 'icmp', 'dns'. */
  via: string;
  /** One evidence line for the report. */
  line: string;
  /** For unreachable: net / host / admin (filtered) / local (no route in this namespace). */
  unreachable?: 'net' | 'host' | 'admin' | 'local';
  /** The router that sent the ICMP error, when ping printed it. */
  unreachableFrom?: string;
  /** The target answered ICMP echo even though the port did not. */
  icmpAlive: boolean;
  /** The client address the service named in its refusal (MySQL 1130, pg_hba). */
  namedSource?: string;
  /** For a timeout: how long podreach itself could not run during the wait that decided it, ms. */
  starvedMs?: number;
  /** The timeout was taken before podreach could watch its whole wait: it may be its own slowness. */
  uncertain?: boolean;
}

export interface Signals {
  model?: NetworkModel;
  pod: SideResult;
  node?: SideResult;
  differential: Differential;
  seen: SourceSeen;
  /** A well-known managed-service port (Redis, MySQL, ...): whitelists are likely. */
  managedService?: string;
  targetLabel: string;
  port?: number;
  /** The target host's own view of the source (--peer-report), when there is one that names it. */
  peer?: PeerSignal;
}

const PROTOCOL_NAMES: Record<AppProtocol, string> = { http: 'HTTP', tls: 'TLS', redis: 'Redis', mysql: 'MySQL', postgres: 'PostgreSQL' };

/** "MySQL", "PostgreSQL", ... */
export const protocolName = (p: AppProtocol): string => PROTOCOL_NAMES[p];

const APP_SAID: Record<AppStatus, string> = {
  ok: 'answered',
  'auth-required': 'answered and wants credentials',
  denied: 'refused this client',
  closed: 'closed the connection',
  timeout: 'said nothing in time',
  unexpected: 'answered in another protocol',
  error: 'exchange failed',
};

function unreachableKind(text: string | undefined): SideResult['unreachable'] {
  if (!text) return undefined;
  // ICMPv6 (iputils): "Destination unreachable: No route", "...: Address unreachable", "...: Administratively prohibited".
  if (/net(work)? unreachable|ENETUNREACH|unreachable: No route/i.test(text)) return 'net';
  if (/host unreachable|EHOSTUNREACH|Address unreachable/i.test(text)) return 'host';
  if (/prohibited|filtered|admin/i.test(text)) return 'admin';
  return undefined;
}

const DNS_ERRNO: Record<string, string> = {
  ECONNREFUSED: 'no DNS server reachable: connection refused (nothing listens on port 53 there, or no route to it)',
  EBADRESP: 'the DNS server sent a malformed reply',
  EFORMERR: 'the DNS server could not parse the query (FORMERR)',
  ENOTIMP: 'the DNS server does not implement this query (NOTIMP)',
  ENONAME: 'no name to look up',
  EBADNAME: 'not a valid DNS name',
};

/** What happened to a lookup, in words: the server's answer, or why there was none. */
export function dnsSaid(d: DnsResult): string {
  switch (d.status) {
    case 'ok':
      return `resolved to ${d.addresses.join(', ')}`;
    case 'nxdomain':
      return 'NXDOMAIN: no such name';
    case 'no-data':
      return 'the name exists but has no A/AAAA record';
    case 'servfail':
      return 'the DNS server answered SERVFAIL';
    case 'refused':
      return 'the DNS server answered REFUSED';
    case 'timeout':
      return 'no answer (timeout)';
    default:
      return DNS_ERRNO[d.errno ?? ''] || `the lookup failed (${d.errno ?? 'unknown error'})`;
  }
}

/** A timeout's stall, for the side result: how long podreach could not run while it waited. */
function starved(r: { stalledMs?: number } | undefined, uncertain: boolean): Pick<SideResult, 'starvedMs' | 'uncertain'> {
  if (!r?.stalledMs) return {};
  return { starvedMs: r.stalledMs, ...(uncertain ? { uncertain: true } : {}) };
}

/**
 * A stall the wait was stretched over is worth a line only when it was long enough to have changed the
 * verdict otherwise (a SYN wait is ~300 ms); shorter ones are a busy node's ordinary jitter.
 */
const STRETCHED_NOTE_MS = 250;

/** The evidence line for a timeout podreach was starved during; undefined when it was not. */
export function starvedLine(side: SideResult): string | undefined {
  if (!side.starvedMs || (!side.uncertain && side.starvedMs < STRETCHED_NOTE_MS)) return undefined;
  return side.uncertain
    ? `podreach itself was starved for ${fmtMs(side.starvedMs)} during this wait (CPU throttling, or the process stopped) and could not watch all of it: this timeout may be its own slowness, not the network — run it again`
    : `podreach itself was starved for ${fmtMs(side.starvedMs)} during this wait; the wait was stretched to cover it, so the silence is real`;
}

/** Confidence factor for a cause built on this side's silence: halved when the silence may be podreach's own. */
export const doubt = (s: Signals): number => (s.pod.uncertain ? 0.5 : 1);

function sideResult(r: ProbeReport): SideResult {
  const icmpAlive = r.icmp.status === 'reply';
  if (r.dns && r.dns.status !== 'ok') {
    return {
      outcome: 'dns-failed',
      via: 'dns',
      line: `DNS for ${r.dns.name}: ${dnsSaid(r.dns)}, after ${fmtMs(r.dns.ms)} (servers ${r.dns.servers.join(', ') || 'unknown'})`,
      icmpAlive: false,
      ...starved(r.dns.status === 'timeout' ? r.dns : undefined, (r.dns.observedMs ?? 0) < (r.dns.stalledMs ?? 0)),
    };
  }
  const from = /From ([0-9a-f.:]+)/i.exec(r.icmp.detail ?? '')?.[1];
  const icmpErr = r.icmp.status === 'unreachable' ? unreachableKind(r.icmp.detail) ?? 'net' : undefined;
  if (r.tcp) {
    const t = r.tcp;
    const via = `tcp/${t.port}`;
    switch (t.status) {
      case 'open': {
        const line = `TCP ${t.port} open in ${fmtMs(t.ms)}`;
        const app = r.app;
        if (!app) return { outcome: 'ok', via, line, icmpAlive };
        const said = `${protocolName(app.protocol)} ${APP_SAID[app.status]}${app.reply ? `: ${app.reply}` : ''}`;
        if (app.status === 'denied') {
          return { outcome: 'denied', via: app.protocol, line: `${line}; ${said}`, icmpAlive, ...(app.seenSource ? { namedSource: app.seenSource } : {}) };
        }
        return { outcome: 'ok', via, line: `${line}; ${said}`, icmpAlive };
      }
      case 'refused':
        return { outcome: 'refused', via, line: `TCP ${t.port} refused (RST) in ${fmtMs(t.ms)}`, icmpAlive };
      case 'unreachable': {
        const kind = unreachableKind(t.errno) ?? 'host';
        // A local ENETUNREACH comes back in microseconds with no ICMP error: this namespace has no route.
        const local = t.errno === 'ENETUNREACH' && !icmpErr && t.ms < 5;
        return {
          outcome: 'unreachable',
          via,
          line: `TCP ${t.port} ${t.errno ?? 'unreachable'} in ${fmtMs(t.ms)}${from ? ` (ICMP error from ${from})` : ''}`,
          unreachable: local ? 'local' : (icmpErr ?? kind),
          unreachableFrom: from,
          icmpAlive,
        };
      }
      case 'timeout':
        // ICMP errors are rate-limited: ping may have caught the error the SYNs never got.
        if (icmpErr) {
          return {
            outcome: 'unreachable',
            via: 'icmp',
            line: `TCP ${t.port} no answer to ${t.attempts} SYNs, but ping got: ${r.icmp.detail}`,
            unreachable: icmpErr,
            unreachableFrom: from,
            icmpAlive,
          };
        }
        return {
          outcome: 'silent',
          via,
          line: `TCP ${t.port} no answer to ${t.attempts} SYN${t.attempts > 1 ? 's' : ''} in ${fmtMs(t.waitMs)}${icmpAlive ? '; the host answers ping' : ''}`,
          icmpAlive,
          // Sound only if podreach watched every attempt's whole wait (a stall stretches it, up to a bound).
          ...starved(t, (t.observedMs ?? Infinity) < t.waitMs * 0.9),
        };
      default:
        return { outcome: 'error', via, line: `TCP ${t.port} local error ${t.errno ?? ''}`.trim(), icmpAlive };
    }
  }
  const i = r.icmp;
  switch (i.status) {
    case 'reply':
      return { outcome: 'ok', via: 'icmp', line: `ping: ${i.received}/${i.sent} replies, rtt ${fmtMs(i.rttMs ?? i.ms)}`, icmpAlive };
    case 'no-reply':
      return { outcome: 'silent', via: 'icmp', line: `ping: 0/${i.sent} replies in ${fmtMs(i.ms)}`, icmpAlive };
    case 'unreachable':
      return {
        outcome: 'unreachable',
        via: 'icmp',
        line: `ping: ${i.detail ?? 'unreachable'}`,
        unreachable: icmpErr,
        unreachableFrom: from,
        icmpAlive,
      };
    default:
      return { outcome: 'not-run', via: 'icmp', line: `ping could not run${i.detail ? `: ${i.detail}` : ''}`, icmpAlive };
  }
}


const FAILED: readonly Outcome[] = ['silent', 'unreachable', 'refused', 'denied'];

function differential(pod: SideResult, node?: SideResult): Differential {
  if (!node) return 'no-node-report';
  const podFails = FAILED.includes(pod.outcome);
  const nodeFails = FAILED.includes(node.outcome);
  if (podFails && nodeFails) return 'both-fail';
  if (podFails && node.outcome === 'ok') return 'pod-only-fails';
  if (pod.outcome === 'ok' && nodeFails) return 'node-only-fails';
  return 'same';
}

/**
 * The heart of the guide: which source IP the peer sees, in this model, for this target. Reads the
 * pod's probe only for an address the service named: a live view predicts it before probing ends.
 */
export function sourceSeen(ev: SeenInput, model: NetworkModel | undefined, diff: Differential): SourceSeen {
  const app = from(ev, 'pod')?.app;
  if (app?.seenSource) return namedByPeer(ev, app.seenSource, app.protocol);
  const ctx = ev.context;
  const podIp = ctx.podIp?.value;
  const nodeIp = ctx.nodeIp?.value;
  const targetIp = ev.target.ip;
  const containerCidr = ctx.containerCidr?.value;
  const family = targetIp ? familyOf(targetIp) : undefined;
  // Dual-stack with the container CIDR of the other family only: the pod's own address, and what to pass.
  const other = !containerCidr && family ? ctx.containerCidrs?.value.find((c) => familyOf(c) !== family) : undefined;
  const podSide: SourceSeen = {
    kind: 'pod',
    ip: podIp,
    allow: containerCidr ?? (podIp ? hostCidr(podIp) : undefined),
    allowWhat: model === 'eni' ? 'the container subnet' : containerCidr ? 'the container CIDR' : other ? `the pod IP; the ${family} container CIDR is unknown: pass --container-cidr ${other},<${family} CIDR> to allow all pods` : 'the pod IP',
    confidence: 0.8,
    why: '',
  };
  const nodeSide: SourceSeen = {
    kind: 'node',
    ip: nodeIp,
    allow: nodeIp ? hostCidr(nodeIp) : undefined,
    allowWhat: 'the IP of the node running this pod',
    confidence: 0.8,
    why: '',
  };
  if (family && podHasFamily(ctx, family) === false) {
    const r = withoutFamily(family, 'the pod', ctx.cni?.value);
    if (r.leaves) return { ...nodeSide, confidence: r.confidence, why: r.why };
    return { kind: 'unknown', ip: podIp, confidence: r.confidence, allowWhat: `nothing: the pod sends no ${family}`, why: r.why };
  }
  // Measured beats modelled: the peer treated pod and node differently, so it can tell them apart.
  if (diff === 'pod-only-fails' && model !== 'tunnel') {
    return { ...podSide, confidence: 0.9, why: 'measured: the node reaches the target and the pod does not, so the peer sees a source other than the node IP' };
  }
  const rule = peerSees(model, targetIp ? { ip: targetIp } : {}, { nonMasq: ctx.nonMasqueradeCidrs?.value, cni: ctx.cni?.value, vpcCidrs: ctx.vpcCidrs?.value });
  if (rule) return { ...(rule.side === 'pod' ? podSide : nodeSide), confidence: rule.confidence, why: rule.why };
  switch (model) {
    default: {
      if (podIp && containerCidr && inCidr(podIp, containerCidr) && diff === 'both-fail') {
        return { ...nodeSide, kind: 'unknown', confidence: 0.4, why: 'network model unknown: pod and node fail alike, which fits SNAT to the node IP' };
      }
      return { kind: 'unknown', ip: podIp, allow: containerCidr, allowWhat: 'the container CIDR, or the node IP if SNATed', confidence: 0.3, why: 'network model unknown (pass --network-model or a node report)' };
    }
  }
}

/** Before probing (predict) there are no observations yet. */
type SeenInput = Pick<Evidence, 'target' | 'context'> & Partial<Pick<Evidence, 'observations'>>;

/** The service named the address it sees: the SNAT question answered by the peer itself. */
function namedByPeer(ev: SeenInput, ip: string, protocol: AppProtocol): SourceSeen {
  const ctx = ev.context;
  const said = `${protocolName(protocol)} at ${ev.target.ip ?? ev.target.host} names ${ip} as the client`;
  if (ip === ctx.podIp?.value) {
    const containerCidr = ctx.containerCidr?.value;
    const eni = ctx.networkModel?.value === 'eni';
    return {
      kind: 'pod',
      ip,
      allow: containerCidr ?? hostCidr(ip),
      allowWhat: eni ? 'the container subnet' : containerCidr ? 'the container CIDR' : 'the pod IP',
      confidence: 0.97,
      why: `measured by the peer: ${said}, this pod's IP (no SNAT on the way)`,
    };
  }
  if (ip === ctx.nodeIp?.value) {
    return { kind: 'node', ip, allow: hostCidr(ip), allowWhat: 'the IP of the node running this pod', confidence: 0.97, why: `measured by the peer: ${said}, the node's IP (SNAT to the node)` };
  }
  return {
    kind: 'unknown',
    ip,
    allow: hostCidr(ip),
    allowWhat: 'the address the service sees',
    confidence: 0.9,
    why: `measured by the peer: ${said}, neither this pod's nor the node's IP: a NAT gateway or proxy is in the path`,
  };
}

// Every cause reads the same signals: compute them once per evidence object.
const memo = new WeakMap<Evidence, Signals>();

export function signals(ev: Evidence): Signals {
  let s = memo.get(ev);
  if (!s) memo.set(ev, (s = computeSignals(ev)));
  return s;
}

function computeSignals(ev: Evidence): Signals {
  const model = ev.context.networkModel?.value;
  const pod = sideResult(podSide(ev));
  const nodeReport = nodeSide(ev);
  const node = nodeReport ? sideResult(nodeReport) : undefined;
  const diff = differential(pod, node);
  const port = ev.target.port;
  const ip = ev.target.ip ?? ev.target.host;
  const seen = sourceSeen(ev, model, diff);
  const peer = peerSignal(ev, seen);
  return {
    model,
    pod,
    node,
    differential: diff,
    seen,
    ...(peer ? { peer } : {}),
    managedService: port ? MANAGED_PORTS[port] : undefined,
    targetLabel: hostPort(ip, port),
    port,
  };
}

/**
 * What the pod-vs-node comparison measured about SNAT, as a context fact: the peer treated pod and node
 * differently, so it sees a source other than the node IP. (Equal results prove nothing either way.)
 */
export function measuredSnat(ev: Evidence): Fact<boolean> | undefined {
  const s = signals(ev);
  if (s.differential !== 'pod-only-fails' || s.model === 'tunnel') return undefined;
  return { value: false, source: 'measured', confidence: 0.85, note: 'the node reaches the target and the pod does not: the peer tells them apart' };
}
