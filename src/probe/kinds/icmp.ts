// ICMP echo to the target: alive at all, and an RTT sample.
import { defineProbe } from '../kind.ts';
import { probeIcmp, TARGET_ICMP } from '../icmp.ts';
import { icmpRow, icmpText } from './icmp-words.ts';

/** How long ICMP may still take once TCP has answered: most managed services drop ping. */
export const ICMP_GRACE_MS = 150;
/**
 * When an echo reply would start the full-size probe, the echo is worth more patience: cut short, a path-MTU
 * black hole (small packets pass, TCP opens) would read as reachable. ping ends by its own silence rule
 * (rtt.ts) soon after TCP's answer, so this bounds a slow start of the ping child on a loaded node, not a wait.
 */
export const ICMP_GRACE_BEFORE_PMTU_MS = 600;

export const icmp = defineProbe({
  name: 'icmp',
  after: 'dns',
  start(s) {
    const ip = s.target.ip;
    if (ip === undefined) return undefined;
    return (s.opts.icmp ?? probeIcmp)(ip, TARGET_ICMP, s.tracker).then((r) => {
      if (r.status === 'reply' && r.rttMs !== undefined) s.tracker.observe({ basis: 'icmp-target', ms: r.rttMs });
      return r;
    });
  },
  // The ping child ends on its own; the CLI exits past it.
  late: { graceMs: (s) => (s.mtu ? ICMP_GRACE_BEFORE_PMTU_MS : ICMP_GRACE_MS), value: (atMs) => ({ status: 'skipped', sent: 0, received: 0, ms: atMs, detail: 'not waited for: TCP answered first' }) },
  label: () => 'ping',
  dest: (aim) => aim.ip ?? aim.host,
  text: (r) => `icmp ${icmpText(r)}`,
  brief: (r) => `icmp ${r.status}`,
  row: (r) => icmpRow(r, 'warn'),
  // No address to ping: DNS already said why.
  hidden: (r, results) => r.status === 'skipped' && results.dns !== undefined,
});
