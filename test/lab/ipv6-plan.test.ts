// The IPv6 lab's plan (pure): IPv6 said explicitly in every namespace, the security group on the router.
import { describe, expect, it } from 'vitest';
import { findScenario6, named, plan6, resolvConf6, ROLES6, SCENARIOS6, V6 } from './ipv6.ts';

describe('plan6', () => {
  it.each(SCENARIOS6.map((s) => [s.id, s] as const))('%s: every namespace sets disable_ipv6=0 (1 for an IPv4-only pod), accept_dad=0, accept_ra=0 and forwarding', (_, s) => {
    const p = plan6('plx', s);
    for (const r of ROLES6) {
      const off = r === 'pod' && s.podStack === 'ipv4' ? 1 : 0;
      const want = [`disable_ipv6=${off}`, 'accept_dad=0', 'accept_ra=0'].flatMap((k) => [`net.ipv6.conf.all.${k}`, `net.ipv6.conf.default.${k}`]);
      expect(p.sysctl[r]).toEqual(expect.arrayContaining([...want, `net.ipv6.conf.all.forwarding=${r === 'vpcr' || r === 'vpcr2' || r === 'node' ? 1 : 0}`]));
      // No address waits for DAD: usable at once.
      for (const line of p.ip[r].filter((l) => l.startsWith('addr add') && l.includes(':'))) expect(line).toMatch(/ nodad$/);
    }
  });
  it('the security group is ip6tables FORWARD rules for the ECS on the router; IPv4 tables only in dual-stack', () => {
    const p = plan6('plx', findScenario6('v6-vpc-sg-container-prefix')!);
    expect(p.ip6tables.vpcr).toContain(`-A FORWARD -d ${V6.ecs} -s ${V6.nodeSubnet} -m comment --comment "sg-allow ${V6.nodeSubnet}" -j ACCEPT`);
    expect(p.ip6tables.vpcr).toContain(`-A FORWARD -d ${V6.ecs} -m comment --comment sg-drop -j DROP`);
    expect(p.ip6tables.vpcr).not.toContain(V6.containerCidr);
    expect(p.iptables).toEqual({});
    expect(plan6('plx', findScenario6('dual-vpc-v6-blocked')!).iptables.vpcr).toContain('sg-allow 172.16.0.0/16');
  });
  it('the black hole drops the node\'s ICMPv6 Packet Too Big', () => {
    const p = plan6('plx', findScenario6('v6-vpc-mtu-blackhole')!);
    expect(p.ip.node).toContain('link set eth0 mtu 1400');
    expect(p.ip6tables.node).toContain('--icmpv6-type packet-too-big');
  });
  it('an IPv4-only pod has no IPv6 address or route; a named target gets the node as its resolver', () => {
    const s = findScenario6('v4pod-name-aaaa-only')!;
    const p = plan6('plx', s);
    expect(p.ip.pod.filter((l) => l.includes(':'))).toEqual([]);
    expect(resolvConf6(s)).toMatch(/^nameserver 172\.16\.1\.1\n/);
    expect(named(s)).toBe(true);
    expect(named(findScenario6('dual-vpc-v6-blocked')!)).toBe(false);
  });
});
