import type { ProbeReport } from './types.ts';

/** A probe report from elsewhere (a node, a file, maybe another podreach version) that the diagnosis can read. */
export function isProbeReport(v: unknown): v is ProbeReport {
  const r = v as Partial<ProbeReport> | null;
  return r?.kind === 'podreach.probe' && r.schemaVersion === 1 && !!r.icmp && !!r.target && !!r.from;
}
