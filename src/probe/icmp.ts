import { performance } from 'node:perf_hooks';
import { spawnProbeChild } from './children.ts';
import { observedTimeout } from './clock.ts';
import type { RttTracker } from './rtt.ts';
import type { IcmpResult } from './types.ts';

/** What classifyPing reads of one ping run (node-ping's answer shape; the fixtures were recorded with it). */
export interface PingAnswer {
  alive: boolean;
  output: string;
  times?: number[];
  packetLoss?: string | number;
  /** Set when ping was stopped at its first reply: the highest icmp_seq answered, the echoes whose fate is known. */
  answeredSeq?: number;
}

export interface IcmpOptions {
  /** Echoes to send (-c); ping stops early once this many replies are in. */
  count: number;
  /** Seconds between echoes (iputils lets non-root go down to 0.002). */
  intervalS: number;
  /** Seconds to wait after the last echo (-W); ping exits by count × interval + this. With a tracker, only a backstop. */
  waitS: number;
  /** Further ping arguments (the path-MTU probe's -M do -s SIZE). */
  extra?: string[];
  /** Stop at the first reply (SIGINT): the echoes after it are spares for a lost one, not waited for. */
  untilReply?: boolean;
}

/*
 * Up to three echoes 10 ms apart, stopped at the first reply: a replying target costs one round trip, and
 * a lost echo leaves two more chances. (iputils lets any user go down to 2 ms; a burst of three is far
 * below any cloud's ICMP rate limit.) No -w: with a deadline iputils keeps sending until
 * `count` replies arrive (~40 echoes a second at a silent peer). Silence is judged by the wait rule
 * (rtt.ts) from the first echo, as for a SYN, not by ping's -W: podreach interrupts ping (SIGINT: it
 * prints its statistics and exits) once the tracker's wait has passed. -W 1 is only the backstop.
 */
export const TARGET_ICMP: IcmpOptions = { count: 3, intervalS: 0.01, waitS: 1, untilReply: true };
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

/** Pure: ping's parsed answer (or its spawn failure) → IcmpResult. */
export function classifyPing(answer: PingAnswer | null, spawnError: Error | null, ms: number): IcmpResult {
  const rounded = Math.round(ms);
  if (answer === null) {
    return { status: 'not-run', sent: 0, received: 0, ms: rounded, detail: spawnError?.message ?? 'ping did not run' };
  }
  const out = answer.output ?? '';
  const counts = TRANSMITTED.exec(out);
  // Stopped at a reply: echoes sent after the last one answered were not waited for, so they count as neither.
  const sent = counts ? Math.min(Number(counts[1]), answer.answeredSeq ?? Infinity) : 0;
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

/** The system ping's arguments for one run (iputils: -W and -i take fractions of a second). */
export function pingArgs(ip: string, opts: IcmpOptions): string[] {
  return ['-n', '-c', String(opts.count), '-i', String(opts.intervalS), '-W', String(opts.waitS), ...(opts.extra ?? []), ip];
}

const TIME = /\btime[=<]([\d.]+) ?ms\b/g;
const REPLY_SEQ = /\bicmp_seq=(\d+)\b.*\btime[=<]/g;
/** A reply line is in: TIME without its global flag (a global regex's test() carries state). */
const TIME_ANY = new RegExp(TIME.source);
const LOSS = /([\d.]+)% packet loss/;

/** Pure: ping's combined output → the answer classifyPing reads (node-ping's shape: times per reply, loss). */
export function parsePingOutput(output: string): PingAnswer {
  const times = [...output.matchAll(TIME)].map((m) => Number(m[1])).filter(Number.isFinite);
  const loss = LOSS.exec(output)?.[1];
  return { alive: times.length > 0, output, times, packetLoss: loss === undefined ? 'unknown' : Number(loss).toFixed(3) };
}

/**
 * Runs the system ping (`bin`, default `ping` from PATH) in its own process group, tracked so that it
 * dies with podreach (children.ts). `until`, when given, is armed with a function that interrupts ping
 * and returns its own cancel. Resolves with its parsed output; rejects only when it cannot start.
 */
export function runPing(ip: string, opts: IcmpOptions, bin = 'ping', until?: (interrupt: () => void) => () => void): Promise<PingAnswer> {
  return new Promise((resolve, reject) => {
    // LC_ALL=C keeps the output parseable under any locale.
    const child = spawnProbeChild(bin, pingArgs(ip, opts), { env: { ...process.env, LC_ALL: 'C', LANG: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stopped = false;
    child.stdout?.on('data', (d: Buffer) => {
      chunks.push(d);
      if (opts.untilReply && !stopped && TIME_ANY.test(Buffer.concat(chunks).toString('utf8'))) {
        stopped = true;
        child.kill('SIGINT');
      }
    });
    child.stderr?.on('data', (d: Buffer) => chunks.push(d));
    const cancel = until?.(() => child.kill('SIGINT')) ?? (() => {});
    child.once('error', (err) => {
      cancel();
      reject(new Error(`could not run ping: ${err.message}`));
    });
    child.once('close', () => {
      cancel();
      const answer = parsePingOutput(Buffer.concat(chunks).toString('utf8'));
      if (stopped) answer.answeredSeq = Math.max(0, ...[...answer.output.matchAll(REPLY_SEQ)].map((m) => Number(m[1])));
      resolve(answer);
    });
  });
}

/**
 * ICMP echo to an IP literal through the system ping. With a tracker, silence is called once its wait
 * (never less than the time to send every echo) has passed since the first echo, re-read as samples
 * arrive; without one, ping's -c and -W bound it. Never rejects.
 */
export async function probeIcmp(ip: string, opts: IcmpOptions = TARGET_ICMP, tracker?: RttTracker): Promise<IcmpResult> {
  const t0 = performance.now();
  const sending = (opts.count - 1) * opts.intervalS * 1000;
  const wait = (): number => Math.max(tracker?.waitMs ?? 0, sending + 10);
  // Re-armed when the wait changes: a shorter one must fire at its own time, not the old one's.
  const until =
    tracker &&
    ((interrupt: () => void) => {
      let cancel = observedTimeout(t0, wait, interrupt);
      const off = tracker.onChange(() => {
        cancel();
        cancel = observedTimeout(t0, wait, interrupt);
      });
      return () => {
        off();
        cancel();
      };
    });
  try {
    return classifyPing(await runPing(ip, opts, 'ping', until), null, performance.now() - t0);
  } catch (err) {
    return classifyPing(null, err instanceof Error ? err : new Error(String(err)), performance.now() - t0);
  }
}
