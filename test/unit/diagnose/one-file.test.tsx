// The one-file rule: a new cause is one module. Registered with the engine, it can win the verdict, and the
// renderers name it by the module's own title; nothing else (types, words, renderers) knows about it.
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { CAUSE_IDS, CAUSES, judge, podAndNode } from '../../../src/diagnose/index.ts';
import type { Diagnosis } from '../../../src/diagnose/types.ts';
import { buildReport } from '../../../src/render/report.ts';
import { renderText } from '../../../src/render/text.ts';
import { Verdict } from '../../../src/render/tui/verdict.tsx';
import { hairpin } from './fixtures/cause-hairpin.ts';
import { ctx, probe, SILENT, target } from './fixtures.ts';

describe('a cause added as one file', () => {
  const clusterIp = target('10.247.3.20', 8080);
  const pod = probe(clusterIp, SILENT);
  const obs = { target: clusterIp, context: ctx('tunnel'), observations: podAndNode(pod, undefined, undefined) };

  it('is not shipped: the shipped causes answer without it', () => {
    expect(CAUSE_IDS).not.toContain('hairpin');
    expect(judge(obs).diagnosis.cause).toBe('unknown');
  });

  it('registered with the engine, it wins the verdict, with its title, and the rest are ranked', () => {
    const { diagnosis: d } = judge(obs, [...CAUSES, hairpin]);
    expect(d.cause).toBe('hairpin');
    expect(d.title).toBe(hairpin.title);
    expect(d.reachable).toBe(false);
    expect(d.summary).toContain('10.247.3.20:8080 is a ClusterIP');
    expect(d.alternatives.map((a) => a.cause)).toContain('unknown');
  });

  it('the text renderer shows its id and title', () => {
    const { diagnosis, cidr } = judge(obs, [...CAUSES, hairpin]);
    const text = renderText(
      buildReport({
        version: 'test',
        target: clusterIp,
        context: { facts: obs.context, missing: [], notes: [] },
        cidr,
        pod,
        // The report type is the published contract (schema cause enum): a new cause enters it with the schema.
        diagnosis: diagnosis as Diagnosis,
        timings: { probeMs: 1, diagnoseMs: 1, totalMs: 2 },
      }),
    );
    expect(text).toContain('VERDICT  hairpin: Service loops back to this pod (hairpin)');
    expect(text).toContain('→ kubectl get endpointslices');
  });

  it('the live view shows its title in the verdict', () => {
    const { diagnosis } = judge(obs, [...CAUSES, hairpin]);
    const frame = render(<Verdict diagnosis={diagnosis as Diagnosis} />).lastFrame() ?? '';
    expect(frame.replace(/\s+/g, ' ')).toContain('Service loops back to this pod (hairpin)');
  });
});
