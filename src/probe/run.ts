import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { ResolveOptions } from './dns.ts';
import { loopClock, observedTimeout, seen, STALL_NOTE_MS } from './clock.ts';
import { interfaceMtu, localAddresses, readDefaultRoute, readDefaultRoute6, scopedGateway } from '../net/host.ts';
import type { probePathMtu } from './pmtu.ts';
import type { probeIcmp } from './icmp.ts';
import type { AnyProbeKind, RunState } from './kind.ts';
import { PROBES } from './kinds/index.ts';
import { RttTracker } from './rtt.ts';
import { DEFAULT_TIMEOUT_MS } from './plan.ts';
import type { IcmpResult, ProbeEvent, ProbeName, ProbeReport, Target } from './types.ts';

export interface RunOptions {
  role: 'pod' | 'node';
  /** Overall cap for the run, ms (--timeout). */
  timeoutMs?: number;
  /** --patience: the least wait for a path slower than podreach can measure, ms (rtt.ts). */
  patienceMs?: number;
  onEvent?: (e: ProbeEvent) => void;
  /** Gateway to ping: default /proc/net/route; null = don't ping one. */
  gateway?: string | null;
  /**
   * IPv6 gateway (a link-local one with its zone, fe80::1%eth0), pinged for an IPv6 target and telling a client
   * has an IPv6 route: default /proc/net/ipv6_route, but only when `gateway` is not given either; null = none.
   */
  gateway6?: string | null;
  /** MTU for the full-size probe: default the default route's interface; null = no path-MTU probe. */
  mtu?: number | null;
  /** DNS overrides (servers, resolv.conf), mostly for tests. */
  dns?: Omit<ResolveOptions, 'timeoutMs'>;
  /** Sends the echoes and the full-size probe; a sweep passes ones that do it once per address for all its targets. */
  icmp?: typeof probeIcmp;
  pmtu?: typeof probePathMtu;
  /** This namespace's addresses (link-local left out): default read once per run; a plan shares one read, diagnose passes its context's. */
  addresses?: () => string[];
}

const SKIPPED: IcmpResult = { status: 'skipped', sent: 0, received: 0, ms: 0 };

/**
 * Probes one target from here with every kind of `kinds` (default: all podreach ships), each started as
 * soon as the kind it waits for is done: DNS and the gateway at once; ICMP and TCP once the address is
 * known; the application exchange on TCP's open connection; the full-size echo after a small one came
 * back. Once a result settles the question (TCP open or refused), kinds with a grace (ICMP, the gateway)
 * are waited for no longer than it. Never rejects.
 */
export async function runProbes(target: Target, opts: RunOptions, kinds: readonly AnyProbeKind[] = PROBES): Promise<ProbeReport> {
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  // Sample the event loop for the whole run: budgets count only time podreach could observe.
  const release = loopClock.hold();
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const at = (): number => Math.round(performance.now() - t0);
  const emit = (e: ProbeEvent): void => {
    try {
      opts.onEvent?.(e);
    } catch {
      // a broken view must not break the probes
    }
  };

  // A loopback target never crosses the gateway: never ping it then (tests probe 127.0.0.1 from the host).
  const loopback = /^(127\.|::1$|localhost$)/.test(target.ip ?? target.host);
  // Read from /proc and /sys only what the caller did not pass (diagnose passes what its context read).
  const route = loopback || (opts.gateway !== undefined && opts.mtu !== undefined) ? undefined : readDefaultRoute();
  let addresses: string[] | undefined;
  const state: RunState = {
    target: { ...target },
    opts,
    timeoutMs,
    usedMs: () => seen(t0).observedMs,
    tracker: new RttTracker({ capMs: Math.max(100, (timeoutMs - 100) / 2), patienceMs: opts.patienceMs }),
    results: {},
    addresses: () => (addresses ??= (opts.addresses ?? localAddresses)()),
  };
  const gateway = loopback ? undefined : opts.gateway === undefined ? route?.gateway : (opts.gateway ?? undefined);
  const mtu = loopback ? undefined : opts.mtu === undefined ? (route ? interfaceMtu(route.iface) : undefined) : (opts.mtu ?? undefined);
  if (gateway) state.gateway = gateway;
  const route6 = loopback || opts.gateway6 !== undefined || opts.gateway !== undefined ? undefined : readDefaultRoute6();
  const gateway6 = loopback ? undefined : opts.gateway6 === undefined ? (route6 && scopedGateway(route6)) : (opts.gateway6 ?? undefined);
  if (gateway6) state.gateway6 = gateway6;
  if (mtu) state.mtu = mtu;

  // Once a result settles the question, each kind with a grace is cut short after it.
  let settle: () => void = () => {};
  const settled = new Promise<void>((r) => (settle = r));
  const byName = new Map(kinds.map((k) => [k.name, k]));
  const done = new Map<string, Promise<void>>();
  const finish = (k: AnyProbeKind): Promise<void> => {
    let p = done.get(k.name);
    if (p) return p;
    p = (async () => {
      const after = typeof k.after === 'function' ? k.after(state) : k.after;
      const before = after ? byName.get(after) : undefined;
      if (before) await finish(before);
      const running = k.start(state);
      if (!running) return;
      emit({ type: 'started', probe: k.name, atMs: at() });
      const result = k.late ? await cutShort(running, k.late) : await running;
      if (result === undefined) return emit({ type: 'abandoned', probe: k.name, atMs: at() });
      state.results[k.name as ProbeName] = result;
      emit({ type: 'finished', probe: k.name, atMs: at(), result } as ProbeEvent);
      if (k.settles?.(result)) settle();
    })();
    done.set(k.name, p);
    return p;
  };
  const cutShort = <R,>(running: Promise<R>, late: NonNullable<AnyProbeKind['late']>): Promise<R | undefined> => {
    let cancel = (): void => {};
    const cut = settled.then(() => new Promise<R | undefined>((r) => (cancel = observedTimeout(performance.now(), () => late.graceMs(state), () => r(late.value(at()) as R | undefined)))));
    return Promise.race([running, cut]).finally(() => cancel());
  };
  await Promise.all(kinds.map(finish));
  // One instant for the run's duration and its stall: a stop after it is in neither.
  const end = performance.now();
  const stalledMs = seen(t0, end).stalledMs;
  release();

  const report: ProbeReport = {
    kind: 'podreach.probe',
    schemaVersion: 1,
    from: { role: opts.role, hostname: hostname(), addresses: state.addresses() },
    target: state.target,
    icmp: state.results.icmp ?? SKIPPED,
    rtt: state.tracker.estimate,
    startedAt,
    durationMs: Math.round(end - t0),
  };
  if (gateway) report.from.gateway = gateway;
  for (const k of kinds) {
    const r = state.results[k.name as ProbeName];
    if (r !== undefined && k.name !== 'icmp') Object.assign(report, { [k.name]: r });
  }
  if (stalledMs >= STALL_NOTE_MS) report.stalledMs = stalledMs;
  return report;
}
