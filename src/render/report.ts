import type { ContextReport, Fact, MissingFact } from '../context/types.ts';
import type { CidrFacts, Diagnosis } from '../diagnose/types.ts';
import type { PeerReport } from '../probe/peer/types.ts';
import type { ProbeReport, Target } from '../probe/types.ts';

export const SCHEMA_VERSION = 1;

/** The JSON document `podreach diagnose -o json` prints: a contract (see report.schema.json). */
export interface PodreachReport {
  kind: 'podreach.report';
  schemaVersion: typeof SCHEMA_VERSION;
  tool: { name: 'podreach'; version: string };
  generatedAt: string;
  /** `from`: where the target came from ("-f FILE", "env DATABASE_URL"); absent for a command-line argument. */
  target: { input: string; host: string; ip: string | null; port: number | null; scheme: string | null; from?: string };
  context: Record<string, Fact<unknown>>;
  missing: MissingFact[];
  notes: string[];
  cidr: CidrFacts;
  probes: { pod: ProbeReport; node: ProbeReport | null };
  /** With --peer-report: the target host's report the diagnosis read. */
  peer?: PeerReport;
  diagnosis: Diagnosis;
  timings: { probeMs: number; diagnoseMs: number; totalMs: number };
}

export interface ReportParts {
  version: string;
  target: Target;
  from?: string;
  context: ContextReport;
  cidr: CidrFacts;
  pod: ProbeReport;
  node?: ProbeReport;
  peer?: PeerReport;
  diagnosis: Diagnosis;
  timings: PodreachReport['timings'];
}

export function buildReport(p: ReportParts): PodreachReport {
  return {
    kind: 'podreach.report',
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'podreach', version: p.version },
    generatedAt: new Date().toISOString(),
    target: {
      input: p.target.input,
      host: p.target.host,
      ip: p.target.ip ?? null,
      port: p.target.port ?? null,
      scheme: p.target.scheme ?? null,
      ...(p.from ? { from: p.from } : {}),
    },
    context: { ...p.context.facts } as Record<string, Fact<unknown>>,
    missing: p.context.missing,
    notes: p.context.notes,
    cidr: p.cidr,
    probes: { pod: p.pod, node: p.node ?? null },
    ...(p.peer ? { peer: p.peer } : {}),
    diagnosis: p.diagnosis,
    timings: p.timings,
  };
}
