// Path MTU: does a packet of the interface's full size, with Don't Fragment set, reach the target and
// come back? Asked only once a small echo has been answered, so silence means size, not filtering.
// A router that cannot forward it should say "fragmentation needed" (then TCP adapts); when that ICMP
// is filtered, the packet just vanishes: a black hole where connections open and then hang.
import { performance } from 'node:perf_hooks';
import { icmpHeaders } from '../net/ip.ts';
import { probeIcmp } from './icmp.ts';
import { RttTracker, type WaitPolicy } from './rtt.ts';
import type { IcmpResult, PmtuResult } from './types.ts';

/**
 * MTUs seen in the wild below 1500 (IPIP, VXLAN, WireGuard, IPsec, PPPoE over a tunnel, IPv6's minimum), each
 * one more ping child: a spawn holds the event loop for the fork and exec, so the list stays short. The answer is
 * a size that gets through, for the fix, not the exact path MTU.
 */
const CANDIDATES = [1480, 1450, 1420, 1400, 1350, 1280];

// IPv4: "Frag needed and DF set (mtu = 1400)", "mtu=1400"; IPv6: "Packet too big: mtu=1400", "mtu: 1400".
const MTU_IN = /mtu ?[=:] ?(\d+)/i;

/**
 * The wait rule (rtt.ts) with the small echo's RTT as the target's own sample: a full-size echo only
 * adds serialisation time, so silence after clamp(k·rtt, floor, cap) is the size, not the path.
 */
function dfPing(ip: string, mtu: number, tracker: RttTracker): Promise<IcmpResult> {
  return probeIcmp(ip, { count: 1, intervalS: 0.025, waitS: 1, extra: ['-M', 'do', '-s', String(mtu - icmpHeaders(ip))] }, tracker);
}

/** Pure: one full-size DF echo → fits / too-big (with the MTU the error names) / dropped / not-run. */
export function classifyDf(r: IcmpResult): Pick<PmtuResult, 'status' | 'pathMtu' | 'detail'> {
  if (r.status === 'reply') return { status: 'fits' };
  if (r.status === 'unreachable') {
    const named = Number(MTU_IN.exec(r.detail ?? '')?.[1]);
    if (named > 0) return { status: 'too-big', pathMtu: named, detail: r.detail };
    return { status: 'not-run', detail: r.detail };
  }
  if (r.status === 'no-reply') return { status: 'dropped' };
  return { status: 'not-run', detail: r.detail };
}

/**
 * Sends one DF echo of `mtu` bytes; when it is dropped, the candidate sizes below it at once (one
 * more wait) and reports the largest that came back. Bounded: two waits of the rule's cap at most.
 * `policy`: the run's (its cap and --patience). Never rejects.
 */
export async function probePathMtu(ip: string, mtu: number, rttMs?: number, policy?: Partial<WaitPolicy>): Promise<PmtuResult> {
  const t0 = performance.now();
  const tracker = new RttTracker(policy);
  if (rttMs !== undefined) tracker.observe({ basis: 'icmp-target', ms: rttMs });
  const first = classifyDf(await dfPing(ip, mtu, tracker));
  const done = (r: Omit<PmtuResult, 'mtu' | 'ms'>): PmtuResult => ({ mtu, ...r, ms: Math.round(performance.now() - t0) });
  if (first.status !== 'dropped') return done(first);
  const sizes = CANDIDATES.filter((c) => c < mtu);
  const results = await Promise.all(sizes.map((c) => dfPing(ip, c, tracker)));
  const tried = sizes.map((c, i) => ({ mtu: c, fits: results[i]!.status === 'reply' }));
  const largest = tried.find((t) => t.fits)?.mtu;
  return done({ status: 'dropped', ...(largest ? { pathMtu: largest } : {}), tried });
}
