// podreach fleet's outputs: the JSON document (schema/fleet.schema.json), the text (a groups × targets matrix,
// then each target's cross-group diagnosis) and JUnit (one testcase per group × target).
import type { GroupBy } from '../context/groups.ts';
import type { Fact, NetworkModel } from '../context/types.ts';
import type { FleetDiagnosis, FleetVantage, GroupObserved, GroupOutcome, TargetVerdict } from '../diagnose/index.ts';
import type { Family } from '../net/ip.ts';
import type { ProbeReport } from '../probe/types.ts';
import { xmlEscape } from './junit.ts';
import { PLAIN, type Paint } from './text.ts';

export interface FleetPod {
  vantage: FleetVantage;
  node: string;
  name?: string;
  ms: number;
  error?: string;
}

export interface FleetGroupDoc {
  key: string;
  nodes: { name: string; internalIp: string | null; internalIps?: string[]; pool: string | null; zone: string | null; subnet: string | null; subnets?: string[]; podCidrs: string[]; ready: boolean }[];
  probedFrom: string | null;
  /** Per target (input order): the source the peer sees from this group, and the exact list to allow. */
  sourceSeen: { target: string; kind: string; allow: string[]; allowWhat: string; why: string; confidence: number; covers?: string }[];
  /** Per target × vantage point: the outcome, and the probe report it came from. */
  reports: { target: string; vantage: FleetVantage; outcome: GroupOutcome; detail: string; report: ProbeReport | null; error?: string }[];
  pods: FleetPod[];
}

export interface FleetDoc {
  kind: 'podreach.fleet';
  schemaVersion: 1;
  generatedAt: string;
  version: string;
  by: GroupBy;
  vantages: FleetVantage[];
  selector: string | null;
  namespace: string;
  /** The targets as given, in input order. */
  inputs: string[];
  context: { networkModel: Fact<NetworkModel> | null; containerCidr: Fact<string> | null; vpcCidrs: Fact<string[]> | null; containerCidrs?: Fact<string[]>; families?: Fact<Family[]> };
  groups: FleetGroupDoc[];
  /** One target: its cross-group diagnosis. */
  diagnosis?: FleetDiagnosis;
  /** Several: each target's, in input order. */
  targets?: { target: string; diagnosis: FleetDiagnosis }[];
  summary: { groups: number; targets: number; reachableEverywhere: number; pods: number };
  notes: string[];
  timings: { planMs: number; totalMs: number };
}

export interface FleetRun {
  version: string;
  by: GroupBy;
  vantages: FleetVantage[];
  selector?: string;
  namespace: string;
  context: FleetDoc['context'];
  groups: readonly GroupObserved[];
  pods: readonly FleetPod[][];
  verdicts: readonly TargetVerdict[];
  notes: string[];
  timings: FleetDoc['timings'];
}

export function buildFleet(run: FleetRun): FleetDoc {
  const groups = run.groups.map((g, gi): FleetGroupDoc => ({
    key: g.key,
    nodes: g.nodes.map((n) => ({
      name: n.name,
      internalIp: n.internalIp ?? null,
      ...(n.internalIps ? { internalIps: n.internalIps } : {}),
      pool: n.pool?.value ?? null,
      zone: n.zone?.value ?? null,
      subnet: n.subnet?.value ?? null,
      ...(n.subnets ? { subnets: n.subnets.map((s) => s.value) } : {}),
      podCidrs: n.podCidrs,
      ready: n.ready,
    })),
    probedFrom: g.probedFrom ?? null,
    sourceSeen: run.verdicts.map((v) => {
      const s = v.groups[gi]?.source;
      return { target: v.target.input, kind: s?.kind ?? 'unknown', allow: s?.allow ?? [], allowWhat: s?.allowWhat ?? '', why: s?.why ?? '', confidence: s?.confidence ?? 0, ...(s?.covers ? { covers: s.covers } : {}) };
    }),
    reports: run.verdicts.flatMap((v, ti) =>
      g.vantages.map((vt) => {
        const report = vt.reports?.[ti] ?? null;
        const decided = v.groups[gi];
        const same = decided?.vantage === vt.vantage;
        return {
          target: v.target.input,
          vantage: vt.vantage,
          outcome: report ? (same ? (decided?.outcome ?? 'no-report') : outcomeWord(report)) : 'no-report',
          detail: report ? (same ? (decided?.detail ?? '') : '') : `no report: ${vt.error ?? 'none'}`,
          report,
          ...(vt.error ? { error: vt.error } : {}),
        };
      }),
    ),
    pods: [...(run.pods[gi] ?? [])],
  }));
  const one = run.verdicts.length === 1 ? run.verdicts[0] : undefined;
  return {
    kind: 'podreach.fleet',
    schemaVersion: 1,
    generatedAt: new Date().toISOString(),
    version: run.version,
    by: run.by,
    vantages: run.vantages,
    selector: run.selector ?? null,
    namespace: run.namespace,
    inputs: run.verdicts.map((v) => v.target.input),
    context: run.context,
    groups,
    ...(one ? { diagnosis: one.diagnosis } : { targets: run.verdicts.map((v) => ({ target: v.target.input, diagnosis: v.diagnosis })) }),
    summary: {
      groups: groups.length,
      targets: run.verdicts.length,
      reachableEverywhere: run.verdicts.filter((v) => v.diagnosis.reachable).length,
      pods: run.pods.reduce((n, p) => n + p.filter((x) => x.name).length, 0),
    },
    notes: run.notes,
    timings: run.timings,
  };
}

/** A report not deciding the verdict (the other vantage point): reached or not, without the detail. */
function outcomeWord(r: ProbeReport): GroupOutcome {
  if (r.tcp) return r.tcp.status === 'open' && r.app?.status !== 'denied' ? 'reached' : r.tcp.status === 'timeout' ? 'silent' : r.tcp.status === 'refused' ? 'refused' : 'failed';
  return r.icmp.status === 'reply' ? 'reached' : 'silent';
}

const MARK: Record<GroupOutcome, string> = { reached: '✓', silent: '✗', refused: '✗', unreachable: '✗', denied: '✗', failed: '✗', 'no-report': '?' };

/** Groups × targets: GROUP, PROBED FROM, then one column per target (T1, T2, ...). */
function matrixLines(rows: [string, string][], marks: string[][], paint: Paint): string[] {
  const cols = Math.max(0, ...marks.map((m) => m.length));
  const head = ['GROUP', 'PROBED FROM', ...Array.from({ length: cols }, (_, i) => `T${i + 1}`)];
  const body = rows.map((r, i) => [...r, ...(marks[i] ?? [])]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [paint.dim(line(head)), ...body.map(line)];
}

/** What the live view knows while the pods run: each group's pod, pending, running or done with its outcomes. */
export interface LiveState {
  header: string;
  targets: readonly string[];
  groups: { key: string; probedFrom?: string; state: 'waiting' | 'running' | 'done'; outcomes?: GroupOutcome[] }[];
}

/** One frame of the live view: the matrix filling in (· waiting, … running), the targets, and the count. */
export function liveFrame(s: LiveState, paint: Paint = PLAIN): string[] {
  const marks = s.groups.map((g) => s.targets.map((_, i) => (g.state === 'done' ? MARK[g.outcomes?.[i] ?? 'no-report'] : g.state === 'running' ? '…' : '·')));
  const done = s.groups.filter((g) => g.state === 'done').length;
  return [
    paint.bold(s.header),
    '',
    ...matrixLines(s.groups.map((g) => [g.key, g.probedFrom ?? '-']), marks, paint),
    '',
    ...s.targets.map((t, i) => `${paint.dim(`T${i + 1}`)} ${t}`),
    '',
    paint.dim(`${done} of ${s.groups.length} group${s.groups.length === 1 ? '' : 's'} probed`),
  ];
}

const verdicts = (d: FleetDoc) => (d.diagnosis ? [{ target: d.inputs[0] ?? '', diagnosis: d.diagnosis }] : (d.targets ?? []));

/** The first line of the text and of the live view. */
export function fleetHeader(targets: number, groups: number, by: GroupBy, vantages: readonly FleetVantage[], model: string | undefined): string {
  return `podreach fleet: ${targets} target${targets === 1 ? '' : 's'} from ${groups} group${groups === 1 ? '' : 's'} by ${by} · ${vantages.join('+')} network · ${model ?? 'model unknown'} model`;
}

export function renderFleetText(d: FleetDoc, paint: Paint = PLAIN): string {
  const vs = verdicts(d);
  const out: string[] = [];
  out.push(paint.bold(fleetHeader(vs.length, d.groups.length, d.by, d.vantages, d.context.networkModel?.value)));
  out.push('');
  // The matrix: one row per group, one column per target.
  const marks = d.groups.map((g) =>
    vs.map((v) => {
      const r = g.reports.find((x) => x.target === v.target && x.outcome !== 'no-report' && x.detail) ?? g.reports.find((x) => x.target === v.target);
      return r ? MARK[r.outcome] : '?';
    }),
  );
  out.push(...matrixLines(d.groups.map((g) => [g.key, g.probedFrom ?? '-']), marks, paint), '');
  vs.forEach((v, i) => out.push(`${paint.dim(`T${i + 1}`)} ${v.target}`));
  out.push('');
  for (const [i, v] of vs.entries()) {
    const dg = v.diagnosis;
    const word = dg.reachable ? paint.green('✓ reachable everywhere') : dg.cause === 'unknown' ? paint.yellow(`? ${dg.cause}`) : paint.red(`✗ ${dg.cause}`);
    out.push(`${paint.bold(`T${i + 1} ${v.target}`)}  ${word} · confidence ${dg.confidence.toFixed(2)}`);
    out.push(`    ${dg.summary}`);
    for (const f of dg.fix) out.push(`  → ${f}`);
    if (!dg.reachable) for (const e of dg.evidence) out.push(paint.dim(`  • ${e}`));
    out.push('');
  }
  for (const n of d.notes) out.push(paint.dim(`note ${n}`));
  const tally = `${d.summary.reachableEverywhere} of ${d.summary.targets} reachable from every group · ${d.summary.pods} probe pod${d.summary.pods === 1 ? '' : 's'} · ${(d.timings.totalMs / 1000).toFixed(1)} s`;
  out.push(tally, '');
  return out.join('\n');
}

export function renderFleetJunit(d: FleetDoc): string {
  const vs = verdicts(d);
  const cases: string[] = [];
  let failures = 0;
  for (const v of vs) {
    for (const g of d.groups) {
      const r = g.reports.find((x) => x.target === v.target && x.detail) ?? g.reports.find((x) => x.target === v.target);
      const open = `    <testcase name="${xmlEscape(`${g.key} → ${v.target}`)}" classname="podreach.fleet.${xmlEscape(d.by)}"`;
      if (r?.outcome === 'reached') {
        cases.push(`${open}/>`);
        continue;
      }
      failures++;
      const dg = v.diagnosis;
      const message = [`${g.key}: ${r?.detail ?? 'no report'}`, dg.summary, ...dg.fix.map((f) => `fix: ${f}`)].join(' · ');
      const body = [`${dg.cause} (confidence ${dg.confidence.toFixed(2)}): ${dg.summary}`, ...dg.fix.map((f) => `fix: ${f}`), ...dg.evidence.map((e) => `evidence: ${e}`)].join('\n');
      cases.push(`${open}>\n      <failure message="${xmlEscape(message)}" type="${xmlEscape(r?.outcome === 'no-report' ? 'no-report' : dg.cause)}">${xmlEscape(body)}</failure>\n    </testcase>`);
    }
  }
  const attrs = `tests="${cases.length}" failures="${failures}" errors="0" time="${(d.timings.totalMs / 1000).toFixed(3)}"`;
  return ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="podreach" ${attrs}>`, `  <testsuite name="podreach fleet" ${attrs} timestamp="${xmlEscape(d.generatedAt)}">`, ...cases, '  </testsuite>', '</testsuites>', ''].join('\n');
}
