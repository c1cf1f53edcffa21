// A missing fact reads as one clean row at any width from 80 columns up: label, "– unknown" in the value
// column, and as much of the hint as fits (golden screens at 80, 100 and 120 columns; UPDATE_GOLDEN=1 rewrites).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { missingHints } from '../../src/kube/hints.ts';
import { App } from '../../src/render/tui/app.tsx';
import { ContextPanel, shortHint } from '../../src/render/tui/context-panel.tsx';
import { FACT_LABELS } from '../../src/render/words.ts';
import { ctx, ECS, evidence, OPEN, SILENT } from '../unit/diagnose/fixtures.ts';
import { manualRun, reportFrom, until } from './fixtures.ts';

const GOLDEN = (cols: number) => fileURLToPath(new URL(`./golden/missing-facts-${cols}.txt`, import.meta.url));

// No credentials, no flags: the longest hints podreach writes, for the service and container CIDRs.
const facts = ctx('tunnel', { serviceCidr: undefined, containerCidr: undefined });
const missing = missingHints(facts, 'no-credentials');
const MISSING_LABELS = missing.map((m) => FACT_LABELS[m.fact] ?? m.fact);

const mounted: { unmount(): void }[] = [];
afterEach(() => {
  for (const m of mounted.splice(0)) m.unmount();
});

/** The rows of each missing fact, and the line after each (which must be the next row, not a wrapped tail). */
function missingRows(frame: string): { row: string; next: string }[] {
  const lines = frame.split('\n');
  return MISSING_LABELS.map((label) => {
    const at = lines.findIndex((l) => l.startsWith(`${label} `));
    return { row: lines[at] ?? '', next: lines[at + 1] ?? '' };
  });
}

function expectCleanRows(frame: string, cols: number): void {
  const next = /^(pod IP|node IP|network model|container CIDR|service CIDR|VPC CIDR|also:)/;
  for (const { row, next: after } of missingRows(frame)) {
    expect(row, frame).toMatch(/^[\w ]+ +– unknown( {2,}\S.*)?$/);
    expect(row.trimEnd().length, row).toBeLessThanOrEqual(cols);
    expect(after, `the line after "${row}"`).toMatch(next);
  }
}

describe('missing facts in the context panel', () => {
  expect(MISSING_LABELS).toEqual(['container CIDR', 'service CIDR']);

  for (const cols of [80, 100, 120]) {
    it(`${cols} columns: golden screen`, async () => {
      const m = manualRun();
      m.settle.resolve(reportFrom(evidence(ECS, facts, SILENT, OPEN), { missing }));
      const app = render(<App first={m.run} rerun={() => manualRun().run} keys={false} columns={cols} session={{ settled: false }} />);
      mounted.push(app);
      const text = () => app.frames.at(-1) ?? '';
      await until(() => text().includes('EVIDENCE'), 'verdict');
      const screen = text();
      expectCleanRows(screen, cols);
      for (const l of screen.split('\n')) expect(l.length, l).toBeLessThanOrEqual(cols);
      const got = `${screen.split('\n').map((l) => l.trimEnd()).join('\n')}\n`;
      if (process.env.UPDATE_GOLDEN === '1') writeFileSync(GOLDEN(cols), got);
      expect(existsSync(GOLDEN(cols)), `${GOLDEN(cols)} missing: run with UPDATE_GOLDEN=1`).toBe(true);
      expect(got).toBe(readFileSync(GOLDEN(cols), 'utf8'));
    });
  }

  it('every panel width the screen gives from 80 to 200 columns: one row each, the hint whole or its first clause', () => {
    // As screen.tsx lays it out: side by side from 100 columns, the map taking up to 60.
    const widths = new Set(Array.from({ length: 121 }, (_, i) => 80 + i).map((cols) => (cols >= 100 ? cols - Math.min(60, cols - 54) - 2 : cols)));
    for (const width of widths) {
      const frame = render(<ContextPanel view={{ facts, missing, notes: [] }} width={width} />).lastFrame() ?? '';
      expectCleanRows(frame, width);
      for (const [i, { row }] of missingRows(frame).entries()) {
        const hint = row.replace(/^.*– unknown\s*/, '');
        const full = missing[i]!.hint;
        const bare = hint.replace(/…$/, '');
        const ok = hint === full || shortHint(full).startsWith(bare) || shortHint(full).replace(/^pass /, '').startsWith(bare);
        expect(ok && bare.length > 8, `${width}: "${hint}"`).toBe(true);
      }
    }
  });
});
