// A dual-stack name whose first family failed: the same probe to its first address of the other family, so the
// report can say "over IPv6 it fails, over IPv4 it would have worked". Asked only after such a failure: the TCP
// connect when there is a port, else the echo.
import { hostPort } from '../../net/format.ts';
import { defineProbe } from '../kind.ts';
import { probeIcmp, TARGET_ICMP } from '../icmp.ts';
import { probeTcp } from '../tcp.ts';
import type { OtherFamilyResult } from '../types.ts';
import { icmp } from './icmp.ts';
import { tcp } from './tcp.ts';

const which = (r: OtherFamilyResult): string => (r.tcp ? `tcp/${r.tcp.port}` : 'ping');

export const otherFamily = defineProbe({
  name: 'otherFamily',
  // What decides whether the first family failed: TCP with a port, else the echo.
  after: (s) => (s.target.port !== undefined ? 'tcp' : 'icmp'),
  start(s) {
    const d = s.results.dns;
    if (!d?.first || !d.a?.length || !d.aaaa?.length) return undefined;
    const port = s.target.port;
    const first = s.results;
    const failed = port !== undefined ? first.tcp !== undefined && first.tcp.status !== 'open' : first.icmp?.status === 'no-reply' || first.icmp?.status === 'unreachable';
    if (!failed) return undefined;
    const family = d.first.family === 'IPv6' ? 'IPv4' : 'IPv6';
    const ip = (family === 'IPv4' ? d.a : d.aaaa)[0] as string;
    s.tracker.capAt(Math.max(50, (s.timeoutMs - s.usedMs() - 100) / 2));
    if (port !== undefined) return probeTcp(ip, port, s.tracker).then((r) => ({ family, ip, tcp: r, ms: r.ms }));
    return (s.opts.icmp ?? probeIcmp)(ip, TARGET_ICMP, s.tracker).then((r) => ({ family, ip, icmp: r, ms: r.ms }));
  },
  label: (aim, r) => `${r ? which(r) : aim.port ? `tcp/${aim.port}` : 'ping'} ${r?.family ?? 'other family'}`,
  dest: (aim, r) => (r?.tcp ? hostPort(r.ip, r.tcp.port) : (r?.ip ?? aim.host)),
  text: (r) => `${r.family} ${r.tcp ? tcp.text(r.tcp) : r.icmp ? icmp.text(r.icmp) : ''}`.trim(),
  brief: (r) => `${r.family} ${which(r)} ${r.tcp?.status ?? r.icmp?.status ?? ''}`.trim(),
  row: (r) => (r.tcp ? tcp.row(r.tcp) : r.icmp ? icmp.row(r.icmp) : { outcome: 'not run', tone: 'dim' }),
});
