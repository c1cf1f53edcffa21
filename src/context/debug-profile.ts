// Run by `kubectl podreach` under a kubectl debug profile without NET_RAW (restricted, baseline, general):
// ping then works only through ICMP datagram sockets, which net.ipv4.ping_group_range must open to our group.
import { readFileSync } from 'node:fs';

/** Profiles that do not add NET_RAW (kubectl debug --profile; the plugin passes its choice in the env). */
const WITHOUT_NET_RAW = new Set(['restricted', 'baseline', 'general']);

/** "lo hi" of the sysctl; undefined when unreadable or malformed. */
export function parseGroupRange(text: string): [number, number] | undefined {
  const m = /^\s*(\d+)\s+(\d+)\s*$/.exec(text);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/** One note for the report, or undefined when the profile has NET_RAW (or none was named). */
export function debugProfileNote(env: NodeJS.ProcessEnv, gid: number | undefined, rangeText: string | undefined): string | undefined {
  const profile = env.PODREACH_DEBUG_PROFILE;
  if (!profile || !WITHOUT_NET_RAW.has(profile)) return undefined;
  const head = `kubectl debug --profile=${profile}: no NET_RAW, so ICMP goes through datagram sockets, which net.ipv4.ping_group_range must allow`;
  const range = rangeText === undefined ? undefined : parseGroupRange(rangeText);
  if (!range || gid === undefined) return `${head} (could not read it)`;
  const [lo, hi] = range;
  return lo <= gid && gid <= hi
    ? `${head}: it is ${lo} ${hi}, which covers gid ${gid}`
    : `${head}: it is ${lo} ${hi}, which leaves out gid ${gid}, so ICMP cannot run and the verdict rests on TCP (set the pod sysctl net.ipv4.ping_group_range to "0 2147483647")`;
}

export function readGroupRange(): string | undefined {
  try {
    return readFileSync('/proc/sys/net/ipv4/ping_group_range', 'utf8');
  } catch {
    return undefined;
  }
}
