// Builds every scenario and checks, with plain tools and the peers' own counters and routes, that it fails
// (or works) for the reason it claims. One PASS line per scenario in the output.
import { afterAll, describe, expect, test } from 'vitest';
import { checkScenario } from './checks.ts';
import { withLab } from './lab.ts';
import { SCENARIOS } from './scenarios.ts';

// Two labs at a time: the machine has two cores and each check mostly waits on timeouts.
let slots = 2;
const waiting: (() => void)[] = [];
async function slot<T>(fn: () => Promise<T>): Promise<T> {
  if (slots === 0) await new Promise<void>((r) => waiting.push(r));
  else slots--;
  try {
    return await fn();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else slots++;
  }
}

const builds: number[] = [];

describe.concurrent('lab scenarios', () => {
  for (const s of SCENARIOS) {
    test(s.id, async () => {
      const r = await slot(() =>
        withLab(s, async (lab) => {
          builds.push(lab.buildMs);
          return checkScenario(lab);
        }),
      );
      if (r.ok) console.log(`PASS ${s.id} (${s.model}) ${r.evidence}`);
      expect(r.problems, `${s.id}: ${r.evidence}`).toEqual([]);
    });
  }
});

// Figures only, after the scenarios, over the labs that did get built: a test here would depend on the others
// having run (and all built), and fail for their failure instead of its own.
afterAll(() => {
  const sorted = [...builds].sort((a, b) => a - b);
  if (sorted.length === 0) return;
  console.log(`lab build ms over ${sorted.length} of ${SCENARIOS.length} labs: median ${sorted[Math.floor(sorted.length / 2)]} max ${sorted.at(-1)}`);
});
