/** A parsed TARGET: what the user typed, and what it resolves to. */
export interface Target {
  input: string;
  /** Host part: an IP literal or a DNS name (no brackets). */
  host: string;
  /** IP address once resolved (equal to host for literals). */
  ip?: string;
  port?: number;
  /** URL scheme when TARGET was a URL (http, redis, ...). */
  scheme?: string;
  /** Whether `port` came from the scheme's default, the TARGET, or --port. */
  portSource?: 'target' | 'scheme' | 'flag';
}

/** ICMP echo through the system ping binary. */
export type IcmpStatus =
  | 'reply' // at least one echo reply
  | 'no-reply' // sent, nothing came back before the deadline
  | 'unreachable' // an ICMP error came back (net/host/admin unreachable)
  | 'not-run' // ping could not run: missing binary, no permission, no route to send on
  | 'skipped';

export interface IcmpResult {
  status: IcmpStatus;
  sent: number;
  received: number;
  /** Lowest round-trip time seen, ms. */
  rttMs?: number;
  /** How long the probe took, ms. */
  ms: number;
  /** For unreachable / not-run: the line ping printed ("From 192.168.10.1 icmp_seq=1 Destination Net Unreachable"). */
  detail?: string;
}

/** TCP connect outcome. */
export type TcpStatus =
  | 'open' // handshake completed
  | 'refused' // RST: host reachable, nothing listening (or a REJECT with tcp-reset)
  | 'timeout' // no answer to two SYNs: filtered, or the reply was lost on its way back
  | 'unreachable' // ICMP error: EHOSTUNREACH / ENETUNREACH
  | 'error'; // local error (EADDRNOTAVAIL, EPERM, ...)

export interface TcpResult {
  status: TcpStatus;
  port: number;
  /** Time to the outcome, ms (for timeout: the whole wait). */
  ms: number;
  /** Connection attempts made (a silent SYN is retried once). */
  attempts: number;
  /** errno name for refused / unreachable / error. */
  errno?: string;
  /** The silence window: how long nothing may answer before the target is called silent, ms (see rtt). */
  waitMs: number;
  /** ms of this probe's wait during which podreach itself could not run (CPU starvation, a stopped process); the wait was stretched by it. Present from 50 ms. */
  stalledMs?: number;
  /** For a timeout: how much of the wait podreach could actually observe, ms (ms − stalledMs). Present with stalledMs. */
  observedMs?: number;
}

export type DnsStatus = 'ok' | 'nxdomain' | 'no-data' | 'servfail' | 'refused' | 'timeout' | 'error';

export interface DnsResult {
  status: DnsStatus;
  name: string;
  addresses: string[];
  ms: number;
  servers: string[];
  errno?: string;
  /** ms of this probe's wait during which podreach itself could not run (CPU starvation, a stopped process); the wait was stretched by it. Present from 50 ms. */
  stalledMs?: number;
  /** For a timeout: how much of the wait podreach could actually observe, ms (ms − stalledMs). Present with stalledMs. */
  observedMs?: number;
  /** Lookups asked: 2 when a timeout taken while podreach was starved was asked again. */
  attempts?: number;
  /** The A records (IPv4); absent when the A answer did not come. `addresses` holds both, in the order a client tries them. */
  a?: string[];
  /** The AAAA records (IPv6); absent when the AAAA answer did not come (asked together with A, waited for briefly after it). */
  aaaa?: string[];
  /** For a resolved name: the family a typical client tries first from here (glibc getaddrinfo's sort), and why. */
  first?: { family: 'IPv4' | 'IPv6'; why: string };
}

/**
 * A dual-stack name whose first family failed: the same probe to its first address of the other family — the
 * TCP connect when there is a port, else the echo.
 */
export interface OtherFamilyResult {
  family: 'IPv4' | 'IPv6';
  ip: string;
  tcp?: TcpResult;
  icmp?: IcmpResult;
  /** The probe's time, ms. */
  ms: number;
}

/**
 * Whether a full-size packet (the interface MTU, Don't Fragment) reaches the target and back, asked
 * only after a small echo was answered.
 */
export type PmtuStatus =
  | 'fits' // the full-size echo came back
  | 'too-big' // a router (or our own route) said so, with the MTU: PMTU discovery works
  | 'dropped' // silence: a path MTU black hole (the "fragmentation needed" never comes back)
  | 'not-run'; // ping could not send it

export interface PmtuResult {
  status: PmtuStatus;
  /** The interface MTU tried, bytes (IP packet size). */
  mtu: number;
  /** The path MTU: from the ICMP error, or the largest candidate that came back after a drop. */
  pathMtu?: number;
  /** Candidate sizes tried after a drop, with whether each came back. */
  tried?: { mtu: number; fits: boolean }[];
  detail?: string;
  ms: number;
}

/** The application protocol spoken after TCP connects (src/probe/app.ts). */
export type AppProtocol = 'http' | 'tls' | 'redis' | 'mysql' | 'postgres';

export type AppStatus =
  | 'ok' // the service answered as a service does
  | 'auth-required' // it answered and wants credentials: the network path and the source are fine
  | 'denied' // it answered, and refused this client by its address (MySQL 1130, pg_hba, Redis protected mode)
  | 'closed' // it closed the connection without a word
  | 'timeout' // it said nothing in time
  | 'unexpected' // it said something this protocol does not say
  | 'error';

export interface AppResult {
  protocol: AppProtocol;
  status: AppStatus;
  /** What the server said, one line (≤ 200 characters). */
  reply?: string;
  /** The client address the server says it sees (MySQL 1130, PostgreSQL pg_hba). */
  seenSource?: string;
  ms: number;
  /** ms of this probe's wait during which podreach itself could not run (CPU starvation, a stopped process); the wait was stretched by it. Present from 50 ms. */
  stalledMs?: number;
  /** For a timeout: how much of the wait podreach could actually observe, ms (ms − stalledMs). Present with stalledMs. */
  observedMs?: number;
}

/** What the probe learnt about the path's round-trip time, and the wait it derived from it. */
export interface RttEstimate {
  /** Best RTT estimate in ms, or null when nothing answered. */
  ms: number | null;
  /** What answered: 'icmp-target' | 'tcp-rst' | 'tcp-open' | 'gateway' | 'none'. */
  basis: 'icmp-target' | 'tcp-rst' | 'tcp-open' | 'gateway' | 'none';
  /** The per-attempt wait used before deciding "nothing is coming back", ms. */
  waitMs: number;
}

/**
 * What each probe kind reports, by the kind's name: the kinds in kinds/ fill it. A kind outside the shipped
 * list (a test's fixture) adds its own entry with `declare module`.
 */
export interface ProbeResults {
  dns: DnsResult;
  icmp: IcmpResult;
  /** ICMP to the default gateway: the nearest thing that answers. */
  gateway: IcmpResult & { ip: string };
  tcp: TcpResult;
  /** One application exchange after TCP connected, when the protocol is known. */
  app: AppResult;
  /** Full-size packets with Don't Fragment, when the target answers ping. */
  pmtu: PmtuResult;
  /** A dual-stack name: the other family, asked only when the one a client tries first failed. */
  otherFamily: OtherFamilyResult;
}

/** The raw result of probing a target from one place. Produced by `podreach probe -o json`. */
export interface ProbeReport extends Partial<ProbeResults> {
  kind: 'podreach.probe';
  schemaVersion: 1;
  from: {
    role: 'pod' | 'node';
    hostname: string;
    /** Non-loopback IPv4/IPv6 addresses of this network namespace. */
    addresses: string[];
    gateway?: string;
    /** Where the diagnosis placed this report: `pod`, `node:<name>` (or `node`), later `peer`. Set in the diagnosis report. */
    vantage?: string;
  };
  target: Target;
  /** Always there: `skipped` when no address was known to ping. */
  icmp: IcmpResult;
  rtt: RttEstimate;
  /** ms of the run during which podreach itself could not run (event-loop stalls: CPU starvation, SIGSTOP). Present from 50 ms. */
  stalledMs?: number;
  startedAt: string;
  durationMs: number;
}

/** A probe kind's name: a key of ProbeResults. */
export type ProbeName = keyof ProbeResults & string;

/** Progress of `runProbes`, for a live UI. `atMs` counts from the start of the run. */
export type ProbeEvent =
  | { type: 'started'; probe: ProbeName; atMs: number }
  /** Started, then cut short without a result (the gateway's echo once TCP answered): the view drops its row. */
  | { type: 'abandoned'; probe: ProbeName; atMs: number }
  | { [N in ProbeName]: { type: 'finished'; probe: N; atMs: number; result: ProbeResults[N] } }[ProbeName];
