// ICMP to the default gateway of the target's family: the nearest thing that answers, an RTT sample for the waits.
import { familyOf } from '../../net/ip.ts';
import { defineProbe } from '../kind.ts';
import { GATEWAY_ICMP, probeIcmp } from '../icmp.ts';
import { icmpRow } from './icmp-words.ts';
import { ICMP_GRACE_MS } from './icmp.ts';

export const gateway = defineProbe({
  name: 'gateway',
  // A name's family is known once it resolved (a literal's at once): an IPv6 target's first hop is the IPv6 gateway.
  after: 'dns',
  start(s) {
    const ip = s.target.ip && familyOf(s.target.ip) === 'IPv6' ? s.gateway6 : s.gateway;
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
