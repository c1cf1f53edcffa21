// ICMP to the default gateway of the target's family: the nearest thing that answers, an RTT sample for the waits.
import { familyOf } from '../../net/ip.ts';
import { defineProbe } from '../kind.ts';
import { GATEWAY_ICMP, probeIcmp } from '../icmp.ts';
import { icmpRow } from './icmp-words.ts';
import { ICMP_GRACE_MS } from './icmp.ts';

export const gateway = defineProbe({
  name: 'gateway',
  // An IPv6 target's first hop is the IPv6 gateway. A literal's family is known at once; a name's only once it
  // resolved, which is waited for only when the pod has both gateways (else the one there is starts with DNS).
  // A literal has no DNS to wait for: `after` it only puts this fork behind the target's echo and SYN (kinds
  // start in list order, and a spawn holds the event loop), for the gateway is only the baseline for silence.
  after: (s) => (s.target.ip !== undefined || (s.gateway && s.gateway6) ? 'dns' : undefined),
  start(s) {
    const family = s.target.ip ? familyOf(s.target.ip) : s.gateway ? 'IPv4' : 'IPv6';
    const ip = family === 'IPv6' ? s.gateway6 : s.gateway;
    if (!ip) return undefined;
    return (s.opts.icmp ?? probeIcmp)(ip, GATEWAY_ICMP, s.tracker).then((r) => {
      if (r.status === 'reply' && r.rttMs !== undefined) s.tracker.observe({ basis: 'gateway', ms: r.rttMs });
      return { ...r, ip };
    });
  },
  late: { graceMs: () => ICMP_GRACE_MS, value: () => undefined },
  label: () => 'gateway',
  dest: (aim, r) => r?.ip ?? aim.gateway ?? '',
  text: (r) => `gateway ${r.ip} ${r.status}`,
  row: (r) => icmpRow(r, 'dim'),
});
