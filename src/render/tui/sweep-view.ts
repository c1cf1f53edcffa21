// A sweep's snapshots → what its table shows. Pure, like view.ts for one target.
import type { Diagnosis } from '../../diagnose/types.ts';
import type { PodreachReport } from '../report.ts';
import { buildSweep, sweepTally } from '../sweep.ts';
import type { RunSnapshot } from './live.ts';

export interface SweepRow {
  /** TARGET as given (a URL's password redacted). */
  label: string;
  /** Where it came from: "-f deps.txt", "env DATABASE_URL"; undefined for an argument. */
  from?: string;
  /** probing → probed (the pod is done; the report waits for the rest of the run) → done. */
  state: 'probing' | 'probed' | 'done' | 'failed';
  diagnosis?: Diagnosis;
  /** Probed: the verdict of the pod's probes alone, until the report comes. */
  soFar?: Diagnosis;
  totalMs?: number;
}

export function sweepRows(snaps: readonly RunSnapshot[], origins: readonly (string | undefined)[] = []): SweepRow[] {
  return snaps.map((s, i) => {
    const row: SweepRow = {
      label: s.report?.target.input ?? s.target?.input ?? s.input ?? '',
      from: s.report?.target.from ?? origins[i],
      state: s.report ? 'done' : s.error ? 'failed' : s.probed ? 'probed' : 'probing',
    };
    if (!s.report && s.soFar) row.soFar = s.soFar;
    if (s.report) {
      row.diagnosis = s.report.diagnosis;
      row.totalMs = s.report.timings.totalMs;
    }
    return row;
  });
}

/** Under the table: how far the run is, then the tally the text sweep ends with. */
export function sweepProgress(snaps: readonly RunSnapshot[]): string {
  const reports = snaps.map((s) => s.report).filter((r): r is PodreachReport => r !== undefined);
  if (reports.length === snaps.length) return sweepTally(buildSweep('', reports, 0).summary);
  const probed = snaps.filter((s) => s.probed || s.report).length;
  return `${probed} of ${snaps.length} probed from the pod`;
}
