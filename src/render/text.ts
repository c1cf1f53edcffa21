import { viewFor } from '../context/family.ts';
import { fmtMs } from '../net/format.ts';
import { familyOf } from '../net/ip.ts';
import type { AnyProbeKind } from '../probe/kind.ts';
import { PROBES } from '../probe/kinds/index.ts';
import type { ProbeName, ProbeReport } from '../probe/types.ts';
import type { PodreachReport } from './report.ts';
import { FACT_LABELS, factValue, orderedFacts, SOURCE_LABELS, UNCERTAIN } from './words.ts';

export interface Paint {
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  bold(s: string): string;
  dim(s: string): string;
}

const esc = (code: string) => (s: string) => `\x1b[${code}m${s}\x1b[0m`;
export const COLOR: Paint = { red: esc('31'), green: esc('32'), yellow: esc('33'), bold: esc('1'), dim: esc('2') };
export const PLAIN: Paint = { red: (s) => s, green: (s) => s, yellow: (s) => s, bold: (s) => s, dim: (s) => s };

function probeLine(p: ProbeReport, kinds: readonly AnyProbeKind[]): string {
  return kinds.flatMap((k) => (p[k.name as ProbeName] === undefined ? [] : [k.text(p[k.name as ProbeName])])).join(' · ');
}
/** `podreach probe -o text`: one line a target, a few words a probe. */
export function probeSummary(r: ProbeReport, kinds: readonly AnyProbeKind[] = PROBES): string {
  const parts = kinds.flatMap((k) => {
    const result = r[k.name as ProbeName];
    return result === undefined || !k.brief ? [] : [k.brief(result)];
  });
  return `${r.from.role} ${r.from.hostname}: ${r.target.input} ${parts.join(', ')}\n`;
}

/** "192.168.10.52:80", or the name with what it resolved to. */
export function targetLabel(r: PodreachReport): string {
  return r.target.ip && r.target.ip !== r.target.host ? `${r.target.input} (${r.target.ip})` : r.target.input;
}

/** The same content as the TUI, as plain lines: for `-o text` and non-TTY output. */
export function renderText(r: PodreachReport, paint: Paint = PLAIN, kinds: readonly AnyProbeKind[] = PROBES): string {
  const d = r.diagnosis;
  const out: string[] = [];
  const target = targetLabel(r);
  // A dual-stack pod reaches the target from its address of the target's family.
  const ctx = viewFor(r.context, r.target.ip ?? undefined);
  const family = r.target.ip ? familyOf(r.target.ip) : undefined;
  // A pod without an address of the target's family: its own address, and that it lacks the family.
  const pod = ctx.podIp ? factValue(ctx.podIp.value) : r.context.podIp ? `${factValue(r.context.podIp.value)} (no ${family} address)` : '?';
  const node = ctx.nodeIp ? ` on node ${factValue(ctx.nodeIp.value)}` : '';
  out.push(paint.bold(`podreach: ${target} from pod ${pod}${node}`), '');

  const color = d.reachable ? paint.green : d.confidence < UNCERTAIN ? paint.yellow : paint.red;
  out.push(`${paint.bold('VERDICT')}  ${color(`${d.cause}: ${d.title}`)}  (confidence ${d.confidence.toFixed(2)})`);
  out.push(`  ${d.summary}`);
  if (d.fix.length) {
    out.push('', paint.bold('FIX'));
    for (const f of d.fix) out.push(`  → ${f}`);
  }
  if (d.settle) out.push('', paint.bold('TO SETTLE IT'), `  ${d.settle}`);
  out.push('', paint.bold('EVIDENCE'));
  for (const e of d.evidence) out.push(`  • ${e}`);
  if (d.alternatives.length) {
    out.push('', paint.bold('ALTERNATIVES'));
    for (const a of d.alternatives) out.push(`  ${a.confidence.toFixed(2)}  ${a.cause}: ${a.summary}`);
  }
  out.push('', paint.bold('CONTEXT'));
  for (const [k, f] of orderedFacts(r.context)) {
    const mark = f.confidence < UNCERTAIN ? paint.yellow('?') : ' ';
    const label = (FACT_LABELS[k] ?? k).padEnd(15);
    out.push(`  ${label}${mark} ${factValue(f.value).padEnd(22)} ${paint.dim(`${SOURCE_LABELS[f.source]} ${f.confidence.toFixed(2)}${f.note ? ` (${f.note})` : ''}`)}`);
  }
  for (const m of r.missing) out.push(`  ${(FACT_LABELS[m.fact] ?? m.fact).padEnd(15)}${paint.yellow('–')} ${paint.dim(`unknown: ${m.hint}`)}`);
  for (const n of r.notes) out.push(`  ${paint.yellow('note')} ${n}`);
  out.push('', paint.bold('PROBES'));
  out.push(`  from pod   ${probeLine(r.probes.pod, kinds)}`);
  if (r.probes.node) out.push(`  from node  ${probeLine(r.probes.node, kinds)}`);
  out.push(`  rtt ${r.probes.pod.rtt.ms === null ? 'unknown' : fmtMs(r.probes.pod.rtt.ms)} (${r.probes.pod.rtt.basis}), silence after ${fmtMs(r.probes.pod.rtt.waitMs)}`);
  out.push('', paint.dim(`target ${r.cidr.zoneNote}${r.cidr.podDocker ? `; pod IP inside ${r.cidr.podDocker.range} (${r.cidr.podDocker.what})` : ''}`));
  for (const o of r.cidr.overlaps) out.push(paint.yellow(`  overlap: ${o}`));
  out.push(paint.dim(`took ${Math.round(r.timings.totalMs)} ms (probes ${Math.round(r.timings.probeMs)} ms)`));
  return `${out.join('\n')}\n`;
}
