import { type Signals, starvedLine } from './signals.ts';
import type { Evidence } from './types.ts';
import { peerSide } from './vantage.ts';

/** The probe lines and the source-IP reasoning every verdict starts from. */
export function baseEvidence(ev: Evidence, s: Signals): string[] {
  const lines = [`pod: ${s.pod.line}`];
  const starved = starvedLine(s.pod);
  if (starved) lines.push(starved);
  if (s.node) lines.push(`node: ${s.node.line}`);
  else lines.push('node: no node report (run `podreach probe` on the node and pass --node-report to compare)');
  lines.push(`target ${ev.target.ip ?? ev.target.host}: ${ev.cidr.zoneNote}`);
  const seenIp = s.seen.ip ? ` ${s.seen.ip}` : '';
  if (s.seen.kind !== 'unknown') lines.push(`the peer sees source${seenIp} (${s.seen.kind} IP): ${s.seen.why}`);
  else lines.push(s.seen.why);
  if (s.peer) lines.push(s.peer.line);
  else if (peerSide(ev)) lines.push(`the peer report names neither ${[ev.context.podIp?.value, ev.context.nodeIp?.value].filter(Boolean).join(' nor ') || 'this pod\'s address'}: not used (run podreach peer with --source set to them)`);
  if (s.pod.via === 'icmp' && s.pod.outcome === 'silent') {
    lines.push('ICMP only (no port given): a host that ignores ping looks exactly like a blocked one; pass a port to test the service');
  }
  return lines;
}

export function isSilent(s: Signals): boolean {
  return s.pod.outcome === 'silent';
}

/** "TCP port 6379" / "ICMP" — what an allow rule must open. */
export function what(s: Signals): string {
  return s.port ? `TCP port ${s.port}` : 'ICMP (and the service ports you use)';
}

/**
 * The source CIDR(s) to allow, in the guide's words, with the reason. When the node fails as well,
 * a pod-side CIDR alone won't do: the node must be allowed too.
 */
export function allowText(s: Signals, ev: Evidence): string {
  const node = ev.context.nodeIp?.value;
  if (s.seen.kind === 'node') return `${s.seen.allow ?? 'the node IP'} (${s.seen.allowWhat}; or the whole node subnet so every node is covered)`;
  if (s.seen.kind === 'pod') {
    const pod = `${s.seen.allow ?? 'the container CIDR'} (${s.seen.allowWhat})`;
    return s.differential === 'both-fail' && node ? `${pod} and ${node}/32 (the node itself fails too)` : pod;
  }
  // The service named an address that is neither the pod's nor the node's: that address, nothing else.
  if (s.pod.namedSource && s.seen.allow) return `${s.seen.allow} (${s.seen.allowWhat})`;
  const c = ev.context.containerCidr?.value;
  return [c ? `${c} (the container CIDR)` : 'the container CIDR', node ? `${node}/32 (the node IP, for SNATed traffic)` : 'the node IP'].join(' and ');
}
