// Bad input → one clear line on stderr and exit 2, before anything is sent. Loopback only.
import { spawnSync } from 'node:child_process';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { NODE } from '../lab/lab.ts';
import { BUNDLE } from './podreach.ts';

const run = (...args: string[]) => spawnSync(NODE, [BUNDLE, ...args], { encoding: 'utf8', timeout: 15_000 });

describe('the command line', () => {
  const bad: [string[], RegExp][] = [
    [['diagnose'], /no TARGET given/],
    [['diagnose', '-f', '/nonexistent/targets'], /-f \/nonexistent\/targets: no such file/],
    [['diagnose', '127.0.0.1:80', '--concurrency', '0'], /--concurrency: 0 is outside/],
    [['probe', '--plan', '{"kind":"podreach.plan"}'], /--plan: schemaVersion/],
    [['probe', '127.0.0.1:80', '--plan', '{}'], /TARGETs or --plan, not both/],
    [['diagnose', '127.0.0.1:80', '--port', 'abc'], /--port: "abc" is not a whole number/],
    [['diagnose', '127.0.0.1:80', '--timeout', '0'], /--timeout: 0 ms is outside/],
    [['diagnose', '1.2.3.4:99999'], /port 99999/],
    [['diagnose', 'http://'], /host is empty/],
    [['diagnose', '127.0.0.1:80', '--vpc-cidr', '10.0.0.0/33'], /--vpc-cidr: "10.0.0.0\/33" is not a CIDR/],
    [['diagnose', '127.0.0.1:80', '--network-model', 'overlay'], /tunnel, vpc, eni or auto/],
    [['diagnose', '127.0.0.1:80', '--node-report', '/nonexistent'], /no such file/],
    [['diagnose', '127.0.0.1:80', '-o', 'xml'], /Allowed choices are text, json, yaml/],
    [['diagnose', '127.0.0.1:80', '--kubeconfig', '/nonexistent'], /--kubeconfig \/nonexistent: no such file/],
    [['probe', '127.0.0.1:80', '--role', 'x'], /not pod or node/],
    [['nonsense'], /unknown command/],
  ];
  for (const [args, msg] of bad) {
    it(`${args.join(' ')} → exit 2, one line`, () => {
      const r = run(...args);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stdout).toBe('');
    });
  }

  it('--version, and exit codes of a verdict (loopback: a closed port is 1, JSON on stdout)', () => {
    expect(run('--version').stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const r = run('diagnose', '127.0.0.1:1', '--no-api', '-o', 'json');
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout).diagnosis.cause).toBe('port-closed');
  });

  it('-o yaml: the report as YAML, same exit code', () => {
    const r = run('diagnose', '127.0.0.1:1', '--no-api', '-o', 'yaml');
    expect(r.status).toBe(1);
    const doc = load(r.stdout) as { kind: string; diagnosis: { cause: string } };
    expect(doc.diagnosis.cause).toBe('port-closed');
    expect(r.stdout).not.toMatch(/^\{/);
  });
});
