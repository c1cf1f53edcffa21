import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { CAUSE_IDS } from '../../src/diagnose/index.ts';
import { CAUSE_TITLES } from '../../src/render/words.ts';
import { cidrMapLines, mapText } from '../../src/render/tui/cidr-layout.ts';
import { CidrMap } from '../../src/render/tui/cidr-map.tsx';
import { ContextPanel } from '../../src/render/tui/context-panel.tsx';
import { Header } from '../../src/render/tui/header.tsx';
import { ProbeRows } from '../../src/render/tui/probe-rows.tsx';
import { rowsFromEvents, rowsFromReport } from '../../src/render/tui/rows.ts';
import { Verdict } from '../../src/render/tui/verdict.tsx';
import { buildView, isAmbiguous } from '../../src/render/tui/view.ts';
import type { ProbeEvent, Target } from '../../src/probe/types.ts';
import { ctx, ECS, evidence, OPEN, PEER, SILENT } from '../unit/diagnose/fixtures.ts';
import { AMBIGUOUS, CASES, reportFrom } from './fixtures.ts';

/** Frame with wrapping undone: whitespace runs collapsed, so a wrapped sentence still matches. */
const flat = (s: string | undefined) => (s ?? '').replace(/\s+/g, ' ');
const finished = (ev: ReturnType<(typeof CASES)[number]['ev']>) => buildView({ n: 1, events: [], report: reportFrom(ev) });

describe('Header', () => {
  it('shows the target as given, the resolved address when it differs, and where from', () => {
    const { lastFrame } = render(
      <Header
        view={{
          input: 'db.lab.internal:5432',
          resolved: '192.168.20.10:5432',
          podIp: '172.16.1.10',
          nodeIp: '192.168.10.11',
          model: 'vpc',
          run: 1,
        }}
      />,
    );
    expect(lastFrame()).toContain('db.lab.internal:5432 → 192.168.20.10:5432');
    expect(lastFrame()).toContain('from pod 172.16.1.10 on node 192.168.10.11 · vpc model');
    expect(lastFrame()).not.toContain('run ');
  });

  it('does not repeat a literal target, and counts re-runs', () => {
    const { lastFrame } = render(
      <Header
        view={{
          input: '192.168.10.52:80',
          resolved: '192.168.10.52:80',
          run: 2,
        }}
      />,
    );
    expect(lastFrame()).not.toContain('→');
    expect(lastFrame()).toContain('from this pod');
    expect(lastFrame()).toContain('run 2');
  });
});

describe('ContextPanel', () => {
  it('lists each fact with its source and marks the uncertain ones', () => {
    const facts = ctx('vpc');
    facts.podIp = {
      value: '172.16.1.10',
      source: 'heuristic',
      confidence: 0.4,
      note: 'guessed',
    };
    facts.mtu = { value: 1450, source: 'interface', confidence: 0.9 };
    const { lastFrame } = render(<ContextPanel view={{ facts, missing: [], notes: [] }} width={80} />);
    const lines = (lastFrame() ?? '').split('\n');
    const pod = lines.find((l) => l.startsWith('pod IP'));
    expect(pod).toMatch(/pod IP\s+\? 172\.16\.1\.10\s+guess 0\.40 uncertain/);
    expect(lines.find((l) => l.startsWith('node IP'))).toMatch(/192\.168\.10\.11\s+flag 1\.00/);
    expect(lines.find((l) => l.startsWith('network model'))).toContain('vpc');
    expect(lines.find((l) => l.startsWith('VPC CIDR'))).toContain('192.168.0.0/16');
    expect(lastFrame()).toContain('also: MTU 1450');
  });

  it('lists the other facts on the "also" line in the text output\'s order, whatever order they came in', () => {
    const facts = ctx('vpc', { cni: 'yangtse', mtu: 1500, gateway: '172.16.1.1' });
    const also = (render(<ContextPanel view={{ facts, missing: [], notes: [] }} width={120} />).lastFrame() ?? '').split('also: ')[1] ?? '';
    expect(flat(also)).toMatch(/^gateway 172\.16\.1\.1 · MTU 1500 · CNI yangtse/);
  });

  it('says which facts are unknown and how to supply them', () => {
    const facts = ctx(undefined, { nodeIp: undefined });
    const { lastFrame } = render(
      <ContextPanel
        view={{
          facts,
          missing: [
            { fact: 'nodeIp', hint: 'pass --node-ip' },
            { fact: 'networkModel', hint: 'pass --network-model' },
          ],
          notes: [],
        }}
        width={80}
      />,
    );
    expect(lastFrame()).toMatch(/node IP\s+– unknown\s+pass --node-ip/);
    expect(lastFrame()).toMatch(/network model\s+– unknown\s+pass --network-model/);
  });

  it('shows that it is still gathering before the context is known', () => {
    expect(render(<ContextPanel width={50} />).lastFrame()).toContain('gathering…');
  });
});

describe('ProbeRows', () => {
  it('shows a spinner row per running probe, then outcome and time', () => {
    const running = rowsFromEvents(
      [
        { type: 'started', probe: 'gateway', atMs: 0 },
        { type: 'started', probe: 'icmp', atMs: 1 },
        { type: 'started', probe: 'tcp', atMs: 1 },
        {
          type: 'finished',
          probe: 'gateway',
          atMs: 3,
          result: {
            status: 'reply',
            sent: 1,
            received: 1,
            rttMs: 0.2,
            ms: 3,
            ip: '172.16.1.1',
          },
        },
      ],
      ECS,
      '172.16.1.1',
    );
    const frame = render(<ProbeRows pod={running} node={[]} wide={false} />).lastFrame() ?? '';
    expect(frame).toMatch(/ping\s+192\.168\.10\.52\s+running…/);
    expect(frame).toMatch(/tcp\/80\s+192\.168\.10\.52:80\s+running…/);
    expect(frame).toMatch(/✓ gateway\s+172\.16\.1\.1\s+reply\s+3\.0 ms\s+1\/1, rtt 0\.2 ms/);
    expect(frame).not.toContain('from node');
  });

  it('drops the row of a probe cut short without a result (the gateway once TCP answered)', () => {
    const rows = rowsFromEvents(
      [
        { type: 'started', probe: 'gateway', atMs: 0 },
        { type: 'started', probe: 'tcp', atMs: 1 },
        { type: 'abandoned', probe: 'gateway', atMs: 160 },
      ],
      ECS,
      '172.16.1.1',
    );
    expect(rows.map((r) => r.probe)).toEqual(['tcp']);
  });

  it('shows pod and node sides from the report, with the outcome words', () => {
    const r = reportFrom(evidence(ECS, ctx('vpc'), SILENT, OPEN));
    const frame = render(<ProbeRows pod={rowsFromReport(r.probes.pod)} node={rowsFromReport(r.probes.node!)} rtt="rtt 0.4 ms" wide />).lastFrame() ?? '';
    const [pod, node] = frame.split('from node');
    expect(pod).toMatch(/✗ tcp\/80\s+192\.168\.10\.52:80\s+timeout\s+900 ms\s+2 SYNs, no answer in 450 ms/);
    expect(pod).toMatch(/! ping\s+192\.168\.10\.52\s+timeout/);
    expect(node).toMatch(/✓ tcp\/80\s+192\.168\.10\.52:80\s+open/);
    expect(node).toMatch(/✓ ping\s+192\.168\.10\.52\s+reply/);
    expect(frame).toContain('rtt 0.4 ms');
  });
});

describe('CidrMap', () => {
  const map = (ev: ReturnType<typeof evidence>, width = 46) => {
    const v = finished(ev);
    return { text: mapText(cidrMapLines(v.map!, width)), input: v.map! };
  };

  it('VPC model: target in the VPC box, pod in the container CIDR, the arrow from the pod IP', () => {
    const { text } = map(evidence(ECS, ctx('vpc'), SILENT, OPEN));
    const lines = text.split('\n');
    const vpcTop = lines.findIndex((l) => l.includes('VPC 192.168.0.0/16'));
    const ccTop = lines.findIndex((l) => l.includes('container CIDR 172.16.0.0/16'));
    const tgt = lines.findIndex((l) => l.includes('target  192.168.10.52:80 ◀'));
    const pod = lines.findIndex((l) => /pod\s+172\.16\.1\.10 ━+┛/.test(l));
    expect(vpcTop).toBeGreaterThanOrEqual(0);
    expect(tgt).toBeGreaterThan(vpcTop);
    expect(ccTop).toBeGreaterThan(tgt);
    expect(pod).toBeGreaterThan(ccTop);
    expect(text).toContain('peer sees 172.16.1.10 (pod IP, no SNAT)');
    expect(text).toContain('→ it must allow 172.16.0.0/16');
    // The arrow is one unbroken column between its ends.
    const col = lines[tgt]!.indexOf('┓');
    for (let i = tgt + 1; i < pod; i++) expect(lines[i]![col], `line ${i}`).toBe('┃');
    expect(lines[pod]![col]).toBe('┛');
  });

  it('tunnel model: the peer sees the node IP (SNAT)', () => {
    const { text } = map(evidence(ECS, ctx('tunnel'), SILENT, SILENT));
    expect(text).toMatch(/node\s+192\.168\.10\.11 ━+┓/);
    expect(text).toContain('SNAT → node IP');
    expect(text).toContain('peer sees 192.168.10.11 (node IP, SNAT)');
  });

  it('ENI: the container subnet sits inside the VPC box; a peered target sits outside it', () => {
    const { text } = map(evidence(PEER, ctx('eni'), SILENT, OPEN));
    const lines = text.split('\n');
    expect(lines.find((l) => l.includes('container subnet 192.168.30.0/24'))).toMatch(/^│ ┌─ container subnet/);
    const outside = lines.findIndex((l) => l.includes('peered / outside the VPC'));
    expect(outside).toBeGreaterThan(lines.findIndex((l) => l.startsWith('└')));
    expect(lines[outside + 1]).toContain('target  10.1.0.20:80 ◀');
  });

  it('marks a pod IP inside a Docker pool', () => {
    const { text } = map(evidence(ECS, ctx('vpc', { podIp: '172.17.1.10', containerCidr: '172.17.0.0/16' }), SILENT, OPEN));
    expect(text).toMatch(/docker\s+pod IP in 172\.17\.0\.0\/16[\s│]+docker0 on any Docker host/);
    expect(map(evidence(ECS, ctx('vpc'), SILENT, OPEN)).text).toContain('pod IP clear of Docker pools');
  });

  it('keeps every box line within its width, narrow or wide', () => {
    for (const w of [40, 46, 64]) {
      const { text } = map(evidence(PEER, ctx('eni'), SILENT, OPEN), w);
      for (const l of text.split('\n').filter((x) => /^[│┌└]/.test(x))) expect(l.length, l).toBe(w);
    }
  });

  it('renders the same lines as a component', () => {
    const { input } = map(evidence(ECS, ctx('vpc'), SILENT, OPEN));
    const frame = render(<CidrMap input={input} width={46} />).lastFrame() ?? '';
    expect(frame).toContain('CIDR MAP');
    expect(frame).toContain(mapText(cidrMapLines(input, 46)).split('\n')[2]);
    expect(render(<CidrMap width={46} />).lastFrame()).toContain('waiting for the target address');
  });
});

describe('Verdict', () => {
  it('the cases cover every cause podreach can name', () => {
    expect(new Set(CASES.map((c) => c.cause))).toEqual(new Set(CAUSE_IDS));
  });

  for (const c of CASES) {
    it(`${c.name}: the cause in words, confidence, evidence, the fix, alternatives`, () => {
      const d = finished(c.ev()).diagnosis!;
      expect(d.cause, 'engine verdict for this fixture').toBe(c.cause);
      const frame = flat(render(<Verdict diagnosis={d} />).lastFrame());
      expect(frame).toContain(`VERDICT ${d.reachable ? '✓' : ''}`.trim());
      expect(frame).toContain(CAUSE_TITLES[d.cause]);
      expect(frame).toContain(`confidence ${d.confidence.toFixed(2)}`);
      expect(frame).toContain(flat(d.summary));
      for (const e of d.evidence) expect(frame).toContain(flat(e));
      if (d.fix.length) expect(frame).toContain('FIX');
      for (const f of d.fix) expect(frame).toContain(`→ ${flat(f)}`);
      for (const a of d.alternatives) expect(frame).toContain(`${a.confidence.toFixed(2)} ${flat(`${a.cause}: ${a.summary}`)}`);
      if (d.settle) expect(frame).toContain(`TO SETTLE IT ${flat(d.settle)}`);
    });
  }

  it('reachable: a tick and no fix', () => {
    const frame = render(<Verdict diagnosis={finished(CASES[0]!.ev()).diagnosis!} />).lastFrame() ?? '';
    expect(frame).toContain('✓ Reachable');
    expect(frame).not.toContain('FIX');
  });

  it('ambiguous: says so and points at the alternatives', () => {
    const d = finished(AMBIGUOUS()).diagnosis!;
    expect(isAmbiguous(d)).toBe(true);
    const frame = flat(render(<Verdict diagnosis={d} />).lastFrame());
    expect(frame).toContain('? Docker bridge on the peer overlaps the pod IP');
    expect(frame).toContain('ambiguous: see alternatives');
    expect(frame).toContain(`ALTERNATIVES ${d.alternatives[0]!.confidence.toFixed(2)} ${d.alternatives[0]!.cause}`);
  });

  it('a clear cause is not called ambiguous', () => {
    const d = finished(CASES[6]!.ev()).diagnosis!;
    expect(d.cause).toBe('port-closed');
    expect(flat(render(<Verdict diagnosis={d} />).lastFrame())).toContain('✗ Port closed');
    expect(flat(render(<Verdict diagnosis={d} />).lastFrame())).not.toContain('ambiguous');
  });

  it('says it is still probing before the report', () => {
    expect(render(<Verdict />).lastFrame()).toContain('probing…');
  });
});

describe('buildView while probing', () => {
  /** The view of run 1 with the context gathered and these probe events so far. */
  const probing = (model: 'vpc' | 'tunnel', target: Target, events: ProbeEvent[]) =>
    buildView({ n: 1, events, context: { facts: ctx(model), missing: [], notes: [] }, target });

  it('has context, rows and a predicted map before the report', () => {
    const v = probing('vpc', ECS, [{ type: 'started', probe: 'tcp', atMs: 0 }]);
    expect(v.diagnosis).toBeUndefined();
    expect(v.pod.map((r) => [r.label, r.running])).toEqual([['tcp/80', true]]);
    expect(v.map?.seen?.kind).toBe('pod');
    expect(v.header.resolved).toBe('192.168.10.52:80');
  });

  it('places a name only once DNS has answered', () => {
    const target = { input: 'ecs.lab.internal:80', host: 'ecs.lab.internal', port: 80 };
    const before = probing('tunnel', target, [{ type: 'started', probe: 'dns', atMs: 0 }]);
    expect(before.map).toBeUndefined();
    const after = probing('tunnel', target, [
      { type: 'started', probe: 'dns', atMs: 0 },
      {
        type: 'finished',
        probe: 'dns',
        atMs: 5,
        result: { status: 'ok', name: 'ecs.lab.internal', addresses: ['192.168.10.52'], ms: 5, servers: [] },
      },
    ]);
    expect(after.header.resolved).toBe('192.168.10.52:80');
    expect(after.map?.cidr.targetZone).toBe('vpc');
    expect(after.pod[0]).toMatchObject({
      label: 'dns',
      outcome: 'ok',
      detail: '→ 192.168.10.52',
    });
  });
});
