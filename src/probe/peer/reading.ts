// What a peer report says about one source, in one word and one line: shared by `podreach peer`'s text and
// the diagnosis (src/diagnose/peer.ts), so both read the host the same way.
import type { Listener, PeerSource } from './types.ts';

export type PeerReading =
  | 'host-firewall' // the host's own rules drop or reject the source on the port
  | 'reply-into-bridge' // replies to the source go into a local bridge (Docker), not out
  | 'no-route' // the host has no route back to the source
  | 'no-listener' // nothing listens on the port
  | 'not-arrived' // watched, and nothing from the source arrived
  | 'arrived' // its packets arrived and replies take the ordinary way out
  | 'route-ok'; // replies take the ordinary way out; arrival not watched

/** Replies leave through a bridge that is not the host's way out: they stay on this host. */
export const intoBridge = (s: PeerSource): boolean => s.route.kind === 'connected' && s.route.bridge && !s.route.defaultDev;

export function readSource(s: PeerSource, listener: Listener | null): { reading: PeerReading; line: string } {
  const fw = s.firewall;
  if (fw && (fw.verdict === 'drop' || fw.verdict === 'reject')) {
    return { reading: 'host-firewall', line: `this host's own firewall ${fw.verdict}s ${s.ip}: ${fw.rule ?? fw.chain ?? 'INPUT'}` };
  }
  if (intoBridge(s)) {
    const c = s.covering.find((x) => x.dev === s.route.dev);
    return {
      reading: 'reply-into-bridge',
      line: `replies to ${s.ip} go into ${s.route.dev}${c ? ` (${c.cidr}${s.route.docker ? ', a Docker network' : ', a bridge'}, ${c.state})` : ''} instead of out through ${s.route.via ?? 'the default route'}: they never leave this host`,
    };
  }
  if (s.route.kind === 'unreachable') return { reading: 'no-route', line: `this host has no route back to ${s.ip}: ${s.route.line}` };
  if (listener && !listener.listening) return { reading: 'no-listener', line: `nothing listens on TCP port ${listener.port}` };
  if (s.arrived && !s.arrived.seen) {
    return { reading: 'not-arrived', line: `nothing from ${s.ip} arrived in ${Math.round(s.arrived.windowMs / 100) / 10} s: it is dropped before this host (security group, or the path)` };
  }
  if (s.arrived?.seen) {
    return { reading: 'arrived', line: `${s.ip} arrived (${s.arrived.states.join(', ') || 'counted'}) and replies leave by ${s.route.line}: if the client still hears nothing, the way back is broken past this host` };
  }
  return { reading: 'route-ok', line: `replies to ${s.ip} take the ordinary way out (${s.route.line}); run with --listen to see whether its packets arrive` };
}
