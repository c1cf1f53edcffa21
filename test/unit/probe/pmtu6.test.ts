// The path-MTU probe over IPv6 (issue 14): 40-byte header, ICMPv6 Packet Too Big as iputils prints it
// (recorded in the IPv6 lab, test/lab/ipv6.ts), and the probe kind no longer skipping IPv6 targets.
import { describe, expect, it } from 'vitest';
import { pmtu } from '../../../src/probe/kinds/pmtu.ts';
import type { RunState } from '../../../src/probe/kind.ts';
import { classifyPing } from '../../../src/probe/icmp.ts';
import { classifyDf } from '../../../src/probe/pmtu.ts';
import { icmpHeaders } from '../../../src/net/ip.ts';

const stats = (errors: number) => `\n--- fd00:192:168:20::52 ping statistics ---\n1 packets transmitted, 0 received,${errors ? ` +${errors} errors,` : ''} 100% packet loss, time 0ms\n`;
const df = (output: string) => classifyDf(classifyPing({ alive: false, output, times: [], packetLoss: '100.000' }, null, 12));
const HEAD = 'PING fd00:192:168:20::52(fd00:192:168:20::52) 1452 data bytes\n';

describe('classifyDf over IPv6', () => {
  it('a router that sends Packet Too Big names the path MTU', () => {
    expect(df(`${HEAD}From fd00:172:16:1::1 icmp_seq=1 Packet too big: mtu=1400\n${stats(1)}`)).toEqual({
      status: 'too-big',
      pathMtu: 1400,
      detail: 'From fd00:172:16:1::1 icmp_seq=1 Packet too big: mtu=1400',
    });
  });
  it('the route already knows it: "local error: message too long, mtu: 1400"', () => {
    expect(df(`${HEAD}\nping: local error: message too long, mtu: 1400\n${stats(1)}`)).toMatchObject({ status: 'too-big', pathMtu: 1400 });
  });
  it('Packet Too Big dropped: silence, a black hole', () => {
    expect(df(`${HEAD}${stats(0)}`).status).toBe('dropped');
  });
});

describe('the pmtu kind for an IPv6 target', () => {
  it('the header is 40 + 8 bytes: a 1500-byte packet is ping -s 1452', () => {
    expect(1500 - icmpHeaders('fd00:192:168:20::52')).toBe(1452);
    expect(1500 - icmpHeaders('192.168.20.52')).toBe(1472);
  });
  it('starts once a small echo came back (it was skipped for IPv6)', async () => {
    const asked: [string, number][] = [];
    const state = {
      target: { input: 'fd00:192:168:20::52', host: 'fd00:192:168:20::52', ip: 'fd00:192:168:20::52' },
      mtu: 1500,
      results: { icmp: { status: 'reply', sent: 1, received: 1, rttMs: 0.3, ms: 1 } },
      tracker: { policy: undefined },
      opts: { pmtu: async (ip: string, mtu: number) => (asked.push([ip, mtu]), { mtu, status: 'dropped', ms: 1 }) },
    } as unknown as RunState;
    await expect(pmtu.start(state)).resolves.toMatchObject({ status: 'dropped' });
    expect(asked).toEqual([['fd00:192:168:20::52', 1500]]);
  });
});
