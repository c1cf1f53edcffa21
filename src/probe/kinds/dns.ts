// The target's name through the pod's resolver: search list, ndots, servers; A and AAAA, in a client's order.
import { fmtMs } from '../../net/format.ts';
import { defineProbe } from '../kind.ts';
import { dnsWait, resolveName } from '../dns.ts';
import { clientOrder, type FamilyPaths, familyPaths } from '../family-order.ts';
import { needsDns } from '../target.ts';
import type { DnsResult } from '../types.ts';

/** DNS gets at most this share of the run, so the probes behind it still have time. */
const DNS_SHARE = 0.4;

/** The addresses in the order a typical client tries them from here, and the family it tries first. */
function ordered(r: DnsResult, paths: FamilyPaths): DnsResult {
  const o = r.status === 'ok' ? clientOrder(r.a ?? [], r.aaaa ?? [], paths) : undefined;
  return o ? { ...r, addresses: o.addresses, first: { family: o.family, why: o.why } } : r;
}

export const dns = defineProbe({
  name: 'dns',
  start(s) {
    if (!needsDns(s.target)) return undefined;
    return resolveName(s.target.host, { ...s.opts.dns, timeoutMs: Math.min(dnsWait(s.opts.patienceMs), s.timeoutMs * DNS_SHARE) }).then((got) => {
      const r = ordered(got, familyPaths(s.addresses(), s.gateway, s.gateway6));
      if (r.status === 'ok' && r.addresses[0]) s.target.ip = r.addresses[0];
      return r;
    });
  },
  label: () => 'dns',
  dest: (aim, r) => r?.name ?? aim.host,
  text: (r) => `dns ${r.status}${r.addresses.length ? ` → ${r.addresses.join(',')}` : ''}${r.first && r.a?.length && r.aaaa?.length ? ` (${r.first.family} first)` : ''} ${fmtMs(r.ms)}`,
  brief: (r) => `dns ${r.status}`,
  row: (r) => (r.status === 'ok' ? { outcome: 'ok', detail: `→ ${r.addresses.join(', ')}`, tone: 'good' } : { outcome: r.status, detail: r.errno, tone: 'bad' }),
});
