// The lab's CLI: node_modules/.bin/node test/lab/cli.ts list | up ID | selftest [ID...] | clean | demo [ID]
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkScenario } from './checks.ts';
import { demoOutcome } from './demo-outcome.ts';
import { createLab, LAB_DIR, NODE, withLab } from './lab.ts';
import { clean } from './registry.ts';
import { findScenario, SCENARIOS, type Scenario } from './scenarios.ts';
import { ROLES } from './topology.ts';

const PODREACH = join(LAB_DIR, '..', '..', 'dist', 'podreach.mjs');
const USAGE = 'usage: cli.ts list | up SCENARIO | selftest [SCENARIO...] | clean | demo [SCENARIO]';

class UsageError extends Error {}

function scenario(id: string | undefined): Scenario {
  const s = id ? findScenario(id) : undefined;
  if (!s) throw new UsageError(id ? `unknown scenario "${id}" (see: cli.ts list)` : 'missing SCENARIO (see: cli.ts list)');
  return s;
}

const target = (s: Scenario) => `${s.target.host}:${s.target.port}`;
const quote = (argv: string[]) => argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`)).join(' ');

function list(): number {
  const w = Math.max(...SCENARIOS.map((s) => s.id.length));
  for (const s of SCENARIOS) {
    console.log(`${s.id.padEnd(w)}  ${s.model.padEnd(6)}  ${target(s).padEnd(22)}  ${s.expectedCause.padEnd(22)}  ${s.title}`);
  }
  return 0;
}

async function up(id: string | undefined): Promise<number> {
  const s = scenario(id);
  const lab = await createLab(s);
  console.log(`lab ${lab.prefix}: ${s.id} (${s.model}) built in ${lab.buildMs} ms`);
  for (const r of ROLES) console.log(`  ${r.padEnd(6)} ${lab.ns(r)}`);
  console.log('try:');
  console.log(`  ip netns exec ${lab.ns('pod')} ${NODE} dist/podreach.mjs diagnose ${target(s)} ${quote(s.flags)}`);
  console.log(`  expected cause: ${s.expectedCause}`);
  console.log('ready; Ctrl-C tears it down');
  // Signal listeners alone do not keep Node's event loop alive.
  const keepAlive = setInterval(() => {}, 1 << 30);
  await new Promise<void>((resolve) => {
    const stop = () => (clearInterval(keepAlive), resolve());
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await lab.destroy();
  console.log(`lab ${lab.prefix} torn down`);
  return 0;
}

async function selftest(ids: string[]): Promise<number> {
  const chosen = ids.length ? ids.map((id) => scenario(id)) : [...SCENARIOS];
  let failed = 0;
  const builds: number[] = [];
  const t0 = performance.now();
  for (const s of chosen) {
    await withLab(s, async (lab) => {
      builds.push(lab.buildMs);
      const r = await checkScenario(lab);
      if (r.ok) console.log(`PASS ${s.id} (${s.model}) ${r.evidence}`);
      else {
        failed++;
        console.log(`FAIL ${s.id} (${s.model}) ${r.problems.join('; ')}`);
      }
    });
  }
  builds.sort((a, b) => a - b);
  const med = builds[Math.floor(builds.length / 2)] ?? 0;
  console.log(
    `${chosen.length - failed} passed, ${failed} failed; build ms median ${med} max ${builds.at(-1) ?? 0}; total ${Math.round(performance.now() - t0)} ms`,
  );
  return failed ? 1 : 0;
}

function cleanCmd(): number {
  const { removed, kept } = clean();
  for (const l of removed) console.log(`removed ${l.prefix} (owner ${l.pid} gone, ${l.namespaces.length} namespaces)`);
  for (const l of kept) console.log(`kept ${l.prefix} (owner ${l.pid} alive)`);
  if (!removed.length && !kept.length) console.log('no labs');
  return 0;
}

async function demo(id: string | undefined): Promise<number> {
  const s = scenario(id ?? 'vpc-sg-container-cidr');
  if (!existsSync(PODREACH)) {
    console.error(`lab: ${PODREACH} not found; run "npm run build" first`);
    return 2;
  }
  return withLab(s, async (lab) => {
    const tmp = mkdtempSync(join(tmpdir(), 'podreach-demo-'));
    try {
      const report = join(tmp, 'node-report.json');
      console.log(`# ${s.id}: ${s.title} (expected: ${s.expectedCause})`);
      const probe = [NODE, PODREACH, 'probe', target(s), '-o', 'json'];
      console.log(`$ ip netns exec ${lab.ns('node')} ${quote(probe)} > ${report}`);
      const p = await lab.exec('node', probe, { timeoutMs: 30_000 });
      writeFileSync(report, p.stdout);
      if (p.stderr) process.stderr.write(p.stderr);
      if (p.timedOut || p.stdout.trim() === '') {
        console.error(`lab: node probe ${p.timedOut ? 'timed out' : `gave no report (exit ${p.code})`}`);
        return 2;
      }
      const diag = [NODE, PODREACH, 'diagnose', target(s), ...s.flags, '--node-report', report, '-o', 'text'];
      console.log(`$ ip netns exec ${lab.ns('pod')} ${quote(diag)}`);
      const d = await lab.exec('pod', diag, { timeoutMs: 30_000 });
      process.stdout.write(d.stdout);
      if (d.stderr) process.stderr.write(d.stderr);
      if (d.timedOut) {
        console.error('lab: podreach diagnose timed out');
        return 2;
      }
      const outcome = demoOutcome(s, d.code, d.stdout);
      console.log(outcome.line);
      return outcome.exit;
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'list':
      return list();
    case 'up':
      return up(rest[0]);
    case 'selftest':
      return selftest(rest);
    case 'clean':
      return cleanCmd();
    case 'demo':
      return demo(rest[0]);
    default:
      throw new UsageError(cmd ? `unknown command "${cmd}"; ${USAGE}` : USAGE);
  }
}

if (process.getuid?.() !== 0 && process.argv[2] !== 'list') {
  console.error('lab: needs root (network namespaces, iptables)');
  process.exit(2);
}
try {
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  console.error(`lab: ${(e as Error).message}`);
  process.exitCode = 2;
}
