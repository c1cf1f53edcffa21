// A dual-stack name: which family a client tries first, and whether the other would have worked. Every
// verdict carries it; when the families disagree, the fix says which family's path is the broken one.
import { hostPort } from '../net/format.ts';
import type { Evidence } from './types.ts';
import { podSide } from './vantage.ts';

const ANSWERED = new Set(['open', 'refused']);

export interface FamilyNotes {
  evidence: string[];
  fix: string[];
  /** Appended to a failing verdict's summary when only the first family fails. */
  summary?: string;
}

/** Pure: the lines a dual-stack name adds to the pod's verdict; empty for a single-family name or a literal. */
export function familyNotes(ev: Pick<Evidence, 'observations'>): FamilyNotes {
  const pod = podSide(ev);
  const d = pod.dns;
  if (d?.status !== 'ok' || !d.first || !d.a?.length || !d.aaaa?.length) return { evidence: [], fix: [] };
  const evidence = [`DNS: ${d.name} has A ${d.a.join(', ')} and AAAA ${d.aaaa.join(', ')}; ${d.first.why}`];
  const other = pod.otherFamily;
  if (!other) return { evidence, fix: [] };
  const first = d.first.family;
  const t = other.tcp;
  const where = t ? hostPort(other.ip, t.port) : other.ip;
  const what = t ? `TCP ${t.port}` : 'ping';
  const firstSaid = (t ? pod.tcp?.status : pod.icmp.status) ?? 'failed';
  const worked = t ? t.status === 'open' : other.icmp?.status === 'reply';
  const otherSaid = t ? `${t.status}${t.errno ? ` (${t.errno})` : ''}` : (other.icmp?.status ?? 'not run');
  evidence.push(
    worked
      ? `over ${other.family} (${where}) ${what} ${t ? 'opens' : 'answers'} in ${Math.round(other.ms)} ms: over ${first} it fails (${firstSaid}), over ${other.family} it would have worked`
      : `over ${other.family} (${where}) ${what} ${otherSaid} too: it fails in both families`,
  );
  if (!worked) return { evidence, fix: [] };
  // A RST over the first family is the service's answer, not a broken path: the listener is the difference.
  const path = ANSWERED.has(firstSaid) ? `the service's ${first} listener` : `the ${first} path`;
  return {
    evidence,
    summary: `; over ${other.family} (${other.ip}) it ${t ? 'connects' : 'answers'}`,
    fix: [
      `Only ${path} is broken: over ${other.family} ${where} ${t ? 'connects' : 'answers ping'}. Fix the ${first} side as above; until then clients that try ${first} first (glibc getaddrinfo) stall or fail unless they fall back to ${other.family} (Happy Eyeballs, RFC 8305)`,
    ],
  };
}
