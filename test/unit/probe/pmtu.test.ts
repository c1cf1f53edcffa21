// The path-MTU probe: ping's DF answers as iputils prints them, and a real full-size echo on loopback.
import { describe, expect, it } from 'vitest';
import { classifyPing } from '../../../src/probe/icmp.ts';
import { classifyDf, probePathMtu } from '../../../src/probe/pmtu.ts';

const stats = (sent: number, received: number, errors = 0) =>
  `\n--- 192.168.20.10 ping statistics ---\n${sent} packets transmitted, ${received} received,${errors ? ` +${errors} errors,` : ''} ${received ? 0 : 100}% packet loss, time 0ms\n`;

const df = (output: string, alive = false) => classifyDf(classifyPing({ alive, output, times: alive ? [0.3] : [], packetLoss: alive ? '0.000' : '100.000' }, null, 12));

describe('classifyDf', () => {
  it('a router that says "fragmentation needed" names the path MTU: too big, PMTU discovery works', () => {
    const r = df(`PING 192.168.20.10 1472(1500) bytes of data.\nFrom 192.168.10.1 icmp_seq=1 Frag needed and DF set (mtu = 1400)\n${stats(1, 0, 1)}`);
    expect(r).toEqual({ status: 'too-big', pathMtu: 1400, detail: 'From 192.168.10.1 icmp_seq=1 Frag needed and DF set (mtu = 1400)' });
  });

  it('our own route already knows a smaller MTU: "local error: message too long"', () => {
    const r = df(`PING 192.168.20.10 1472(1500) bytes of data.\nping: local error: message too long, mtu=1450\n${stats(1, 0, 1)}`);
    expect(r.status).toBe('too-big');
    expect(r.pathMtu).toBe(1450);
  });

  it('silence is a drop (the caller only asks after a small echo came back)', () => {
    expect(df(`PING 192.168.20.10 1472(1500) bytes of data.\n${stats(1, 0)}`).status).toBe('dropped');
  });

  it('a reply fits; an ICMP error without an MTU is not taken for one', () => {
    expect(df(`PING x 1472(1500) bytes of data.\n1480 bytes from 192.168.20.10: icmp_seq=1 ttl=63 time=0.3 ms\n${stats(1, 1)}`, true).status).toBe('fits');
    expect(df(`PING x\nFrom 192.168.10.1 icmp_seq=1 Destination Host Unreachable\n${stats(1, 0, 1)}`).status).toBe('not-run');
  });
});

describe('probePathMtu on loopback (real ping, DF set)', () => {
  it('1500 bytes fit through lo', async () => {
    const r = await probePathMtu('127.0.0.1', 1500, 0.05);
    expect(r.status).toBe('fits');
    expect(r.mtu).toBe(1500);
    expect(r.ms).toBeLessThan(1000);
  });
});
