// Full-size echoes with Don't Fragment, once a small echo came back: then silence means size, not a filter.
import { fmtMs } from '../../net/format.ts';
import { defineProbe } from '../kind.ts';
import { probePathMtu } from '../pmtu.ts';

export const pmtu = defineProbe({
  name: 'pmtu',
  // Waits for the echo as reported: cut short once TCP answered means no full-size probe.
  after: 'icmp',
  start(s) {
    const ip = s.target.ip;
    const echo = s.results.icmp;
    // Both families: the sizes count the IP header (20 or 40 bytes); IPv6 routers never fragment, they send Packet Too Big.
    if (!s.mtu || !ip || echo?.status !== 'reply') return undefined;
    return (s.opts.pmtu ?? probePathMtu)(ip, s.mtu, echo.rttMs, s.tracker.policy);
  },
  label: () => 'mtu',
  dest: (aim) => aim.ip ?? aim.host,
  text: (r) => `mtu ${r.mtu} ${r.status}${r.pathMtu ? ` (path ${r.pathMtu})` : ''} ${fmtMs(r.ms)}`,
  brief: (r) => `mtu ${r.mtu} ${r.status}`,
  row(r) {
    switch (r.status) {
      case 'fits':
        return { outcome: 'fits', detail: `${r.mtu} bytes, DF`, tone: 'good' };
      case 'too-big':
        // The router said so: TCP learns the smaller size and carries on.
        return { outcome: `mtu ${r.pathMtu}`, detail: r.detail, tone: 'warn' };
      case 'dropped':
        return { outcome: 'dropped', detail: `${r.mtu} bytes vanish${r.pathMtu ? `; ${r.pathMtu} gets through` : ''}`, tone: 'bad' };
      default:
        return { outcome: 'not run', detail: r.detail, tone: 'warn' };
    }
  },
});
