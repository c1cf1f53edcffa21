import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CAUSES } from '../../src/diagnose/causes/index.ts';
import { CAUSE_IDS } from '../../src/diagnose/types.ts';
import { schemaErrors } from '../integration/schema.ts';
import { cidrFacts } from '../../src/diagnose/cidr.ts';
import { diagnose } from '../../src/diagnose/engine.ts';
import { buildReport } from '../../src/render/report.ts';
import { ctx, ECS, evidence, OPEN, SILENT } from './diagnose/fixtures.ts';

describe('the JSON report contract', () => {
  const ev = evidence(ECS, ctx('vpc'), SILENT, OPEN);
  const report = buildReport({
    version: '0.0.0',
    target: ECS,
    context: { facts: ev.context, missing: [], notes: [] },
    cidr: cidrFacts(ECS.ip, ev.context),
    pod: ev.pod,
    node: ev.node,
    diagnosis: diagnose(ev),
    timings: { probeMs: 1, diagnoseMs: 1, totalMs: 2 },
  });

  it('the schema lists exactly the cause ids the diagnosis can return', () => {
    const schema = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'schema', 'report.schema.json'), 'utf8'));
    expect([...schema.$defs.cause.enum].sort()).toEqual([...CAUSE_IDS].sort());
    expect(CAUSES.map((c) => c.id).sort()).toEqual([...CAUSE_IDS].sort());
  });

  it('a built report validates', () => {
    expect(schemaErrors(report)).toEqual([]);
  });

  it('the schema rejects what breaks the contract', () => {
    expect(schemaErrors({ ...report, schemaVersion: 2 })).not.toEqual([]);
    expect(schemaErrors({ ...report, diagnosis: { ...report.diagnosis, cause: 'firewall' } })).not.toEqual([]);
    expect(schemaErrors({ ...report, diagnosis: { ...report.diagnosis, confidence: 1.5 } })).not.toEqual([]);
    expect(schemaErrors({ ...report, context: { podIp: { value: '1.2.3.4', source: 'magic', confidence: 1 } } })).not.toEqual([]);
    const { diagnosis: _, ...noDiagnosis } = report;
    expect(schemaErrors(noDiagnosis)).not.toEqual([]);
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
