import { describe, expect, it } from 'vitest';
import { cidrFacts, dockerRangeFor } from '../../../src/diagnose/cidr.ts';
import { cidrsOverlap, familyOf, inCidr, normalizeCidr } from '../../../src/net/ip.ts';
import { ctx } from './fixtures.ts';

describe('CIDR helpers', () => {
  it('normalises and rejects', () => {
    expect(normalizeCidr('172.16.3.4/16')).toBe('172.16.0.0/16');
    expect(normalizeCidr('10.0.0.1')).toBe('10.0.0.1/32');
    expect(normalizeCidr('10.0.0.0/33')).toBeNull();
    expect(normalizeCidr('10.0/8')).toBeNull();
    expect(normalizeCidr('fd00::/8')).toBe('fd00::/8');
    expect(inCidr('172.16.1.10', '172.16.0.0/16')).toBe(true);
    expect(inCidr('172.15.1.10', '172.16.0.0/16')).toBe(false);
    expect(inCidr('::ffff:172.16.1.10', '172.16.0.0/16')).toBe(true);
    expect(cidrsOverlap('172.16.0.0/12', '172.17.0.0/16')).toBe(true);
    expect(cidrsOverlap('10.0.0.0/16', '10.1.0.0/16')).toBe(false);
  });

  it('tells the family of an address or a CIDR (dotted quads without ipaddr.js, the same answers)', () => {
    expect(['10.0.0.1', '10.0.0.0/8', '255.255.255.255', '::ffff:10.0.0.1', 'fd00::1', 'fd00:172:16::/56', '999.1.1.1', '01.2.3.4', '1.2.3', 'db.example.com', ''].map(familyOf)).toEqual([
      'IPv4', 'IPv4', 'IPv4', 'IPv4', 'IPv6', 'IPv6', undefined, undefined, undefined, undefined, undefined,
    ]);
  });

  it('knows Docker\'s bridge and default pools', () => {
    expect(dockerRangeFor('172.17.1.10')).toMatchObject({ range: '172.17.0.0/16', likelihood: 'high' });
    expect(dockerRangeFor('172.20.5.5')).toMatchObject({ range: '172.20.0.0/16', likelihood: 'medium' });
    expect(dockerRangeFor('192.168.30.10')).toMatchObject({ range: '192.168.16.0/20', likelihood: 'low' });
    expect(dockerRangeFor('172.16.1.10')).toBeUndefined();
    expect(dockerRangeFor('10.0.0.1')).toBeUndefined();
  });
});

describe('where the target sits', () => {
  const zone = (ip: string, c = ctx('vpc')) => cidrFacts(ip, c).targetZone;
  it('classifies every zone the guide distinguishes', () => {
    expect(zone('192.168.10.52')).toBe('vpc');
    expect(zone('10.1.0.20')).toBe('peer');
    expect(zone('172.16.2.5')).toBe('container');
    expect(zone('10.247.0.10')).toBe('service');
    expect(zone('100.125.1.250')).toBe('cloud-service');
    expect(zone('169.254.169.254')).toBe('link-local');
    expect(zone('8.8.8.8')).toBe('public');
    expect(zone('127.0.0.1')).toBe('loopback');
    expect(zone('192.168.99.5', ctx('vpc', { vpcCidrs: undefined }))).toBe('private');
    // Without the VPC CIDR: another private block than the node's cannot be the node's VPC.
    expect(zone('10.1.0.20', ctx('vpc', { vpcCidrs: undefined }))).toBe('peer');
  });

  it('IPv6 without the VPC CIDR: a ULA in another /48 than the node (another RFC 4193 site) is not the node\'s VPC', () => {
    const v6 = ctx('vpc', { vpcCidrs: undefined, nodeIp: 'fd00:192:168:10::11', podIp: 'fd00:172:16:1::10', containerCidr: 'fd00:172:16::/56', serviceCidr: 'fd00:10:247::/108' });
    expect(cidrFacts('fd00:10:1::20', v6)).toMatchObject({ targetZone: 'peer' });
    expect(cidrFacts('fd00:10:1::20', v6).zoneNote).toContain('in fd00:10:1::/48, the node in fd00:192:168::/48');
    expect(zone('fd00:192:168:20::52', v6)).toBe('private');
  });

  it('IPv6 without the VPC CIDR, global addresses (EKS, GKE): a global target of a node on a global address is not called public', () => {
    const eks = ctx('eni', { vpcCidrs: undefined, nodeIp: '2600:1f18:aa:1001::11', podIp: '2600:1f18:aa:1001:8f2e::5', containerCidr: undefined, serviceCidr: 'fd00:10:100::/108' });
    expect(cidrFacts('2600:1f18:aa:1020::52', eks)).toMatchObject({ targetZone: 'private' });
    expect(cidrFacts('2600:1f18:aa:1020::52', eks).zoneNote).toContain('pass --vpc-cidr');
    expect(zone('2600:1f18:aa:1020::52', { ...eks, vpcCidrs: { value: ['2600:1f18:aa:1000::/56'], source: 'flag', confidence: 1, note: '--vpc-cidr' } })).toBe('vpc');
    // An IPv4 node: a global IPv6 address is the internet's.
    expect(zone('2600:1f18:aa:1020::52', ctx('vpc', { vpcCidrs: undefined }))).toBe('public');
  });

  it('under ENI the container subnet is part of the VPC, not an overlap', () => {
    const f = cidrFacts('192.168.10.52', ctx('eni'));
    expect(f.podInVpc).toBe(true);
    expect(f.overlaps).toEqual([]);
  });

  it('reports overlaps between cluster ranges and Docker pools', () => {
    const f = cidrFacts('192.168.10.52', ctx('vpc', { containerCidr: '172.17.0.0/16', podIp: '172.17.1.10', serviceCidr: '172.17.128.0/20' }));
    expect(f.podDocker?.range).toBe('172.17.0.0/16');
    expect(f.containerCidrDocker.map((d) => d.range)).toContain('172.17.0.0/16');
    expect(f.overlaps.join('\n')).toMatch(/container CIDR 172.17.0.0\/16 overlaps service CIDR/);
  });
});
