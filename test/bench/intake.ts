// `node test/bench/intake.ts` (after a build): what checking a node report costs. The bundle loads ajv
// standalone code made at build time; the alternative was ajv itself at run time (import + compile).
// Prints figures; asserts nothing. Probes only 127.0.0.1.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUNDLE } from '../integration/podreach.ts';
import { NODE } from '../lab/lab.ts';
import { fullReport } from '../unit/probe/intake-fixtures.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const ROOT = join(import.meta.dirname, '..', '..');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const timed = (args: string[], opts: { input?: string } = {}) => {
  const t0 = performance.now();
  const r = spawnSync(NODE, args, { cwd: ROOT, encoding: 'utf8', ...opts });
  return { ms: performance.now() - t0, stdout: r.stdout };
};
/** Median of a figure the child prints itself (ms), and of the whole process. */
const inChild = (code: string) => {
  const inner: number[] = [];
  for (let i = 0; i < RUNS; i++) inner.push(Number(timed(['--input-type=module', '-e', code]).stdout));
  return median(inner);
};

const chunk = readdirSync(join(ROOT, 'dist', 'chunks')).find((f) => f.startsWith('report-schema-'));
if (!chunk) throw new Error('no dist/chunks/report-schema-*.mjs: run node scripts/build.ts first');
const standalone = inChild(
  `const t=performance.now(); const m=await import(${JSON.stringify(join(ROOT, 'dist', 'chunks', chunk))}); m.default({}); console.log(performance.now()-t)`,
);
const runtime = inChild(
  `const t=performance.now(); const {default:A}=await import('ajv/dist/2020.js'); const {readFileSync}=await import('node:fs');
   const s=JSON.parse(readFileSync('schema/report.schema.json','utf8'));
   const v=new A.default({strict:true,allowUnionTypes:true,removeAdditional:'all',validateFormats:false}).addSchema(s).compile({$ref:s.$id+'#/$defs/probeReport'});
   v({}); console.log(performance.now()-t)`,
);
console.log(`load the validator, in process: standalone chunk ${standalone.toFixed(1)} ms, ajv import + compile ${runtime.toFixed(1)} ms (median of ${RUNS})`);

const dir = mkdtempSync(join(tmpdir(), 'podreach-bench-'));
try {
  const target = { input: '127.0.0.1:9', host: '127.0.0.1', ip: '127.0.0.1', port: 9, portSource: 'target' as const };
  const file = join(dir, 'node.json');
  writeFileSync(file, JSON.stringify(fullReport(target)));
  const runs = { version: [] as number[], plain: [] as number[], report: [] as number[] };
  for (let i = 0; i < RUNS; i++) {
    runs.version.push(timed([BUNDLE, '--version']).ms);
    runs.plain.push(timed([BUNDLE, 'diagnose', '127.0.0.1:9', '--no-api', '-o', 'json']).ms);
    runs.report.push(timed([BUNDLE, 'diagnose', '127.0.0.1:9', '--no-api', '-o', 'json', '--node-report', file]).ms);
  }
  console.log(
    `process start to exit (median of ${RUNS}): --version ${median(runs.version).toFixed(0)} ms; diagnose 127.0.0.1:9 ${median(runs.plain).toFixed(0)} ms, with --node-report ${median(runs.report).toFixed(0)} ms`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
