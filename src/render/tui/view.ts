// Snapshot → what each panel shows. Pure, so the panels stay dumb and the tests stay small.
import { viewFor } from '../../context/family.ts';
import type { MissingFact, PodContext } from '../../context/types.ts';
import { predict } from '../../diagnose/index.ts';
import type { Diagnosis } from '../../diagnose/types.ts';
import type { Target } from '../../probe/types.ts';
import type { PodreachReport } from '../report.ts';
import { UNCERTAIN } from '../words.ts';
import { mapInput, type MapInput } from './cidr-layout.ts';
import type { RunSnapshot } from './live.ts';
import { fmtMs, hostPort } from '../../net/format.ts';
import { type ProbeRow, rowsFromEvents, rowsFromReport, type Tone } from './rows.ts';

export interface HeaderView {
  /** The target as typed. */
  input: string;
  /** IP:port once known. */
  resolved?: string;
  podIp?: string;
  nodeIp?: string;
  model?: string;
  run: number;
}

export interface ContextView {
  facts: PodContext;
  missing: MissingFact[];
  notes: string[];
}

export interface View {
  header: HeaderView;
  context?: ContextView;
  pod: ProbeRow[];
  node: ProbeRow[];
  /** "rtt 0.2 ms (gateway), waited 300 ms per SYN", once probing is over. */
  rtt?: string;
  map?: MapInput;
  diagnosis?: Diagnosis;
  error?: string;
}

/** reachable → good; a cause named with confidence → bad; uncertain or ambiguous → warn. */
export function verdictTone(d: Diagnosis): Tone {
  if (d.reachable) return 'good';
  return d.confidence < UNCERTAIN || isAmbiguous(d) ? 'warn' : 'bad';
}

/** Two causes the wire cannot separate: the engine ranked both. */
export function isAmbiguous(d: Diagnosis): boolean {
  return d.ambiguous;
}

function reportTarget(r: PodreachReport): Target {
  const t = r.target;
  return {
    input: t.input,
    host: t.host,
    ...(t.ip ? { ip: t.ip } : {}),
    ...(t.port !== null ? { port: t.port } : {}),
  };
}

export function buildView(s: RunSnapshot): View {
  const r = s.report;
  const facts = (r ? r.context : s.context?.facts) as PodContext | undefined;
  const target = r ? reportTarget(r) : s.target;
  const dnsIp = s.events.find((e) => e.type === 'finished' && e.probe === 'dns' && e.result.addresses.length > 0);
  const ip = target?.ip ?? (dnsIp?.type === 'finished' && dnsIp.probe === 'dns' ? dnsIp.result.addresses[0] : undefined);

  const view: View = {
    header: {
      input: target?.input ?? s.input ?? '',
      resolved: ip ? hostPort(ip, target?.port) : undefined,
      podIp: facts?.podIp?.value,
      nodeIp: facts?.nodeIp?.value,
      model: facts?.networkModel?.value,
      run: s.n,
    },
    pod: r ? rowsFromReport(r.probes.pod) : rowsFromEvents(s.events, target, facts?.gateway?.value),
    node: r?.probes.node ? rowsFromReport(r.probes.node) : s.node ? rowsFromReport(s.node) : [],
  };
  if (s.error) view.error = s.error.message;
  const context = r ?? s.context;
  if (!context || !facts || !target) return view;
  view.context = { facts, missing: context.missing, notes: context.notes };
  if (r) {
    const rtt = r.probes.pod.rtt;
    view.rtt = `rtt ${rtt.ms === null ? 'unknown' : fmtMs(rtt.ms)} (${rtt.basis}), silence after ${fmtMs(rtt.waitMs)} · took ${fmtMs(r.timings.totalMs)}`;
    view.diagnosis = r.diagnosis;
    view.map = {
      ...mapInput(viewFor(facts, ip), targetLabel(target, ip), ip !== undefined, r.cidr, r.diagnosis.sourceSeen),
      tone: verdictTone(r.diagnosis),
      dockerIsCause: r.diagnosis.cause === 'docker-bridge-conflict',
    };
  } else if (ip) {
    // While probing, the map is the model's prediction: no node comparison, no address named by the service.
    const { cidr, sourceSeen } = predict({ ...target, ip }, facts);
    view.map = mapInput(viewFor(facts, ip), targetLabel(target, ip), true, cidr, sourceSeen);
  }
  return view;
}

function targetLabel(t: Target, ip: string | undefined): string {
  return ip ? hostPort(ip, t.port) : t.host;
}
