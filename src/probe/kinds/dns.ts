// The target's name through the pod's resolver: search list, ndots, servers.
import { fmtMs } from '../../net/format.ts';
import { defineProbe } from '../kind.ts';
import { dnsWait, resolveName } from '../dns.ts';
import { needsDns } from '../target.ts';

/** DNS gets at most this share of the run, so the probes behind it still have time. */
const DNS_SHARE = 0.4;

export const dns = defineProbe({
  name: 'dns',
  start(s) {
    if (!needsDns(s.target)) return undefined;
    return resolveName(s.target.host, { ...s.opts.dns, timeoutMs: Math.min(dnsWait(s.opts.patienceMs), s.timeoutMs * DNS_SHARE) }).then((r) => {
      if (r.status === 'ok' && r.addresses[0]) s.target.ip = r.addresses[0];
      return r;
    });
  },
  label: () => 'dns',
  dest: (aim, r) => r?.name ?? aim.host,
  text: (r) => `dns ${r.status}${r.addresses.length ? ` → ${r.addresses.join(',')}` : ''} ${fmtMs(r.ms)}`,
  brief: (r) => `dns ${r.status}`,
  row: (r) => (r.status === 'ok' ? { outcome: 'ok', detail: `→ ${r.addresses.join(', ')}`, tone: 'good' } : { outcome: r.status, detail: r.errno, tone: 'bad' }),
});
