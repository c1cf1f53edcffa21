import { CAUSES } from './causes/index.ts';
import type { CauseCheck, Diagnosis, Evidence, Finding } from './types.ts';

const clamp = (n: number) => Math.round(Math.min(1, Math.max(0, n)) * 100) / 100;

/**
 * The diagnosis: a pure function from typed evidence to a ranked verdict.
 * Every cause judges the same evidence; the best-supported wins, the rest become alternatives.
 */
export function diagnose(ev: Evidence, causes: readonly CauseCheck[] = CAUSES): Diagnosis {
  const findings: Finding[] = [];
  for (const c of causes) {
    const f = c.evaluate(ev);
    if (f && f.confidence > 0) findings.push({ ...f, confidence: clamp(f.confidence) });
  }
  findings.sort((a, b) => b.confidence - a.confidence);
  const top = findings[0] ?? {
    cause: 'unknown' as const,
    confidence: 0.1,
    summary: 'no probe result to judge',
    evidence: [],
    fix: [],
  };
  const rest = findings.slice(1).filter((f) => f.cause !== top.cause);
  const runnerUp = rest[0];
  // Two causes the wire cannot separate: say so, and borrow the settling command if the winner has none.
  const close = runnerUp && top.confidence - runnerUp.confidence < 0.2 && top.cause !== 'reachable';
  const settle = top.settle ?? (close ? runnerUp.settle : undefined);
  return {
    cause: top.cause,
    reachable: top.cause === 'reachable',
    confidence: top.confidence,
    summary: top.summary,
    evidence: close
      ? [...top.evidence, `cannot be told apart from ${runnerUp.cause} (${runnerUp.confidence}) from here: both are ranked`]
      : top.evidence,
    fix: top.fix,
    ...(settle ? { settle } : {}),
    alternatives: rest.map((f) => ({ cause: f.cause, confidence: f.confidence, summary: f.summary, fix: f.fix })),
  };
}
