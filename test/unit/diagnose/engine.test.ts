import { describe, expect, it } from 'vitest';
import { mysqlHost } from '../../../src/diagnose/causes/whitelist.ts';
import { diagnose } from '../../../src/diagnose/engine.ts';
import { CAUSE_TITLES, judge, podAndNode, predict } from '../../../src/diagnose/index.ts';
import type { Diagnosis } from '../../../src/diagnose/types.ts';
import { ctx, ECS, evidence, OPEN, PEER, probe, REDIS, SILENT, target } from './fixtures.ts';

const fixText = (d: Diagnosis) => d.fix.join('\n');
const alt = (d: Diagnosis, cause: string) => d.alternatives.find((a) => a.cause === cause);

describe('the guide\'s situations', () => {
  it('VPC model, SG allows only the node subnet: pod fails, node passes → security group, allow the container CIDR', () => {
    const d = diagnose(evidence(ECS, ctx('vpc'), SILENT, OPEN));
    expect(d.cause).toBe('security-group');
    expect(d.confidence).toBeGreaterThanOrEqual(0.6);
    expect(fixText(d)).toContain('172.16.0.0/16');
    expect(fixText(d)).toContain('security group of 192.168.10.52');
    expect(fixText(d)).toContain('TCP port 80');
    expect(fixText(d)).not.toContain('192.168.10.11');
  });

  it('tunnel model, both fail → security group must allow the node IP, not the container CIDR', () => {
    const d = diagnose(evidence(ECS, ctx('tunnel'), SILENT, SILENT));
    expect(d.cause).toBe('security-group');
    expect(fixText(d)).toContain('192.168.10.11');
    expect(fixText(d)).not.toContain('172.16.0.0/16');
  });

  it('ENI model: allow the container subnet', () => {
    const d = diagnose(evidence(ECS, ctx('eni'), SILENT, OPEN));
    expect(d.cause).toBe('security-group');
    expect(fixText(d)).toContain('192.168.30.0/24');
  });

  it('Redis port: whitelist ranks above the security group, both named', () => {
    const d = diagnose(evidence(REDIS, ctx('vpc'), { tcp: 'timeout', icmp: 'no-reply' }, { tcp: 'open', icmp: 'no-reply' }));
    expect(d.cause).toBe('whitelist');
    expect(fixText(d)).toContain('172.16.0.0/16');
    expect(fixText(d)).toMatch(/whitelist/i);
    expect(alt(d, 'security-group')).toBeDefined();
    expect(d.settle).toBeTruthy();
  });

  it('tunnel model, Redis whitelist lacks the node → whitelist with the node IP', () => {
    const d = diagnose(evidence(REDIS, ctx('tunnel'), SILENT, SILENT));
    expect(d.cause).toBe('whitelist');
    expect(fixText(d)).toContain('192.168.10.11');
    expect(fixText(d)).not.toContain('172.16.0.0/16');
  });

  it('VPC model across peering: pod silent, node fine → the peer VPC lacks the return route for the container CIDR', () => {
    const d = diagnose(evidence(PEER, ctx('vpc'), SILENT, OPEN));
    expect(d.cause).toBe('route');
    expect(fixText(d)).toContain('172.16.0.0/16');
    expect(fixText(d)).toMatch(/route table of the peer VPC/);
    expect(alt(d, 'security-group')).toBeDefined();
  });

  it('peering route missing: a router says network unreachable → route, for pod and node alike', () => {
    const unreach = { tcp: 'unreachable' as const, errno: 'ENETUNREACH', icmp: 'unreachable' as const, icmpDetail: 'From 192.168.10.1 icmp_seq=1 Destination Net Unreachable' };
    for (const model of ['tunnel', 'vpc', 'eni'] as const) {
      const d = diagnose(evidence(PEER, ctx(model), unreach, unreach));
      expect(d.cause, model).toBe('route');
      expect(d.summary).toContain('192.168.10.1');
    }
  });

  it('rate-limited ICMP: TCP timed out but ping caught the net-unreachable → still route', () => {
    const d = diagnose(evidence(PEER, ctx('tunnel'), { tcp: 'timeout', icmp: 'unreachable', icmpDetail: 'From 192.168.10.1 icmp_seq=1 Destination Net Unreachable' }));
    expect(d.cause).toBe('route');
  });

  it('across peering, pod and node both silent (ICMP errors rate-limited away): the peering route first, SG ranked', () => {
    const d = diagnose(evidence(PEER, ctx('tunnel'), SILENT, SILENT));
    expect(d.cause).toBe('route');
    expect(alt(d, 'security-group')).toBeDefined();
    expect(d.evidence.join('\n')).toMatch(/cannot be told apart/);
  });

  it('across peering without a node report, silence ranks the route and the SG together, route first', () => {
    const d = diagnose(evidence(PEER, ctx('tunnel'), SILENT));
    expect(d.cause).toBe('route');
    expect(alt(d, 'security-group')?.confidence).toBe(d.confidence);
    expect(d.evidence.join('\n')).toMatch(/rate-limited/);
  });

  it('pod IP inside docker0 172.17.0.0/16 and the node gets through → docker bridge first, SG second, settle by ip route get', () => {
    const c = ctx('vpc', { podIp: '172.17.1.10', containerCidr: '172.17.0.0/16' });
    const d = diagnose(evidence(ECS, c, SILENT, OPEN));
    expect(d.cause).toBe('docker-bridge-conflict');
    expect(alt(d, 'security-group')).toBeDefined();
    expect(d.settle).toContain('ip route get 172.17.1.10');
    expect(d.evidence.join('\n')).toMatch(/cannot be told apart/);
  });

  it('ENI pod in 192.168/16 (a Docker pool only by /20s): SG stays first, Docker bridge ranked as alternative', () => {
    const d = diagnose(evidence(ECS, ctx('eni'), SILENT, OPEN));
    expect(d.cause).toBe('security-group');
    expect(alt(d, 'docker-bridge-conflict')).toBeDefined();
    expect(d.settle).toContain('ip route get 192.168.30.10');
  });

  it('RST → port closed', () => {
    const d = diagnose(evidence(target('192.168.10.52', 81), ctx('vpc'), { tcp: 'refused', icmp: 'reply' }, { tcp: 'refused', icmp: 'reply' }));
    expect(d.cause).toBe('port-closed');
    expect(d.confidence).toBeGreaterThan(0.9);
  });

  it('NXDOMAIN → dns', () => {
    const t = { input: 'nosuch.lab.internal:80', host: 'nosuch.lab.internal', port: 80 };
    const d = diagnose(evidence(t, ctx('tunnel'), { dns: 'nxdomain', icmp: 'skipped' }));
    expect(d.cause).toBe('dns');
    expect(d.summary).toContain('nosuch.lab.internal');
  });

  it('open port → reachable; ICMP-only reply → reachable with the caveat', () => {
    expect(diagnose(evidence(ECS, ctx('vpc'), OPEN)).cause).toBe('reachable');
    const d = diagnose(evidence(target('192.168.10.52'), ctx('vpc'), { icmp: 'reply' }));
    expect(d.cause).toBe('reachable');
    expect(d.summary).toMatch(/ICMP only/);
  });

  it('ICMP host unreachable → host-unreachable', () => {
    const d = diagnose(evidence(target('192.168.10.99', 80), ctx('vpc'), { tcp: 'unreachable', errno: 'EHOSTUNREACH', icmp: 'unreachable', icmpDetail: 'From 192.168.10.11 icmp_seq=1 Destination Host Unreachable' }));
    expect(d.cause).toBe('host-unreachable');
  });

  it('tunnel model, pod fails where the node passes: the peer cannot tell them apart, so not its SG', () => {
    const d = diagnose(evidence(ECS, ctx('tunnel'), SILENT, OPEN));
    expect(d.cause).toBe('unknown');
    expect(d.summary).toMatch(/between the pod and the node/);
    expect((alt(d, 'security-group')?.confidence ?? 0)).toBeLessThan(0.5);
  });
});

describe('the service answers and refuses this client (application exchange)', () => {
  const RDS = target('192.168.20.30', 3306);
  const PG = target('192.168.20.31', 5432);
  const denied = (who: string) => ({
    tcp: 'open' as const,
    app: { protocol: 'mysql' as const, status: 'denied' as const, reply: `error 1130: Host '${who}' is not allowed to connect to this MySQL server`, seenSource: who, ms: 2 },
  });

  it('MySQL names the pod IP (VPC model): whitelist, certain, grant the container CIDR as a MySQL host pattern', () => {
    const d = diagnose(evidence(RDS, ctx('vpc'), denied('172.16.1.10')));
    expect(d.cause).toBe('whitelist');
    expect(d.reachable).toBe(false);
    expect(d.confidence).toBeGreaterThanOrEqual(0.9);
    expect(fixText(d)).toContain("'app'@'172.16.%'");
    expect(d.evidence.join('\n')).toContain('measured by the peer: MySQL at 192.168.20.30 names 172.16.1.10 as the client');
    expect(d.alternatives.map((a) => a.cause)).not.toContain('security-group');
  });

  it('MySQL names the node IP: the peer itself shows the SNAT, whatever the model flag says', () => {
    const d = diagnose(evidence(RDS, ctx(undefined), denied('192.168.10.11')));
    expect(d.cause).toBe('whitelist');
    expect(fixText(d)).toContain("'app'@'192.168.10.11'");
    expect(fixText(d)).not.toContain('172.16');
    expect(d.evidence.join('\n')).toContain("the node's IP (SNAT to the node)");
  });

  it('a third address: a NAT gateway or proxy in the path, allow what the service sees', () => {
    const d = diagnose(evidence(RDS, ctx('vpc'), denied('192.168.40.7')));
    expect(fixText(d)).toContain("'app'@'192.168.40.7'");
    expect(fixText(d)).toContain('Let 192.168.40.7/32 (the address the service sees) in');
    expect(fixText(d)).not.toContain('172.16.0.0/16');
    expect(d.evidence.join('\n')).toMatch(/NAT gateway or proxy/);
  });

  it('PostgreSQL pg_hba: a pg_hba.conf line for the container CIDR', () => {
    const app = { protocol: 'postgres' as const, status: 'denied' as const, reply: 'FATAL 28000: no pg_hba.conf entry for host "172.16.1.10", user "podreach", database "podreach", no encryption', seenSource: '172.16.1.10', ms: 3 };
    const d = diagnose(evidence(PG, ctx('vpc'), { tcp: 'open', app }));
    expect(d.cause).toBe('whitelist');
    expect(fixText(d)).toContain('host <database> <user> 172.16.0.0/16 scram-sha-256');
  });

  it('Redis protected mode is the server refusing remote clients, not a CIDR to add', () => {
    const app = { protocol: 'redis' as const, status: 'denied' as const, reply: '-DENIED Redis is running in protected mode', ms: 1 };
    const d = diagnose(evidence(REDIS, ctx('vpc'), { tcp: 'open', app }));
    expect(d.cause).toBe('whitelist');
    expect(fixText(d)).toMatch(/requirepass/);
  });

  it('a service that wants a password has let this source in: reachable, with what it said', () => {
    const app = { protocol: 'redis' as const, status: 'auth-required' as const, reply: '-NOAUTH Authentication required.', ms: 1 };
    const d = diagnose(evidence(REDIS, ctx('vpc'), { tcp: 'open', app }));
    expect(d.cause).toBe('reachable');
    expect(d.evidence.join('\n')).toContain('Redis answered and wants credentials: -NOAUTH Authentication required.');
  });

  it.each([
    ['172.16.0.0/16', '172.16.%'],
    ['192.168.10.0/24', '192.168.10.%'],
    ['10.0.0.0/8', '10.%'],
    ['192.168.10.11/32', '192.168.10.11'],
    ['172.16.0.0/12', '172.16.0.0/255.240.0.0'],
    ['192.168.30.0/23', '192.168.30.0/255.255.254.0'],
  ])('mysqlHost(%s) = %s', (cidr, host) => {
    expect(mysqlHost(cidr)).toBe(host);
  });
});

describe('NetworkPolicy (policies and pod labels from the API)', () => {
  const dnsOnly = [
    { name: 'dns-only', podSelector: { matchLabels: { app: 'test01' } }, egress: [{ to: [{ namespaceSelector: {} }], ports: [{ protocol: 'UDP', port: 53 }] }] },
  ];
  const withPolicy = (model: 'tunnel' | 'vpc', policies: unknown) => ctx(model, { namespace: 'shop', podLabels: { app: 'test01' }, egressPolicies: policies });

  it('a policy selects the pod and allows nothing to the target; the node gets through: network-policy, with the patch', () => {
    const d = diagnose(evidence(ECS, withPolicy('tunnel', dnsOnly), SILENT, OPEN));
    expect(d.cause).toBe('network-policy');
    expect(d.confidence).toBeGreaterThanOrEqual(0.9);
    expect(fixText(d)).toContain("kubectl -n shop patch networkpolicy dns-only --type=json");
    expect(fixText(d)).toContain('"cidr": "192.168.10.52/32"');
    expect(fixText(d)).toContain('"port": 80');
    const patch = /-p '(.+?)'/.exec(fixText(d))?.[1] ?? '';
    expect(JSON.parse(patch)).toEqual([{ op: 'add', path: '/spec/egress/-', value: { to: [{ ipBlock: { cidr: '192.168.10.52/32' } }], ports: [{ protocol: 'TCP', port: 80 }] } }]);
  });

  it('the same silence in the VPC model: the policy outranks the security group', () => {
    const d = diagnose(evidence(ECS, withPolicy('vpc', dnsOnly), SILENT, OPEN));
    expect(d.cause).toBe('network-policy');
    expect(alt(d, 'security-group')).toBeDefined();
  });

  it('DNS times out and the policies allow no UDP 53: network-policy above dns, with a kube-dns rule', () => {
    const name = { input: 'ecs.lab.internal:80', host: 'ecs.lab.internal', port: 80 };
    const deny = [{ name: 'default-deny-egress', podSelector: {}, egress: [] }];
    const d = diagnose(evidence(name, withPolicy('tunnel', deny), { dns: 'timeout', icmp: 'skipped' }));
    expect(d.cause).toBe('network-policy');
    expect(d.summary).toContain('allows this pod no DNS (UDP 53)');
    expect(alt(d, 'dns')).toBeDefined();
    expect(fixText(d)).toContain('patch networkpolicy default-deny-egress');
    expect(fixText(d)).toContain('"k8s-app": "kube-dns"');
    // Without the policies the same evidence is a DNS timeout.
    expect(diagnose(evidence(name, ctx('tunnel'), { dns: 'timeout', icmp: 'skipped' })).cause).toBe('dns');
  });

  it('a policy that allows the target, or a CNI that does not enforce (the port is open): not this cause', () => {
    const allowing = [{ name: 'allow-ecs', podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '192.168.10.0/24' } }] }] }];
    expect(diagnose(evidence(ECS, withPolicy('tunnel', allowing), SILENT, OPEN)).cause).not.toBe('network-policy');
    expect(diagnose(evidence(ECS, withPolicy('tunnel', dnsOnly), OPEN, OPEN)).cause).toBe('reachable');
  });
});

describe('path MTU', () => {
  const dropped = { status: 'dropped' as const, mtu: 1500, pathMtu: 1400, tried: [{ mtu: 1450, fits: false }, { mtu: 1400, fits: true }], ms: 620 };

  it('full-size packets vanish after small ones came back: mtu, not reachable, with the size that passes', () => {
    const d = diagnose(evidence(ECS, ctx('vpc'), { tcp: 'open', icmp: 'reply', pmtu: dropped }));
    expect(d.cause).toBe('mtu');
    expect(d.reachable).toBe(false);
    expect(fixText(d)).toContain('MTU to 1400 or less');
    expect(fixText(d)).toContain('--clamp-mss-to-pmtu');
    expect(fixText(d)).toMatch(/ICMP type 3 code 4/);
    expect(d.settle).toBe('ping -M do -s 1372 192.168.10.52 answers and ping -M do -s 1472 192.168.10.52 does not');
  });

  it("the node's full-size packets get through: more certain", () => {
    const alone = diagnose(evidence(ECS, ctx('vpc'), { tcp: 'open', icmp: 'reply', pmtu: dropped }));
    const paired = diagnose(
      evidence(ECS, ctx('vpc'), { tcp: 'open', icmp: 'reply', pmtu: dropped }, { tcp: 'open', icmp: 'reply', pmtu: { status: 'fits', mtu: 1400, ms: 3 } }),
    );
    expect(paired.cause).toBe('mtu');
    expect(paired.confidence).toBeGreaterThan(alone.confidence);
  });

  it('a smaller path MTU that announces itself is fine: reachable, with a note', () => {
    const d = diagnose(evidence(ECS, ctx('vpc'), { tcp: 'open', icmp: 'reply', pmtu: { status: 'too-big', mtu: 1500, pathMtu: 1450, ms: 2 } }));
    expect(d.cause).toBe('reachable');
    expect(d.evidence.join('\n')).toContain('path MTU 1450 is below');
  });
});

describe('missing evidence is said, not guessed', () => {
  it('ICMP that could not run is a note, never a timeout: TCP still decides', () => {
    const d = diagnose(evidence(ECS, ctx('vpc'), { tcp: 'open', icmp: 'not-run', icmpDetail: 'ping: socket: Operation not permitted' }));
    expect(d.cause).toBe('reachable');
    expect(d.evidence.join('\n')).toMatch(/ICMP could not be sent from here \(ping: socket: Operation not permitted\)/);
  });

  it('ICMP only: says that a silent host and a blocked one look alike', () => {
    const d = diagnose(evidence(target('192.168.10.52'), ctx('vpc'), { icmp: 'no-reply' }, { icmp: 'reply' }));
    expect(d.cause).toBe('security-group');
    expect(d.evidence.join('\n')).toMatch(/ICMP only \(no port given\)/);
  });
});

describe('without a node report', () => {
  it('is less certain but still names the model\'s CIDR', () => {
    const withNode = diagnose(evidence(ECS, ctx('vpc'), SILENT, OPEN));
    const alone = diagnose(evidence(ECS, ctx('vpc'), SILENT));
    expect(alone.cause).toBe('security-group');
    expect(alone.confidence).toBeLessThan(withNode.confidence);
    expect(fixText(alone)).toContain('172.16.0.0/16');
    const tunnel = diagnose(evidence(ECS, ctx('tunnel'), SILENT));
    expect(fixText(tunnel)).toContain('192.168.10.11');
    expect(fixText(tunnel)).not.toContain('172.16.0.0/16');
  });

  it('unknown model: names both the container CIDR and the node IP rather than guessing a side', () => {
    const d = diagnose(evidence(ECS, ctx(undefined), SILENT));
    expect(d.cause).not.toBe('reachable');
    expect(d.confidence).toBeLessThan(0.7);
    expect(fixText(d)).toContain('172.16.0.0/16');
    expect(fixText(d)).toContain('192.168.10.11');
  });
});

describe('invariants over every outcome combination', () => {
  const tcp = ['open', 'refused', 'timeout', 'unreachable', 'error'] as const;
  const icmp = ['reply', 'no-reply', 'unreachable', 'not-run'] as const;
  const nodes = [undefined, ...tcp.map((t) => ({ tcp: t, icmp: 'reply' as const }))];
  for (const model of ['tunnel', 'vpc', 'eni', undefined] as const) {
    it(`model ${model ?? 'unknown'}: reachable only when the pod's TCP connect opened; ranked, bounded, with a fix when broken`, () => {
      for (const t of tcp) {
        for (const i of icmp) {
          for (const n of nodes) {
            for (const tg of [ECS, REDIS, PEER]) {
              const d = diagnose(evidence(tg, ctx(model), { tcp: t, icmp: i, errno: t === 'unreachable' ? 'EHOSTUNREACH' : undefined }, n));
              expect(d.reachable).toBe(t === 'open');
              expect(d.confidence).toBeGreaterThan(0);
              expect(d.confidence).toBeLessThanOrEqual(1);
              for (const a of d.alternatives) expect(a.confidence).toBeLessThanOrEqual(d.confidence);
              if (!d.reachable) expect(d.fix.length).toBeGreaterThan(0);
              expect(d.title).toBe(CAUSE_TITLES[d.cause]);
              expect(d.ambiguous).toBe(d.evidence.some((e) => e.startsWith('cannot be told apart')));
            }
          }
        }
      }
    });
  }
});

describe('the shared facts: computed once by the engine, carried by the diagnosis', () => {
  const observed = (model: Parameters<typeof ctx>[0], node?: typeof OPEN) => {
    const { target: t, context, observations } = evidence(ECS, ctx(model), SILENT, node);
    return { target: t, context, observations };
  };

  it('VPC model, only the pod fails: the peer tells them apart, so it sees the pod IP; SNAT measured absent', () => {
    const j = judge(observed('vpc', OPEN));
    expect(j.diagnosis.comparison).toBe('pod-only-fails');
    expect(j.diagnosis.sourceSeen).toMatchObject({ kind: 'pod', ip: '172.16.1.10', allow: '172.16.0.0/16', confidence: 0.9 });
    expect(j.snat).toMatchObject({ value: false, source: 'measured' });
    expect(j.cidr).toMatchObject({ targetZone: 'vpc', targetVpcCidr: '192.168.0.0/16' });
  });

  it('tunnel model, both fail: the peer sees the node IP, and equal results measure nothing', () => {
    const j = judge(observed('tunnel', SILENT));
    expect(j.diagnosis.comparison).toBe('both-fail');
    expect(j.diagnosis.sourceSeen).toMatchObject({ kind: 'node', ip: '192.168.10.11', allow: '192.168.10.11/32' });
    expect(j.snat).toBeUndefined();
  });

  it('the prediction before probing is the verdict\'s source when probing adds nothing to it', () => {
    for (const model of ['tunnel', 'vpc', 'eni', undefined] as const) {
      const o = observed(model);
      const p = predict({ ...ECS, ip: '192.168.10.52' }, o.context);
      const j = judge(o);
      expect(j.diagnosis.comparison).toBe('no-node-report');
      expect(p.sourceSeen).toEqual(j.diagnosis.sourceSeen);
      expect(p.cidr).toEqual(j.cidr);
    }
  });

  it('an address the service names overrides the model', () => {
    const mysql = target('192.168.10.60', 3306);
    const named = { protocol: 'mysql' as const, status: 'denied' as const, ms: 3, seenSource: '192.168.10.11', reply: "Host '192.168.10.11' is not allowed" };
    const j = judge({ target: mysql, context: ctx('vpc'), observations: podAndNode(probe(mysql, { tcp: 'open', icmp: 'reply', app: named }), undefined, undefined) });
    expect(j.diagnosis.sourceSeen).toMatchObject({ kind: 'node', ip: '192.168.10.11', confidence: 0.97 });
    expect(j.diagnosis.sourceSeen.why).toMatch(/^measured by the peer/);
  });
});
