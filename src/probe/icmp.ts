import { performance } from 'node:perf_hooks';
import ping from 'ping';
import type { IcmpResult } from './types.ts';

/** The part of node-ping's answer we read. Its numbers arrive as strings, or 'unknown'. */
export interface PingAnswer {
  alive: boolean;
  output: string;
  times?: number[];
  packetLoss?: string | number;
}

export interface IcmpOptions {
  /** Echoes to send (-c); ping stops early once this many replies are in. */
  count: number;
  /** Seconds between echoes (iputils lets non-root go down to 0.002). */
  intervalS: number;
  /** Seconds to wait after the last echo (-W); ping exits by count × interval + this. */
  waitS: number;
  /** Further ping arguments (the path-MTU probe's -M do -s SIZE). */
  extra?: string[];
}

/*
 * Three echoes 25 ms apart: a replying target costs ~55 ms and gives a min RTT over three samples;
 * one lost echo still leaves two replies. No -w: with a deadline iputils keeps sending until `count`
 * replies arrive (~40 echoes a second at a silent peer). `-c 3 -W 1` sends three and gives up one
 * second after the last: as bounded, and polite to a firewall someone is watching.
 */
export const TARGET_ICMP: IcmpOptions = { count: 3, intervalS: 0.025, waitS: 1 };
/** The gateway is only an RTT sample: the first reply is enough. */
export const GATEWAY_ICMP: IcmpOptions = { count: 1, intervalS: 0.05, waitS: 1 };

// "From 10.0.0.1 icmp_seq=1 Destination Net Unreachable", "... Packet filtered", "... Frag needed and DF
// set (mtu = 1400)", a local "ping: connect: Network is unreachable" / "ping: sendmsg: No route to host"
// (no route to send on), or "ping: local error: message too long, mtu=1400" (a DF echo bigger than our route).
const ICMP_ERROR =
  /^From \S+(?: \([^)]*\))?:? icmp_seq=\d+ .+$|^.*\b(?:connect|sendmsg|sendto): (?:Network is unreachable|No route to host)$|^ping: local error: [Mm]essage too long.*$/m;
const TRANSMITTED = /(\d+) packets transmitted, (\d+) (?:packets )?received/;

/** The line that says why ping could not run ("socket: Operation not permitted"), else the first one. */
function reasonLine(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  return lines.find((l) => /not permitted|denied|capability|invalid|unknown|error/i.test(l)) ?? lines[0] ?? '';
}

/** Pure: node-ping's answer (or its spawn failure) → IcmpResult. */
export function classifyPing(answer: PingAnswer | null, spawnError: Error | null, ms: number): IcmpResult {
  const rounded = Math.round(ms);
  if (answer === null) {
    return { status: 'not-run', sent: 0, received: 0, ms: rounded, detail: spawnError?.message ?? 'ping did not run' };
  }
  const out = answer.output ?? '';
  const counts = TRANSMITTED.exec(out);
  const sent = counts ? Number(counts[1]) : 0;
  const times = (answer.times ?? []).filter((t) => typeof t === 'number' && Number.isFinite(t));
  const received = counts ? Number(counts[2]) : times.length;
  if (answer.alive && times.length > 0) {
    return { status: 'reply', sent: Math.max(sent, received), received, rttMs: Math.min(...times), ms: rounded };
  }
  const icmpError = ICMP_ERROR.exec(out);
  if (icmpError) return { status: 'unreachable', sent, received, ms: rounded, detail: icmpError[0].trim() };
  // No statistics footer: ping never got to send (permission, bad socket, bad argument).
  if (!counts || answer.packetLoss === 'unknown' || sent === 0) {
    return { status: 'not-run', sent, received, ms: rounded, detail: reasonLine(out) || 'ping printed nothing' };
  }
  return { status: 'no-reply', sent, received, ms: rounded };
}

/** node-ping's options for one run. The fixture recorder uses them too, so recorded outputs are what ships. */
export function pingConfig(opts: IcmpOptions) {
  return {
    numeric: true,
    // node-ping writes -W with %d: a fraction of a second goes in extra instead. It keeps only a
    // boolean false (0 would become its default of 2), which its types do not admit.
    timeout: (Number.isInteger(opts.waitS) ? opts.waitS : false) as number,
    min_reply: opts.count,
    // node-ping picks `ping6` for v6 literals; iputils `ping` handles both and is what we ship.
    v6: false,
    extra: [...(Number.isInteger(opts.waitS) ? [] : ['-W', String(opts.waitS)]), '-i', String(opts.intervalS), ...(opts.extra ?? [])],
  };
}

/**
 * ICMP echo to an IP literal through the system ping (node-ping). Bounded by -c and -W.
 * Never rejects.
 */
export async function probeIcmp(ip: string, opts: IcmpOptions = TARGET_ICMP): Promise<IcmpResult> {
  const t0 = performance.now();
  let pending: Promise<PingAnswer>;
  // node-ping copies process.env synchronously when it spawns and only sets LANG; LC_ALL=C keeps
  // the output parseable under any locale, so set it for exactly that synchronous call.
  const saved = process.env.LC_ALL;
  process.env.LC_ALL = 'C';
  try {
    pending = ping.promise.probe(ip, pingConfig(opts)) as Promise<PingAnswer>;
  } finally {
    if (saved === undefined) delete process.env.LC_ALL;
    else process.env.LC_ALL = saved;
  }
  try {
    const answer = await pending;
    return classifyPing(answer, null, performance.now() - t0);
  } catch (err) {
    return classifyPing(null, err instanceof Error ? err : new Error(String(err)), performance.now() - t0);
  }
}
