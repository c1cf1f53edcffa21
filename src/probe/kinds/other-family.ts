// A dual-stack name whose first family failed: the same connect to its first address of the other family, so
// the report can say "over IPv6 it fails, over IPv4 it would have worked". Asked only after such a failure.
import { hostPort } from '../../net/format.ts';
import { defineProbe } from '../kind.ts';
import { probeTcp } from '../tcp.ts';
import { tcp } from './tcp.ts';

export const otherFamily = defineProbe({
  name: 'otherFamily',
  after: 'tcp',
  start(s) {
    const d = s.results.dns;
    const first = s.results.tcp;
    const port = s.target.port;
    if (!d?.first || !d.a?.length || !d.aaaa?.length || port === undefined || !first || first.status === 'open') return undefined;
    const family = d.first.family === 'IPv6' ? 'IPv4' : 'IPv6';
    const ip = (family === 'IPv4' ? d.a : d.aaaa)[0] as string;
    s.tracker.capAt(Math.max(50, (s.timeoutMs - s.usedMs() - 100) / 2));
    return probeTcp(ip, port, s.tracker).then((r) => ({ family, ip, tcp: r, ms: r.ms }));
  },
  label: (aim, r) => `tcp/${r?.tcp.port ?? aim.port ?? ''} ${r?.family ?? 'other family'}`,
  dest: (aim, r) => hostPort(r?.ip ?? aim.host, r?.tcp.port ?? aim.port),
  text: (r) => `${r.family} ${tcp.text(r.tcp)}`,
  brief: (r) => `${r.family} tcp/${r.tcp.port} ${r.tcp.status}`,
  row: (r) => tcp.row(r.tcp),
});
