// The RTT baseline pings the gateway of the target's family: an IPv6 target's first hop is the IPv6 gateway.
// No packet leaves: the echo is a fake, and only the gateway kind runs.
import { describe, expect, it } from 'vitest';
import { scopedGateway } from '../../../src/net/host.ts';
import type { probeIcmp } from '../../../src/probe/icmp.ts';
import { dns as dns_ } from '../../../src/probe/kinds/dns.ts';
import { gateway } from '../../../src/probe/kinds/gateway.ts';
import { runProbes } from '../../../src/probe/run.ts';
import { parseTarget } from '../../../src/probe/target.ts';
import { startFakeDns } from '../../integration/probe/dns-server.ts';

function fakeIcmp(asked: string[]): typeof probeIcmp {
  return async (ip) => (asked.push(ip), { status: 'reply', sent: 1, received: 1, rttMs: 0.2, ms: 1 });
}

describe('the gateway of the target\'s family', () => {
  const opts = { role: 'pod' as const, gateway: '172.16.1.1', gateway6: 'fe80::1%eth0', mtu: null };
  it.each([
    ['[fd00:192:168:20::52]:80', 'fe80::1%eth0'],
    ['192.168.20.52:80', '172.16.1.1'],
  ])('%s → ping %s', async (t, want) => {
    const asked: string[] = [];
    const r = await runProbes(parseTarget(t), { ...opts, icmp: fakeIcmp(asked) }, [dns_, gateway]);
    expect(asked).toEqual([want]);
    expect(r.gateway?.ip).toBe(want);
    expect(r.rtt).toMatchObject({ basis: 'gateway', ms: 0.2 });
  });
  it('an IPv6 target and no IPv6 gateway: no baseline rather than the IPv4 gateway\'s', async () => {
    const asked: string[] = [];
    const r = await runProbes(parseTarget('[fd00::52]:80'), { ...opts, gateway6: null, icmp: fakeIcmp(asked) }, [dns_, gateway]);
    expect([asked, r.gateway]).toEqual([[], undefined]);
  });
  it('a name: with both gateways the one of the family it resolved to (after DNS); with one, that one at once', async () => {
    const dns = await startFakeDns({ 'six.test': { aaaa: ['fd00::52'] } });
    try {
      const conf = { dns: { servers: [dns.address], conf: { nameservers: [dns.address], search: [], ndots: 1 } } };
      const asked: string[] = [];
      const r = await runProbes(parseTarget('six.test:80'), { ...opts, ...conf, icmp: fakeIcmp(asked) }, [dns_, gateway]);
      expect([r.target.ip, asked]).toEqual(['fd00::52', ['fe80::1%eth0']]);
      const only6: string[] = [];
      await runProbes(parseTarget('gone.test:80'), { ...opts, ...conf, gateway: null, icmp: fakeIcmp(only6) }, [dns_, gateway]);
      expect(only6).toEqual(['fe80::1%eth0']);
    } finally {
      await dns.close();
    }
  });
  it('a link-local gateway carries its interface, a global one does not', () => {
    expect(scopedGateway({ iface: 'eth0', gateway: 'fe80::1' })).toBe('fe80::1%eth0');
    expect(scopedGateway({ iface: 'eth0', gateway: 'fd00:172:16:1::1' })).toBe('fd00:172:16:1::1');
  });
});
