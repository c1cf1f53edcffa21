import type { ProbeReport } from './types.ts';

/** A probe report from elsewhere (a node, a file, maybe another podreach version) that the diagnosis can read. */
export function isProbeReport(v: unknown): v is ProbeReport {
  const r = v as Partial<ProbeReport> | null;
  return r?.kind === 'podreach.probe' && r.schemaVersion === 1 && !!r.icmp && !!r.target && !!r.from;
}

/** `podreach probe` with several targets: one document holding a report per plan item, in plan order. */
export interface ProbeSet {
  kind: 'podreach.probe-set';
  schemaVersion: 1;
  reports: ProbeReport[];
}

export function probeSet(reports: ProbeReport[]): ProbeSet {
  return { kind: 'podreach.probe-set', schemaVersion: 1, reports };
}

/** The reports in a probe report or a probe set, or undefined when it is neither (or any report in it is bad). */
export function probeReports(v: unknown): ProbeReport[] | undefined {
  if (isProbeReport(v)) return [v];
  const set = v as Partial<ProbeSet> | null;
  if (set?.kind !== 'podreach.probe-set' || set.schemaVersion !== 1 || !Array.isArray(set.reports)) return undefined;
  return set.reports.every(isProbeReport) ? set.reports : undefined;
}
