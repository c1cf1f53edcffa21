import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CAUSE_IDS, CAUSE_TITLES, CAUSES, judge } from '../../src/diagnose/index.ts';
import { schemaErrors } from '../integration/schema.ts';
import { buildReport } from '../../src/render/report.ts';
import { nodeSide, podSide } from '../../src/diagnose/vantage.ts';
import { ctx, ECS, evidence, OPEN, SILENT } from './diagnose/fixtures.ts';

describe('the JSON report contract', () => {
  const ev = evidence(ECS, ctx('vpc'), SILENT, OPEN);
  const judged = judge(ev);
  const report = buildReport({
    version: '0.0.0',
    target: ECS,
    context: { facts: ev.context, missing: [], notes: [] },
    cidr: judged.cidr,
    pod: podSide(ev),
    node: nodeSide(ev),
    diagnosis: judged.diagnosis,
    timings: { probeMs: 1, diagnoseMs: 1, totalMs: 2 },
  });

  // The schema is the published contract, so it stays an explicit file rather than generated from the cause
  // modules: adding a cause without adding it to $defs/cause fails here.
  it('the schema lists exactly the cause ids the diagnosis can return', () => {
    const schema = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'schema', 'report.schema.json'), 'utf8'));
    expect([...schema.$defs.cause.enum].sort()).toEqual([...CAUSE_IDS].sort());
  });

  it('each cause module has its own id and a title', () => {
    expect(new Set(CAUSE_IDS).size).toBe(CAUSES.length);
    for (const c of CAUSES) expect(CAUSE_TITLES[c.id], c.id).toMatch(/^[A-Z]/);
    expect(new Set(Object.values(CAUSE_TITLES)).size).toBe(CAUSES.length);
  });

  it('a built report validates', () => {
    expect(schemaErrors(report)).toEqual([]);
  });

  it('the diagnosis carries the facts the renderers show (additive, optional in the schema)', () => {
    expect(report.diagnosis).toMatchObject({ cause: 'security-group', title: CAUSE_TITLES['security-group'], comparison: 'pod-only-fails' });
    expect(report.diagnosis.sourceSeen).toMatchObject({ kind: 'pod', ip: '172.16.1.10', allow: '172.16.0.0/16' });
    const { title: _t, ambiguous: _a, sourceSeen: _s, comparison: _c, ...older } = report.diagnosis;
    expect(schemaErrors({ ...report, diagnosis: older })).toEqual([]);
  });

  it('the schema rejects what breaks the contract', () => {
    expect(schemaErrors({ ...report, schemaVersion: 2 })).not.toEqual([]);
    expect(schemaErrors({ ...report, diagnosis: { ...report.diagnosis, cause: 'firewall' } })).not.toEqual([]);
    expect(schemaErrors({ ...report, diagnosis: { ...report.diagnosis, confidence: 1.5 } })).not.toEqual([]);
    expect(schemaErrors({ ...report, diagnosis: { ...report.diagnosis, comparison: 'pod-fails' } })).not.toEqual([]);
    expect(schemaErrors({ ...report, diagnosis: { ...report.diagnosis, sourceSeen: { kind: 'gateway', allowWhat: '', confidence: 1, why: '' } } })).not.toEqual([]);
    expect(schemaErrors({ ...report, context: { podIp: { value: '1.2.3.4', source: 'magic', confidence: 1 } } })).not.toEqual([]);
    const { diagnosis: _, ...noDiagnosis } = report;
    expect(schemaErrors(noDiagnosis)).not.toEqual([]);
  });

  it('each probe report names its vantage point in from.vantage (additive, optional), and it is checked', () => {
    expect(report.probes.pod.from.vantage).toBe('pod');
    expect(report.probes.node?.from.vantage).toBe('node');
    const at = (vantage: unknown) => ({ ...report, probes: { ...report.probes, node: { ...report.probes.node!, from: { ...report.probes.node!.from, vantage } } } });
    expect(schemaErrors(at('node:192.168.10.11'))).toEqual([]);
    const { vantage: _v, ...older } = report.probes.pod.from;
    expect(schemaErrors({ ...report, probes: { ...report.probes, pod: { ...report.probes.pod, from: older } } })).toEqual([]);
    for (const bad of ['elsewhere', 'node:', 7]) expect(schemaErrors(at(bad)), String(bad)).not.toEqual([]);
  });

  it('the stall fields of a starved probe validate (additive, optional), and are checked', () => {
    const pod = report.probes.pod;
    const starved = {
      ...report,
      probes: {
        ...report.probes,
        pod: {
          ...pod,
          stalledMs: 1500,
          tcp: { ...pod.tcp!, stalledMs: 1500, observedMs: 900 },
          dns: { status: 'timeout', name: 'x.test', addresses: [], ms: 2500, servers: [], errno: 'ETIMEOUT', attempts: 2, stalledMs: 1500, observedMs: 1000 },
        },
      },
    };
    expect(schemaErrors(starved)).toEqual([]);
    expect(schemaErrors({ ...starved, probes: { ...starved.probes, pod: { ...starved.probes.pod, stalledMs: -1 } } })).not.toEqual([]);
  });
});
