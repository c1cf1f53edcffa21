// `npm start` (cli.ts demo): exit 0 when the demo showed what it meant to, and a last line naming
// podreach's own exit code and why — a "not reachable" verdict is the demo working, not failing.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { demoOutcome } from './demo-outcome.ts';
import { LAB_DIR, NODE } from './lab.ts';
import { findScenario, type Scenario } from './scenarios.ts';

const CLI = join(LAB_DIR, 'cli.ts');

async function demo(id: string): Promise<{ code: number; lastLine: string }> {
  const r = await promisify(execFile)(NODE, [CLI, 'demo', id], { timeout: 60_000 }).then(
    (ok) => ({ code: 0, stdout: ok.stdout }),
    (e: { code?: number; stdout?: string }) => ({ code: e.code ?? -1, stdout: e.stdout ?? '' }),
  );
  return { code: r.code, lastLine: r.stdout.trimEnd().split('\n').at(-1) ?? '' };
}

const scenario = (id: string): Scenario => findScenario(id) ?? (() => { throw new Error(id); })();

describe('npm start (lab demo)', () => {
  it('the guide\'s scenario: podreach exits 1 (not reachable), the demo exits 0 and says why', async () => {
    const r = await demo('vpc-sg-container-cidr');
    expect(r.lastLine).toMatch(/^demo worked: podreach exited 1 \(not reachable\), verdict security-group as this scenario/);
    expect(r.code).toBe(0);
  });

  it('a reachable scenario: podreach exits 0', async () => {
    const r = await demo('vpc-ok');
    expect(r.lastLine).toMatch(/^demo worked: podreach exited 0 \(reachable\), verdict reachable/);
    expect(r.code).toBe(0);
  });

  it('a verdict other than the scenario\'s, or a podreach failure, fails the demo', () => {
    const s = scenario('vpc-sg-container-cidr');
    expect(demoOutcome(s, 1, 'VERDICT  whitelist: x  (confidence 0.5)\n')).toMatchObject({ exit: 1, line: expect.stringMatching(/verdict whitelist where security-group was expected/) });
    expect(demoOutcome(s, 3, '')).toMatchObject({ exit: 1, line: expect.stringMatching(/podreach exited 3 \(podreach failed\), verdict missing/) });
    expect(demoOutcome(s, 0, 'VERDICT  security-group: x\n').exit).toBe(1);
  });
});
