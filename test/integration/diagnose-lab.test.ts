// For every lab scenario: podreach inside the pod namespace names the scenario's cause, with real packets.
import { describe, expect, it } from 'vitest';
import { withLab } from '../lab/lab.ts';
import { DOCKER_CIDR, NODE_IP, SCENARIOS, type Scenario } from '../lab/scenarios.ts';
import { diagnoseJson, nodeReport } from './podreach.ts';
import { schemaErrors } from './schema.ts';

/** The CIDR (or word) the fix must name for each cause, per model — the guide's "what to allow". */
function expectedInFix(s: Scenario): string | undefined {
  const pod = s.model === 'eni' ? '192.168.30.0/24' : s.build.containerCidr;
  switch (s.expectedCause) {
    case 'security-group':
    case 'whitelist':
      return s.model === 'tunnel' ? NODE_IP : pod;
    case 'route':
      return s.build.peering ? pod : s.target.host;
    case 'docker-bridge-conflict':
      // docker0's range is named in the fix; a /20 pool network is only ranked (indistinguishableFrom).
      return s.build.containerCidr === DOCKER_CIDR ? DOCKER_CIDR : undefined;
    case 'port-closed':
      return String(s.target.port);
    case 'mtu':
      return `MTU to ${s.build.nodeUplinkMtu} or less`;
    default:
      return undefined;
  }
}

/** The CIDR that would blame the wrong side of the SNAT. */
function wrongSide(s: Scenario): string | undefined {
  if (s.expectedCause !== 'security-group' && s.expectedCause !== 'whitelist') return undefined;
  return s.model === 'tunnel' ? s.build.containerCidr : undefined;
}

function checkVerdict(s: Scenario, report: Awaited<ReturnType<typeof diagnoseJson>>['report'], withNode: boolean) {
  // These runs pass flags and no API: a cause only the API can name (a NetworkPolicy) is not expected here.
  const expected = s.withoutApi ?? s.expectedCause;
  const d = report.diagnosis;
  const fix = d.fix.join('\n');
  const label = `${s.id}${withNode ? ' +node' : ''}: ${d.cause} ${d.confidence} — ${d.summary}`;
  // The source the engine says the peer sees is the lab's truth (its peers count it, test/lab/checks.ts):
  // the node IP under tunnel SNAT, the pod IP otherwise.
  expect(d.sourceSeen.kind, label).toBe(s.model === 'tunnel' ? 'node' : 'pod');
  expect(d.sourceSeen.ip, label).toBe(report.context[s.model === 'tunnel' ? 'nodeIp' : 'podIp']?.value);
  expect(d.comparison, label).toEqual(withNode ? expect.stringMatching(/^(same|pod-only-fails|node-only-fails|both-fail)$/) : 'no-node-report');
  if (expected === 'reachable') {
    expect(d.cause, label).toBe('reachable');
    return;
  }
  expect(d.reachable, label).toBe(false);
  expect(d.cause, label).not.toBe('reachable');
  const ambiguous = s.indistinguishableFrom;
  if (withNode || !s.needsNodeReport) {
    if (ambiguous && d.cause === ambiguous) {
      // The wire cannot separate them: both must be ranked, and the settling command given.
      expect(d.alternatives.map((a) => a.cause), label).toContain(expected);
      expect(d.settle, label).toBeTruthy();
    } else {
      expect(d.cause, label).toBe(expected);
      const want = s.withoutApi ? undefined : expectedInFix(s);
      if (want) expect(fix, label).toContain(want);
    }
  } else {
    // Without the node report: less certain, but the right cause is at least ranked.
    expect([d.cause, ...d.alternatives.map((a) => a.cause)], label).toContain(ambiguous && d.cause === ambiguous ? ambiguous : expected);
  }
  const wrong = wrongSide(s);
  if (wrong) expect(fix, `${label}: must not blame the container CIDR under tunnel SNAT`).not.toContain(wrong);
}

describe.each(['tunnel', 'vpc', 'eni'] as const)('podreach diagnose in the lab, %s model', (model) => {
  for (const s of SCENARIOS.filter((x) => x.model === model)) {
    it(`${s.id} → ${s.withoutApi ?? s.expectedCause}${s.withoutApi ? ` (${s.expectedCause} with the API)` : ''}`, async () => {
      await withLab(s, async (lab) => {
        // ICMP errors are rate-limited per destination (burst 6, then 1/s), and under tunnel SNAT pod and
        // node share one budget: where the verdict rests on ICMP errors, runs are spaced to let it refill.
        const icmpBound = !s.build.peering;
        const pause = () => (icmpBound ? new Promise((r) => setTimeout(r, 3000)) : Promise.resolve());
        const alonePromise = icmpBound ? diagnoseJson(lab) : undefined;
        if (alonePromise) await alonePromise.then(pause);
        const node = await nodeReport(lab);
        try {
          await pause();
          const [alone, paired] = await Promise.all([alonePromise ?? diagnoseJson(lab), diagnoseJson(lab, ['--node-report', node.file])]);
          expect(schemaErrors(paired.report), 'report matches schema/report.schema.json').toEqual([]);
          expect(schemaErrors(alone.report)).toEqual([]);
          checkVerdict(s, paired.report, true);
          checkVerdict(s, alone.report, false);
          expect(paired.code).toBe(s.expectedCause === 'reachable' ? 0 : 1);
          expect(paired.report.probes.node).not.toBeNull();
          console.log(
            `${s.id.padEnd(26)} ${paired.report.diagnosis.cause.padEnd(22)} ${paired.report.diagnosis.confidence.toFixed(2)}` +
              ` | no node report: ${alone.report.diagnosis.cause} ${alone.report.diagnosis.confidence.toFixed(2)} | ${Math.round(paired.ms)} ms`,
          );
        } finally {
          node.cleanup();
        }
      });
    });
  }
});
