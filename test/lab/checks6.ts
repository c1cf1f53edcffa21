// Verifies that an IPv6 / dual-stack lab scenario fails (or works) FOR ITS STATED REASON, with plain tools run
// inside the namespaces and the kernel's own counters: the router's security group (ip6tables), the node's
// dropped Packet Too Big. Same shape as checks.ts.
import { type CheckResult, lookup, type Tcp, tcp } from './checks.ts';
import { type Lab6, named, podAddr6, type Role6, type Scenario6, targetIp, V4, V6 } from './ipv6.ts';

/** One echo (of `size` bytes with Don't Fragment when given), 1 s bound; ping's error line if any. */
async function ping(lab: Lab6, role: Role6, ip: string, size?: number): Promise<{ reply: boolean; line: string }> {
  const df = size ? ['-M', 'do', '-s', String(size - (ip.includes(':') ? 48 : 28))] : [];
  const r = await lab.exec(role, ['ping', '-n', ...df, '-c', '1', '-W', '1', ip], { timeoutMs: 4000 });
  const line = (r.stdout + r.stderr).split('\n').find((l) => /^From |local error|unreachable/i.test(l)) ?? '';
  return { reply: r.code === 0, line: line.trim() };
}

const served = (t: Tcp) => t.status === 'open' && /^HTTP\/1\.0 200|^\+PONG/.test(t.reply ?? '');
const show = (t: Tcp) => `${t.status}${t.errno ? ` ${t.errno}` : ''} in ${t.ms} ms`;

export async function checkScenario6(lab: Lab6): Promise<CheckResult> {
  const s = lab.scenario;
  const problems: string[] = [];
  const ev: string[] = [];
  const expect = (cond: boolean, what: string) => {
    if (!cond) problems.push(what);
  };
  const ip = targetIp(s);
  const { port } = s.target;
  const fam = ip.includes(':') ? 6 : 4;
  if (named(s)) ev.push(...(await nameCheck(lab, s, expect)));
  if (s.podStack === 'ipv4') {
    await v4PodCheck(lab, ip, port, expect, ev);
    return { ok: problems.length === 0, evidence: ev.join('; '), problems };
  }
  if (s.model === 'tunnel') {
    await tunnelCheck(lab, ip, port, expect, ev);
    return { ok: problems.length === 0, evidence: ev.join('; '), problems };
  }
  const src = fam === 6 ? { pod: podAddr6(s) } : V4;
  // Where the target's filter and counters are: the ECS's SG on the router, the Redis host's own whitelist, the peer.
  const at: Role6 = ip === V6.redis ? 'redis' : ip === V6.peer ? 'peer' : 'vpcr';
  const dropComment = at === 'redis' ? 'whitelist-drop' : 'sg-drop';
  const count = (comment: string) => lab.counter(at, comment, fam);
  const before = { drop: await count(dropComment), pod: await count('src-pod') };
  const [pt, nt] = await Promise.all([tcp(lab, 'pod', ip, port), tcp(lab, 'node', ip, port)]);
  const after = { drop: (await count(dropComment)) - before.drop, pod: (await count('src-pod')) - before.pod };
  // Not SNATed: the SG (or the service, or the peer) saw the pod's own address, in this family.
  const sawPod = `${at === 'vpcr' ? 'the SG' : at} saw ${after.pod} SYN from ${src.pod}`;

  switch (s.expectedCause) {
    case 'reachable':
      expect(served(pt), `pod tcp ${show(pt)}`);
      expect(served(nt), `node tcp ${show(nt)}`);
      expect(after.pod > 0, `the SG never saw ${src.pod}: is the pod SNATed?`);
      expect(after.drop === 0, `${dropComment} rose by ${after.drop}`);
      ev.push(`pod tcp ${show(pt)}; ${sawPod}; ${dropComment} +0`);
      break;
    case 'whitelist':
      expect(pt.status === 'timeout', `pod tcp ${show(pt)}, expected a timeout`);
      expect(served(nt), `node tcp ${show(nt)}, expected +PONG (the whitelist holds the node subnet)`);
      expect(after.pod > 0 && after.drop >= after.pod, `whitelist-drop +${after.drop} for ${after.pod} pod SYNs`);
      ev.push(`pod tcp ${show(pt)}; node +PONG; ${sawPod}; whitelist-drop +${after.drop}`);
      break;
    case 'route': {
      // The SYN arrives; the answer has no way back: the peer VPC has no route for the container prefix.
      const back = await lab.exec('vpcr2', ['ip', '-6', 'route', 'get', src.pod], { timeoutMs: 3000 });
      const said = (back.stdout || back.stderr).trim().split('\n')[0] ?? '';
      expect(pt.status === 'timeout', `pod tcp ${show(pt)}, expected a timeout`);
      expect(served(nt), `node tcp ${show(nt)}, expected served (the peer routes the VPC back)`);
      expect(after.pod > 0, `the peer never saw ${src.pod}: the forward path is broken, not the return route`);
      expect(back.code !== 0 && /unreachable/i.test(said), `vpcr2: ip -6 route get ${src.pod} → "${said}", expected unreachable`);
      ev.push(`pod tcp ${show(pt)}; node served; ${sawPod}; vpcr2: ${said}`);
      break;
    }
    case 'security-group': {
      expect(pt.status === 'timeout', `pod tcp ${show(pt)}, expected a timeout`);
      expect(served(nt), `node tcp ${show(nt)}, expected served (the SG allows the node subnet)`);
      expect(after.pod > 0, `the SG never saw ${src.pod}`);
      expect(after.drop >= after.pod, `sg-drop +${after.drop}, expected every pod SYN dropped (${after.pod})`);
      ev.push(`pod tcp ${show(pt)}; node served; ${sawPod}; sg-drop +${after.drop}`);
      if (s.stack === 'dual') {
        // Only this family's path is blocked: the same pod reaches the same ECS over IPv4.
        const other = await tcp(lab, 'pod', V4.ecs, port);
        expect(served(other), `pod over IPv4 to ${V4.ecs}: ${show(other)}, expected served`);
        ev.push(`IPv4 to ${V4.ecs}: ${show(other)}`);
      }
      break;
    }
    case 'port-closed':
      expect(pt.status === 'refused', `pod tcp ${show(pt)}, expected refused`);
      expect(after.drop === 0, `sg-drop rose by ${after.drop}`);
      ev.push(`pod tcp ${show(pt)} (RST); sg-drop +0`);
      break;
    case 'mtu': {
      const mtu = s.build.nodeUplinkMtu ?? 0;
      const ptb0 = await lab.counter('node', 'ptb-drop', 6);
      const small = await ping(lab, 'pod', ip);
      const full = await ping(lab, 'pod', ip, 1500);
      const fits = await ping(lab, 'pod', ip, mtu);
      const ptb = (await lab.counter('node', 'ptb-drop', 6)) - ptb0;
      expect(served(pt), `pod tcp ${show(pt)}: the handshake and a small exchange must work`);
      expect(small.reply, 'a small echo must come back');
      expect(!full.reply && full.line === '', `a 1500-byte DF echo: ${full.reply ? 'answered' : full.line}, expected silence`);
      expect(fits.reply, `a ${mtu}-byte echo must come back`);
      expect(ptb > 0, 'ptb-drop on the node did not rise: the Packet Too Big was not what vanished');
      ev.push(`pod tcp ${show(pt)}; 1500-byte echo silent, ${mtu} answered; node dropped ${ptb} Packet Too Big`);
      break;
    }
    default:
      problems.push(`no IPv6 check for ${s.expectedCause}`);
  }
  return { ok: problems.length === 0, evidence: ev.join('; '), problems };
}

type Expect = (cond: boolean, what: string) => void;

/**
 * A named target through the node's DNS server: the records it serves (A and AAAA asked apart), and the order glibc
 * itself puts them in from the pod (`getent ahosts`: getaddrinfo with the kernel's routes, RFC 6724): the family a
 * typical client tries first. An IPv4-only pod's glibc does not even ask AAAA (AI_ADDRCONFIG): nothing to try.
 */
async function nameCheck(lab: Lab6, s: Scenario6, expect: Expect): Promise<string[]> {
  const name = s.target.host;
  const [a, aaaa] = await Promise.all([lookup(lab, 'pod', name), lookup(lab, 'pod', name, true)]);
  const g = await lab.exec('pod', ['getent', 'ahosts', name], { timeoutMs: 6000 });
  const glibc = [...new Set(g.stdout.split('\n').map((l) => l.split(/\s+/)[0]).filter(Boolean))];
  const records = `A ${a.addresses?.join(',') || a.status}, AAAA ${aaaa.addresses?.join(',') || aaaa.status}`;
  expect(aaaa.status === 'ok' && aaaa.addresses?.[0] === V6.ecs, `AAAA ${name}: ${aaaa.status} ${aaaa.addresses ?? ''}, expected ${V6.ecs}`);
  if (s.podStack === 'ipv4') {
    expect(a.status === 'no-data', `A ${name}: ${a.status}, expected no-data (AAAA only)`);
    expect(g.code === 2, `getent ahosts ${name} in the IPv4-only pod exited ${g.code} (${glibc.join(',')}), expected 2: glibc asks no AAAA without an IPv6 address`);
    return [`${name}: ${records}; getent ahosts in the pod: exit ${g.code}`];
  }
  expect(a.status === 'ok' && a.addresses?.[0] === V4.ecs, `A ${name}: ${a.status} ${a.addresses ?? ''}, expected ${V4.ecs}`);
  expect(glibc[0] === targetIp(s), `getent ahosts ${name} in the pod: ${glibc.join(', ') || g.stderr}, expected ${targetIp(s)} first`);
  return [`${name}: ${records}; glibc (getent ahosts) in the pod tries ${glibc.join(' then ')}`];
}

/** IPv6 off in the pod: no address to send from, the kernel refuses at once; the node reaches the same address. */
async function v4PodCheck(lab: Lab6, ip: string, port: number, expect: Expect, ev: string[]): Promise<void> {
  const before = { all: await lab.counter('vpcr', 'syn-in'), node: await lab.counter('vpcr', 'src-node') };
  const off = await lab.exec('pod', ['cat', '/proc/sys/net/ipv6/conf/all/disable_ipv6', '/proc/sys/net/ipv6/conf/eth0/disable_ipv6']);
  const addr = await lab.exec('pod', ['ip', '-6', '-o', 'addr', 'show']);
  const [pt, nt] = await Promise.all([tcp(lab, 'pod', ip, port), tcp(lab, 'node', ip, port)]);
  const arrived = (await lab.counter('vpcr', 'syn-in')) - before.all;
  const fromNode = (await lab.counter('vpcr', 'src-node')) - before.node;
  expect(off.stdout.split('\n').filter(Boolean).every((v) => v === '1'), `disable_ipv6 in the pod: ${off.stdout.trim()}, expected 1`);
  expect(addr.stdout.trim() === '', `the pod holds IPv6 addresses: ${addr.stdout.trim()}`);
  expect((pt.status === 'unreachable' || pt.status === 'error') && /ENETUNREACH|EADDRNOTAVAIL/.test(pt.errno ?? '') && pt.ms < 200, `pod tcp ${show(pt)}, expected a local ENETUNREACH/EADDRNOTAVAIL`);
  expect(served(nt), `node tcp ${show(nt)}, expected served over IPv6`);
  // Every SYN the router saw was the node's: the pod's never left.
  expect(fromNode > 0 && arrived === fromNode, `the router saw ${arrived} SYNs to ${ip}, ${fromNode} of them the node's`);
  ev.push(`pod: IPv6 off, no IPv6 address; pod tcp ${show(pt)}; node served; the router saw ${arrived} SYN, all the node's`);
}

/**
 * The tunnel model: the pod's SYNs leave the node masqueraded (its MASQUERADE rule counts them) and reach the SG
 * from the node's address, never from the pod's overlay address. The pod connects alone first, so the SG's
 * count from the node is the pod's traffic; then the node itself, which the SG judges the same way.
 */
async function tunnelCheck(lab: Lab6, ip: string, port: number, expect: Expect, ev: string[]): Promise<void> {
  const s = lab.scenario;
  const sg = async () => ({ drop: await lab.counter('vpcr', 'sg-drop'), pod: await lab.counter('vpcr', 'src-pod'), node: await lab.counter('vpcr', 'src-node'), masq: await lab.counter('node', 'tunnel-masq', 6, 'nat') });
  const b = await sg();
  const pt = await tcp(lab, 'pod', ip, port);
  const a = await sg();
  const nt = await tcp(lab, 'node', ip, port);
  const d = { drop: a.drop - b.drop, pod: a.pod - b.pod, node: a.node - b.node, masq: a.masq - b.masq };
  expect(d.pod === 0, `the SG saw ${d.pod} SYNs from the overlay address ${podAddr6(s)}: not masqueraded?`);
  expect(d.masq > 0 && d.node > 0, `the node masqueraded ${d.masq} connections, the SG saw ${d.node} SYNs from ${V6.node} while only the pod connected`);
  const blocked = s.expectedCause !== 'reachable';
  expect(blocked ? pt.status === 'timeout' : served(pt), `pod tcp ${show(pt)}`);
  expect(blocked ? nt.status === 'timeout' : served(nt), `node tcp ${show(nt)}: the SG judges the node as it judged the pod`);
  if (blocked) expect(d.drop >= d.node, `sg-drop +${d.drop} for ${d.node} SYNs from the node's address`);
  ev.push(`pod tcp ${show(pt)}; node MASQUERADE +${d.masq}; the SG saw ${d.node} SYN from ${V6.node}, 0 from ${podAddr6(s)}; sg-drop +${d.drop}; node tcp ${show(nt)}`);
}
