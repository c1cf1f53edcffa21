// A TCP connect to the target's port: open, refused (RST), silent, or an ICMP error.
import { fmtMs, hostPort } from '../../net/format.ts';
import { appProtocol } from '../app.ts';
import { defineProbe } from '../kind.ts';
import { probeTcp } from '../tcp.ts';

export const tcp = defineProbe({
  name: 'tcp',
  after: 'dns',
  start(s) {
    const { ip, port } = s.target;
    if (ip === undefined || port === undefined) return undefined;
    // Whatever time DNS used comes out of the TCP budget.
    s.tracker.capAt(Math.max(50, (s.timeoutMs - s.usedMs() - 100) / 2));
    return probeTcp(ip, port, s.tracker, appProtocol(s.target) ? (socket) => (s.connected = socket) : undefined);
  },
  // An answer (open or RST) settles the question: ping's one-second wait is not sat out.
  settles: (r) => r.status === 'open' || r.status === 'refused',
  label: (aim, r) => `tcp/${r?.port ?? aim.port ?? ''}`,
  dest: (aim) => hostPort(aim.ip ?? aim.host, aim.port),
  text: (r) => `tcp/${r.port} ${r.status}${r.errno ? ` (${r.errno})` : ''} ${fmtMs(r.ms)}, ${r.attempts} attempt${r.attempts === 1 ? '' : 's'}`,
  brief: (r) => `tcp/${r.port} ${r.status}`,
  row(r) {
    switch (r.status) {
      case 'open':
        return { outcome: 'open', detail: r.attempts > 1 ? `after ${r.attempts} SYNs` : undefined, tone: 'good' };
      case 'refused':
        return { outcome: 'refused', detail: r.errno ?? 'RST', tone: 'bad' };
      case 'timeout':
        return { outcome: 'timeout', detail: `${r.attempts} SYN${r.attempts === 1 ? '' : 's'}, no answer in ${fmtMs(r.waitMs)}`, tone: 'bad' };
      case 'unreachable':
        return { outcome: 'unreachable', detail: r.errno, tone: 'bad' };
      default:
        return { outcome: 'error', detail: r.errno, tone: 'bad' };
    }
  },
});
