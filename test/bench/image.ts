// `node test/bench/image.ts`: the image's size and its in-container start-up. Prints figures, asserts
// nothing. Builds the image first (cached layers make that quick after the image test has run).
// Start-up is measured three ways, all as medians over BENCH_RUNS:
//   inside: wall clock around `podreach --version` taken inside one running container (date +%s%N),
//         the start-up of the program itself with no podman overhead;
//   exec: `podman exec C podreach --version` minus `podman exec C true` in one running container
//         (what a user waits for inside an already started debug container);
//   run:  `podman run --rm IMAGE --version` minus `podman run --rm --entrypoint true IMAGE`.
import { loadavg } from 'node:os';
import { IMAGE, LIMITS, buildImage, cannotRun, compressedBytes, inspect, podman, prepare } from '../image/podman.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 11);
const MB = 1_000_000;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};

async function times(args: string[]): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const r = await podman(args, 30_000);
    if (r.code !== 0) throw new Error(`podman ${args.join(' ')}: exit ${r.code}: ${r.stderr.trim()}`);
    out.push(r.ms);
  }
  return out;
}

const why = cannotRun();
if (why) {
  console.error(`bench image: skipped: ${why}`);
  process.exit(0);
}

const base = await prepare();
const built = await buildImage(base);
const info = await inspect();
const gz = await compressedBytes();
console.log(`image ${IMAGE} (base ${base}; build ${(built.ms / 1000).toFixed(1)} s with the layer cache as found)`);
console.log(`  compressed   (podman save | gzip -6): ${(gz / MB).toFixed(1)} MB  (${(gz / 2 ** 20).toFixed(1)} MiB; target ≤ 80 MB)`);
console.log(`  uncompressed (podman image inspect):  ${(info.Size / MB).toFixed(1)} MB`);

const name = `podreach-bench-${process.pid}`;
try {
  const started = await podman(['run', '-d', '--rm', '--name', name, ...LIMITS, '--network', 'none', '--entrypoint', 'sleep', IMAGE, '600']);
  if (started.code !== 0) throw new Error(`podman run -d: ${started.stderr.trim()}`);
  const loop = `for i in $(seq ${RUNS}); do s=$(date +%s%N); podreach --version >/dev/null; e=$(date +%s%N); echo $(( (e - s) / 1000 )); done`;
  const inside = await podman(['exec', name, 'sh', '-c', loop], 60_000);
  if (inside.code !== 0) throw new Error(`in-container loop: ${inside.stderr.trim()}`);
  const insideMs = inside.stdout.trim().split('\n').map((us) => Number(us) / 1000);
  const execTrue = await times(['exec', name, 'true']);
  const execVersion = await times(['exec', name, 'podreach', '--version']);
  const runTrue = await times(['run', '--rm', ...LIMITS, '--network', 'none', '--entrypoint', 'true', IMAGE]);
  const runVersion = await times(['run', '--rm', ...LIMITS, '--network', 'none', IMAGE, '--version']);
  const row = (label: string, t: number[], baseline: number[]) =>
    `  ${label.padEnd(44)} median ${median(t).toFixed(0).padStart(4)} ms  (baseline ${median(baseline).toFixed(0)} ms) → podreach --version ${(median(t) - median(baseline)).toFixed(0)} ms`;
  console.log(`start-up, n=${RUNS} each (target < 200 ms; load average ${loadavg()[0]?.toFixed(1)} on this machine):`);
  console.log(`  ${'inside the container, wall clock'.padEnd(44)} median ${median(insideMs).toFixed(0).padStart(4)} ms  (min ${Math.min(...insideMs).toFixed(0)}, max ${Math.max(...insideMs).toFixed(0)})`);
  console.log(row('podman exec C podreach --version', execVersion, execTrue));
  console.log(row('podman run --rm IMAGE --version', runVersion, runTrue));
} finally {
  await podman(['rm', '-f', '-t', '0', name]);
}
