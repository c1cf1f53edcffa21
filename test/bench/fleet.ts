// `npm run bench` (fleet part): podreach fleet on the recorded 1000-node cluster (10 pools, 3 zones) served by
// the test API server on 127.0.0.1; the probe pods' command is a short sleep, so only the API side is
// measured: planning (API read → first probe pod created), pods created, pods in flight, wall time.
// Prints figures; asserts nothing.
import { fleetOnBigCluster } from '../kube/fleet-big.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

console.log(`fleet bench: 1000-node cluster, median of ${RUNS} runs`);
for (const [by, maxPods] of [['pool', 5], ['pool', 10], ['zone', 5]] as const) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await fleetOnBigCluster(['192.168.20.10:6379', '--by', by, '--max-pods', String(maxPods)], { podSeconds: 0.2 }));
  const last = runs.at(-1);
  console.log(
    `--by ${by.padEnd(4)} --max-pods ${String(maxPods).padStart(2)}: planning ${median(runs.map((r) => r.planMs ?? Number.NaN))} ms, total ${median(runs.map((r) => r.ms))} ms, ${last?.created} pods, ${last?.maxInFlight} in flight at most, ${last?.live} left`,
  );
}
