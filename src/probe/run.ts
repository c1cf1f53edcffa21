import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { dnsWait, resolveName, type ResolveOptions } from './dns.ts';
import { loopClock, observedTimeout, seen, STALL_NOTE_MS } from './clock.ts';
import { interfaceMtu, localAddresses, readDefaultRoute } from '../net/host.ts';
import { probePathMtu } from './pmtu.ts';
import { GATEWAY_ICMP, probeIcmp, TARGET_ICMP } from './icmp.ts';
import { RttTracker } from './rtt.ts';
import { DEFAULT_TIMEOUT_MS } from './plan.ts';
import { needsDns } from './target.ts';
import { probeTcp } from './tcp.ts';
import { appProtocol, probeApp } from './app.ts';
import type { Socket } from 'node:net';
import type { AppResult, DnsResult, IcmpResult, PmtuResult, ProbeEvent, ProbeName, ProbeReport, Target, TcpResult } from './types.ts';

export interface RunOptions {
  role: 'pod' | 'node';
  /** Overall cap for the run, ms (--timeout). */
  timeoutMs?: number;
  /** --patience: the least wait for a path slower than podreach can measure, ms (rtt.ts). */
  patienceMs?: number;
  onEvent?: (e: ProbeEvent) => void;
  /** Gateway to ping: default /proc/net/route; null = don't ping one. */
  gateway?: string | null;
  /** MTU for the full-size probe: default the default route's interface; null = no path-MTU probe. */
  mtu?: number | null;
  /** DNS overrides (servers, resolv.conf), mostly for tests. */
  dns?: Omit<ResolveOptions, 'timeoutMs'>;
  /** Sends the echoes and the full-size probe; a sweep passes ones that do it once per address for all its targets. */
  icmp?: typeof probeIcmp;
  pmtu?: typeof probePathMtu;
}

/** DNS gets at most this share of the run, so the probes behind it still have time. */
const DNS_SHARE = 0.4;

/** The application exchange's budget: a service answers its first message at once or not at all. */
const APP_MAX_MS = 1000;

/** How long ICMP may still take once TCP has answered. */
const ICMP_GRACE_MS = 150;
const SKIPPED: IcmpResult = { status: 'skipped', sent: 0, received: 0, ms: 0 };

/**
 * Probes one target from here: DNS when the host is a name (skipped when target.ip is already set),
 * then ICMP to the target, ICMP to the default gateway and a TCP connect (when there is a port), all
 * at once. The gateway ping starts with DNS: it only feeds the RTT estimate. After them: one
 * application exchange on the open connection, and a full-size DF echo once a small one came back.
 * Never rejects.
 */
export async function runProbes(target: Target, opts: RunOptions): Promise<ProbeReport> {
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  // Sample the event loop for the whole run: budgets below count only time podreach could observe.
  const release = loopClock.hold();
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const at = (): number => Math.round(performance.now() - t0);
  const used = (): number => seen(t0).observedMs;
  const emit = (e: ProbeEvent): void => {
    try {
      opts.onEvent?.(e);
    } catch {
      // a broken view must not break the probes
    }
  };
  const started = (probe: ProbeName): void => emit({ type: 'started', probe, atMs: at() });

  const ping = opts.icmp ?? probeIcmp;
  const tracker = new RttTracker({ capMs: Math.max(100, (timeoutMs - 100) / 2), patienceMs: opts.patienceMs });
  const out: Target = { ...target };
  // A loopback target never crosses the gateway: never ping it then (tests probe 127.0.0.1 from the host).
  const loopback = /^(127\.|::1$|localhost$)/.test(target.ip ?? target.host);
  // Read from /proc and /sys only what the caller did not pass (diagnose passes what its context read).
  const route = loopback || (opts.gateway !== undefined && opts.mtu !== undefined) ? undefined : readDefaultRoute();
  const gatewayIp = loopback ? undefined : opts.gateway === undefined ? route?.gateway : (opts.gateway ?? undefined);
  const mtu = loopback ? undefined : opts.mtu === undefined ? (route ? interfaceMtu(route.iface) : undefined) : (opts.mtu ?? undefined);

  let gatewayProbe: Promise<(IcmpResult & { ip: string }) | undefined> = Promise.resolve(undefined);
  if (gatewayIp) {
    started('gateway');
    gatewayProbe = ping(gatewayIp, GATEWAY_ICMP, tracker).then((r) => {
      const result = { ...r, ip: gatewayIp };
      if (r.status === 'reply' && r.rttMs !== undefined) tracker.observe({ basis: 'gateway', ms: r.rttMs });
      emit({ type: 'finished', probe: 'gateway', atMs: at(), result });
      return result;
    });
  }

  let dns: DnsResult | undefined;
  if (needsDns(out)) {
    started('dns');
    dns = await resolveName(out.host, { ...opts.dns, timeoutMs: Math.min(dnsWait(opts.patienceMs), timeoutMs * DNS_SHARE) });
    emit({ type: 'finished', probe: 'dns', atMs: at(), result: dns });
    if (dns.status === 'ok' && dns.addresses[0]) out.ip = dns.addresses[0];
  }

  let icmp: Promise<IcmpResult> = Promise.resolve(SKIPPED);
  let tcp: Promise<TcpResult | undefined> = Promise.resolve(undefined);
  let connected: Socket | undefined;
  const protocol = appProtocol(out);
  const ip = out.ip;
  if (ip !== undefined) {
    started('icmp');
    icmp = ping(ip, TARGET_ICMP, tracker).then((r) => {
      if (r.status === 'reply' && r.rttMs !== undefined) tracker.observe({ basis: 'icmp-target', ms: r.rttMs });
      emit({ type: 'finished', probe: 'icmp', atMs: at(), result: r });
      return r;
    });
    if (out.port !== undefined) {
      // Whatever time DNS used comes out of the TCP budget.
      const left = timeoutMs - used() - 100;
      tracker.capAt(Math.max(50, left / 2));
      started('tcp');
      tcp = probeTcp(ip, out.port, tracker, protocol ? (s) => (connected = s) : undefined).then((r) => {
        emit({ type: 'finished', probe: 'tcp', atMs: at(), result: r });
        return r;
      });
    }
  }

  // A TCP answer (open or RST) settles the question: don't sit out ping's one-second wait on a target
  // that drops ICMP (most managed services). The ping child ends on its own; the CLI exits past it.
  const tcpResult = await tcp;
  const settled = tcpResult && (tcpResult.status === 'open' || tcpResult.status === 'refused');
  const grace = <T,>(p: Promise<T>, late: T): Promise<T> => {
    if (!settled) return p;
    let cancel = (): void => {};
    const timer = new Promise<T>((r) => (cancel = observedTimeout(performance.now(), () => ICMP_GRACE_MS, () => r(late))));
    return Promise.race([p, timer]).finally(cancel);
  };
  const notWaited = (): IcmpResult => ({ status: 'skipped', sent: 0, received: 0, ms: at(), detail: 'not waited for: TCP answered first' });
  let app: Promise<AppResult | undefined> = Promise.resolve(undefined);
  if (connected && protocol) {
    started('app');
    const budget = Math.max(100, Math.min(APP_MAX_MS, timeoutMs - used() - 100));
    app = probeApp(connected, protocol, out.host, budget).then((r) => {
      emit({ type: 'finished', probe: 'app', atMs: at(), result: r });
      return r;
    });
  }
  const icmpSettled = grace(icmp, notWaited());
  // Full size only once a small echo came back: then silence means size, not a filter. Not cut short by
  // the grace above: a black hole takes its waits to show.
  const pmtu: Promise<PmtuResult | undefined> = icmpSettled.then((r) => {
    // IPv4 only: the sizes count a 20-byte IP header.
    if (!mtu || !ip || r.status !== 'reply' || ip.includes(':')) return undefined;
    started('pmtu');
    return (opts.pmtu ?? probePathMtu)(ip, mtu, r.rttMs, tracker.policy).then((p) => {
      emit({ type: 'finished', probe: 'pmtu', atMs: at(), result: p });
      return p;
    });
  });
  const [icmpResult, gatewayResult, appResult, pmtuResult] = await Promise.all([icmpSettled, grace(gatewayProbe, undefined), app, pmtu]);
  const stalledMs = seen(t0).stalledMs;
  release();
  const report: ProbeReport = {
    kind: 'podreach.probe',
    schemaVersion: 1,
    from: { role: opts.role, hostname: hostname(), addresses: localAddresses() },
    target: out,
    icmp: icmpResult,
    rtt: tracker.estimate,
    startedAt,
    durationMs: at(),
  };
  if (gatewayIp) report.from.gateway = gatewayIp;
  if (dns) report.dns = dns;
  if (gatewayResult) report.gateway = gatewayResult;
  if (tcpResult) report.tcp = tcpResult;
  if (appResult) report.app = appResult;
  if (pmtuResult) report.pmtu = pmtuResult;
  if (stalledMs >= STALL_NOTE_MS) report.stalledMs = stalledMs;
  return report;
}
