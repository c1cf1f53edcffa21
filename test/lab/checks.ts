// Verifies that a built scenario fails (or works) FOR ITS STATED REASON, with plain tools run inside the
// namespaces and the peers' own counters and routes. Shared by the vitest selftest and `cli.ts selftest`.
import { join } from 'node:path';
import { type ExecResult, LAB_DIR, NODE, type Lab } from './lab.ts';
import { ECS, NODE_IP, PEER, REDIS } from './scenarios.ts';
import type { Role } from './topology.ts';

export interface CheckResult {
  ok: boolean;
  evidence: string;
  problems: string[];
}

export interface Tcp {
  status: string;
  errno?: string;
  reply?: string;
  ms: number;
}

const CLIENT = join(LAB_DIR, 'client.ts');
const TCP_WAIT_MS = 1500;

/** Anything with the lab's exec: the IPv4 lab and the IPv6 one (ipv6.ts). */
type Execs<R> = { exec(role: R, argv: string[], opts?: { timeoutMs?: number }): Promise<ExecResult> };

async function client<R>(lab: Execs<R>, role: R, args: string[]): Promise<Tcp & { addresses?: string[] }> {
  const r = await lab.exec(role, [NODE, CLIENT, ...args], { timeoutMs: 6000 });
  try {
    return JSON.parse(r.stdout);
  } catch {
    return { status: 'error', errno: `client: ${(r.stderr || r.stdout).trim().slice(0, 120)}`, ms: r.ms };
  }
}

/** A lookup with the lab client (A, or AAAA with `aaaa`) through the namespace's resolv.conf. */
export function lookup<R>(lab: Execs<R>, role: R, name: string, aaaa = false): Promise<Tcp & { addresses?: string[] }> {
  return client(lab, role, ['dns', name, ...(aaaa ? ['--aaaa'] : []), '--timeout', '2000']);
}

/** What the lab's MySQL puts in its greeting. */
const MYSQL_GREETING = '8.0.36-lab';

/** A TCP connect with the lab client, speaking the lab server's protocol on its port (HTTP, Redis, MySQL). */
export function tcp<R>(lab: Execs<R>, role: R, ip: string, port: number): Promise<Tcp> {
  const send = port === 6379 ? 'PING\\r\\n' : port === 80 ? 'GET / HTTP/1.0\\r\\n\\r\\n' : port === 3306 ? '' : undefined;
  const expectReply = port === 6379 ? '+PONG' : port === 3306 ? MYSQL_GREETING : undefined;
  return client(lab, role, ['tcp', ip, String(port), '--timeout', String(TCP_WAIT_MS), ...(send !== undefined ? ['--send', send] : []), ...(expectReply ? ['--expect', expectReply] : [])]);
}

/** The client address a MySQL error 1130 names. */
const named1130 = (t: Tcp): string | undefined => /Host '([^']+)' is not allowed/.exec(t.reply ?? '')?.[1];

/** One echo with a 1 s bound: 'reply', 'unreachable' (with ping's line) or 'no-reply'. */
async function ping(lab: Lab, role: Role, ip: string): Promise<{ status: string; line: string }> {
  const r = await lab.exec(role, ['ping', '-n', '-c', '1', '-W', '1', ip], { timeoutMs: 4000 });
  const line = r.stdout.split('\n').find((l) => /Unreachable|Prohibited/i.test(l)) ?? '';
  if (line) return { status: 'unreachable', line: line.trim() };
  return { status: r.code === 0 ? 'reply' : 'no-reply', line: '' };
}

/** One echo of `mtu` bytes with Don't Fragment, 1 s bound: replied, and ping's error line if any. */
async function dfPing(lab: Lab, role: Role, ip: string, mtu: number): Promise<{ reply: boolean; line: string }> {
  const r = await lab.exec(role, ['ping', '-n', '-M', 'do', '-s', String(mtu - 28), '-c', '1', '-W', '1', ip], { timeoutMs: 4000 });
  const line = (r.stdout + r.stderr).split('\n').find((l) => /Frag needed|message too long/i.test(l)) ?? '';
  return { reply: r.code === 0, line: line.trim() };
}

async function routeGet(lab: Lab, role: Role, ip: string): Promise<string> {
  const r = await lab.exec(role, ['ip', 'route', 'get', ip], { timeoutMs: 3000 });
  return (r.stdout || r.stderr).split('\n')[0]?.trim() ?? '';
}

function served(t: Tcp, port: number): boolean {
  if (t.status !== 'open') return false;
  if (port === 6379) return (t.reply ?? '').includes('+PONG');
  if (port === 80) return /^HTTP\/1\.0 200/.test(t.reply ?? '');
  if (port === 3306) return (t.reply ?? '').includes(MYSQL_GREETING);
  return true;
}

const show = (t: Tcp) => `${t.status}${t.errno ? ` ${t.errno}` : ''} in ${t.ms} ms`;

export async function checkScenario(lab: Lab): Promise<CheckResult> {
  const s = lab.scenario;
  const problems: string[] = [];
  const ev: string[] = [];
  const expect = (cond: boolean, what: string) => {
    if (!cond) problems.push(what);
  };

  let ip = s.target.host;
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(ip)) {
    if (s.build.podEgress === 'none') {
      // A default deny without DNS: the resolver never hears the pod, and the node says why.
      const d0 = await lab.iptablesCounter('node', 'netpol-drop');
      const t = await client(lab, 'pod', ['dns', ip, '--timeout', '1500']);
      const dropped = (await lab.iptablesCounter('node', 'netpol-drop')) - d0;
      const nd = await client(lab, 'node', ['dns', ip, '--timeout', '2000']);
      expect(t.status === 'timeout', `pod resolver gave ${t.status} for ${ip}, expected a timeout`);
      expect(dropped > 0, 'netpol-drop on the node did not rise');
      expect(nd.status === 'ok', `the node's own lookup gave ${nd.status}`);
      ev.push(`pod resolver: ${ip} timeout after ${t.ms} ms; node netpol-drop +${dropped}; the node resolves it`);
      return { ok: problems.length === 0, evidence: ev.join('; '), problems };
    }
    const d = await client(lab, 'pod', ['dns', ip, '--timeout', '2000']);
    const g = await lab.exec('pod', ['getent', 'ahostsv4', ip], { timeoutMs: 6000 });
    if (s.expectedCause === 'dns') {
      expect(d.status === 'nxdomain', `pod resolver gave ${d.status} ${d.errno ?? ''} for ${ip}, expected NXDOMAIN`);
      expect(g.code === 2, `getent ahostsv4 ${ip} exited ${g.code}, expected 2 (not found)`);
      const ok = await client(lab, 'pod', ['dns', 'ecs.lab.internal']);
      expect(ok.status === 'ok', 'the same server does resolve ecs.lab.internal');
      ev.push(`pod resolver: ${ip} NXDOMAIN (${d.errno}) in ${d.ms} ms, getent exit 2 via search list; ecs.lab.internal → ${ok.addresses?.join(',')}`);
      return { ok: problems.length === 0, evidence: ev.join('; '), problems };
    }
    expect(d.status === 'ok' && d.addresses?.length === 1, `pod resolver gave ${d.status} for ${ip}`);
    expect(g.code === 0, `getent ahostsv4 ${ip} exited ${g.code} (search list + ndots:5 must still resolve it)`);
    ip = d.addresses?.[0] ?? ip;
    ev.push(`${s.target.host} → ${ip} (dns ${d.ms} ms)`);
  }
  const port = s.target.port;
  const peerRole: Role = ip === ECS ? 'ecs' : ip === REDIS ? 'redis' : ip === PEER ? 'peer' : 'ecs';
  // What source the peer should see for the pod's traffic: the node IP under tunnel SNAT, else the pod IP.
  const seenCounter = s.model === 'tunnel' ? 'src-node' : 'src-pod';
  const seenIp = s.model === 'tunnel' ? NODE_IP : lab.podIp;
  const dropComment = peerRole === 'redis' ? 'whitelist-drop' : 'sg-drop';
  // The security groups sit on the VPC routers, outside the hosts; Redis's whitelist is the service's own.
  const dropRole: Role = peerRole === 'redis' ? 'redis' : peerRole === 'peer' ? 'vpcr2' : 'vpcr';
  const before = {
    drop: await lab.iptablesCounter(dropRole, dropComment),
    seen: await lab.iptablesCounter(peerRole, seenCounter),
  };

  if (s.expectedCause === 'route' && !s.build.peering) {
    // ICMP errors are rate-limited per destination: ping first, one at a time, before any TCP.
    const pp = await ping(lab, 'pod', ip);
    const np = await ping(lab, 'node', ip);
    expect(/Destination Net Unreachable/.test(pp.line), `pod ping: ${pp.status} ${pp.line}, expected Destination Net Unreachable`);
    expect(/Destination Net Unreachable/.test(np.line), `node ping: ${np.status} ${np.line}, expected Destination Net Unreachable`);
    const pt = await tcp(lab, 'pod', ip, port);
    expect(pt.status === 'unreachable' || pt.status === 'timeout', `pod tcp ${show(pt)}`);
    const rg = await routeGet(lab, 'vpcr', ip);
    expect(/unreachable/i.test(rg), `vpcr: ip route get ${ip} → "${rg}", expected unreachable`);
    const seen = (await lab.iptablesCounter('peer', 'syn-in')) - 0;
    expect(seen === 0, `peer saw ${seen} SYNs, expected none`);
    ev.push(`pod: "${pp.line}"; node: "${np.line}"; pod tcp ${show(pt)}; vpcr: ${rg}; peer saw 0 SYN`);
    return { ok: problems.length === 0, evidence: ev.join('; '), problems };
  }

  const [pt, nt] = await Promise.all([tcp(lab, 'pod', ip, port), tcp(lab, 'node', ip, port)]);
  const after = {
    drop: (await lab.iptablesCounter(dropRole, dropComment)) - before.drop,
    seen: (await lab.iptablesCounter(peerRole, seenCounter)) - before.seen,
  };
  const sawPod = `${peerRole} saw ${after.seen} SYN from ${seenIp}`;

  // One case per cause on purpose, not a table: each proves its cause by its own mechanism on the wire
  // (the peer's drop counter, a router's route, the bridge on the ECS, the node's frag-needed drop), so a lab
  // scenario for a new cause needs its own check here anyway.
  switch (s.expectedCause) {
    case 'reachable': {
      expect(served(pt, port), `pod tcp ${show(pt)} reply=${JSON.stringify(pt.reply ?? '')}`);
      expect(served(nt, port), `node tcp ${show(nt)}`);
      expect(after.seen > 0, `${peerRole} did not see the pod's traffic from ${seenIp}`);
      expect(after.drop === 0, `${dropComment} rose by ${after.drop}`);
      const said = port === 3306 ? 'MySQL greeting' : (pt.reply ?? '').split('\r\n')[0] || 'open';
      ev.push(`pod tcp ${show(pt)} (${said}); ${sawPod}`);
      break;
    }
    case 'whitelist':
      if (port === 3306) {
        // The server answers and refuses by client host: nothing is dropped, and it names what it sees.
        expect(named1130(pt) === seenIp, `pod: MySQL said ${JSON.stringify(pt.reply ?? '')}, expected error 1130 naming ${seenIp}`);
        if (s.model === 'tunnel') expect(named1130(nt) === NODE_IP, `node: MySQL said ${JSON.stringify(nt.reply ?? '')}, expected error 1130 naming ${NODE_IP}`);
        else expect(served(nt, port), `node tcp ${show(nt)}, expected the greeting`);
        expect(after.seen > 0, `${peerRole} never saw a SYN from ${seenIp}`);
        ev.push(`pod: MySQL error 1130 naming ${named1130(pt)}; node: ${served(nt, port) ? 'greeting' : `error 1130 naming ${named1130(nt)}`}; ${sawPod}`);
        break;
      }
    // falls through: a silent drop by the managed service's whitelist looks like a security group's
    case 'security-group': {
      expect(pt.status === 'timeout', `pod tcp ${show(pt)}, expected timeout`);
      expect(after.drop > 0, `${dropComment} on ${dropRole} did not rise`);
      // A whitelist is the service's own: the host sees the SYN. A security group drops it before the host.
      if (peerRole === 'redis') expect(after.seen > 0, `${peerRole} never saw a SYN from ${seenIp}`);
      else expect(after.seen === 0, `${peerRole} saw ${after.seen} SYNs from ${seenIp}: the security group on ${dropRole} did not drop them`);
      // Tunnel: the peer sees the node for both, so the node fails too; vpc/eni: the node is allowed.
      if (s.model === 'tunnel') expect(nt.status === 'timeout', `node tcp ${show(nt)}, expected timeout too`);
      else expect(served(nt, port), `node tcp ${show(nt)}, expected success`);
      ev.push(`pod tcp ${show(pt)}; node tcp ${show(nt)}; ${dropComment} +${after.drop}; ${sawPod}`);
      if (peerRole === 'redis') {
        const pg = await ping(lab, 'node', ip);
        expect(pg.status === 'no-reply', `redis answered ping from the node (${pg.status})`);
        ev.push('redis ignores ping');
      }
      break;
    }
    case 'route': {
      expect(pt.status === 'timeout', `pod tcp ${show(pt)}, expected timeout`);
      expect(served(nt, port), `node tcp ${show(nt)}, expected success`);
      expect(after.seen > 0, `peer never saw the pod's SYN (${seenIp})`);
      const rg = await routeGet(lab, 'vpcr2', lab.podIp);
      expect(/unreachable/i.test(rg), `vpcr2: ip route get ${lab.podIp} → "${rg}", expected unreachable`);
      ev.push(`pod tcp ${show(pt)}; node tcp ${show(nt)}; ${sawPod}; vpcr2 route get ${lab.podIp}: ${rg}`);
      break;
    }
    case 'docker-bridge-conflict': {
      const bridge = s.build.ecsBridge?.name ?? '?';
      expect(pt.status === 'timeout', `pod tcp ${show(pt)}, expected timeout`);
      expect(served(nt, port), `node tcp ${show(nt)}, expected success`);
      expect(after.seen > 0, `ECS never saw the pod's SYN`);
      expect(after.drop === 0, `sg-drop rose by ${after.drop}: the SG, not the bridge, dropped it`);
      const rg = await routeGet(lab, 'ecs', lab.podIp);
      expect(rg.includes(`dev ${bridge}`), `ecs: ip route get ${lab.podIp} → "${rg}", expected dev ${bridge}`);
      ev.push(`pod tcp ${show(pt)}; node tcp ${show(nt)}; ${sawPod}, sg-drop +0; ecs route get ${lab.podIp}: ${rg}`);
      break;
    }
    case 'host-firewall': {
      // The security group lets it through; the host's own INPUT rule drops it after the host counted it.
      const fw = s.build.ecsHostFirewall;
      const f0 = await lab.iptablesCounter('ecs', 'host-fw-drop');
      const again = await tcp(lab, 'pod', ip, port);
      const dropped = (await lab.iptablesCounter('ecs', 'host-fw-drop')) - f0;
      expect(again.status === 'timeout' && pt.status === 'timeout', `pod tcp ${show(pt)} / ${show(again)}, expected timeout`);
      expect(served(nt, port), `node tcp ${show(nt)}, expected success`);
      expect(after.drop === 0, `sg-drop rose by ${after.drop}: the security group, not the host, dropped it`);
      expect(after.seen > 0, `ECS never counted the pod's SYN`);
      expect(dropped > 0, 'host-fw-drop on the ECS did not rise');
      ev.push(`pod tcp ${show(again)}; node tcp ${show(nt)}; sg-drop +0; ${sawPod}; ECS host-fw-drop (${fw?.drop} → tcp/${fw?.port}) +${dropped}`);
      break;
    }
    case 'mtu': {
      const mtu = s.build.nodeUplinkMtu ?? 0;
      const before = await lab.iptablesCounter('node', 'frag-needed-drop');
      const small = await ping(lab, 'pod', ip);
      const full = await dfPing(lab, 'pod', ip, 1500);
      const fits = await dfPing(lab, 'pod', ip, mtu);
      const dropped = (await lab.iptablesCounter('node', 'frag-needed-drop')) - before;
      expect(served(pt, port), `pod tcp ${show(pt)}: the small handshake must get through`);
      expect(small.status === 'reply', `pod small ping: ${small.status}`);
      expect(!full.reply && full.line === '', `pod 1500-byte DF ping: ${full.reply ? 'replied' : full.line || 'silent'}, expected silence`);
      expect(fits.reply, `pod ${mtu}-byte DF ping did not come back`);
      expect(dropped > 0, 'the node never dropped a "fragmentation needed" of its own');
      ev.push(`pod tcp ${show(pt)}; small ping reply; 1500-byte DF ping silent, ${mtu}-byte replies; node dropped ${dropped} own frag-needed`);
      break;
    }
    case 'network-policy': {
      // The pod alone this time: the node's own request above would count at the ECS too.
      const d0 = await lab.iptablesCounter('node', 'netpol-drop');
      const s0 = await lab.iptablesCounter('ecs', 'syn-in');
      const again = await tcp(lab, 'pod', ip, port);
      const dropped = (await lab.iptablesCounter('node', 'netpol-drop')) - d0;
      const reached = (await lab.iptablesCounter('ecs', 'syn-in')) - s0;
      expect(again.status === 'timeout', `pod tcp ${show(again)}, expected timeout`);
      expect(served(nt, port), `node tcp ${show(nt)}, expected success`);
      expect(dropped > 0, 'netpol-drop on the node did not rise');
      expect(reached === 0, `the ECS saw ${reached} SYNs from the pod: the node did not drop them`);
      ev.push(`pod tcp ${show(again)}; node tcp ${show(nt)}; node netpol-drop +${dropped}; ECS saw no SYN`);
      break;
    }
    case 'port-closed': {
      expect(pt.status === 'refused', `pod tcp ${show(pt)}, expected refused (RST)`);
      expect(nt.status === 'refused', `node tcp ${show(nt)}, expected refused (RST)`);
      expect(after.drop === 0, `sg-drop rose by ${after.drop}`);
      ev.push(`pod tcp ${show(pt)}; node tcp ${show(nt)}; sg-drop +0`);
      break;
    }
    default:
      problems.push(`no check for cause ${s.expectedCause}`);
  }
  return { ok: problems.length === 0, evidence: ev.join('; '), problems };
}
