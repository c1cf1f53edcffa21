// Time to verdict, text vs live view, both in a real terminal (a pty from util-linux `script`) in a
// lab pod namespace. The output is read as it arrives and timestamped: no screen polling, so nothing
// competes with podreach for the CPU. Prints figures; asserts nothing.
// Run: npm run bench:tui, or node_modules/.bin/node test/tui/bench.ts [runs] with a built dist/ (root).
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { withLab } from '../lab/lab.ts';
import { SWEEPS } from '../lab/scenarios.ts';
import { diagnoseArgv } from './tmux.ts';

const RUNS = Math.min(20, Number(process.argv[2] ?? 5));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const q = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

/** Milliseconds from spawn until each marker has arrived on the terminal, in order; then `keys`. Bounded. */
function onTerminal(argv: string[], markers: string[], keys = ''): Promise<number[]> {
  const t0 = performance.now();
  const child = spawn('script', ['-qfec', `stty cols 100 rows 50 && exec ${argv.map(q).join(' ')}`, '/dev/null'], {
    env: { ...process.env, TERM: 'xterm-256color' },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const at: number[] = [];
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no ${markers[at.length]} within 10 s:\n${out.slice(-2000)}`));
    }, 10_000);
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      out += s;
      while (at.length < markers.length && out.includes(markers[at.length]!)) at.push(performance.now() - t0);
      if (at.length === markers.length && !child.stdin.writableEnded) child.stdin.end(keys);
    });
    child.on('exit', () => {
      clearTimeout(timer);
      if (at.length === markers.length) resolve(at);
      else reject(new Error(`ended before ${markers[at.length]}:\n${out.slice(-2000)}`));
    });
  });
}

for (const id of ['vpc-ok', 'vpc-sg-container-cidr']) {
  await withLab(id, async (lab) => {
    const argv = diagnoseArgv(lab);
    const text: number[] = [];
    const first: number[] = [];
    const verdict: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const [t] = await onTerminal([...argv, '-o', 'text'], ['VERDICT']);
      text.push(t!);
      const [f, v] = await onTerminal(argv, ['PROBES', 'q quit · r'], 'q');
      first.push(f!);
      verdict.push(v!);
    }
    const f = (xs: number[]) => `${Math.round(median(xs))} ms`;
    const gap = Math.round(median(verdict.map((v, i) => v - text[i]!)));
    console.log(
      `${id}: verdict on the terminal: text ${f(text)} · live view ${f(verdict)} (live − text ${gap >= 0 ? '+' : ''}${gap} ms) · live view's first frame ${f(first)}  (median of ${RUNS}, pty)`,
    );
  });
}

// Several targets: the text sweep against the live table (first frame, every verdict in).
for (const deps of SWEEPS) {
  await withLab(deps, async (lab) => {
    const argv = [...diagnoseArgv(lab, deps.dependencies.map((d) => d.input)), '--no-api'];
    const text: number[] = [];
    const first: number[] = [];
    const table: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const [t] = await onTerminal([...argv, '-o', 'text'], ['not reachable']);
      text.push(t!);
      const [f, v] = await onTerminal(argv, ['TARGET', 'J print JSON'], 'q');
      first.push(f!);
      table.push(v!);
    }
    const f = (xs: number[]) => `${Math.round(median(xs))} ms`;
    const gap = Math.round(median(table.map((v, i) => v - text[i]!)));
    console.log(
      `${deps.id} (${deps.dependencies.length} targets, no API): every verdict on the terminal: text ${f(text)} · live table ${f(table)} (live − text ${gap >= 0 ? '+' : ''}${gap} ms) · table's first frame ${f(first)}  (median of ${RUNS}, pty)`,
    );
  });
}
