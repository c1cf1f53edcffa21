// IPv6 and dual-stack in the VPC lab (test/lab/ipv6.ts): each scenario is first proved by the kernel's own
// counters (checks6.ts), then podreach inside the pod namespace must name the cause, the source the peer sees
// in the target's family, and the IPv6 prefix in the fix — with a node report and without.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PodreachReport } from '../../src/render/report.ts';
import { checkScenario6 } from '../lab/checks6.ts';
import { flags6, type Lab6, named, podAddr6, SCENARIOS6, type Scenario6, targetIp, V4, V6, withLab6 } from '../lab/ipv6.ts';
import { NODE, withLab } from '../lab/lab.ts';
import { BUNDLE } from './podreach.ts';
import { schemaErrors } from './schema.ts';

const targetArg = (s: Scenario6) => `${s.target.host.includes(':') ? `[${s.target.host}]` : s.target.host}:${s.target.port}`;

async function diagnose(lab: Lab6, extra: string[] = []): Promise<PodreachReport> {
  const r = await lab.exec('pod', [NODE, BUNDLE, 'diagnose', targetArg(lab.scenario), ...flags6(lab.scenario), ...extra, '-o', 'json'], { timeoutMs: 10_000 });
  try {
    return JSON.parse(r.stdout);
  } catch {
    throw new Error(`diagnose printed no JSON (exit ${r.code}): ${r.stderr || r.stdout}`);
  }
}

async function nodeReport(lab: Lab6): Promise<{ file: string; cleanup: () => void }> {
  const r = await lab.exec('node', [NODE, BUNDLE, 'probe', targetArg(lab.scenario), '-o', 'json'], { timeoutMs: 10_000 });
  if (!r.stdout.trim().startsWith('{')) throw new Error(`node probe printed no JSON (exit ${r.code}): ${r.stderr}`);
  const dir = mkdtempSync(join(tmpdir(), 'podreach-node6-'));
  writeFileSync(join(dir, 'node.json'), r.stdout);
  return { file: join(dir, 'node.json'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function checkVerdict(s: Scenario6, report: PodreachReport, withNode: boolean): void {
  const d = report.diagnosis;
  const fix = d.fix.join('\n');
  const p = report.probes.pod;
  const label = `${s.id}${withNode ? ' +node' : ''}: ${d.cause} ${d.confidence} — ${d.summary} (pod icmp ${JSON.stringify(p.icmp)}, pmtu ${JSON.stringify(p.pmtu)})`;
  if (s.podStack === 'ipv4') return checkV4Pod(s, report, label);
  const v6 = targetIp(s).includes(':');
  if (named(s)) checkNamed(s, report, label);
  // No SNAT in either family in the VPC and ENI models: the peer sees the pod's address of the target's family (the
  // lab's SG counted it); the tunnel model masquerades to the node's IPv6 address (the node's MASQUERADE counted it).
  const tunnel = s.model === 'tunnel';
  expect(d.sourceSeen, label).toMatchObject(tunnel ? { kind: 'node', ip: V6.node } : { kind: 'pod', ip: v6 ? podAddr6(s) : V4.pod });
  if (s.stack === 'dual') expect(report.context.podIp?.value, label).toBe(V4.pod);
  expect(report.context.ipFamilies?.value, label).toEqual(s.stack === 'dual' ? ['IPv4', 'IPv6'] : ['IPv6']);
  expect(d.cause, label).toBe(s.expectedCause);
  // The probes ran in the target's family: ICMPv6 echo, TCP over IPv6, the full-size echo with a 40-byte header.
  const pod = report.probes.pod;
  if (s.expectedCause === 'reachable') {
    expect(pod.tcp?.status, label).toBe('open');
    // The Redis host answers nobody's ping, as managed services often do.
    if (s.target.port !== 6379) {
      expect(pod.icmp.status, label).toBe('reply');
      expect(pod.pmtu, label).toMatchObject({ mtu: 1500, status: 'fits' });
    }
    return;
  }
  if (s.expectedCause === 'mtu') expect(pod.pmtu, label).toMatchObject({ mtu: 1500, status: 'dropped', pathMtu: s.build.nodeUplinkMtu });
  expect(fix, label).toContain(s.inFix);
  if (v6) {
    expect(fix, `${label}: an IPv4 prefix length on an IPv6 source`).not.toMatch(/:[0-9a-f]*\/32\b/);
    if (tunnel) expect(fix, `${label}: a masqueraded pod's overlay prefix is not what the SG sees`).not.toContain(V6.tunnelCidr);
    else expect(fix, `${label}: the node is not what an unSNATed IPv6 pod shows`).not.toContain(V6.node);
  }
  if (s.stack === 'dual') expect(fix, `${label}: the IPv4 container CIDR is not this family's`).not.toContain(V4.containerCidr);
}

/**
 * A dual-stack name: podreach tries the family glibc tries first in the pod (the selftest read it from `getent
 * ahosts`), says so, asks the other family once the first failed, and names the broken family in the fix.
 */
function checkNamed(s: Scenario6, report: PodreachReport, label: string): void {
  const { dns, otherFamily, tcp } = report.probes.pod;
  expect(dns, label).toMatchObject({ status: 'ok', a: [V4.ecs], aaaa: [V6.ecs], first: { family: 'IPv6' } });
  expect(dns?.addresses[0], label).toBe(targetIp(s));
  expect(report.probes.pod.target.ip, label).toBe(targetIp(s));
  expect(tcp?.status, label).toBe('timeout');
  expect(otherFamily, label).toMatchObject({ family: 'IPv4', ip: V4.ecs, tcp: { status: 'open' } });
  expect(report.diagnosis.evidence.join('\n'), label).toContain('over IPv6 it fails (timeout), over IPv4 it would have worked');
  expect(report.diagnosis.fix.join('\n'), label).toContain(`Only the IPv6 path is broken: over IPv4 ${V4.ecs}:80 connects`);
}

/** An IPv4-only pod and an AAAA-only name: the name resolves, only to the family the pod lacks, and no packet left. */
function checkV4Pod(s: Scenario6, report: PodreachReport, label: string): void {
  const d = report.diagnosis;
  expect(report.probes.pod.dns, label).toMatchObject({ status: 'ok', a: [], aaaa: [V6.ecs], first: { family: 'IPv6' } });
  expect(report.probes.pod.otherFamily, label).toBeUndefined();
  expect(d.cause, label).toBe(s.expectedCause);
  expect(d.summary, label).toBe(`this pod has no IPv6 address or route, and ${s.target.host} resolves only to IPv6 (AAAA ${V6.ecs})`);
  expect(d.fix.join('\n'), label).toContain(`Give ${s.target.host} ${s.inFix}`);
}

describe('podreach in the IPv6 and dual-stack VPC lab', () => {
  for (const s of SCENARIOS6) {
    it(`${s.id} → ${s.expectedCause}`, async () => {
      await withLab6(s, async (lab) => {
        const proof = await checkScenario6(lab);
        expect(proof.problems, `${s.id}: ${proof.evidence}`).toEqual([]);
        const node = await nodeReport(lab);
        try {
          const [alone, paired] = await Promise.all([diagnose(lab), diagnose(lab, ['--node-report', node.file])]);
          expect(schemaErrors(paired)).toEqual([]);
          expect(schemaErrors(alone)).toEqual([]);
          checkVerdict(s, paired, true);
          checkVerdict(s, alone, false);
          if (s.stack === 'dual' && s.podStack !== 'ipv4') {
            // The text names the pod and node addresses of the target's family, not the primary ones.
            const text = await lab.exec('pod', ['env', 'TERM=dumb', NODE, BUNDLE, 'diagnose', targetArg(s), ...flags6(s), '--node-report', node.file, '-o', 'text'], { timeoutMs: 10_000 });
            const f = targetIp(s).includes(':') ? V6 : V4;
            const shownTarget = named(s) ? `${targetArg(s)} (${targetIp(s)})` : targetArg(s);
            expect(text.stdout.split('\n')[0]).toBe(`podreach: ${shownTarget} from pod ${f.pod} on node ${f.node}`);
          }
          if (s.podStack === 'ipv4') {
            // The pod's own address, and that it lacks the target's family; no source is offered for the peer.
            const text = await lab.exec('pod', ['env', 'TERM=dumb', NODE, BUNDLE, 'diagnose', targetArg(s), ...flags6(s), '-o', 'text'], { timeoutMs: 10_000 });
            expect(text.stdout.split('\n')[0]).toContain(`from pod ${V4.pod} (no IPv6 address)`);
            expect(alone.diagnosis.sourceSeen).toMatchObject({ kind: 'unknown' });
          }
          console.log(`PASS ${s.id.padEnd(28)} ${proof.evidence} | ${paired.diagnosis.cause} ${paired.diagnosis.confidence.toFixed(2)}, alone ${alone.diagnosis.cause} ${alone.diagnosis.confidence.toFixed(2)} | fix: ${paired.diagnosis.fix[0]}`);
        } finally {
          node.cleanup();
        }
      });
    });
  }
});

describe('a target only in the family the pod lacks, with real packets (or none)', () => {
  it('an IPv4-only pod (IPv6 off, the VPC lab) and an IPv6 target: no IPv6 address or route', async () => {
    await withLab('vpc-ok', async (lab) => {
      const r = await lab.exec('pod', [NODE, BUNDLE, 'diagnose', `[${V6.ecs}]:80`, ...lab.scenario.flags, '-o', 'json'], { timeoutMs: 10_000 });
      const d = (JSON.parse(r.stdout) as PodreachReport).diagnosis;
      expect(d.cause, d.summary).toBe('route');
      expect(d.summary).toBe(`this pod has no IPv6 address or route, and ${V6.ecs} is an IPv6 address`);
    });
  });
  it('an IPv6-only pod and an IPv4 target: no IPv4 address or route', async () => {
    await withLab6('v6-vpc-ok', async (lab) => {
      const r = await lab.exec('pod', [NODE, BUNDLE, 'diagnose', `${V4.ecs}:80`, ...flags6(lab.scenario), '-o', 'json'], { timeoutMs: 10_000 });
      const d = (JSON.parse(r.stdout) as PodreachReport).diagnosis;
      expect(d.cause, d.summary).toBe('route');
      expect(d.summary).toBe(`this pod has no IPv4 address or route, and ${V4.ecs} is an IPv4 address`);
    });
  });
});

describe('`podreach peer` for an IPv6 source reads ip6tables', () => {
  it('on the Redis host: the pod is dropped by the IPv6 whitelist, the node accepted, and the drop counts the pod\'s SYNs', async () => {
    await withLab6('v6-vpc-whitelist', async (lab) => {
      const peer = lab.exec('redis', [NODE, BUNDLE, 'peer', '--source', `${V6.pod},${V6.node}`, '--port', '6379', '--listen', '3', '-o', 'json'], { timeoutMs: 15_000 });
      await new Promise((r) => setTimeout(r, 500));
      await diagnose(lab);
      const r = await peer;
      const rep = JSON.parse(r.stdout) as { sources: { ip: string; firewall: { tool: string; verdict: string; rule?: string }; arrived: { methods: { method: string; seen?: number }[] } }[] };
      const [pod, node] = rep.sources;
      expect(pod?.firewall).toMatchObject({ tool: 'ip6tables-save', verdict: 'drop', rule: expect.stringContaining('whitelist-drop') });
      expect(node?.firewall).toMatchObject({ tool: 'ip6tables-save', verdict: 'accept' });
      const counted = pod?.arrived.methods.find((m) => m.method === 'firewall-counters');
      expect(counted?.seen, JSON.stringify(pod?.arrived)).toBeGreaterThan(0);
    });
  });
});
