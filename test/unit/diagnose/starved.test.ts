import { describe, expect, it } from 'vitest';
import { diagnose } from '../../../src/diagnose/engine.ts';
import { dnsSaid } from '../../../src/diagnose/signals.ts';
import { podSide } from '../../../src/diagnose/vantage.ts';
import type { DnsResult } from '../../../src/probe/types.ts';
import { ctx, ECS, evidence, SILENT } from './fixtures.ts';

const NAME = { input: 'ecs.lab.internal:80', host: 'ecs.lab.internal', port: 80 };

/** The silent-TCP evidence, with podreach stalled during the wait. */
function starvedTcp(stalledMs: number, observedMs: number) {
  const ev = evidence(ECS, ctx('tunnel'), SILENT, SILENT);
  const pod = podSide(ev);
  pod.tcp = { ...pod.tcp!, ms: stalledMs + observedMs, stalledMs, observedMs };
  return ev;
}

function dnsEvidence(d: Partial<DnsResult>) {
  const ev = evidence(NAME, ctx('tunnel'), { dns: 'error', icmp: 'skipped' });
  const pod = podSide(ev);
  pod.dns = { ...pod.dns!, ...d };
  return ev;
}

describe('a timeout taken while podreach itself was starved', () => {
  const calm = diagnose(evidence(ECS, ctx('tunnel'), SILENT, SILENT));

  it('the wait was stretched over the stall (observed ≥ both attempts): same verdict, and the stall is stated', () => {
    const d = diagnose(starvedTcp(1500, 2 * 450));
    expect(d.cause).toBe(calm.cause);
    expect(d.confidence).toBe(calm.confidence);
    expect(d.evidence.join('\n')).toMatch(/podreach itself was starved for 1500 ms during this wait; the wait was stretched/);
  });

  it('it could not watch its whole wait: the silence-based cause is halved and the verdict says podreach was starved', () => {
    const d = diagnose(starvedTcp(4000, 300));
    expect(d.cause).toBe('unknown');
    expect(d.summary).toMatch(/podreach itself was starved for 4000 ms/);
    expect(d.evidence.join('\n')).toMatch(/may be its own slowness/);
    const sg = d.alternatives.find((a) => a.cause === calm.cause);
    expect(sg?.confidence).toBeCloseTo(calm.confidence / 2, 2);
  });

  it('DNS timeout while starved longer than it watched: dns confidence drops and the summary says why', () => {
    const calmDns = diagnose(dnsEvidence({ status: 'timeout', errno: 'ECANCELLED' }));
    expect(calmDns).toMatchObject({ cause: 'dns', confidence: 0.85 });
    const d = diagnose(dnsEvidence({ status: 'timeout', errno: 'ECANCELLED', ms: 3200, stalledMs: 2500, observedMs: 700 }));
    expect(d.confidence).toBeLessThan(0.5);
    expect(d.summary).toMatch(/podreach itself was starved for 2500 ms/);
  });
});

describe('DNS wording: what happened, not "answered ERROR"', () => {
  it('ECONNREFUSED (no server on :53) → no DNS server reachable, connection refused', () => {
    const d = diagnose(dnsEvidence({ status: 'error', errno: 'ECONNREFUSED' }));
    expect(d.cause).toBe('dns');
    expect(d.summary).not.toMatch(/answered ERROR/i);
    expect(d.summary).toMatch(/no DNS server reachable.*refused the connection/);
    expect(d.evidence[0]).toMatch(/connection refused/);
  });

  it.each([
    ['nxdomain', undefined, /NXDOMAIN/],
    ['no-data', undefined, /no A\/AAAA record/],
    ['servfail', 'ESERVFAIL', /answered SERVFAIL/],
    ['refused', 'EREFUSED', /answered REFUSED/],
    ['timeout', 'ETIMEOUT', /no answer \(timeout\)/],
    ['error', 'EBADRESP', /malformed reply/],
    ['error', 'EWEIRD', /the lookup failed \(EWEIRD\)/],
  ] as const)('%s %s → %s', (status, errno, words) => {
    const d: DnsResult = { status, name: 'x.test', addresses: [], ms: 1, servers: [], ...(errno ? { errno } : {}) };
    expect(dnsSaid(d)).toMatch(words);
    expect(diagnose(dnsEvidence(d)).summary).not.toMatch(/ERROR/);
  });
});

describe('a short stall the wait was stretched over', () => {
  it('is ordinary jitter: not stated (a long one is, above)', () => {
    const d = diagnose(starvedTcp(120, 2 * 450));
    expect(d.evidence.join('\n')).not.toMatch(/starved/);
  });
});
