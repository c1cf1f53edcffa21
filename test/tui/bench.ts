// Time to verdict, text vs TUI, in lab pod namespaces. Prints figures; asserts nothing.
// Run: node_modules/.bin/node test/tui/bench.ts [runs]   (root, tmux, a built dist/)
import { performance } from 'node:perf_hooks';
import { run, withLab } from '../lab/lab.ts';
import { diagnoseArgv, openPane } from './tmux.ts';

const RUNS = Math.min(20, Number(process.argv[2] ?? 5));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

for (const id of ['vpc-ok', 'vpc-sg-container-cidr']) {
  await withLab(id, async (lab) => {
    const argv = diagnoseArgv(lab);
    const text: number[] = [];
    const first: number[] = [];
    const verdict: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t = await run(argv[0]!, [...argv.slice(1), '-o', 'text'], { timeoutMs: 10_000 });
      text.push(t.ms);
      const t0 = performance.now();
      const pane = openPane(argv, { cols: 100, rows: 50, env: { TERM: 'xterm-256color' } });
      try {
        await pane.waitFor((s) => s.includes('PROBES'), 10_000, 'first frame');
        first.push(performance.now() - t0);
        await pane.waitFor((s) => s.includes('q quit · r'), 10_000, 'verdict');
        verdict.push(performance.now() - t0);
        pane.send('q');
        await pane.waitExit();
      } finally {
        pane.kill();
      }
    }
    const f = (xs: number[]) => `${Math.round(median(xs))} ms`;
    console.log(`${id}: text exit ${f(text)} · TUI first frame ${f(first)} · TUI verdict on screen ${f(verdict)}  (median of ${RUNS}, 50 ms screen polling)`);
  });
}
