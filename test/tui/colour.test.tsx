// Colour must mean something (green reachable, red cause, yellow uncertain) and vanish with NO_COLOR.
// chalk reads FORCE_COLOR when it loads, so ink and the components are imported after setting it.
import { describe, expect, it } from 'vitest';
import { ctx, ECS, evidence, OPEN, SILENT } from '../unit/diagnose/fixtures.ts';
import { reportFrom } from './fixtures.ts';

process.env.FORCE_COLOR = '1';
const { render } = await import('ink-testing-library');
const { ColorOn } = await import('../../src/render/tui/paint.tsx');
const { Verdict } = await import('../../src/render/tui/verdict.tsx');

const GREEN = '\x1b[32m';
const RED = '\x1b[31m';
const YELLOW = '\x1b[33m';

function frame(ev: ReturnType<typeof evidence>, color: boolean): string {
  const d = reportFrom(ev).diagnosis;
  return (
    render(
      <ColorOn.Provider value={color}>
        <Verdict diagnosis={d} />
      </ColorOn.Provider>,
    ).lastFrame() ?? ''
  );
}

describe('colour', () => {
  it('green for reachable, red for a confident cause, yellow for an uncertain one', () => {
    expect(frame(evidence(ECS, ctx('vpc'), OPEN), true)).toContain(`${GREEN}✓ Reachable`);
    const sure = reportFrom(
      evidence({ ...ECS, port: 81, input: '192.168.10.52:81' }, ctx('vpc'), { tcp: 'refused', icmp: 'reply' }, { tcp: 'refused', icmp: 'reply' }),
    );
    expect(sure.diagnosis.confidence).toBeGreaterThanOrEqual(0.7);
    expect(
      frame(evidence({ ...ECS, port: 81, input: '192.168.10.52:81' }, ctx('vpc'), { tcp: 'refused', icmp: 'reply' }, { tcp: 'refused', icmp: 'reply' }), true),
    ).toContain(`${RED}✗ Port closed`);
    const unsure = evidence(ECS, ctx('vpc'), SILENT);
    expect(reportFrom(unsure).diagnosis.confidence).toBeLessThan(0.7);
    expect(frame(unsure, true)).toContain(`${YELLOW}? Security group blocks the source`);
  });

  it('no colour at all when switched off (NO_COLOR / --no-color)', () => {
    for (const ev of [evidence(ECS, ctx('vpc'), OPEN), evidence(ECS, ctx('vpc'), SILENT)]) {
      const f = frame(ev, false);
      expect(f).toMatch(/Reachable|Security group/);
      expect(f).not.toMatch(/\x1b\[3[0-7]m/);
    }
  });
});
