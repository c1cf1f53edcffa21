// The target host's own view (`podreach peer`, passed with --peer-report), for the source this pod's traffic
// reaches it from: what the causes read when it is there.
import { readSource, type PeerReading } from '../probe/peer/reading.ts';
import type { PeerSource } from '../probe/peer/types.ts';
import type { Evidence, SourceSeen } from './types.ts';
import { peerSide } from './vantage.ts';

export interface PeerSignal {
  /** The source entry of the report the diagnosis reads. */
  source: PeerSource;
  reading: PeerReading;
  /** One evidence line: what the host showed. */
  line: string;
}

/**
 * The report's entry for the address the peer sees (pod or node IP), else for the pod or node IP at all;
 * undefined without a report, or when it names neither.
 */
export function peerSignal(ev: Evidence, seen: SourceSeen): PeerSignal | undefined {
  const report = peerSide(ev);
  if (!report) return undefined;
  const candidates = [seen.ip, ev.context.podIp?.value, ev.context.nodeIp?.value].filter((x): x is string => x !== undefined);
  const source = candidates.map((ip) => report.sources.find((s) => s.ip === ip)).find(Boolean);
  if (!source) return undefined;
  const { reading, line } = readSource(source, report.listener);
  return { source, reading, line: `peer ${report.host.hostname}: ${line}` };
}

/** The exact command that settles it on the target host: the sources the peer may see, the port, a window. */
export function peerCommand(ev: Evidence, seen: SourceSeen): string {
  const sources = seen.kind === 'unknown' ? [ev.context.podIp?.value, ev.context.nodeIp?.value] : [seen.ip];
  const list = [...new Set(sources.filter((x): x is string => x !== undefined))];
  const port = ev.target.port;
  return `podreach peer --source ${list.join(',') || 'POD_IP'}${port ? ` --port ${port} --listen 30` : ''} -o json > peer.json`;
}

/** The settle line: run podreach peer on the target while diagnose runs again here, then pass its report. */
export function peerSettle(ev: Evidence, seen: SourceSeen, byHand: string): string {
  const target = ev.target.ip ?? ev.target.host;
  return `On ${target}: ${peerCommand(ev, seen)} while podreach diagnose runs again here, then add --peer-report peer.json (by hand: ${byHand})`;
}
