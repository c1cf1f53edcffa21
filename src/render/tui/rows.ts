// Probe rows for the live view: built from events while probing, from the report once it is there. Each
// row reads its result through its probe kind (probe/kinds/), in the kinds' order.
import type { AnyProbeKind, Aim, Tone } from '../../probe/kind.ts';
import { PROBES } from '../../probe/kinds/index.ts';
import type { ProbeEvent, ProbeName, ProbeReport } from '../../probe/types.ts';

export type { Tone };

export interface ProbeRow {
  side: 'pod' | 'node';
  probe: ProbeName;
  /** "ping", "tcp/80", "dns", "gateway". */
  label: string;
  /** What was probed: a name, an IP, IP:port. */
  dest: string;
  running: boolean;
  /** reply / open / refused / timeout / unreachable / ok / nxdomain ... */
  outcome?: string;
  detail?: string;
  tone?: Tone;
  ms?: number;
}

/** s cut to n characters, an ellipsis marking the cut. */
export const clip = (s: string, n: number): string => (s.length <= n ? s : `${s.slice(0, Math.max(0, n - 1))}…`);

type Finished = Extract<ProbeEvent, { type: 'finished' }>;

function finishedRow(side: ProbeRow['side'], kind: AnyProbeKind, result: unknown, aim: Aim, ms: number): ProbeRow {
  return { side, probe: kind.name, running: false, ms, label: kind.label(aim, result), dest: kind.dest(aim, result), ...kind.row(result) };
}

/** Rows of one side from its finished report. */
export function rowsFromReport(r: ProbeReport, kinds: readonly AnyProbeKind[] = PROBES): ProbeRow[] {
  const aim: Aim = { host: r.target.host, ip: r.target.ip ?? r.target.host, port: r.target.port, gateway: r.from.gateway };
  return kinds.flatMap((k) => {
    const result = r[k.name as ProbeName];
    if (result === undefined || k.hidden?.(result, r)) return [];
    return [finishedRow(r.from.role, k, result, aim, result.ms)];
  });
}

/** Pod rows while probing: one per probe started so far, running until its result arrives. */
export function rowsFromEvents(
  events: readonly ProbeEvent[],
  target: { host: string; ip?: string; port?: number } | undefined,
  gateway?: string,
  kinds: readonly AnyProbeKind[] = PROBES,
): ProbeRow[] {
  const dnsDone = events.find((e): e is Extract<Finished, { probe: 'dns' }> => e.type === 'finished' && e.probe === 'dns');
  const aim: Aim = { host: target?.host ?? '', ip: dnsDone?.result.addresses[0] ?? target?.ip ?? target?.host ?? '', port: target?.port, gateway: gateway ?? '' };
  const rows = new Map<string, ProbeRow>();
  for (const e of events) {
    const k = kinds.find((x) => x.name === e.probe);
    if (!k) continue;
    if (e.type === 'abandoned') rows.delete(e.probe);
    else rows.set(e.probe, e.type === 'started' ? { side: 'pod', probe: e.probe, label: k.label(aim), dest: k.dest(aim), running: true } : finishedRow('pod', k, e.result, aim, e.result.ms));
  }
  return kinds.flatMap((k) => rows.get(k.name) ?? []);
}
