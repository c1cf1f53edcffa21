// Context in both families (issue 14): each place that read IPv4 only, with a test that fails on the old code.
import { describe, expect, it } from 'vitest';
import { familyView } from '../../../src/context/family.ts';
import { flagFacts } from '../../../src/context/flags.ts';
import { gatherContext } from '../../../src/context/index.ts';
import { localFacts, type LocalSources } from '../../../src/context/local.ts';
import { nodeReportFacts } from '../../../src/context/measure.ts';
import { UsageError } from '../../../src/cli/errors.ts';
import { detect } from '../../../src/kube/detect.ts';
import { localAddresses, parseDefaultRoute6 } from '../../../src/net/host.ts';
import type { NetworkInterfaceInfo } from 'node:os';
import { probe, target } from '../diagnose/fixtures.ts';

// Recorded on this machine kind: default via fd00::1 metric 1024, a reject entry on lo, connected /64s.
const IPV6_ROUTE = [
  'fd000000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0',
  'fe800000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000002 00000000 00000001     eth0',
  '00000000000000000000000000000000 00 00000000000000000000000000000000 00 fd000000000000000000000000000001 00000400 00000002 00000000 00000003     eth0',
  '00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo',
  '',
].join('\n');

const addr = (address: string, cidr: string, family: 'IPv4' | 'IPv6'): NetworkInterfaceInfo =>
  ({ address, cidr, family, netmask: '', mac: '00:00:00:00:00:01', internal: false, ...(family === 'IPv6' ? { scopeid: 0 } : {}) }) as NetworkInterfaceInfo;
const LINK_LOCAL = addr('fe80::1c2:3ff:fe04:506', 'fe80::1c2:3ff:fe04:506/64', 'IPv6');
const V4 = addr('172.16.1.10', '172.16.1.10/24', 'IPv4');
const V6 = addr('fd00:172:16:1::10', 'fd00:172:16:1::10/64', 'IPv6');

const sources = (over: Partial<LocalSources>): LocalSources => ({ mtu: () => 1500, interfaces: { eth0: [V4, V6, LINK_LOCAL] }, ...over });

describe('the IPv6 default route (/proc/net/ipv6_route)', () => {
  it('reads the gateway route, skips reject entries and connected routes', () => {
    expect(parseDefaultRoute6(IPV6_ROUTE)).toEqual({ iface: 'eth0', gateway: 'fd00::1' });
  });
  it('a link-local gateway (Calico, EKS) and the lowest metric win', () => {
    const two = [
      '00000000000000000000000000000000 00 00000000000000000000000000000000 00 fe80000000000000eceeeefffeeeeeee 00000400 00000001 00000000 00000003 eth0',
      '00000000000000000000000000000000 00 00000000000000000000000000000000 00 fd000000000000000000000000000009 00000800 00000001 00000000 00000003 eth1',
    ].join('\n');
    expect(parseDefaultRoute6(two)).toEqual({ iface: 'eth0', gateway: 'fe80::ecee:eeff:feee:eeee' });
  });
  it('no default route: undefined', () => expect(parseDefaultRoute6(IPV6_ROUTE.split('\n').slice(0, 2).join('\n'))).toBeUndefined());
});

describe('local facts keep IPv6', () => {
  it('an IPv6-only pod: the IPv6 address is the pod IP, with the IPv6 gateway and its /64', () => {
    const l = localFacts(sources({ route6: { iface: 'eth0', gateway: 'fe80::1' }, interfaces: { eth0: [V6, LINK_LOCAL] } }));
    expect(l.facts.podIp).toMatchObject({ value: V6.address, source: 'interface' });
    expect(l.facts.podIps).toBeUndefined(); // one family: podIp says it all
    expect(l.facts.gateway6?.value).toBe('fe80::1');
    expect(l.facts.interface?.value).toBe('eth0');
    expect(l.interfaceSubnet).toBe('fd00:172:16:1::/64');
  });
  it('a dual-stack pod: IPv4 stays the pod IP, both addresses are listed, link-local never', () => {
    const l = localFacts(sources({ route: { iface: 'eth0', gateway: '172.16.1.1' }, route6: { iface: 'eth0', gateway: 'fe80::1' } }));
    expect(l.facts.podIp?.value).toBe('172.16.1.10');
    expect(l.facts.podIps?.value).toEqual(['172.16.1.10', V6.address]);
    expect(l.addresses).toEqual(['172.16.1.10', V6.address]);
  });
  it('localAddresses: global IPv6 kept, link-local dropped', () => {
    expect(localAddresses({ eth0: [V6, LINK_LOCAL] })).toEqual([V6.address]);
  });
});

describe('node report and API facts in both families', () => {
  it('an IPv6 pod takes the node report IPv6 address as the node IP', () => {
    const report = probe(target('fd00:192:168:10::52', 80), {}, 'node');
    report.from.addresses = ['fd00:192:168:10::11', 'fd00:172:16:1::1'];
    const f = nodeReportFacts({ podIp: { value: V6.address, source: 'interface', confidence: 0.9 }, containerCidr: { value: 'fd00:172:16::/56', source: 'flag', confidence: 1 } }, report);
    expect(f.nodeIp?.value).toBe('fd00:192:168:10::11');
    expect(f.nodeIps).toBeUndefined();
    report.from.addresses = ['192.168.10.11', 'fd00:192:168:10::11'];
    expect(nodeReportFacts({ podIp: { value: V6.address, source: 'interface', confidence: 0.9 } }, report).nodeIps?.value).toEqual(['fd00:192:168:10::11', '192.168.10.11']);
  });
  it('status.podIPs, status.hostIPs and both InternalIPs of the node', () => {
    const d = detect({
      namespace: 'default',
      configMaps: {},
      pod: { ok: true, value: { metadata: { name: 'app' }, status: { podIP: 'fd00:172:16:1::10', podIPs: [{ ip: 'fd00:172:16:1::10' }, { ip: '172.16.1.10' }], hostIP: 'fd00:192:168:10::11', hostIPs: [{ ip: 'fd00:192:168:10::11' }, { ip: '192.168.10.11' }] } } },
      node: { ok: true, value: { metadata: { name: 'n1' }, status: { addresses: [{ type: 'InternalIP', address: 'fd00:192:168:10::11' }, { type: 'InternalIP', address: '192.168.10.11' }, { type: 'Hostname', address: 'n1' }] } } },
    });
    expect(d.facts.podIp?.value).toBe('fd00:172:16:1::10');
    expect(d.facts.podIps).toMatchObject({ value: ['fd00:172:16:1::10', '172.16.1.10'], source: 'api', note: 'pod app status.podIPs' });
    expect(d.facts.nodeIps?.value).toEqual(['fd00:192:168:10::11', '192.168.10.11']);
  });
});

describe('container CIDRs from the API per family', () => {
  const proxy = (cidr: string) => ({ ok: true as const, value: { metadata: { name: 'kube-proxy' }, data: { 'config.conf': `mode: iptables\nclusterCIDR: ${cidr}\n` } } });
  it('kube-proxy clusterCIDR of a dual-stack cluster: both, primary first (the first one only was kept)', () => {
    const d = detect({ namespace: 'default', configMaps: { 'kube-proxy': proxy('10.244.0.0/16,fd00:10:244::/56') } });
    expect(d.facts.containerCidr?.value).toBe('10.244.0.0/16');
    expect(d.facts.containerCidrs).toMatchObject({ value: ['10.244.0.0/16', 'fd00:10:244::/56'], note: 'ConfigMap kube-system/kube-proxy config.conf clusterCIDR' });
  });
  it('no CCE-style /16 guess around an IPv6 pod address', () => {
    const d = detect({
      namespace: 'default',
      configMaps: {},
      pod: { ok: true, value: { metadata: { name: 'app' }, status: { podIP: 'fd00:172:16:1::10' } } },
      node: { ok: true, value: { metadata: { name: 'n1', labels: { 'cce.cloud.com/cce-nodepool': 'pool' } }, spec: { podCIDR: 'fd00:172:16:1::/64' } } },
    });
    expect(d.facts.cloud?.value).toBe('cce');
    expect(d.facts.containerCidr).toBeUndefined();
  });
});

describe('flags and the family mode', () => {
  it('--container-cidr, --pod-ip and --node-ip take one value per family, primary first', () => {
    const f = flagFacts({ containerCidr: 'fd00:172:16::/56,172.16.0.0/16', podIp: 'fd00:172:16:1::10,172.16.1.10', nodeIp: 'fd00:192:168:10::11' });
    expect(f.containerCidr?.value).toBe('fd00:172:16::/56');
    expect(f.containerCidrs?.value).toEqual(['fd00:172:16::/56', '172.16.0.0/16']);
    expect(f.podIps?.value).toEqual(['fd00:172:16:1::10', '172.16.1.10']);
    expect(f.nodeIp?.value).toBe('fd00:192:168:10::11');
  });
  it.each([
    ['172.16.0.0/16,10.0.0.0/16', /two IPv4 values/],
    ['172.16.0.0/16,fd00::/56,10.0.0.0/16', /one per family/],
    ['172.16.0.0/16,', /one per family/],
    ['fd00:172:16::1/56x', /not a CIDR/],
  ])('--container-cidr %s: one-line usage error', (v, msg) => {
    expect(() => flagFacts({ containerCidr: v })).toThrow(UsageError);
    expect(() => flagFacts({ containerCidr: v })).toThrow(msg);
  });
  it('POD_IPS (status.podIPs) from the downward API, and the cluster family mode from the pod', () => {
    const c = gatherContext({ flags: {}, env: { POD_IPS: 'fd00:172:16:1::10,172.16.1.10' }, local: { facts: {}, addresses: [] } });
    expect(c.facts.podIp).toMatchObject({ value: 'fd00:172:16:1::10', source: 'downward-api', note: 'POD_IPS (status.podIPs)' });
    expect(c.facts.ipFamilies?.value).toEqual(['IPv6', 'IPv4']);
    expect(c.facts.ipFamilies?.note).toMatch(/^dual-stack/);
  });
  it('a flag naming the IPv4 pod address does not hide the IPv6 one the interface holds', () => {
    const l = localFacts(sources({ route: { iface: 'eth0', gateway: '172.16.1.1' }, route6: { iface: 'eth0', gateway: 'fe80::1' } }));
    const c = gatherContext({ flags: { podIp: '172.16.1.99', containerCidr: 'fd00:172:16::/56' }, env: {}, local: l });
    expect(c.facts.podIp?.value).toBe('172.16.1.99');
    expect(c.facts.podIps?.value).toEqual(['172.16.1.99', V6.address]);
    expect(c.facts.podIps?.note).toBe(`172.16.1.99: --pod-ip; ${V6.address}: eth0 addresses, IPv4 and IPv6`);
    expect(c.facts.containerCidrs).toBeUndefined();
    const v6 = familyView(c.facts, 'IPv6');
    expect(v6.podIp?.value).toBe(V6.address);
    expect(v6.containerCidr?.value).toBe('fd00:172:16::/56');
    expect(familyView(c.facts, 'IPv4').containerCidr).toBeUndefined();
  });
});

it('an IPv4-only pod gets no family fact: IPv4 is what every other fact assumes', () => {
  const c = gatherContext({ flags: { podIp: '172.16.1.10' }, env: {}, local: { facts: {}, addresses: [] } });
  expect(c.facts.ipFamilies).toBeUndefined();
  const v6 = gatherContext({ flags: { podIp: 'fd00:172:16:1::10' }, env: {}, local: { facts: {}, addresses: [] } });
  expect(v6.facts.ipFamilies).toMatchObject({ value: ['IPv6'], source: 'flag', note: 'IPv6 only: the pod\'s addresses (--pod-ip)' });
});

it('an IPv6 ClusterIP of service default/kubernetes: a /108 guess, never an IPv4 /16', () => {
  const d = detect({ namespace: 'default', configMaps: {}, kubernetesService: { ok: true, value: { metadata: { name: 'kubernetes' }, spec: { clusterIP: 'fd00:10:96::1' } } } });
  expect(d.facts.serviceCidr).toMatchObject({ value: 'fd00:10:96::/108', confidence: 0.3 });
});
