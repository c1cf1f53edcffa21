// No flags in the IPv6 and dual-stack lab: the test API server serves the recorded CCE VPC cluster with the
// pod and node objects of a dual-stack (or IPv6-only) cluster — status.podIPs, status.hostIPs, both InternalIPs,
// spec.podCIDRs — and kube-proxy's clusterCIDR with one CIDR per family. podreach must take the IPv6 prefix
// from there and name it in the fix, with the node probe the API server runs.
import { describe, expect, it } from 'vitest';
import { findScenario6, V4, V6, withLab6 } from '../lab/ipv6.ts';
import { NODE } from '../lab/lab.ts';
import { loadFixture } from './api-server.ts';
import { BUNDLE, POD, withApiIn } from './lab-api.ts';

type Obj = { kind: string; metadata: { name: string }; status?: Record<string, unknown>; spec?: Record<string, unknown> };

/** The recorded pod and node, readdressed: IPv6 only, or dual-stack with IPv4 primary. */
function objects(stack: 'ipv6' | 'dual'): object[] {
  const items = loadFixture('cce-vpc').items as Obj[];
  const pod = structuredClone(items.find((o) => o.kind === 'Pod' && o.metadata.name === POD)!);
  const node = structuredClone(items.find((o) => o.kind === 'Node')!);
  const fams = stack === 'dual' ? [V4, V6] : [V6];
  Object.assign(pod.status!, {
    podIP: fams[0]!.pod,
    podIPs: fams.map((f) => ({ ip: f.pod })),
    hostIP: fams[0]!.node,
    hostIPs: fams.map((f) => ({ ip: f.node })),
  });
  node.status!.addresses = [...fams.map((f) => ({ type: 'InternalIP', address: f.node })), { type: 'Hostname', address: node.metadata.name }];
  Object.assign(node.spec ?? (node.spec = {}), { podCIDR: fams[0]!.podCidr, podCIDRs: fams.map((f) => f.podCidr) });
  const proxy = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'kube-proxy', namespace: 'kube-system' },
    data: { 'config.conf': `mode: iptables\nclusterCIDR: ${fams.map((f) => f.containerCidr).join(',')}\n` },
  };
  return [pod, node, proxy];
}

/**
 * The VPC-model scenarios whose pod the objects describe (an IPv4-only pod in a dual-stack cluster is not one), and
 * the flags each needs: none. No API object holds the VPC's CIDR; the peered VPC is told by its ULA /48, another
 * RFC 4193 site than the node's (as a target in another RFC 1918 block than the node's is, in IPv4).
 */
const NO_FLAGS: [string, string[]][] = [
  ['v6-vpc-ok', []],
  ['v6-vpc-sg-container-prefix', []],
  ['v6-vpc-port-closed', []],
  ['v6-vpc-mtu-blackhole', []],
  ['v6-vpc-whitelist', []],
  ['v6-vpc-peer-return-route', []],
  ['dual-vpc-v6-blocked', []],
  ['dual-name-v6-blocked', []],
  ['dual-vpc-whitelist', []],
  ['dual-vpc-port-closed', []],
  ['dual-vpc-mtu-blackhole', []],
  ['dual-vpc-peer-return-route', []],
];
/** Causes whose fix names the source the peer must allow: in IPv6 the container prefix, never the node. */
const NAMES_SOURCE = new Set(['security-group', 'whitelist', 'route']);

describe('`podreach diagnose` with no context flags, API serving dual-stack objects', () => {
  it.each(NO_FLAGS)('%s %j', async (id, flags) => {
    const s = findScenario6(id)!;
    const target = /:/.test(s.target.host) ? `[${s.target.host}]:${s.target.port}` : `${s.target.host}:${s.target.port}`;
    await withLab6(s, (lab) =>
      withApiIn({ podNs: lab.ns('pod'), nodeNs: lab.ns('node'), flavour: 'cce-vpc', objects: objects(s.stack) }, async (api) => {
        const d = await lab.exec('pod', ['env', ...api.env, NODE, BUNDLE, 'diagnose', target, ...flags, '-o', 'json'], { timeoutMs: 30_000 });
        const rep = JSON.parse(d.stdout);
        const c = rep.context;
        const diag = rep.diagnosis;
        const said = `${diag.cause} ${diag.confidence} — ${diag.summary}; notes: ${rep.notes.join(' | ')}; fix: ${diag.fix.join(' | ')}`;
        expect(c.networkModel, said).toMatchObject({ value: 'vpc', source: 'api' });
        expect(c.podIp).toMatchObject({ value: s.stack === 'dual' ? V4.pod : V6.pod, source: 'api' });
        expect(c.containerCidr).toMatchObject({ value: s.stack === 'dual' ? V4.containerCidr : V6.containerCidr, source: 'api' });
        if (s.stack === 'dual') {
          expect(c.podIps).toMatchObject({ value: [V4.pod, V6.pod], source: 'api' });
          expect(c.nodeIps).toMatchObject({ value: [V4.node, V6.node], source: 'api' });
          expect(c.containerCidrs).toMatchObject({ value: [V4.containerCidr, V6.containerCidr], source: 'api' });
        }
        expect(c.ipFamilies.value).toEqual(s.stack === 'dual' ? ['IPv4', 'IPv6'] : ['IPv6']);
        expect(diag.cause, said).toBe(s.expectedCause);
        // A reachable target cancels the probe pod: the node's view cannot change that verdict.
        if (s.expectedCause !== 'reachable') expect(rep.probes.node, 'node report from the probe pod').not.toBeNull();
        expect(diag.fix.join('\n'), said).toContain(s.inFix);
        if (NAMES_SOURCE.has(s.expectedCause)) {
          expect(diag.sourceSeen).toMatchObject({ kind: 'pod', ip: V6.pod, allow: V6.containerCidr });
          expect(diag.fix.join('\n'), said).not.toContain(V6.node);
        }
        console.log(`${id.padEnd(28)} ${flags.length ? flags.join(" ") : "no flags"} → ${diag.cause} ${diag.confidence.toFixed(2)} (${d.ms} ms with API and node probe): ${diag.fix[0] ?? ''}`);
      }),
    );
  });
});
