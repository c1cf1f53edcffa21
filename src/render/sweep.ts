// Several targets in one run: the sweep document (-o json) and its text form (a table, then each failing
// target's verdict, fix and evidence).
import type { CauseId } from '../diagnose/types.ts';
import { fmtMs } from '../net/format.ts';
import { type PodreachReport, SCHEMA_VERSION } from './report.ts';
import { PLAIN, type Paint, targetLabel } from './text.ts';
import { factValue, UNCERTAIN } from './words.ts';

/** `podreach diagnose T1 T2 ... -o json`: a contract (see sweep.schema.json). */
export interface SweepReport {
  kind: 'podreach.sweep';
  schemaVersion: typeof SCHEMA_VERSION;
  tool: { name: 'podreach'; version: string };
  generatedAt: string;
  /** One podreach.report per target, in input order. */
  reports: PodreachReport[];
  summary: { targets: number; reachable: number; notReachable: number; causes: Partial<Record<CauseId, number>> };
  timings: { totalMs: number };
}

export function buildSweep(version: string, reports: PodreachReport[], totalMs: number): SweepReport {
  const causes: Partial<Record<CauseId, number>> = {};
  for (const r of reports) causes[r.diagnosis.cause] = (causes[r.diagnosis.cause] ?? 0) + 1;
  const reachable = reports.filter((r) => r.diagnosis.reachable).length;
  return {
    kind: 'podreach.sweep',
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'podreach', version },
    generatedAt: new Date().toISOString(),
    reports,
    summary: { targets: reports.length, reachable, notReachable: reports.length - reachable, causes },
    timings: { totalMs: Math.round(totalMs * 10) / 10 },
  };
}

function verdictPaint(r: PodreachReport, paint: Paint): (s: string) => string {
  const d = r.diagnosis;
  return d.reachable ? paint.green : d.confidence < UNCERTAIN ? paint.yellow : paint.red;
}

/** "1 reachable, 5 not reachable (security-group, whitelist ×2, dns)". */
export function sweepTally(summary: SweepReport['summary']): string {
  const failing = Object.entries(summary.causes)
    .filter(([c]) => c !== 'reachable')
    .map(([c, n]) => (n === 1 ? c : `${c} ×${n}`));
  return `${summary.reachable} reachable, ${summary.notReachable} not reachable${failing.length ? ` (${failing.join(', ')})` : ''}`;
}

export function renderSweepText(s: SweepReport, paint: Paint = PLAIN): string {
  const out: string[] = [];
  const first = s.reports[0];
  const pod = first?.context.podIp ? factValue(first.context.podIp.value) : '?';
  const node = first?.context.nodeIp ? ` on node ${factValue(first.context.nodeIp.value)}` : '';
  const model = first?.context.networkModel ? ` · ${factValue(first.context.networkModel.value)} model` : '';
  out.push(paint.bold(`podreach: ${s.summary.targets} targets from pod ${pod}${node}${model}`), '');

  const labels = s.reports.map(targetLabel);
  const width = Math.min(48, Math.max(6, ...labels.map((l) => l.length)));
  const from = s.reports.some((r) => r.target.from);
  out.push(paint.bold(`${'TARGET'.padEnd(width)}  ${'VERDICT'.padEnd(24)}  CONF  ${from ? `${'TIME'.padEnd(8)}  FROM` : 'TIME'}`));
  s.reports.forEach((r, i) => {
    const d = r.diagnosis;
    const mark = d.reachable ? '✓' : d.confidence < UNCERTAIN ? '?' : '✗';
    const label = (labels[i] as string).length > width ? `${(labels[i] as string).slice(0, width - 1)}…` : (labels[i] as string);
    const time = from ? `${fmtMs(r.timings.totalMs).padEnd(8)}  ${paint.dim(r.target.from ?? 'argument')}` : fmtMs(r.timings.totalMs);
    out.push(`${label.padEnd(width)}  ${verdictPaint(r, paint)(`${mark} ${d.cause}`.padEnd(24))}  ${d.confidence.toFixed(2)}  ${time}`);
  });
  out.push('', `${sweepTally(s.summary)} · took ${fmtMs(s.timings.totalMs)}`);

  for (const [i, r] of s.reports.entries()) {
    const d = r.diagnosis;
    if (d.reachable) continue;
    out.push('', paint.bold(`── ${labels[i]} ── ${verdictPaint(r, paint)(`${d.cause}: ${d.title}`)} (confidence ${d.confidence.toFixed(2)})`));
    if (r.target.from) out.push(paint.dim(`  from ${r.target.from}`));
    out.push(`  ${d.summary}`);
    for (const f of d.fix) out.push(`  → ${f}`);
    if (d.settle) out.push(`  to settle it: ${d.settle}`);
    for (const e of d.evidence) out.push(paint.dim(`  • ${e}`));
    for (const a of d.alternatives) out.push(paint.dim(`  ${a.confidence.toFixed(2)}  ${a.cause}: ${a.summary}`));
  }
  // Context notes are the run's, not one target's: once.
  const notes = new Set(s.reports.flatMap((r) => r.notes));
  if (notes.size) out.push('');
  for (const n of notes) out.push(`${paint.yellow('note')} ${n}`);
  return `${out.join('\n')}\n`;
}
