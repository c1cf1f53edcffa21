// ICMP to the default gateway: the nearest thing that answers, an RTT sample for the waits.
import { defineProbe } from '../kind.ts';
import { GATEWAY_ICMP, probeIcmp } from '../icmp.ts';
import { icmpRow } from './icmp-words.ts';
import { ICMP_GRACE_MS } from './icmp.ts';

export const gateway = defineProbe({
  name: 'gateway',
  start(s) {
    const ip = s.gateway;
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
