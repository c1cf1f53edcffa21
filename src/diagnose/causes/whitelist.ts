import { allowText, baseEvidence, isSilent, what } from '../explain.ts';
import { doubt, protocolName, type Signals, signals } from '../signals.ts';
import type { Evidence, Finding } from '../types.ts';
import { nodeSide, podSide } from '../vantage.ts';
import { defineCause } from './define.ts';

/**
 * A service filters clients by address: a managed service's IP whitelist (DCS Redis, RDS, ...) drops
 * them silently; a database's own host rules (MySQL accounts, pg_hba.conf) answer and refuse.
 */
export const whitelist = defineCause({
  id: 'whitelist',
  title: 'Service whitelist lacks the source',
  needs: ['pod.tcp', 'pod.app', 'node', 'target.port', 'context.networkModel', 'context.containerCidr'],
  evaluate(ev) {
    const s = signals(ev);
    if (s.pod.outcome === 'denied') return refused(ev, s);
    if (!isSilent(s) || !s.port || ['service', 'loopback', 'public', 'container'].includes(ev.cidr.targetZone)) return null;
    // The target host showed where the packets go: a service's whitelist only drops what arrived.
    if (s.peer && ['host-firewall', 'reply-into-bridge', 'not-arrived', 'no-route'].includes(s.peer.reading)) return null;
    if (s.differential === 'same' || s.differential === 'node-only-fails') return null;
    if (s.differential === 'pod-only-fails' && s.model === 'tunnel') return null;
    const target = ev.target.ip ?? ev.target.host;
    const service = s.managedService ?? 'service';
    let confidence = s.managedService ? (s.differential === 'no-node-report' ? 0.55 : 0.72) : 0.15;
    if (s.differential === 'both-fail' && s.seen.kind !== 'node') confidence -= 0.15;
    if (s.seen.kind === 'pod' && ev.cidr.targetZone === 'peer' && s.model === 'vpc') confidence -= 0.25;
    const allow = allowText(s, ev);
    const evidence = baseEvidence(ev, s);
    if (s.managedService) evidence.push(`port ${s.port} is ${s.managedService}: managed services (DCS Redis, RDS, ...) filter clients with their own whitelist, which usually lists the VPC's node subnets but not the container CIDR`);
    if (!s.pod.icmpAlive && s.node?.outcome === 'ok' && nodeSide(ev)?.icmp.status !== 'reply') {
      evidence.push(`${target} answers nobody's ping, as managed services often do: ICMP says nothing here`);
    }
    return {
      confidence: confidence * doubt(s),
      summary: `the whitelist of the ${service} at ${s.targetLabel} does not include ${s.seen.kind === 'node' ? `the node ${s.seen.ip ?? ''}`.trim() : (s.seen.allow ?? 'this pod\'s source')}`,
      evidence,
      fix: [
        `Add ${allow} to the IP whitelist of the ${service} instance at ${s.targetLabel} (${what(s)}); the guide recommends whitelisting both the container CIDR and the node subnet`,
      ],
      settle: `Compare the instance's whitelist with ${s.seen.allow ?? 'the source'}: if it is listed, check the security group of ${target} instead`,
    };
  },
});

/** MySQL's host part for a CIDR: 172.16.% for a /16, the address for a /32, else address/netmask. */
export function mysqlHost(cidr: string): string {
  const [ip = '', bits = '32'] = cidr.split('/');
  const n = Number(bits);
  const o = ip.split('.');
  if (n === 32) return ip;
  if (n % 8 === 0 && n > 0) return `${o.slice(0, n / 8).join('.')}.%`;
  const mask = [0, 1, 2, 3].map((i) => (n >= 8 * (i + 1) ? 255 : n <= 8 * i ? 0 : 256 - 2 ** (8 - (n - 8 * i)))).join('.');
  return `${ip}/${mask}`;
}

/** The service answered and refused this client by its address: its own rules, not the network. */
function refused(ev: Evidence, s: Signals): Finding {
  const app = podSide(ev).app!;
  const name = protocolName(app.protocol);
  const target = s.targetLabel;
  const cidr = s.seen.allow;
  const allow = allowText(s, ev);
  const client = s.seen.ip ? `${s.seen.ip} (${s.seen.kind === 'unknown' ? 'as it sees this pod' : `${s.seen.kind} IP`})` : 'this client';
  let fix: string;
  if (app.protocol === 'mysql') {
    const host = cidr ? mysqlHost(cidr) : '<client host>';
    fix = `Let ${allow} in at the MySQL server ${target}: create or grant the application's account for host '${host}' (CREATE USER 'app'@'${host}' ...; GRANT ... TO 'app'@'${host}'), or add ${cidr ?? 'the source'} to the RDS instance's whitelist${/error 1129/.test(app.reply ?? '') ? '; the host is also blocked after connection errors: FLUSH HOSTS (or mysqladmin flush-hosts)' : ''}`;
  } else if (app.protocol === 'postgres') {
    fix = `Let ${allow} in at the PostgreSQL server ${target}: add to pg_hba.conf "host <database> <user> ${cidr ?? '<client CIDR>'} scram-sha-256" and reload (SELECT pg_reload_conf()), or add it to the RDS instance's whitelist`;
  } else {
    fix = `${name} at ${target} refuses clients from other hosts (${app.reply ?? 'denied'}): set a password on the server (requirepass), or turn protected mode off with bind limited to the networks you trust`;
  }
  return {
    confidence: 0.92,
    summary: `${name} at ${target} answers but refuses ${client}: its own access rules do not include ${s.seen.kind === 'node' ? 'the node' : (cidr ?? 'this source')}`,
    evidence: [...baseEvidence(ev, s), `${name} answered, so the network path, security groups and routes are fine: the refusal is the server's own rule about client addresses`],
    fix: [fix],
  };
}
