import { describe, expect, it } from 'vitest';
import { gatherContext } from '../../../src/context/index.ts';
import type { LocalFacts } from '../../../src/context/local.ts';
import { parseDefaultRoute, parseResolvConf } from '../../../src/net/host.ts';
import { UsageError } from '../../../src/cli/errors.ts';

const local = (podIp: string, mtu: number, subnet: string): LocalFacts => ({
  facts: {
    podIp: { value: podIp, source: 'interface', confidence: 0.9 },
    mtu: { value: mtu, source: 'interface', confidence: 0.9 },
    gateway: { value: '169.254.1.1', source: 'interface', confidence: 0.9 },
    dnsServers: { value: ['10.247.3.10'], source: 'resolv.conf', confidence: 0.95 },
  },
  interfaceSubnet: subnet,
  addresses: [podIp],
});

describe('context sources', () => {
  it('flags beat env, env beats the downward API, which beats the interface', () => {
    const c = gatherContext({
      flags: { nodeIp: '192.168.10.11' },
      env: { PODREACH_NODE_IP: '192.168.10.12', NODE_IP: '192.168.10.13', POD_IP: '172.16.1.99' },
      local: local('172.16.1.10', 1500, '172.16.1.0/24'),
    });
    expect(c.facts.nodeIp).toMatchObject({ value: '192.168.10.11', source: 'flag' });
    expect(c.facts.podIp).toMatchObject({ value: '172.16.1.99', source: 'downward-api' });
    const env = gatherContext({ flags: {}, env: { PODREACH_NODE_IP: '192.168.10.12', HOST_IP: '192.168.10.13' }, local: local('172.16.1.10', 1500, '') });
    expect(env.facts.nodeIp).toMatchObject({ value: '192.168.10.12', source: 'env' });
    const dw = gatherContext({ flags: {}, env: { HOST_IP: '192.168.10.13' }, local: local('172.16.1.10', 1500, '') });
    expect(dw.facts.nodeIp).toMatchObject({ value: '192.168.10.13', source: 'downward-api', note: 'HOST_IP (status.hostIP)' });
  });

  it('an API fact loses to a flag and wins over a guess', () => {
    const c = gatherContext({
      flags: { containerCidr: '172.16.0.0/16' },
      env: {},
      api: {
        containerCidr: { value: '10.0.0.0/16', source: 'api', confidence: 0.9 },
        networkModel: { value: 'vpc', source: 'api', confidence: 0.9 },
      },
      local: local('172.16.1.10', 1450, '172.16.1.0/24'),
    });
    expect(c.facts.containerCidr?.source).toBe('flag');
    expect(c.facts.networkModel).toMatchObject({ value: 'vpc', source: 'api' });
  });

  it('guesses ENI when the pod IP is a VPC address, and the container subnet from the interface', () => {
    const c = gatherContext({ flags: { vpcCidr: ['192.168.0.0/16'] }, env: {}, local: local('192.168.30.10', 1500, '192.168.30.0/24') });
    expect(c.facts.networkModel).toMatchObject({ value: 'eni', source: 'heuristic' });
    expect(c.facts.containerCidr).toMatchObject({ value: '192.168.30.0/24', source: 'heuristic' });
    expect(c.facts.networkModel!.confidence).toBeLessThan(1);
  });

  it('reads CCE\'s default service CIDR from the cluster DNS address, as a guess', () => {
    const c = gatherContext({ flags: {}, env: {}, local: local('172.16.1.10', 1500, '') });
    expect(c.facts.serviceCidr).toMatchObject({ value: '10.247.0.0/16', source: 'heuristic' });
  });

  it('lists what is missing with the flag that supplies it', () => {
    const c = gatherContext({ flags: {}, env: {}, local: local('172.16.1.10', 1500, '') });
    expect(c.missing.map((m) => m.fact)).toEqual(expect.arrayContaining(['nodeIp', 'containerCidr', 'vpcCidrs', 'networkModel']));
    expect(c.missing.find((m) => m.fact === 'nodeIp')!.hint).toContain('--node-ip');
  });

  it('notes when the stated model contradicts strong evidence', () => {
    const c = gatherContext({ flags: { networkModel: 'vpc', vpcCidr: ['192.168.0.0/16'] }, env: {}, local: local('192.168.30.10', 1500, '192.168.30.0/24') });
    expect(c.notes.join('\n')).toMatch(/--network-model vpc.*suggests eni/);
  });

  it('rejects malformed flags and env with a usage error naming the flag', () => {
    const bad = [
      [{ nodeIp: '192.168.10' }, /--node-ip/],
      [{ containerCidr: '172.16.0.0/33' }, /--container-cidr/],
      [{ containerCidr: '172.16.0.0' }, /not a CIDR/],
      [{ vpcCidr: ['192.168.0.0/16', 'x'] }, /--vpc-cidr/],
      [{ networkModel: 'overlay' }, /tunnel, vpc, eni or auto/],
    ] as const;
    for (const [flags, msg] of bad) {
      expect(() => gatherContext({ flags, env: {}, local: local('172.16.1.10', 1500, '') })).toThrow(UsageError);
      expect(() => gatherContext({ flags, env: {}, local: local('172.16.1.10', 1500, '') })).toThrow(msg);
    }
    expect(() => gatherContext({ flags: {}, env: { PODREACH_NODE_IP: 'nope' }, local: local('172.16.1.10', 1500, '') })).toThrow(/PODREACH_NODE_IP/);
  });
});

describe('pod-local parsing', () => {
  it('finds the default route in /proc/net/route', () => {
    const text = 'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\neth0\t00000000\t0101A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\neth0\t0001A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n';
    expect(parseDefaultRoute(text)).toEqual({ iface: 'eth0', gateway: '192.168.1.1' });
    expect(parseDefaultRoute('Iface\tDestination\n')).toBeUndefined();
  });

  it('parses resolv.conf as a pod writes it', () => {
    const r = parseResolvConf('nameserver 10.247.3.10\nsearch default.svc.cluster.local svc.cluster.local cluster.local\noptions single-request-reopen timeout:2 ndots:5\n# comment\n');
    expect(r.nameservers).toEqual(['10.247.3.10']);
    expect(r.search).toHaveLength(3);
    expect(r.ndots).toBe(5);
  });
});
