// The guide's rule in both families: which source the peer sees and which prefix the fix names, for an
// IPv6-only pod and a dual-stack one (issue 14: no IPv4 `/32` on an IPv6 address, no node IP for an unSNATed pod).
import { describe, expect, it } from 'vitest';
import type { NetworkModel, PodContext } from '../../../src/context/types.ts';
import { judge, peerObservation, podAndNode, predict } from '../../../src/diagnose/index.ts';
import { dockerRangeFor } from '../../../src/diagnose/cidr.ts';
import { mysqlHost } from '../../../src/diagnose/causes/whitelist.ts';
import { groupPeerSees, peerSees, withoutFamily } from '../../../src/diagnose/sources.ts';
import { hostCidr } from '../../../src/net/ip.ts';
import { arrived, ctx, OPEN, peerReport, probe, SILENT, type Side, target } from './fixtures.ts';

// The lab's IPv6 VPC (test/lab/ipv6.ts): nodes in fd00:192:168:10::/64 of fd00:192:168::/48, pods in fd00:172:16::/56.
const V6 = {
  podIp: 'fd00:172:16:1::10',
  nodeIp: 'fd00:192:168:10::11',
  containerCidr: 'fd00:172:16::/56',
  vpcCidrs: ['fd00:192:168::/48'],
  serviceCidr: 'fd00:10:247::/108',
};
const ECS6 = target('fd00:192:168:10::52', 80);
const REDIS6 = target('fd00:192:168:20::10', 6379);
const PEER6 = target('fd00:10:1::20', 80);

const v6only = (model: NetworkModel, over: Record<string, unknown> = {}): PodContext => ctx(model, { ...V6, ...over });
/** Dual-stack, IPv4 primary: the fixtures' IPv4 cluster plus the IPv6 one. */
const dual = (model: NetworkModel): PodContext =>
  ctx(model, {
    podIps: ['172.16.1.10', V6.podIp],
    nodeIps: ['192.168.10.11', V6.nodeIp],
    containerCidrs: ['172.16.0.0/16', V6.containerCidr],
    vpcCidrs: ['192.168.0.0/16', ...V6.vpcCidrs],
  });

function run(t: ReturnType<typeof target>, context: PodContext, pod: Side, node?: Side) {
  const observations = podAndNode(probe(t, pod), node && probe(t, node, 'node'), undefined);
  return judge({ target: t, context, observations }).diagnosis;
}

const text = (d: ReturnType<typeof run>) => [d.summary, ...d.fix].join('\n');

describe('IPv6 pods in the VPC model are not SNATed: the fix names the container prefix', () => {
  it.each([
    ['security group, node reaches it', ECS6, SILENT, OPEN, 'security-group'],
    ['security group, no node report', ECS6, SILENT, undefined, 'security-group'],
    ['whitelist', REDIS6, { tcp: 'timeout', icmp: 'no-reply' }, { tcp: 'open', icmp: 'no-reply' }, 'whitelist'],
    ['missing peer route', PEER6, SILENT, OPEN, 'route'],
  ] as const)('%s', (_, t, pod, node, cause) => {
    const d = run(t, v6only('vpc'), pod, node);
    expect(d.cause).toBe(cause);
    expect(d.sourceSeen).toMatchObject({ kind: 'pod', ip: V6.podIp, allow: V6.containerCidr });
    expect(text(d)).toContain(V6.containerCidr);
    expect(text(d)).not.toMatch(/\/32\b/);
    expect(text(d)).not.toContain(V6.nodeIp);
  });

  it('the IPv4 rule is unchanged: the same drops name 172.16.0.0/16', () => {
    const d = run(target('192.168.10.52', 80), ctx('vpc'), SILENT, OPEN);
    expect(d.cause).toBe('security-group');
    expect(text(d)).toContain('172.16.0.0/16');
  });

  it('without a container CIDR the single pod address is a /128, never a /32', () => {
    const d = run(ECS6, v6only('vpc', { containerCidr: undefined }), SILENT, OPEN);
    expect(d.sourceSeen.allow).toBe('fd00:172:16:1::10/128');
    expect(text(d)).not.toMatch(/\/32\b/);
  });

  it('under tunnel SNAT the node is the source, as a /128', () => {
    const d = run(ECS6, v6only('tunnel'), SILENT, SILENT);
    expect(d.sourceSeen).toMatchObject({ kind: 'node', ip: V6.nodeIp, allow: `${V6.nodeIp}/128` });
    expect(d.fix.join('\n')).toContain(`${V6.nodeIp}/128`);
    expect(d.evidence.join('\n')).toContain("masqueraded to the node's IPv6 address");
  });

  it('the peer rule per family: IPv6 keeps the pod IP in the VPC and ENI models, ip-masq-agent lists can say otherwise', () => {
    expect(peerSees('vpc', { ip: 'fd00:192:168:10::52' })?.side).toBe('pod');
    expect(peerSees('vpc', { ip: '2001:db8::1' })?.side).toBe('pod');
    expect(peerSees('vpc', { ip: '8.8.8.8' })?.side).toBe('node');
    expect(peerSees('eni', { ip: '2001:db8::1' }, { cni: 'aws-vpc-cni', vpcCidrs: ['fd00:192:168::/48'] })?.side).toBe('pod');
    expect(peerSees('eni', { ip: '8.8.8.8' }, { cni: 'aws-vpc-cni', vpcCidrs: ['192.168.0.0/16'] })?.side).toBe('node');
    // An IPv6 entry in the list means ip-masq-agent runs with --enable-ipv6: outside the list, SNAT.
    expect(peerSees('vpc', { ip: '2001:db8::1' }, { nonMasq: ['fd00::/8'] })?.side).toBe('node');
    expect(peerSees('vpc', { ip: 'fd00:192:168:10::52' }, { nonMasq: ['fd00::/8'] })?.side).toBe('pod');
  });
});

describe('dual-stack: each family has its own source', () => {
  it('a target whose IPv6 path alone is blocked names the IPv6 container prefix, not the IPv4 one', () => {
    const d = run(ECS6, dual('vpc'), SILENT, OPEN);
    expect(d.cause).toBe('security-group');
    expect(d.sourceSeen).toMatchObject({ kind: 'pod', ip: V6.podIp, allow: V6.containerCidr });
    expect(text(d)).toContain(V6.containerCidr);
    expect(text(d)).not.toContain('172.16.0.0/16');
  });

  it('the same pod towards an IPv4 target names the IPv4 container CIDR', () => {
    const d = run(target('192.168.10.52', 80), dual('vpc'), SILENT, OPEN);
    expect(d.sourceSeen).toMatchObject({ ip: '172.16.1.10', allow: '172.16.0.0/16' });
    expect(text(d)).not.toContain('fd00:');
  });

  it('both fail: the node to add is the one of the target family', () => {
    const d = run(ECS6, dual('vpc'), SILENT, SILENT);
    expect(d.fix.join('\n')).toContain(`${V6.nodeIp}/128`);
    expect(d.fix.join('\n')).not.toContain('192.168.10.11');
  });

  it('an IPv6-only pod reaches an IPv4 peer through the node IPv4 (EKS IPv6)', () => {
    const c = v6only('eni', { podIps: [V6.podIp], nodeIps: [V6.nodeIp, '192.168.10.11'] });
    const p = predict({ ...target('192.168.10.52', 80), ip: '192.168.10.52' }, c);
    expect(p.sourceSeen).toMatchObject({ kind: 'node', ip: '192.168.10.11', allow: '192.168.10.11/32' });
    expect(p.sourceSeen.why).toMatch(/no IPv4 address/);
  });
});

describe('host prefixes and MySQL host patterns per family', () => {
  it.each([
    ['192.168.10.11', '192.168.10.11/32'],
    ['fd00:192:168:10::11', 'fd00:192:168:10::11/128'],
    ['FD00:192:168:10:0:0:0:11', 'fd00:192:168:10::11/128'],
  ])('hostCidr(%s) = %s', (ip, want) => expect(hostCidr(ip)).toBe(want));

  it('MySQL takes an IPv6 host only as a whole address', () => {
    expect(mysqlHost('fd00:172:16:1::10/128')).toBe('fd00:172:16:1::10');
    expect(mysqlHost('fd00:172:16::/56')).toBeUndefined();
    expect(mysqlHost('172.16.0.0/16')).toBe('172.16.%');
  });
});

describe('ICMPv6 errors as iputils prints them', () => {
  it('"Destination unreachable: No route" from the VPC router is a missing route', () => {
    const d = run(PEER6, v6only('vpc'), { tcp: 'timeout', icmp: 'unreachable', icmpDetail: 'From fd00:192:168:10::1 icmp_seq=1 Destination unreachable: No route' });
    expect(d.cause).toBe('route');
    expect(d.summary).toContain('fd00:192:168:10::1');
  });
  it('"Destination unreachable: Address unreachable" (no neighbour answers) is not a missing route', () => {
    const d = run(ECS6, v6only('vpc'), { tcp: 'timeout', icmp: 'unreachable', icmpDetail: 'From fd00:192:168:20::1 icmp_seq=1 Destination unreachable: Address unreachable' });
    expect(d.cause).not.toBe('route');
  });
});

describe('a target only in the family the pod lacks', () => {
  it('a name with only AAAA from an IPv4-only pod: no IPv6 route, fix the record or go dual-stack', () => {
    const t = { ...target('fd00:192:168:20::52', 80), host: 'ecs.lab.internal', input: 'ecs.lab.internal:80' };
    const d = run(t, ctx('vpc'), { tcp: 'unreachable', errno: 'ENETUNREACH', icmp: 'not-run' });
    expect(d.cause).toBe('route');
    expect(d.summary).toBe('this pod has no IPv6 address or route, and ecs.lab.internal resolves only to IPv6 (AAAA fd00:192:168:20::52)');
    expect(d.fix[0]).toMatch(/^Give ecs\.lab\.internal an A record/);
    // No peer sees anything from it: no node address is offered as the source (that is the EKS IPv6 rule, for IPv4).
    expect(d.sourceSeen).toMatchObject({ kind: 'unknown', allowWhat: 'nothing: the pod sends no IPv6' });
    expect(d.sourceSeen?.allow).toBeUndefined();
  });
  it('an IPv4 address from an IPv6-only pod', () => {
    const d = run(target('192.168.20.52', 80), v6only('vpc'), { tcp: 'unreachable', errno: 'ENETUNREACH', icmp: 'not-run' });
    expect(d.summary).toBe('this pod has no IPv4 address or route, and 192.168.20.52 is an IPv4 address');
    expect(d.sourceSeen?.kind).toBe('node'); // its IPv4 leaves through the node's (unknown here: the node's IPv4 was not given)
  });
  it('one rule for a missing family: a pod\'s view and a group\'s say the same', () => {
    for (const [family, cni] of [['IPv4', 'aws-vpc-cni'], ['IPv4', undefined], ['IPv6', undefined]] as const) {
      const one = withoutFamily(family, 'the pod', cni);
      const group = groupPeerSees({ families: { value: [family === 'IPv4' ? 'IPv6' : 'IPv4'], source: 'api', confidence: 0.9 }, ...(cni ? { cni: { value: cni, source: 'api', confidence: 0.9 } } : {}) }, family === 'IPv4' ? { ip: '192.168.20.52' } : { ip: 'fd00:192:168:20::52' });
      expect(group?.why.replace('the pods have', 'the pod has').replace('them', 'it')).toBe(one.why);
      // IPv4 leaves through the node; IPv6 does not leave at all (the group names its node with little confidence).
      expect(group?.side).toBe('node');
      expect(group?.confidence).toBe(one.leaves ? one.confidence : 0.3);
      expect(one.leaves).toBe(family === 'IPv4');
    }
    const v4 = run(target('192.168.20.52', 80), { ...v6only('vpc'), cni: { value: 'aws-vpc-cni', source: 'api', confidence: 0.9 } }, { tcp: 'unreachable', errno: 'ENETUNREACH', icmp: 'not-run' });
    expect(v4.sourceSeen).toMatchObject({ kind: 'node', why: withoutFamily('IPv4', 'the pod', 'aws-vpc-cni').why });
  });
  it('a pod that has the family but no route keeps the plain verdict', () => {
    const d = run(ECS6, v6only('vpc'), { tcp: 'unreachable', errno: 'ENETUNREACH', icmp: 'not-run' });
    expect(d.summary).toBe(`this pod has no route to ${ECS6.ip}`);
  });
});

it('IPv6 turned off in the pod: connect says EADDRNOTAVAIL, still the family, not "the probe could not run"', () => {
  const d = run(ECS6, ctx('vpc'), { tcp: 'error', errno: 'EADDRNOTAVAIL', icmp: 'not-run', icmpDetail: 'ping: connect: Cannot assign requested address' });
  expect(d.cause).toBe('route');
  expect(d.summary).toBe(`this pod has no IPv6 address or route, and ${ECS6.ip} is an IPv6 address`);
});

it('dual-stack with only the IPv4 container CIDR given: the pod /128, and the flag that would give the prefix', () => {
  const c = ctx('vpc', { podIps: ['172.16.1.10', V6.podIp], nodeIps: ['192.168.10.11', V6.nodeIp], vpcCidrs: ['192.168.0.0/16', ...V6.vpcCidrs] });
  const d = run(ECS6, c, SILENT, OPEN);
  expect(d.sourceSeen).toMatchObject({ kind: 'pod', ip: V6.podIp, allow: `${V6.podIp}/128` });
  expect(d.fix[0]).toContain('pass --container-cidr 172.16.0.0/16,<IPv6 CIDR>');
});

describe('a dual-stack name: the family a client tries first, and whether the other would have worked', () => {
  const A = '192.168.10.52';
  const AAAA = 'fd00:192:168:10::52';
  const named = { ...target(AAAA, 80, 'ecs.example.internal') };
  const why = 'A and AAAA: a typical client (glibc getaddrinfo, RFC 6724 default policy) tries IPv6 first';
  function pod(other: 'open' | 'timeout' | undefined) {
    const r = probe(named, SILENT);
    r.dns = { status: 'ok', name: named.host, addresses: [AAAA, A], a: [A], aaaa: [AAAA], first: { family: 'IPv6', why }, ms: 1, servers: ['10.247.0.10'] };
    if (other) r.otherFamily = { family: 'IPv4', ip: A, ms: 1, tcp: { status: other, port: 80, ms: 1, attempts: other === 'open' ? 1 : 2, waitMs: 350 } };
    return r;
  }
  const judged = (r: ReturnType<typeof pod>) => judge({ target: named, context: dual('vpc'), observations: podAndNode(r, undefined, undefined) }).diagnosis;

  it('IPv6 fails and IPv4 opens: the IPv6 prefix in the fix, and a line naming the IPv6 path as the broken one', () => {
    const d = judged(pod('open'));
    expect(d.cause).toBe('security-group');
    expect(d.summary).toContain(`over IPv4 (${A}) it connects`);
    expect(d.evidence).toContain(`DNS: ${named.host} has A ${A} and AAAA ${AAAA}; ${why}`);
    expect(d.evidence.join('\n')).toContain('over IPv6 it fails (timeout), over IPv4 it would have worked');
    expect(d.fix[0]).toContain(V6.containerCidr);
    expect(d.fix.at(-1)).toMatch(/^Only the IPv6 path is broken: over IPv4 192\.168\.10\.52:80 connects/);
  });
  it('both families fail: said so, and no family-only fix', () => {
    const d = judged(pod('timeout'));
    expect(d.evidence.join('\n')).toContain('too: it fails in both families');
    expect(d.fix.join('\n')).not.toContain('Only the');
    expect(d.summary).not.toContain('it connects');
  });
  it('no port: the echo decides, and the other family\'s echo says whether it would have worked', () => {
    const bare = target(AAAA, undefined, 'ecs.example.internal');
    const r = probe(bare, { icmp: 'no-reply' });
    r.dns = { status: 'ok', name: bare.host, addresses: [AAAA, A], a: [A], aaaa: [AAAA], first: { family: 'IPv6', why }, ms: 1, servers: ['10.247.0.10'] };
    r.otherFamily = { family: 'IPv4', ip: A, ms: 2, icmp: { status: 'reply', sent: 3, received: 3, rttMs: 0.3, ms: 2 } };
    const d = judge({ target: bare, context: dual('vpc'), observations: podAndNode(r, undefined, undefined) }).diagnosis;
    expect(d.evidence.join('\n')).toContain(`over IPv4 (${A}) ping answers in 2 ms: over IPv6 it fails (no-reply), over IPv4 it would have worked`);
    expect(d.fix.at(-1)).toMatch(/^Only the IPv6 path is broken: over IPv4 192\.168\.10\.52 answers ping/);
  });
  it('a literal or a single-family name adds nothing', () => {
    const r = probe(named, SILENT);
    const d = judge({ target: named, context: dual('vpc'), observations: podAndNode(r, undefined, undefined) }).diagnosis;
    expect(d.evidence.join('\n')).not.toContain('DNS:');
  });
});

describe('ping that could not send for want of a source address is not a permissions note', () => {
  it('EADDRNOTAVAIL from an IPv4-only pod towards an IPv6 target', () => {
    const t = target('fd00:192:168:10::52', 80);
    const d = run(t, ctx('vpc'), { tcp: 'error', errno: 'EADDRNOTAVAIL', icmp: 'not-run', icmpDetail: 'ping: connect: Cannot assign requested address' });
    const all = d.evidence.join('\n');
    expect(all).toContain('this pod has no address of the target\'s family to send from');
    expect(all).not.toContain('NET_RAW');
  });
});

describe('a Docker network on the peer holding the pod IPv6 prefix (Docker has no fixed IPv6 pool)', () => {
  const wire = () => podAndNode(probe(ECS6, SILENT), probe(ECS6, OPEN, 'node'), undefined);
  it('no IPv4 pool is matched against an IPv6 pod address, so the wire alone guesses no Docker range', () => {
    expect(dockerRangeFor(V6.podIp)).toBeUndefined();
    expect(dockerRangeFor('172.17.0.5')?.range).toBe('172.17.0.0/16');
    expect(run(ECS6, v6only('vpc'), SILENT, OPEN).cause).toBe('security-group');
  });
  it('the peer routes the replies into br-…: docker-bridge-conflict, with an IPv6 fix', () => {
    const peer = peerReport(
      V6.podIp,
      {
        route: { kind: 'connected', dev: 'br-6a1f0c2d9e11', defaultDev: false, bridge: true, docker: true, line: `${V6.podIp} dev br-6a1f0c2d9e11 proto kernel metric 256 pref medium` },
        covering: [{ dev: 'br-6a1f0c2d9e11', cidr: 'fd00:172:16:1::/64', via: 'address', bridge: true, docker: true, state: 'no-carrier' }],
        arrived: arrived(true),
      },
      ECS6.ip,
    );
    const d = judge({ target: ECS6, context: v6only('vpc'), observations: [...wire(), peerObservation(peer)] }).diagnosis;
    expect(d.cause).toBe('docker-bridge-conflict');
    expect(d.summary).toContain('br-6a1f0c2d9e11 (fd00:172:16:1::/64)');
    const fix = d.fix.join('\n');
    expect(fix).toContain('"fixed-cidr-v6"');
    expect(fix).toContain(V6.containerCidr);
    expect(fix).not.toMatch(/172\.17|"bip"/);
  });
});
