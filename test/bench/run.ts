// `npm run bench`: time from process start to verdict, per lab scenario, JSON mode; and start-up alone.
// Prints figures; asserts nothing (speed goals live here, not in timed tests).
import { withLab } from '../lab/lab.ts';
import { SCENARIOS } from '../lab/scenarios.ts';
import { podreach, targetArg } from '../integration/podreach.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const only = process.argv.slice(2);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};

const startup: number[] = [];
const scenarios = only.length ? SCENARIOS.filter((s) => only.includes(s.id)) : SCENARIOS;
for (const s of scenarios) {
  await withLab(s, async (lab) => {
    if (!startup.length) {
      for (let i = 0; i < RUNS; i++) startup.push((await podreach(lab, 'pod', ['--version'])).ms);
    }
    const times: number[] = [];
    let cause = '';
    for (let i = 0; i < RUNS; i++) {
      const r = await podreach(lab, 'pod', ['diagnose', targetArg(lab), ...s.flags, '-o', 'json']);
      times.push(r.ms);
      cause = JSON.parse(r.stdout).diagnosis.cause;
    }
    const line = `${s.id.padEnd(26)} ${cause.padEnd(22)} median ${median(times).toFixed(0).padStart(5)} ms  (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)}, n=${RUNS})`;
    console.log(line);
  });
}
console.log(`\nstart-up alone (podreach --version in the pod namespace): median ${median(startup).toFixed(0)} ms (n=${startup.length})`);
console.log('targets: reachable ≤ 300 ms, silently dropped ≤ 1500 ms (process start to verdict, JSON mode, this 2-core machine)');
