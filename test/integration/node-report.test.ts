// --node-report through the built CLI: a report that cannot be used is one line on stderr and exit 2,
// never exit 3, a hang, or a copy in the output. Targets are 127.0.0.1 (host namespace, loopback only).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Target } from '../../src/probe/types.ts';
import { NODE } from '../lab/lab.ts';
import { edits, fullReport, JUNK, mutate } from '../unit/probe/intake-fixtures.ts';
import { BUNDLE } from './podreach.ts';
import { schemaErrors } from './schema.ts';

const dir = mkdtempSync(join(tmpdir(), 'podreach-node-report-'));
let listener: Server;
let target: Target;
let arg = '';

beforeAll(async () => {
  listener = createServer((s) => s.end());
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', () => r()));
  const port = (listener.address() as { port: number }).port;
  arg = `127.0.0.1:${port}`;
  target = { input: arg, host: '127.0.0.1', ip: '127.0.0.1', port, portSource: 'target' };
});
afterAll(async () => {
  await new Promise<void>((r) => listener.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;
const file = (content: unknown) => {
  const p = join(dir, `r${n++}.json`);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
};
// maxRSS (kB) on fd 3 when the process exits: no /usr/bin/time needed.
const RSS = `data:text/javascript,import{writeSync}from"node:fs";process.on("exit",()=>writeSync(3,String(process.resourceUsage().maxRSS)))`;
const diagnose = (report: string, extra: string[] = []) => {
  const t0 = performance.now();
  const r = spawnSync(NODE, ['--import', RSS, BUNDLE, 'diagnose', arg, '--no-api', '--node-report', report, '-o', 'json', ...extra], {
    encoding: 'utf8',
    timeout: 20_000,
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    maxBuffer: 100 * 1024 * 1024,
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, rssKb: Number(r.output[3]), ms: performance.now() - t0 };
};
const refused = (r: ReturnType<typeof diagnose>, why: RegExp) => {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toMatch(why);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stdout).toBe('');
};
const edited = (f: (r: Record<string, any>) => void) => {
  const r = structuredClone(fullReport(target)) as Record<string, any>;
  f(r);
  return r;
};

describe('--node-report', () => {
  // Each gave exit 3 ("Cannot read properties of undefined") or a report that broke the schema.
  const cases: [string, () => unknown, RegExp][] = [
    ['icmp, target, from are numbers', () => ({ kind: 'podreach.probe', schemaVersion: 1, icmp: 1, target: 1, from: 1 }), /: \/\w+ (must be|is missing)/],
    ['from.addresses a string', () => edited((r) => (r.from.addresses = '1.2.3.4')), /: \/from\/addresses must be an array$/m],
    ['dns a string', () => edited((r) => (r.dns = 'x')), /: \/dns must be an object$/m],
    ['empty objects', () => edited((r) => ((r.icmp = {}), (r.from = {}), (r.target = {}))), /is missing$/m],
    ['tcp "open"', () => edited((r) => (r.tcp = 'open')), /: \/tcp must be an object$/m],
    ['tcp.status "weird"', () => edited((r) => (r.tcp.status = 'weird')), /r\d+\.json: \/tcp\/status must be one of open, refused, timeout, unreachable, error$/m],
    ['rtt null', () => edited((r) => (r.rtt = null)), /: \/rtt must be an object$/m],
    ['icmp.sent -1', () => edited((r) => (r.icmp.sent = -1)), /: \/icmp\/sent must be >= 0$/m],
    ['app 5', () => edited((r) => (r.app = 5)), /: \/app must be an object$/m],
    ['target.ip null', () => edited((r) => (r.target.ip = null)), /: \/target\/ip must be a string$/m],
    ['no target.ip', () => edited((r) => delete r.target.ip), /: \/target\/ip is missing/],
    ['a report for another address', () => edited((r) => (r.target.ip = '10.9.9.9')), /: it probed 10\.9\.9\.9, not 127\.0\.0\.1$/m],
  ];
  for (const [what, report, why] of cases) {
    it(`${what} → exit 2, one line naming it`, () => refused(diagnose(file(report())), why));
  }

  it('a good report is used; fields podreach does not know are left out of the output', () => {
    const r = diagnose(file(edited((x) => ((x[`${JUNK}top`] = 'x'.repeat(100_000)), (x.from[`${JUNK}nested`] = 1)))));
    expect([0, 1], r.stderr).toContain(r.code);
    const out = JSON.parse(r.stdout);
    expect(schemaErrors(out)).toEqual([]);
    const full = fullReport(target);
    // The one field the diagnosis adds: where it placed the report (no API here, so the node's name is unknown).
    expect(out.probes.node).toEqual({ ...full, from: { ...full.from, vantage: 'node' } });
    expect(out.probes.pod.from.vantage).toBe('pod');
    expect(r.stdout).not.toContain(JUNK);
  });

  it("'' → a usage error, not ignored", () => refused(diagnose(''), /^podreach: --node-report: the file name is empty$/m));

  it('50 MB → refused by its size, quickly and without reading it', () => {
    const p = join(dir, 'big.json');
    writeFileSync(p, '');
    truncateSync(p, 50 * 1024 * 1024);
    const r = diagnose(p);
    refused(r, /: 50 MB, over the 1 MB a probe report can be$/m);
    console.log(`50 MB node report: refused in ${r.ms.toFixed(0)} ms, max RSS ${(r.rssKb / 1024).toFixed(0)} MB`);
    // The old intake read and parsed it: ~320 MB. Node itself is ~50.
    expect(r.rssKb).toBeLessThan(150 * 1024);
  });

  it('a FIFO → refused at once (no writer is waited for); a directory and a device too', () => {
    const fifo = join(dir, 'fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    refused(diagnose(fifo), /: not a regular file \(a FIFO\)$/m);
    refused(diagnose(dir), /: not a regular file \(a directory\)$/m);
    refused(diagnose('/dev/zero'), /: not a regular file \(a device\)$/m);
  });

  it('on stdin (kubectl debug -i ... --node-report /dev/stdin < node.json): read while it comes; a pipe that never ends times out', async () => {
    const piped = (input: string | undefined, extra: string[] = [], signalAfterMs?: number) =>
      new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string; ms: number }>((resolve) => {
        const t0 = performance.now();
        const child = spawn(NODE, [BUNDLE, 'diagnose', arg, '--no-api', '--node-report', '/dev/stdin', '-o', 'json', ...extra], { stdio: ['pipe', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        // It stops reading at 1 MB: the rest of a bigger input meets a closed pipe.
        child.stdin.on('error', () => {});
        if (input !== undefined) child.stdin.end(input);
        if (signalAfterMs !== undefined) setTimeout(() => child.kill('SIGTERM'), signalAfterMs);
        const guard = setTimeout(() => child.kill('SIGKILL'), 20_000);
        child.on('close', (code, signal) => {
          clearTimeout(guard);
          child.stdin.destroy();
          resolve({ code, signal, stdout, stderr, ms: performance.now() - t0 });
        });
      });
    const ok = await piped(JSON.stringify(fullReport(target)));
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).probes.node.from.hostname).toBe('node-1');
    // Nobody writes, nobody closes: the read ends with the probe budget.
    const silent = await piped(undefined, ['--timeout', '500']);
    expect(silent.code).toBe(2);
    expect(silent.stderr.trimEnd()).toBe('podreach: --node-report /dev/stdin: not read within 500 ms');
    expect(silent.ms).toBeLessThan(10_000);
    // SIGTERM while it waits: it leaves at once (143 from its handler; the signal itself if it came
    // before the handler was set, on a slow start).
    const term = await piped(undefined, ['--timeout', '60000'], 1000);
    expect(term.code === 143 || term.signal === 'SIGTERM', `${term.code} ${term.signal}`).toBe(true);
    expect(term.ms).toBeLessThan(10_000);
    const big = await piped('x'.repeat(2 * 1024 * 1024));
    expect(big.code).toBe(2);
    expect(big.stderr).toMatch(/over the 1 MB a probe report can be$/m);
  });

  it('a sample of edited reports through the real CLI: exit 2 with one line, or a verdict with a valid report', () => {
    const samples = fc.sample(edits, { seed: 7, numRuns: 20 });
    const seen = new Set<number | null>();
    for (const list of samples) {
      const r = diagnose(file(mutate(fullReport(target), list)));
      seen.add(r.code);
      if (r.code === 2) {
        expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
        continue;
      }
      expect([0, 1], r.stderr).toContain(r.code);
      expect(schemaErrors(JSON.parse(r.stdout))).toEqual([]);
      expect(r.stdout).not.toContain(JUNK);
    }
    console.log(`20 edited node reports through the CLI: exit codes ${[...seen].join(', ')}`);
  });
});
