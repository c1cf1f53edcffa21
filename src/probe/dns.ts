import { Resolver } from 'node:dns/promises';
import { performance } from 'node:perf_hooks';
import { type ResolvConf, readResolvConf } from '../net/host.ts';
import { loopClock, observedTimeout, seen, STALL_NOTE_MS, withStall } from './clock.ts';
import type { DnsResult, DnsStatus } from './types.ts';

/**
 * Pure: the names a pod's resolver tries, in order. Fewer than `ndots` dots → search domains first,
 * then the name as given; otherwise the name first. A trailing dot means "exactly this name".
 */
export function candidateNames(name: string, conf: Pick<ResolvConf, 'search' | 'ndots'>): string[] {
  if (name.endsWith('.')) return [name.slice(0, -1)];
  const searched = conf.search.map((d) => `${name}.${d.replace(/\.$/, '')}`);
  const dots = name.split('.').length - 1;
  return dots >= conf.ndots ? [name, ...searched] : [...searched, name];
}

/** Node's c-ares error codes → status. ECANCELLED is our own overall guard firing. */
export function classifyDnsError(code: string | undefined): Exclude<DnsStatus, 'ok'> {
  switch (code) {
    case 'ENOTFOUND':
      return 'nxdomain';
    case 'ENODATA':
      return 'no-data';
    case 'ESERVFAIL':
      return 'servfail';
    case 'EREFUSED':
      return 'refused';
    case 'ETIMEOUT':
    case 'ECANCELLED':
      return 'timeout';
    default:
      return 'error'; // ECONNREFUSED (nothing listening on :53), EBADRESP, ...
  }
}

interface Answer {
  status: DnsStatus;
  addresses: string[];
  errno?: string;
  a?: string[];
  aaaa?: string[];
}

/**
 * Once A has answered, how long its AAAA may still take: cluster DNS answers both in a millisecond, and a
 * server that drops AAAA must not hold every lookup for the whole DNS wait (glibc's resolver would, and the
 * app with it: options single-request); the AAAA list is then absent, not empty.
 */
export const AAAA_GRACE_MS = 100;

/** A and AAAA asked together, as getaddrinfo does; `addresses` in DNS order (A first) until the client's order is known. */
async function ask(resolver: Resolver, name: string): Promise<Answer> {
  const tryFamily = async (rr: 'A' | 'AAAA'): Promise<Answer> => {
    try {
      const addresses = rr === 'A' ? await resolver.resolve4(name) : await resolver.resolve6(name);
      return { status: 'ok', addresses };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return { status: classifyDnsError(code), addresses: [], errno: code ?? 'UNKNOWN' };
    }
  };
  const asking6 = tryFamily('AAAA');
  const a = await tryFamily('A');
  // No such name: its AAAA says nothing more (the search list moves on at once).
  if (a.status === 'nxdomain') return a;
  let grace: NodeJS.Timeout | undefined;
  const aaaa = a.status === 'ok' ? await Promise.race([asking6, new Promise<undefined>((r) => (grace = setTimeout(() => r(undefined), AAAA_GRACE_MS)))]).finally(() => clearTimeout(grace)) : await asking6;
  const got = (x: Answer | undefined) => (x?.status === 'ok' ? x.addresses : x?.status === 'no-data' ? [] : undefined);
  const lists = { ...(got(a) ? { a: got(a) } : {}), ...(got(aaaa) ? { aaaa: got(aaaa) } : {}) };
  if (a.status === 'ok' || aaaa?.status === 'ok') return { status: 'ok', addresses: [...(lists.a ?? []), ...(lists.aaaa ?? [])], ...lists };
  // Neither has an address: A's answer speaks for the name (NXDOMAIN, no-data, a timeout).
  return a;
}

/** Keep walking the search list past these, as glibc's res_search does. */
const CONTINUE: ReadonlySet<DnsStatus> = new Set(['nxdomain', 'no-data', 'servfail']);

/*
 * A DNS server is silent after 360 ms: two tries, 120 ms then 240 ms (c-ares doubles the second). The
 * server is the cluster's (a node-local cache, CoreDNS one hop away, its upstream in the same region) and
 * answers in milliseconds; its path is not measured, so the whole lookup gets about the wait rule's blind
 * floor (rtt.ts, 350 ms), with a second try inside it for a lost datagram. --patience raises it.
 */
export const DNS_WAIT_MS = 360;

/** The DNS budget for a run with this --patience. */
export const dnsWait = (patienceMs?: number): number => Math.max(DNS_WAIT_MS, patienceMs ?? 0);

export interface ResolveOptions {
  /** Overall budget for the whole search list, ms. */
  timeoutMs?: number;
  /** Override the servers from resolv.conf ('127.0.0.1:5353'); for tests and node-side runs. */
  servers?: string[];
  conf?: ResolvConf;
}

/*
 * Why c-ares (Resolver) and not dns.lookup: lookup is getaddrinfo on the libuv threadpool, honours
 * search/ndots for free, but cannot be cancelled and follows resolv.conf's timeout:2 × attempts per
 * search domain, so one dead DNS server can hold the process for many seconds. Resolver queries are
 * cancellable and time-bounded, but apply no search list; we expand it ourselves (candidateNames),
 * ask every candidate at once, and take the first answer in search order. Cluster DNS answers the
 * misses in a millisecond, so the extra queries cost nothing and save the sequential round trips.
 */
export async function resolveName(name: string, opts: ResolveOptions = {}): Promise<DnsResult> {
  const t0 = performance.now();
  const release = loopClock.hold();
  try {
    const first = await lookup(name, opts);
    const w = seen(t0);
    // A timeout while podreach itself was starved says nothing about the server: ask once more.
    if (first.status !== 'timeout' || w.stalledMs < STALL_NOTE_MS) return withStall({ ...first, ms: w.ms }, w, first.status === 'timeout');
    const again = await lookup(name, opts);
    const w2 = seen(t0);
    return withStall({ ...again, ms: w2.ms, attempts: 2 }, w2, again.status === 'timeout');
  } finally {
    release();
  }
}

/** One lookup of every candidate name, bounded by `timeoutMs` of time the process could observe. */
async function lookup(name: string, opts: ResolveOptions): Promise<DnsResult> {
  const timeoutMs = opts.timeoutMs ?? DNS_WAIT_MS;
  const conf = opts.conf ?? readResolvConf();
  const resolver = new Resolver({ timeout: Math.max(50, Math.floor(timeoutMs / 3)), tries: 2 });
  if (opts.servers) resolver.setServers(opts.servers);
  const servers = resolver.getServers();
  const cancelGuard = observedTimeout(performance.now(), () => timeoutMs, () => resolver.cancel());
  const result = (a: Answer): DnsResult => {
    const r: DnsResult = { status: a.status, name, addresses: a.addresses, ms: 0, servers };
    if (a.a) r.a = a.a;
    if (a.aaaa) r.aaaa = a.aaaa;
    if (a.errno) r.errno = a.errno;
    return r;
  };
  try {
    const candidates = candidateNames(name, conf);
    const pending = candidates.map((c) => ask(resolver, c));
    const seenAnswers: Answer[] = [];
    for (const p of pending) {
      const a = await p;
      if (a.status === 'ok' || !CONTINUE.has(a.status)) return result(a);
      seenAnswers.push(a);
    }
    const worst =
      seenAnswers.find((a) => a.status === 'servfail') ??
      seenAnswers.find((a) => a.status === 'no-data') ??
      seenAnswers[seenAnswers.length - 1];
    return result(worst ?? { status: 'error', addresses: [], errno: 'ENONAME' });
  } finally {
    cancelGuard();
    resolver.cancel(); // drop the queries we no longer need
  }
}
