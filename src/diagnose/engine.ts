import { CAUSES, FALLBACK } from './causes/index.ts';
import { familyNotes } from './families.ts';
import { signals } from './signals.ts';
import type { CauseCheck, Diagnosis, Evidence, Finding } from './types.ts';
import { podSide } from './vantage.ts';

/** Causes closer than this are ranked as indistinguishable from here. */
export const AMBIGUOUS_GAP = 0.2;

const clamp = (n: number) => Math.round(Math.min(1, Math.max(0, n)) * 100) / 100;

type Ranked<Id extends string> = Finding & { cause: Id; title: string };

/**
 * The diagnosis: a pure function from typed evidence to a ranked verdict.
 * Every cause judges the same evidence; the best-supported wins, the rest become alternatives.
 * `causes`: the shipped list by default; a test may add its own.
 */
export function diagnose(ev: Evidence): Diagnosis;
export function diagnose<Id extends string>(ev: Evidence, causes: readonly CauseCheck<Id>[]): Diagnosis<Id | typeof FALLBACK.id>;
export function diagnose(ev: Evidence, causes: readonly CauseCheck[] = CAUSES): Diagnosis<string> {
  const findings: Ranked<string>[] = [];
  for (const c of causes) {
    const f = c.evaluate(ev);
    if (f && f.confidence > 0) findings.push({ ...f, cause: c.id, title: c.title, confidence: clamp(f.confidence) });
  }
  findings.sort((a, b) => b.confidence - a.confidence);
  const top: Ranked<string> = findings[0] ?? {
    cause: FALLBACK.id,
    title: FALLBACK.title,
    confidence: 0.1,
    summary: 'no probe result to judge',
    evidence: [],
    fix: [],
  };
  const rest = findings.slice(1).filter((f) => f.cause !== top.cause);
  const runnerUp = rest[0];
  // Two causes the wire cannot separate: say so, and borrow the settling command if the winner has none.
  const close = runnerUp !== undefined && top.confidence - runnerUp.confidence < AMBIGUOUS_GAP && top.cause !== 'reachable';
  const settle = top.settle ?? (close ? runnerUp.settle : undefined);
  const icmp = podSide(ev).icmp;
  // ICMP that could not be sent is missing evidence, never a timeout: say so on every verdict.
  // EADDRNOTAVAIL: no address of the target's family to send from; nothing to do with permissions.
  const noSource = /Cannot assign requested address/.test(icmp.detail ?? '');
  const icmpNote =
    icmp.status === 'not-run' && noSource
      ? [`ICMP could not be sent from here (${icmp.detail}): this pod has no address of the target's family to send from`]
      : icmp.status === 'not-run'
      ? [`ICMP could not be sent from here (${icmp.detail ?? 'ping did not run'}): without NET_RAW, ping needs net.ipv4.ping_group_range to cover this user; ICMP results are absent, not failures`]
      : [];
  const s = signals(ev);
  const fam = familyNotes(ev);
  const failing = top.cause !== 'reachable';
  return {
    cause: top.cause,
    title: top.title,
    reachable: top.cause === 'reachable',
    confidence: top.confidence,
    summary: failing && fam.summary ? `${top.summary}${fam.summary}` : top.summary,
    evidence: [
      ...top.evidence,
      ...fam.evidence,
      ...(close ? [`cannot be told apart from ${runnerUp.cause} (${runnerUp.confidence}) from here: both are ranked`] : []),
      ...icmpNote,
    ],
    fix: failing ? [...top.fix, ...fam.fix] : top.fix,
    ...(settle ? { settle } : {}),
    ambiguous: close,
    sourceSeen: s.seen,
    comparison: s.differential,
    alternatives: rest.map((f) => ({ cause: f.cause, confidence: f.confidence, summary: f.summary, fix: f.fix })),
  };
}
