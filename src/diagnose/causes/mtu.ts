import { familyOf, icmpHeaders } from '../../net/ip.ts';
import { baseEvidence } from '../explain.ts';
import { signals } from '../signals.ts';
import { nodeSide, podSide } from '../vantage.ts';
import { defineCause } from './define.ts';

/**
 * A path MTU black hole: small packets get through, packets of the interface's full size vanish, and
 * the "fragmentation needed" that would let TCP adapt never comes back. Connections open, then hang on
 * the first large transfer. Common under overlays whose pod MTU ignores the encapsulation overhead.
 */
export const mtu = defineCause({
  id: 'mtu',
  title: 'Full-size packets vanish (path MTU)',
  needs: ['pod.icmp', 'pod.pmtu', 'node.pmtu', 'context.networkModel'],
  evaluate(ev) {
    const p = podSide(ev).pmtu;
    if (p?.status !== 'dropped') return null;
    const s = signals(ev);
    const target = ev.target.ip ?? ev.target.host;
    const fits = p.pathMtu;
    const v6 = familyOf(target) === 'IPv6';
    const node = nodeSide(ev)?.pmtu;
    // The node's own full-size packets get through: its interface is smaller than the pod's, or the
    // drop is on the pod's side of the node. Measured, so more certain.
    const nodeFits = node && (node.status === 'fits' || node.status === 'too-big');
    const evidence = baseEvidence(ev, s);
    evidence.push(
      `a ${p.mtu}-byte echo${v6 ? '' : " with Don't Fragment"} vanished after small echoes came back${fits ? `; ${fits} bytes got through` : ''}`,
      `no ${v6 ? '"Packet Too Big"' : '"fragmentation needed"'} came back: something on the path filters that ICMP, so TCP never learns the smaller size`,
    );
    if (node) evidence.push(`node: full-size echo (${node.mtu} bytes) ${node.status === 'dropped' ? 'vanished too: the path itself, not only the pod MTU' : node.status === 'fits' ? 'fits' : `met MTU ${node.pathMtu}`}`);
    if (s.pod.outcome === 'ok') evidence.push('the TCP handshake and the first exchange fit in small packets: connections open, then the first full-size segment is lost');
    const setMtu = fits ?? (node && node.status === 'fits' ? Math.min(node.mtu, p.mtu - 50) : p.mtu - 50);
    const fix = [
      `Set the pod network's MTU to ${setMtu} or less (the CNI's MTU setting${s.model === 'tunnel' ? ': an overlay must leave room for its header, VXLAN takes 50 bytes' : ''}), or clamp TCP MSS on the node: ${v6 ? 'ip6tables' : 'iptables'} -t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu`,
      v6
        ? `Let ICMPv6 type 2 ("Packet Too Big") through the security groups and firewalls between this pod and ${target}: IPv6 routers never fragment, so without it path MTU discovery cannot work at all`
        : `Let ICMP type 3 code 4 ("fragmentation needed") through the security groups and firewalls between this pod and ${target}, so path MTU discovery works`,
    ];
    return {
      confidence: nodeFits ? 0.9 : 0.82,
      summary: `packets of ${p.mtu} bytes to ${target} vanish while small ones get through: a path MTU black hole${fits ? ` (${fits} bytes pass)` : ''}`,
      evidence,
      fix,
      settle: `ping -M do -s ${(fits ?? setMtu) - icmpHeaders(target)} ${target} answers and ping -M do -s ${p.mtu - icmpHeaders(target)} ${target} does not`,
    };
  },
});
