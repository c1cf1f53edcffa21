import { allowText, baseEvidence, isSilent, what } from '../explain.ts';
import { peerSettle } from '../peer.ts';
import { doubt, signals } from '../signals.ts';
import { defineCause } from './define.ts';

/**
 * The target host's own firewall (iptables / nftables INPUT: ufw, firewalld, a hand-written rule) drops the
 * source: not the cloud security group, and fixed on the host. Named by `podreach peer` on the host; from the
 * wire alone it is a silent drop like a security group's, so it is only a distant alternative there.
 */
export const hostFirewall = defineCause({
  id: 'host-firewall',
  title: "The target host's own firewall drops the source",
  needs: ['pod.tcp', 'node', 'peer.firewall', 'peer.arrived'],
  evaluate(ev) {
    const s = signals(ev);
    if (!isSilent(s) && !(s.pod.outcome === 'refused' && s.peer?.source.firewall?.verdict === 'reject')) return null;
    if (['service', 'loopback', 'public'].includes(ev.cidr.targetZone)) return null;
    const target = ev.target.ip ?? ev.target.host;
    const fw = s.peer?.source.firewall;
    if (s.peer && fw && (fw.verdict === 'drop' || fw.verdict === 'reject')) {
      const rule = fw.rule ?? `the ${fw.chain ?? 'INPUT'} chain`;
      const counted = s.peer.source.arrived?.methods.find((m) => m.method === 'firewall-counters' && m.available && (m.seen ?? 0) > 0);
      return {
        confidence: 0.93 * doubt(s),
        summary: `the firewall on ${target} itself ${fw.verdict}s ${s.peer.source.ip}${s.port ? ` on TCP port ${s.port}` : ''}: ${rule}`,
        evidence: [...baseEvidence(ev, s), `read on ${target} (${fw.tool}): ${rule}`, ...(counted ? [`while the pod probed, ${counted.detail}`] : []), 'a host firewall is not the cloud security group: changing the security group does not help'],
        fix: [
          rule.startsWith(':')
            ? `On ${target}: the INPUT policy is DROP and no rule lets ${allowText(s, ev)} in: add one before the policy applies (iptables -I INPUT -s ${s.seen.allow ?? s.peer.source.ip} -p tcp --dport ${s.port ?? 'PORT'} -j ACCEPT, or the ufw / firewalld equivalent, and make it persistent)`
            : `On ${target}: allow ${allowText(s, ev)}, ${what(s)} ahead of "${rule}" (iptables -I ${fw.chain ?? 'INPUT'} -s ${s.seen.allow ?? s.peer.source.ip} -p tcp --dport ${s.port ?? 'PORT'} -j ACCEPT, or the ufw / firewalld equivalent, and make it persistent), or remove that rule`,
        ],
      };
    }
    // Watched, nothing arrived, and the rules could not be read: the host's own firewall is not ruled out.
    if (s.peer?.reading === 'not-arrived' && fw?.verdict === 'not-readable') {
      return {
        confidence: 0.3 * doubt(s),
        summary: `${target}'s own firewall could also drop ${s.peer.source.ip}: podreach peer could not read it (${fw.why ?? 'not root'})`,
        evidence: baseEvidence(ev, s),
        fix: [`On ${target}, as root: iptables-save | grep -e DROP -e REJECT, or run podreach peer again as root`],
      };
    }
    // From the wire alone: the peer filters by source (the node gets through) in a model where it sees the pod IP.
    if (!s.peer && s.differential === 'pod-only-fails' && s.model !== 'tunnel' && s.port) {
      return {
        confidence: 0.15 * doubt(s),
        summary: `the firewall on ${target} itself (not its security group) may drop ${s.seen.allow ?? 'the pod\'s source'}`,
        evidence: baseEvidence(ev, s),
        fix: [`On ${target}: iptables-save | grep -e DROP -e REJECT — a rule covering ${s.seen.allow ?? 'the pod IP'} on TCP port ${s.port}`],
        settle: peerSettle(ev, s.seen, `iptables-save on ${target} as root`),
      };
    }
    return null;
  },
});
