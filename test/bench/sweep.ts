// `npm run bench` (sweep part): many targets in one run, in the lab. Prints figures; asserts nothing.
//  1. 1000 targets: every port 1–1000 of the ECS, whose security group silently drops a quarter of them (the
//     rest answer RST, port 80 is open): wall time, peak RSS and peak open fds, per --concurrency.
//  2. An app's six dependencies broken in different ways: the sweep against the slowest single-target run.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NODE, withLab } from '../lab/lab.ts';
import { contextFlags, ECS, SWEEPS } from '../lab/scenarios.ts';
import { BUNDLE } from '../integration/podreach.ts';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

interface Measured {
  ms: number;
  code: number | null;
  stdout: string;
  peakRssMb: number;
  peakFds: number;
}

/** Runs podreach in a lab namespace and samples its peak RSS (VmHWM) and open fds from /proc every 10 ms. */
function measure(ns: string, args: string[], timeoutMs = 120_000): Promise<Measured> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    // `ip netns exec` execs node in place: the child's pid is podreach's.
    const child = spawn('ip', ['netns', 'exec', ns, NODE, BUNDLE, ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => chunks.push(d));
    let peakRssMb = 0;
    let peakFds = 0;
    const sample = () => {
      try {
        const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (hwm) peakRssMb = Math.max(peakRssMb, Number(hwm[1]) / 1024);
        peakFds = Math.max(peakFds, readdirSync(`/proc/${child.pid}/fd`).length);
      } catch {
        // gone
      }
    };
    const timer = setInterval(sample, 10);
    const kill = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearInterval(timer);
      clearTimeout(kill);
      resolve({ ms: performance.now() - t0, code, stdout: Buffer.concat(chunks).toString(), peakRssMb, peakFds });
    });
  });
}

const flags = [...contextFlags('vpc', '172.16.0.0/16'), '--no-api'];

await withLab('vpc-ok', async (lab) => {
  // The security group drops ports 751–1000 silently; nothing else listens but :80, so the rest answer RST.
  const r = await lab.exec('ecs', ['iptables', '-I', 'INPUT', '-p', 'tcp', '--dport', '751:1000', '-j', 'DROP']);
  if (r.code !== 0) throw new Error(`iptables: ${r.stderr}`);
  const file = join(tmpdir(), `podreach-bench-ports-${process.pid}.txt`);
  writeFileSync(file, Array.from({ length: 1000 }, (_, i) => `${ECS}:${i + 1}`).join('\n'));
  try {
    console.log('1000 targets (ports 1–1000 of the ECS; 751–1000 silently dropped, 80 open, the rest RST):');
    for (const concurrency of [16, 32, 64]) {
      const m = await measure(lab.ns('pod'), ['diagnose', '-f', file, ...flags, '--concurrency', String(concurrency), '-o', 'json']);
      let summary = 'no JSON';
      try {
        const s = JSON.parse(m.stdout) as { reports: unknown[]; summary: { causes: Record<string, number> } };
        summary = `${s.reports.length} verdicts: ${Object.entries(s.summary.causes).map(([c, n]) => `${c} ${n}`).join(', ')}`;
      } catch {}
      console.log(`  --concurrency ${String(concurrency).padStart(2)}: ${(m.ms / 1000).toFixed(1)} s wall, peak RSS ${m.peakRssMb.toFixed(0)} MB, peak fds ${m.peakFds} (exit ${m.code}; ${summary})`);
    }
    console.log('  goals: ≤ 10 s wall, peak RSS ≤ 200 MB, open fds ≤ 300');
  } finally {
    rmSync(file, { force: true });
  }
});

const deps = SWEEPS.find((s) => s.id === 'tunnel-app-deps');
if (deps) {
  await withLab(deps, async (lab) => {
    const inputs = deps.dependencies.map((d) => d.input);
    const depFlags = [...deps.flags, '--no-api'];
    const sweep: number[] = [];
    const single = new Map<string, number[]>();
    for (let i = 0; i < RUNS; i++) {
      sweep.push((await measure(lab.ns('pod'), ['diagnose', ...inputs, ...depFlags, '-o', 'json'])).ms);
      for (const t of inputs) single.set(t, [...(single.get(t) ?? []), (await measure(lab.ns('pod'), ['diagnose', t, ...depFlags, '-o', 'json'])).ms]);
    }
    const slowest = Math.max(...[...single.values()].map(median));
    console.log(`\n${deps.id}: ${inputs.length} targets in one run, median ${median(sweep).toFixed(0)} ms; slowest single-target run ${slowest.toFixed(0)} ms; ratio ${(median(sweep) / slowest).toFixed(2)} (goal ≤ 1.3; n=${RUNS})`);
    for (const [t, xs] of single) console.log(`  ${t.replace(/:[^:@/]*@/, ':***@').padEnd(50)} alone: median ${median(xs).toFixed(0)} ms`);
  });
}
