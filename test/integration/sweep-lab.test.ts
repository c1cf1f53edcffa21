// Sweeps in the lab without the API: what only several targets at once can show.
import { describe, expect, it } from 'vitest';
import { NODE, withLab } from '../lab/lab.ts';
import { sweepSchemaErrors } from './schema.ts';

const BUNDLE = new URL('../../dist/podreach.mjs', import.meta.url).pathname;

type Sweep = { reports: { target: { input: string }; diagnosis: { cause: string; confidence: number }; probes: { pod: { icmp: { status: string; detail?: string } } } }[] };

describe('a sweep in the lab', () => {
  it("four hosts behind one missing peering: every one gets the router's 'network unreachable' and says route, not only the first few (the router's ICMP rate limit)", async () => {
    await withLab('tunnel-peering-missing', async (lab) => {
      const targets = Array.from({ length: 4 }, (_, i) => `10.1.0.${20 + i}:80`);
      const r = await lab.exec('pod', ['env', 'HOME=/nonexistent', NODE, BUNDLE, 'diagnose', ...targets, ...lab.scenario.flags, '--no-api', '-o', 'json'], { timeoutMs: 60_000 });
      const sweep = JSON.parse(r.stdout) as Sweep;
      expect(sweepSchemaErrors(sweep)).toEqual([]);
      const seen = sweep.reports.map((x) => `${x.target.input} ${x.diagnosis.cause} ${x.diagnosis.confidence} icmp ${x.probes.pod.icmp.status}`);
      console.log(`${seen.join('\n')}\n(${r.ms} ms)`);
      // More errors than the router's burst were needed: some came from asking again.
      expect(sweep.reports.some((x) => /asked again/.test(x.probes.pod.icmp.detail ?? ''))).toBe(true);
      for (const x of sweep.reports) {
        expect(x.probes.pod.icmp.status, x.target.input).toBe('unreachable');
        expect(x.diagnosis.cause, x.target.input).toBe('route');
        expect(x.diagnosis.confidence, x.target.input).toBeGreaterThanOrEqual(0.8);
      }
    });
  }, 120_000);
});
