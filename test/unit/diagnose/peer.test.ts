// The peer vantage: what `podreach peer` read on the target host settles the silent causes the wire ranks.
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../../src/diagnose/engine.ts';
import { AMBIGUOUS_GAP } from '../../../src/diagnose/engine.ts';
import type { PeerSource } from '../../../src/probe/peer/types.ts';
import { arrived, ctx, ECS, evidence, OPEN, PEER, peerReport, SILENT, target, withPeer } from './fixtures.ts';

const BRIDGE: Partial<PeerSource> = {
  route: { kind: 'connected', dev: 'br-3f9a1c2e7d40', defaultDev: false, bridge: true, docker: true, line: '192.168.30.10 dev br-3f9a1c2e7d40 src 192.168.16.1' },
  covering: [{ dev: 'br-3f9a1c2e7d40', cidr: '192.168.16.0/20', via: 'address', bridge: true, docker: true, state: 'no-carrier' }],
  arrived: arrived(true),
};
const DROP: PeerSource['firewall'] = { verdict: 'drop', tool: 'iptables-save', chain: 'INPUT', rule: '-A INPUT -s 192.168.30.0/24 -p tcp -m tcp --dport 80 -j DROP' };

const settled = (d: ReturnType<typeof diagnose>) => {
  expect(d.confidence).toBeGreaterThanOrEqual(0.8);
  expect(d.ambiguous).toBe(false);
  expect(d.confidence - (d.alternatives[0]?.confidence ?? 0)).toBeGreaterThanOrEqual(AMBIGUOUS_GAP);
};

describe('the ENI pod in a Docker /20 pool: ambiguous from the wire, settled on the peer', () => {
  const wire = () => evidence(ECS, ctx('eni'), SILENT, OPEN);
  it('from the wire: security group first, the Docker bridge ranked, and the settle line is the podreach peer command', () => {
    const d = diagnose(wire());
    expect(d.cause).toBe('security-group');
    expect(d.alternatives.map((a) => a.cause)).toContain('docker-bridge-conflict');
    expect(d.settle).toContain('podreach peer --source 192.168.30.10 --port 80 --listen 30 -o json > peer.json');
    expect(d.settle).toContain('ip route get 192.168.30.10');
  });
  it('replies routed into br-…: docker-bridge-conflict, with the network named in the fix', () => {
    const d = diagnose(withPeer(wire(), peerReport('192.168.30.10', BRIDGE)));
    expect(d.cause).toBe('docker-bridge-conflict');
    settled(d);
    expect(d.summary).toContain('br-3f9a1c2e7d40 (192.168.16.0/20)');
    expect(d.fix.join(' ')).toContain('docker network rm');
  });
  it('nothing arrived, firewall readable: the security group', () => {
    const d = diagnose(withPeer(wire(), peerReport('192.168.30.10', { arrived: arrived(false) })));
    expect(d.cause).toBe('security-group');
    settled(d);
  });
  it('nothing arrived, firewall not readable: the security group, less sure, the host firewall ranked', () => {
    const d = diagnose(withPeer(wire(), peerReport('192.168.30.10', { arrived: arrived(false), firewall: { verdict: 'not-readable', tool: 'iptables-save', why: 'not root' } })));
    expect(d.cause).toBe('security-group');
    expect(d.confidence).toBeLessThan(0.8);
    expect(d.alternatives.map((a) => a.cause)).toContain('host-firewall');
  });
  it('the host firewall drops it: host-firewall, the rule in the summary and the fix', () => {
    const d = diagnose(withPeer(wire(), peerReport('192.168.30.10', { firewall: DROP, arrived: arrived(false) })));
    expect(d.cause).toBe('host-firewall');
    settled(d);
    expect(d.summary).toContain(DROP.rule);
    expect(d.fix.join(' ')).toContain('iptables -I INPUT -s 192.168.30.0/24 -p tcp --dport 80 -j ACCEPT');
  });
  it('a report that names neither the pod nor the node is not used, and said so', () => {
    const d = diagnose(withPeer(wire(), peerReport('10.9.9.9', BRIDGE)));
    expect(d.cause).toBe('security-group');
    expect(d.evidence.join('\n')).toContain('the peer report names neither 192.168.30.10 nor 192.168.10.11: not used');
  });
});

describe('return path and REJECT', () => {
  it('arrived, ordinary route out, silent at the pod: the way back (peer VPC route)', () => {
    const d = diagnose(withPeer(evidence(PEER, ctx('vpc'), SILENT, OPEN), peerReport('172.16.1.10', { arrived: arrived(true) }, '10.1.0.20')));
    expect(d.cause).toBe('route');
    settled(d);
    expect(d.fix.join(' ')).toContain('172.16.0.0/16 to the route table of the peer VPC');
  });
  it('the host has no route back at all', () => {
    const d = diagnose(withPeer(evidence(ECS, ctx('vpc'), SILENT, OPEN), peerReport('172.16.1.10', { route: { kind: 'unreachable', defaultDev: false, bridge: false, docker: false, line: 'RTNETLINK answers: Network is unreachable' } })));
    expect(d.cause).toBe('route');
    settled(d);
  });
  it('a REJECT by the host firewall answers with a refusal: host-firewall, not port-closed', () => {
    const refused = { tcp: 'refused' as const, icmp: 'reply' as const };
    const fw: PeerSource['firewall'] = { verdict: 'reject', tool: 'iptables-save', chain: 'INPUT', rule: '-A INPUT -p tcp -m tcp --dport 80 -j REJECT --reject-with tcp-reset' };
    expect(diagnose(evidence(target('192.168.10.52', 80), ctx('vpc'), refused)).cause).toBe('port-closed');
    const d = diagnose(withPeer(evidence(target('192.168.10.52', 80), ctx('vpc'), refused), peerReport('172.16.1.10', { firewall: fw })));
    expect(d.cause).toBe('host-firewall');
    settled(d);
  });
});
