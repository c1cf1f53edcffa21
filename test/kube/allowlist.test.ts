// `podreach allowlist` (the built CLI) against the recorded-API test server on 127.0.0.1: multi-node variants of
// the recorded clusters, each checked against lists written by hand from the guide's table. No packets leave
// loopback: allowlist sends none of its own.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AllowlistReport } from '../../src/render/allowlist.ts';
import { allowlistSchemaErrors } from '../integration/schema.ts';
import { ApiServer, type Fixture, fakeToken, type KubeObject, type Rule, rulesFromManifests, SA_USER, writeKubeconfig } from './api-server.ts';
import { bigCluster, bigClusterSubnets } from './fixtures/big-cluster.ts';
import { VARIANTS, VARIANTS6 } from './fixtures/clusters.ts';

const BUNDLE = join(import.meta.dirname, '..', '..', 'dist', 'podreach.mjs');
const TOKEN = fakeToken();
const ADMIN: Rule[] = [{ verbs: ['*'], resources: ['*'] }];
const dirs: string[] = [];
const servers: ApiServer[] = [];

beforeAll(() => {
  if (!existsSync(BUNDLE)) throw new Error('dist/podreach.mjs missing: run `node scripts/build.ts` first');
});
afterAll(async () => {
  for (const s of servers) await s.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function serve(fx: Fixture, rules = ADMIN, extra: Partial<Parameters<typeof ApiServer.start>[0]> = {}): Promise<{ s: ApiServer; kc: string }> {
  const s = await ApiServer.start({ objects: fx.items, crds: fx['x-podreach-fixture'].crds, tokens: { [TOKEN]: { user: SA_USER, rules } }, ...extra });
  servers.push(s);
  const dir = mkdtempSync(join(tmpdir(), 'podreach-allow-'));
  dirs.push(dir);
  return { s, kc: writeKubeconfig(dir, s, TOKEN) };
}

async function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await promisify(execFile)(process.execPath, [BUNDLE, 'allowlist', ...args], { env: { HOME: '/nonexistent', PATH: process.env.PATH, ...env }, timeout: 20_000 }).then(
    (x) => ({ code: 0, stdout: x.stdout, stderr: x.stderr }),
    (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' }),
  );
  return r;
}

async function allowlist(fx: Fixture, args: string[]): Promise<AllowlistReport> {
  const { kc } = await serve(fx);
  const r = await run(['--kubeconfig', kc, '-o', 'json', ...args]);
  expect(r.code, r.stderr).toBe(0);
  const doc = JSON.parse(r.stdout) as AllowlistReport;
  expect(allowlistSchemaErrors(doc)).toEqual([]);
  return doc;
}

/** destination label or class (with " IPv6" / " IPv4" for a class listed per family) → group → [kind, allow...]: the shape the expectations are written in. */
const destKey = (d: AllowlistReport['destinations'][number]['destination']) => `${d.class ?? d.label}${d.family && !d.ip ? ` ${d.family}` : ''}`;
function table(doc: AllowlistReport): Record<string, Record<string, string[]>> {
  return Object.fromEntries(doc.destinations.map((d) => [destKey(d.destination), Object.fromEntries(d.sources.map((s) => [s.group, [s.kind, ...s.allow]]))]));
}

const rulesOf = (doc: AllowlistReport, cls: string) => doc.destinations.find((d) => destKey(d.destination) === cls)?.all.rules.map((r) => `${r.where}: ${r.text}`);
const whyOf = (doc: AllowlistReport, cls: string) => doc.destinations.find((d) => destKey(d.destination) === cls)?.sources[0]?.why;

describe('allowlist: the guide\'s table for recorded multi-node clusters', () => {
  it('CCE container tunnel: the node subnet where --node-subnet covers a pool, else the node IPs, for every destination', async () => {
    const doc = await allowlist(VARIANTS['cce-tunnel'](), ['--node-subnet', '192.168.10.0/24']);
    expect(doc.cluster.model).toMatchObject({ value: 'tunnel', source: 'api' });
    expect(doc.groups.map((g) => [g.key, g.nodeIps, g.nodeSubnets])).toEqual([
      ['pool-a', ['192.168.10.11', '192.168.10.12'], ['192.168.10.0/24']],
      ['pool-b', ['192.168.11.7'], []],
    ]);
    const nodes = { 'pool-a': ['node', '192.168.10.0/24'], 'pool-b': ['node', '192.168.11.7/32'] };
    expect(table(doc)).toEqual({ 'same-vpc': nodes, 'peered-vpc': nodes, 'managed-service': nodes, internet: nodes });
    expect(doc.destinations[0]?.sources[0]?.why).toBe('container tunnel network: pod egress is SNATed to the node IP');
    expect(rulesOf(doc, 'same-vpc')).toEqual(['security-group: security group of the peer: inbound the service ports from 192.168.10.0/24, 192.168.11.7/32']);
    expect(rulesOf(doc, 'managed-service')?.[0]).toBe('whitelist: whitelist of the service: add 192.168.10.0/24, 192.168.11.7/32');
    expect(rulesOf(doc, 'internet')?.[0]).toMatch(/^nat-gateway: NAT gateway: an SNAT rule covering 192\.168\.10\.0\/24, 192\.168\.11\.7\/32; the peer sees the NAT gateway's EIP/);
  });

  it('CCE container tunnel, a Redis TARGET in the VPC: the security group and the whitelist', async () => {
    const doc = await allowlist(VARIANTS['cce-tunnel'](), ['192.168.0.20:6379', '--vpc-cidr', '192.168.0.0/16', '--node-subnet', '192.168.10.0/24,192.168.11.0/24']);
    expect(doc.destinations[0]?.destination).toMatchObject({ ip: '192.168.0.20', port: 6379, class: 'same-vpc' });
    expect(table(doc)).toEqual({ 'same-vpc': { 'pool-a': ['node', '192.168.10.0/24'], 'pool-b': ['node', '192.168.11.0/24'] } });
    expect(rulesOf(doc, 'same-vpc')).toEqual([
      'security-group: security group of 192.168.0.20: inbound TCP 6379 from 192.168.10.0/23',
      'whitelist: if 192.168.0.20 is a managed Redis: whitelist of 192.168.0.20 (Redis): add 192.168.10.0/23',
    ]);
  });

  it('CCE VPC network: the nodes\' pod CIDRs towards private destinations (and the peer route), the node towards the internet', async () => {
    const doc = await allowlist(VARIANTS['cce-vpc'](), ['--by', 'zone']);
    expect(doc.cluster.model?.value).toBe('vpc');
    expect(doc.cluster.containerCidr).toMatchObject({ value: '172.16.0.0/16', confidence: 0.5 });
    const pods = { 'cn-north-4a': ['pod', '172.16.0.0/23'], 'cn-north-4b': ['pod', '172.16.2.0/24'] };
    expect(table(doc)).toEqual({
      'same-vpc': pods,
      'peered-vpc': pods,
      'managed-service': pods,
      internet: { 'cn-north-4a': ['node', '192.168.10.11/32', '192.168.10.12/32'], 'cn-north-4b': ['node', '192.168.11.7/32'] },
    });
    expect(doc.destinations[0]?.sources.every((s) => s.covers === '172.16.0.0/16')).toBe(true);
    expect(rulesOf(doc, 'peered-vpc')).toEqual([
      'security-group: security group of the peer: inbound the service ports from 172.16.0.0/23, 172.16.2.0/24',
      'peer-route: route table of the peer VPC: 172.16.0.0/23, 172.16.2.0/24 via the peering connection, or the container CIDR 172.16.0.0/16 for every node at once (pod CIDRs are outside the VPC CIDR)',
    ]);
  });

  it('CCE VPC network, IP targets: a private one keeps the pod IP (the route only if across a peering), a public one sees the node', async () => {
    const doc = await allowlist(VARIANTS['cce-vpc'](), ['10.1.0.5:80', '8.8.8.8:443', '--node-subnet', '192.168.10.0/24,192.168.11.0/24']);
    expect(table(doc)).toEqual({
      '10.1.0.5:80': { 'pool-a': ['pod', '172.16.0.0/23'], 'pool-b': ['pod', '172.16.2.0/24'] },
      internet: { 'pool-a': ['node', '192.168.10.0/24'], 'pool-b': ['node', '192.168.11.0/24'] },
    });
    expect(rulesOf(doc, '10.1.0.5:80')?.[1]).toMatch(/^peer-route: if 10\.1\.0\.5 is across a VPC peering: route table of the peer VPC: 172\.16\.0\.0\/23, 172\.16\.2\.0\/24/);
  });

  it('CCE Turbo (Cloud Native Network 2.0): the container subnets of every eni-neutron NAD, whatever the destination', async () => {
    const doc = await allowlist(VARIANTS['cce-turbo'](), []);
    expect(doc.cluster.model?.value).toBe('eni');
    expect(doc.cluster.eniSubnets?.value).toEqual(['192.168.30.0/24', '192.168.31.0/24']);
    const eni = { 'pool-a': ['eni-subnet', '192.168.30.0/23'], 'pool-b': ['eni-subnet', '192.168.30.0/23'] };
    expect(table(doc)).toEqual({ 'same-vpc': eni, 'peered-vpc': eni, 'managed-service': eni, internet: eni });
    expect(rulesOf(doc, 'internet')?.[0]).toContain('an SNAT rule covering 192.168.30.0/23');
  });

  it('EKS VPC CNI: pods hold addresses of their nodes\' subnets in the VPC; leaving the VPC they are SNATed to the node', async () => {
    const doc = await allowlist(VARIANTS.eks(), ['--node-subnet', '10.0.0.0/20,10.0.16.0/20,10.0.32.0/20']);
    expect(doc.cluster.cni?.value).toBe('aws-vpc-cni');
    const inVpc = { 'ng-general': ['eni-subnet', '10.0.0.0/19'], 'ng-gpu': ['eni-subnet', '10.0.32.0/20'] };
    const snat = { 'ng-general': ['node', '10.0.0.0/19'], 'ng-gpu': ['node', '10.0.32.0/20'] };
    expect(table(doc)).toEqual({ 'same-vpc': inVpc, 'peered-vpc': snat, 'managed-service': inVpc, internet: snat });
    expect(doc.destinations[1]?.sources[0]?.why).toMatch(/^EKS VPC CNI: traffic leaving the VPC is SNATed to the node's primary IP/);
    // The not-ready node is still a source: its pods may come back.
    expect(doc.groups[1]?.nodes[0]).toMatchObject({ name: 'ip-10-0-40-9.eu-west-1.compute.internal', ready: false });
  });

  it('EKS without --node-subnet: the /24 guesses, said to be guesses, at low confidence', async () => {
    const doc = await allowlist(VARIANTS.eks(), ['same-vpc']);
    const s = doc.destinations[0]?.sources[0];
    expect(s).toMatchObject({ kind: 'eni-subnet', allow: ['10.0.12.0/24', '10.0.17.0/24'] });
    expect(s?.confidence).toBeLessThan(0.5);
    expect(s?.notes.join()).toContain('a guess; pass --node-subnet');
  });

  it('Calico overlay (IPIP, natOutgoing true): the node IPs per zone; no-NAT Calico: the IPPool CIDR, not node podCIDRs', async () => {
    const doc = await allowlist(VARIANTS.calico(), ['--by', 'zone', 'same-vpc', 'internet']);
    expect(doc.cluster.model?.value).toBe('tunnel');
    const nodes = { 'rack-1': ['node', '10.20.0.11/32', '10.20.0.12/32'], 'rack-2': ['node', '10.20.1.13/32'] };
    expect(table(doc)).toEqual({ 'same-vpc': nodes, internet: nodes });
    expect(doc.groups.every((g) => g.podCidrs.length === 0)).toBe(true);

    const fx = VARIANTS.calico();
    const pool = fx.items.find((o) => o.kind === 'IPPool') as KubeObject & { spec: { natOutgoing: boolean } };
    pool.spec.natOutgoing = false;
    const bgp = await allowlist(fx, ['--by', 'subnet', 'same-vpc']);
    expect(bgp.cluster.model?.value).toBe('vpc');
    expect(table(bgp)).toEqual({ 'same-vpc': { '10.20.0.0/24': ['pod', '10.244.0.0/16'], '10.20.1.0/24': ['pod', '10.244.0.0/16'] } });
  });

  it('flags beat the API: --network-model and --container-cidr', async () => {
    const doc = await allowlist(VARIANTS['cce-tunnel'](), ['--network-model', 'vpc', '--container-cidr', '172.20.0.0/16', 'same-vpc']);
    expect(doc.cluster.model).toMatchObject({ value: 'vpc', source: 'flag' });
    // No node has spec.podCIDR: the container CIDR given is the source range.
    expect(table(doc)).toEqual({ 'same-vpc': { 'pool-a': ['pod', '172.20.0.0/16'], 'pool-b': ['pod', '172.20.0.0/16'] } });
    expect(doc.destinations[0]?.sources[0]?.notes.join()).toContain('container CIDR from --container-cidr');
  });

  it('text: the groups, each destination\'s source per group, and the rules', async () => {
    const { kc } = await serve(VARIANTS['cce-vpc']());
    const r = await run(['--kubeconfig', kc, '--node-subnet', '192.168.10.0/24']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^podreach allowlist: 3 nodes in 2 groups by pool/);
    expect(r.stdout).toContain('  pool-a  2 nodes  zone cn-north-4a  node subnet 192.168.10.0/24  node IPs 192.168.10.11, 192.168.10.12  pod CIDRs 172.16.0.0/23');
    expect(r.stdout).toContain('  → security group of the peer: inbound the service ports from 172.16.0.0/23, 172.16.2.0/24');
    expect(r.stdout).toContain('  → or, once for every group and for nodes added later: 172.16.0.0/16 (the container CIDR)');
    expect(r.stdout).not.toContain('\u001b['); // not a terminal: no colour
  });
});

describe('allowlist: IPv6 and dual-stack clusters, per family', () => {
  it('EKS IPv6: IPv6 peers see the pods (the nodes\' /64s, no SNAT); IPv4 peers see the node\'s IPv4 (host-local SNAT)', async () => {
    const doc = await allowlist(VARIANTS6['eks-ipv6'](), ['--node-subnet', '10.0.0.0/20,10.0.16.0/20,10.0.32.0/20']);
    expect(doc.cluster.families).toMatchObject({ value: ['IPv6'], source: 'api' });
    // Both InternalIPs kept, the IPv6 one first as the node lists it.
    expect(doc.groups.map((g) => [g.key, g.nodeIps])).toEqual([
      ['ng-general', ['2600:1f18:aa:1000::87', '10.0.12.87', '2600:1f18:aa:1001::5', '10.0.17.5']],
      ['ng-gpu', ['2600:1f18:aa:1002::9', '10.0.40.9']],
    ]);
    const pods6 = { 'ng-general': ['eni-subnet', '2600:1f18:aa:1000::/64', '2600:1f18:aa:1001::/64'], 'ng-gpu': ['eni-subnet', '2600:1f18:aa:1002::/64'] };
    const node4 = { 'ng-general': ['node', '10.0.0.0/19'], 'ng-gpu': ['node', '10.0.32.0/20'] };
    expect(table(doc)).toEqual({
      'same-vpc IPv6': pods6,
      'same-vpc IPv4': node4,
      'peered-vpc IPv6': pods6,
      'peered-vpc IPv4': node4,
      'managed-service IPv6': pods6,
      'managed-service IPv4': node4,
      'internet IPv6': pods6,
      'internet IPv4': node4,
    });
    expect(whyOf(doc, 'same-vpc IPv6')).toMatch(/^ENI \/ VPC CNI IPv6: pod addresses are routable and not SNATed/);
    expect(whyOf(doc, 'same-vpc IPv4')).toMatch(/^EKS IPv6: the pods have no IPv4 address; IPv4 leaves through the node's IPv4 \(host-local SNAT/);
    // AWS IPv6 subnets are always /64: the /64 around a node's address is not a guess there.
    expect(doc.destinations[0]?.sources[0]?.confidence).toBeGreaterThanOrEqual(0.8);
    expect(rulesOf(doc, 'internet IPv6')).toEqual([
      'security-group: firewall or security group of the peer: inbound the service ports from 2600:1f18:aa:1000::/64, 2600:1f18:aa:1001::/64, 2600:1f18:aa:1002::/64 (IPv6 has no NAT gateway: the peer sees these addresses themselves)',
    ]);
    expect(rulesOf(doc, 'internet IPv4')?.[0]).toMatch(/^nat-gateway: NAT gateway: an SNAT rule covering 10\.0\.0\.0\/19, 10\.0\.32\.0\/20/);
  });

  it('EKS IPv6, IP targets of each family and --by subnet (the /64 of each node\'s IPv6)', async () => {
    const doc = await allowlist(VARIANTS6['eks-ipv6'](), ['--by', 'subnet', '--vpc-cidr', '10.0.0.0/16,2600:1f18:aa:1000::/56', '[2600:1f18:aa:1020::52]:443', '10.0.99.5:5432', '2600:1f18:aa:1001::77']);
    expect(doc.groups.map((g) => g.key)).toEqual(['2600:1f18:aa:1000::/64', '2600:1f18:aa:1001::/64', '2600:1f18:aa:1002::/64']);
    expect(doc.destinations.map((d) => [d.destination.label, d.destination.class])).toEqual([
      ['[2600:1f18:aa:1020::52]:443 (same VPC)', 'same-vpc'],
      ['10.0.99.5:5432 (same VPC)', 'same-vpc'],
      ['2600:1f18:aa:1001::77 (same VPC)', 'same-vpc'],
    ]);
    const at = (label: string) => doc.destinations.find((d) => d.destination.label === label);
    const row = (label: string) => Object.fromEntries(at(label)?.sources.map((s) => [s.group, [s.kind, ...s.allow]]) ?? []);
    expect(row('[2600:1f18:aa:1020::52]:443 (same VPC)')).toEqual({
      '2600:1f18:aa:1000::/64': ['eni-subnet', '2600:1f18:aa:1000::/64'],
      '2600:1f18:aa:1001::/64': ['eni-subnet', '2600:1f18:aa:1001::/64'],
      '2600:1f18:aa:1002::/64': ['eni-subnet', '2600:1f18:aa:1002::/64'],
    });
    // No --node-subnet for IPv4: the node IPs, one /32 each.
    expect(row('10.0.99.5:5432 (same VPC)')).toEqual({
      '2600:1f18:aa:1000::/64': ['node', '10.0.12.87/32'],
      '2600:1f18:aa:1001::/64': ['node', '10.0.17.5/32'],
      '2600:1f18:aa:1002::/64': ['node', '10.0.40.9/32'],
    });
    expect(row('2600:1f18:aa:1001::77 (same VPC)')['2600:1f18:aa:1001::/64']).toEqual(['eni-subnet', '2600:1f18:aa:1001::/64']);
    expect(at('10.0.99.5:5432 (same VPC)')?.all.rules[0]?.text).toBe('security group of 10.0.99.5: inbound TCP 5432 from 10.0.12.87/32, 10.0.17.5/32, 10.0.40.9/32');
  });

  it('Calico dual-stack: IPv4 natOutgoing (the node IPs), IPv6 pool without it (the IPv6 pool CIDR); the tunnel\'s IPv6 masquerades to the node\'s IPv6 (/128s)', async () => {
    const doc = await allowlist(VARIANTS6['calico-dual'](), ['--by', 'zone', 'same-vpc', 'internet']);
    expect(doc.cluster.model?.value).toBe('tunnel');
    expect(doc.cluster.modelByFamily?.IPv6).toMatchObject({ value: 'vpc', note: 'IPPool default-ipv6-ippool natOutgoing=false' });
    expect(doc.cluster.families?.value).toEqual(['IPv4', 'IPv6']);
    expect(doc.cluster.containerCidrs?.value).toEqual(['10.244.0.0/16', '2001:db8:244::/56']);
    const node4 = { 'rack-1': ['node', '10.20.0.11/32', '10.20.0.12/32'], 'rack-2': ['node', '10.20.1.13/32'] };
    const pods6 = { 'rack-1': ['pod', '2001:db8:244::/56'], 'rack-2': ['pod', '2001:db8:244::/56'] };
    expect(table(doc)).toEqual({ 'same-vpc IPv4': node4, 'same-vpc IPv6': pods6, 'internet IPv4': node4, 'internet IPv6': pods6 });
    expect(whyOf(doc, 'same-vpc IPv6')).toMatch(/^VPC network IPv6: pod addresses are routable and not SNATed/);

    // Both pools with natOutgoing: IPv6 leaves with the node's IPv6, a /128 per node, or the subnet given.
    const fx = VARIANTS6['calico-dual']();
    (fx.items.find((o) => o.metadata.name === 'default-ipv6-ippool') as KubeObject & { spec: { natOutgoing: boolean } }).spec.natOutgoing = true;
    const nat = await allowlist(fx, ['--by', 'zone', 'same-vpc']);
    expect(nat.cluster.modelByFamily).toBeUndefined();
    expect(table(nat)).toEqual({
      'same-vpc IPv4': node4,
      'same-vpc IPv6': { 'rack-1': ['node', '2001:db8:20::11/128', '2001:db8:20::12/128'], 'rack-2': ['node', '2001:db8:20:1::13/128'] },
    });
    const sub = await allowlist(fx, ['--by', 'zone', 'same-vpc', '--node-subnet', '10.20.0.0/24,2001:db8:20::/64']);
    expect(table(sub)['same-vpc IPv6']).toEqual({ 'rack-1': ['node', '2001:db8:20::/64'], 'rack-2': ['node', '2001:db8:20:1::13/128'] });
    expect(sub.groups[0]?.nodeSubnets).toEqual(['10.20.0.0/24', '2001:db8:20::/64']);
  });

  it('--container-cidr one per family: names the families, and beats the API in the family it gives', async () => {
    const doc = await allowlist(VARIANTS['cce-tunnel'](), ['--network-model', 'vpc', '--container-cidr', '172.20.0.0/16,fd00:172:20::/56', 'same-vpc']);
    expect(doc.cluster.families).toMatchObject({ value: ['IPv4', 'IPv6'], source: 'flag' });
    expect(table(doc)).toEqual({
      'same-vpc IPv4': { 'pool-a': ['pod', '172.20.0.0/16'], 'pool-b': ['pod', '172.20.0.0/16'] },
      'same-vpc IPv6': { 'pool-a': ['pod', 'fd00:172:20::/56'], 'pool-b': ['pod', 'fd00:172:20::/56'] },
    });
  });

  it('text: the per-family model, each class once per family', async () => {
    const { kc } = await serve(VARIANTS6['calico-dual']());
    const r = await run(['--kubeconfig', kc, '--by', 'zone', 'same-vpc']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('  IPv6 model  vpc (API: IPPool default-ipv6-ippool natOutgoing=false)');
    expect(r.stdout).toContain('same VPC (an ECS or ELB next to the cluster), IPv6');
    expect(r.stdout).toContain('  → security group of the peer: inbound the service ports from 2001:db8:244::/56');
  });
});

describe('allowlist: access and bad input', () => {
  const allowlistRole = (name: string) => name.startsWith('podreach-allowlist-');

  it('runs with exactly the allowlist roles of manifests/rbac-fleet.yaml: read only, nothing refused', async () => {
    const { s, kc } = await serve(VARIANTS['cce-vpc'](), rulesFromManifests(['rbac-fleet.yaml'], 'podreach', allowlistRole));
    const r = await run(['--kubeconfig', kc, '-o', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as AllowlistReport;
    expect(doc.notes.filter((n) => /403|forbidden/i.test(n))).toEqual([]);
    expect(s.requests.filter((q) => !q.startsWith('GET '))).toEqual([]);
    expect(s.requests.filter((q) => q.endsWith(' 403'))).toEqual([]);
  });

  it('the fleet role adds pods in one namespace only; the allowlist roles cannot touch pods', () => {
    const all = rulesFromManifests(['rbac-fleet.yaml'], 'podreach');
    const read = rulesFromManifests(['rbac-fleet.yaml'], 'podreach', allowlistRole);
    expect(read.every((r) => r.verbs.every((v) => v === 'get' || v === 'list'))).toBe(true);
    expect(read.some((r) => r.resources.includes('pods'))).toBe(false);
    const pods = all.filter((r) => r.resources.includes('pods'));
    expect(pods).toEqual([{ verbs: ['create', 'get', 'watch', 'delete', 'list'], resources: ['pods'], namespaces: ['podreach'] }]);
  });

  it('nodes not listable: one line naming the grant, exit 3', async () => {
    const rules = rulesFromManifests(['rbac-fleet.yaml'], 'podreach', allowlistRole).filter((r) => !r.resources.includes('nodes'));
    const { kc } = await serve(VARIANTS['cce-vpc'](), rules);
    const r = await run(['--kubeconfig', kc]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^podreach: failed: listing nodes at https:\/\/127\.0\.0\.1:\d+ as .*403 .*grant list nodes.*cannot list resource "nodes"/);
  });

  it('an API answering 500, or no credentials at all: one line, exit 3', async () => {
    const { kc } = await serve(VARIANTS['cce-vpc'](), ADMIN, { faults: [{ fault: 'server-error', path: /\/nodes/ }] });
    const r = await run(['--kubeconfig', kc]);
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/listing nodes .*500/);
    const none = await run([]);
    expect(none.code).toBe(3);
    expect(none.stderr.trim()).toMatch(/^podreach: failed: no API credentials .*--kubeconfig$/);
  });

  it('an API that never answers the node list: one line after --timeout, exit 3 (no hang)', async () => {
    const { kc } = await serve(VARIANTS['cce-vpc'](), ADMIN, { hang: [/\/api\/v1\/nodes$/] });
    const t0 = performance.now();
    const r = await run(['--kubeconfig', kc, '--timeout', '1000']);
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^podreach: failed: listing nodes at .*timeout/);
    expect(performance.now() - t0).toBeLessThan(15_000); // bounded, not a speed goal
  });

  it('bad input: one line, exit 2, before any API read', async () => {
    for (const [args, msg] of [
      [['--by', 'rack'], /^podreach: --by: "rack" is not node, pool, zone, subnet$/],
      [['db.example.com:5432'], /is not an IP address, IP:PORT, \[IPv6\]:PORT or a destination class .*no names$/],
      [['[fd00::1]:99999'], /port 99999 is outside 1–65535/],
      [['10.0.0.1:70000'], /port 70000 is outside 1–65535/],
      [['--node-subnet', '10.0.0.0/33'], /^podreach: --node-subnet: "10\.0\.0\.0\/33" is not a CIDR \(expected e\.g\. 172\.16\.0\.0\/16\)$/],
      [['--node-subnet', '10.0.0.0/24,'], /^podreach: --node-subnet: an empty entry in the list \(a stray comma\?\)$/],
      [['--container-cidr', '172.16.0.0/16,172.17.0.0/16'], /^podreach: --container-cidr: "172\.16\.0\.0\/16,172\.17\.0\.0\/16": two IPv4 values; give at most one per family$/],
      [['--network-model', 'flat'], /--network-model: "flat" is not a network model \(tunnel, vpc, eni or auto\)/],
      [['-o', 'yaml'], /argument 'yaml' is invalid/],
    ] as const) {
      const r = await run([...args, '--kubeconfig', '/nonexistent/kubeconfig']);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr.trim()).toMatch(msg);
    }
  });
});

describe('allowlist on the recorded 1000-node cluster', () => {
  it('10 pools in 3 zones: one exact list per pool, every node counted once, read in pages of 500', async () => {
    const { s, kc } = await serve(bigCluster());
    const r = await run(['--kubeconfig', kc, '-o', 'json', '--node-subnet', bigClusterSubnets().join(','), 'same-vpc', 'internet']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as AllowlistReport;
    expect(allowlistSchemaErrors(doc)).toEqual([]);
    expect(s.pages.filter((p) => p.startsWith('nodes '))).toEqual(['nodes 500', 'nodes 500']);
    expect(doc.cluster.nodes).toBe(1000);
    expect(doc.groups.map((g) => g.nodes.length)).toEqual(Array(10).fill(100));
    expect(new Set(doc.groups.flatMap((g) => g.nodes.map((n) => n.zone?.value)))).toEqual(new Set(['cn-north-4a', 'cn-north-4b', 'cn-north-4c']));
    const internet = doc.destinations[1]?.sources.map((s) => s.allow);
    expect(internet).toEqual(bigClusterSubnets().map((c) => [c]));
    // 1000 /26 pod CIDRs from 172.16.0.0 on: together exactly 172.16.0.0/17 + 172.16.128.0/18 + 172.16.192.0/19 + 172.16.224.0/20 + 172.16.240.0/21 + 172.16.248.0/23.
    expect(doc.destinations[0]?.all.allow).toEqual(['172.16.0.0/17', '172.16.128.0/18', '172.16.192.0/19', '172.16.224.0/20', '172.16.240.0/21', '172.16.248.0/23']);
  });
});
