// The observations by vantage point: what the causes and signals ask for, whatever else was observed.
import type { PeerReport } from '../probe/peer/types.ts';
import type { ProbeReport } from '../probe/types.ts';
import type { Evidence, Observation, Vantage } from './types.ts';

type Observed = Pick<Evidence, 'observations'>;

/** The report made from `vantage`, if there is one (none at all before probing). */
export const from = (ev: Partial<Observed>, vantage: Vantage): ProbeReport | undefined => ev.observations?.find((o) => o.vantage === vantage)?.report;

/** The pod's own report: always there (judge() refuses evidence without it). */
export function podSide(ev: Observed): ProbeReport {
  const r = from(ev, 'pod');
  if (!r) throw new Error('no observation from the pod');
  return r;
}

/** The key of a node's report: `node:<name>` when the node's name is known, else `node`. */
export const nodeVantage = (name: string | undefined): Vantage => (name ? `node:${name}` : 'node');

/**
 * The report of the node this pod runs on, whatever it is named: `node:<its name>`, else `node`. A report
 * from another node is not this pod's comparison.
 */
export const nodeSide = (ev: Observed & Pick<Evidence, 'context'>): ProbeReport | undefined =>
  from(ev, nodeVantage(ev.context.nodeName?.value)) ?? from(ev, 'node');

/** A report keyed by where it was made; the report's `from.vantage` says so too (the JSON report shows it). */
export const observation = (vantage: Vantage, report: ProbeReport): Observation => ({ vantage, report: { ...report, from: { ...report.from, vantage } } });

/** Why these observations cannot be judged (no pod report, a vantage point twice); undefined when they can. */
export function unusable(observations: readonly Observation[]): string | undefined {
  if (!observations.some((o) => o.vantage === 'pod')) return 'no observation from the pod';
  const twice = observations.find((o, i) => observations.findIndex((p) => p.vantage === o.vantage) !== i);
  return twice ? `two observations from ${twice.vantage}` : undefined;
}

/** What `podreach peer` read on the target host (--peer-report), if it was given. */
export const peerSide = (ev: Observed): PeerReport | undefined => ev.observations.find((o) => o.peer !== undefined)?.peer;

/** The target host's report as an observation. */
export const peerObservation = (peer: PeerReport): Observation => ({ vantage: 'peer', peer });
