// Bad input from the command line and the environment, through the built CLI (dist/podreach.mjs): one
// stderr line and exit 2, or a verdict; never a stack trace, exit 3 or a hang. Every run happens inside an
// empty network namespace this file creates (loopback only) and deletes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { useEmptyNetns } from '../support/netns.ts';
import { NODE, run } from '../lab/lab.ts';
import { BUNDLE } from './podreach.ts';

const NS = useEmptyNetns('cli');
const cleanEnv = ['PATH=/usr/sbin:/usr/bin:/sbin:/bin', 'HOME=/nonexistent', 'LC_ALL=C'];


/** podreach in the empty namespace, with only `env` in its environment. */
const podreach = (args: string[], env: string[] = [], timeoutMs = 20_000) =>
  run('ip', ['netns', 'exec', NS, 'env', '-i', ...cleanEnv, ...env, NODE, BUNDLE, ...args], { timeoutMs });

/** In a pseudo-terminal (script(1)), as on `kubectl debug -it`: what colour and the live view see. */
const inTerminal = (args: string[], term: string) =>
  run('ip', ['netns', 'exec', NS, 'env', '-i', ...cleanEnv, `TERM=${term}`, 'script', '-qec', [NODE, BUNDLE, ...args].map((a) => `'${a}'`).join(' '), '/dev/null'], { timeoutMs: 20_000 });

function expectUsage(r: Awaited<ReturnType<typeof podreach>>, msg?: RegExp) {
  expect(r.timedOut).toBe(false);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.endsWith('\n')).toBe(true);
  expect(r.stderr.slice(0, -1)).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
  expect(r.stderr).toMatch(/^podreach: /);
  if (msg) expect(r.stderr).toMatch(msg);
}

const list = (n: number, cidr: (i: number) => string) => Array.from({ length: n }, (_, i) => cidr(i)).join(',');
const slash24 = (i: number) => `10.${(i >> 8) & 255}.${i & 255}.0/24`;

describe('usage errors are one line on stderr, exit 2', () => {
  const cases: [string, string[], RegExp][] = [
    ['no arguments', [], /missing command \(try podreach diagnose TARGET, or --help\)/],
    ['help for a command that does not exist', ['help', 'nosuch'], /help: unknown command "nosuch"/],
    ['an unknown option (with its suggestion)', ['diagnose', '127.0.0.1:1', '--prot', '1'], /unknown option '--prot' \(did you mean --port\?\)/],
    ['a newline inside TARGET', ['diagnose', '127.0.0.1:80\nfoo'], /invalid TARGET "127\.0\.0\.1:80\\nfoo"/],
    ['an escape sequence inside a value', ['diagnose', '127.0.0.1:1', '--pod-ip', '\x1b[31mred\rx'], /--pod-ip: "\\u001b\[31mred\\rx" is not an IP address/],
    ['an empty --pod-ip', ['diagnose', '127.0.0.1:1', '--pod-ip', ''], /--pod-ip: the value is empty/],
    ['an empty --node-ip', ['diagnose', '127.0.0.1:1', '--node-ip='], /--node-ip: the value is empty/],
    ['an empty --container-cidr', ['diagnose', '127.0.0.1:1', '--container-cidr', ' '], /--container-cidr: the value is empty/],
    ['an empty --service-cidr', ['diagnose', '127.0.0.1:1', '--service-cidr', ''], /--service-cidr: the value is empty/],
    ['an empty --network-model', ['diagnose', '127.0.0.1:1', '--network-model', ''], /--network-model: the value is empty/],
    ['--vpc-cidr ,', ['diagnose', '127.0.0.1:1', '--vpc-cidr', ','], /--vpc-cidr: an empty entry/],
    ['an empty --vpc-cidr', ['diagnose', '127.0.0.1:1', '--vpc-cidr', ''], /--vpc-cidr: the value is empty/],
    ['an empty --kubeconfig', ['diagnose', '127.0.0.1:1', '--kubeconfig', ''], /--kubeconfig: the value is empty/],
    ['an empty --namespace', ['diagnose', '127.0.0.1:1', '-n', ''], /--namespace: the value is empty/],
    ['2,000 distinct VPC CIDRs', ['diagnose', '127.0.0.1:1', '--vpc-cidr', list(2000, slash24)], /--vpc-cidr: more than 256 CIDRs/],
    ['257 --vpc-cidr flags', ['diagnose', '127.0.0.1:1', ...Array.from({ length: 257 }, (_, i) => ['--vpc-cidr', slash24(i)]).flat()], /more than 256/],
  ];
  for (const [what, args, msg] of cases) {
    it(what, async () => expectUsage(await podreach(args), msg));
  }

  it('a bad PODREACH_* value names the variable, one line', async () => {
    expectUsage(await podreach(['diagnose', '127.0.0.1:1', '--no-api'], ['PODREACH_VPC_CIDR=10.0.0.0/8,x\ny']), /PODREACH_VPC_CIDR: "x\\ny" is not a CIDR/);
  });
});

describe('what is not an error', () => {
  it('--help and -h print the whole help on stdout, exit 0', async () => {
    for (const h of ['--help', '-h']) {
      const r = await podreach([h]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Usage: podreach /);
      expect(r.stdout).toMatch(/diagnose/);
      expect(r.stderr).toBe('');
    }
  });

  it('empty PODREACH_* variables are unset; 1,000 copies of one VPC CIDR are one', async () => {
    const r = await podreach(
      ['diagnose', '127.0.0.1:1', '--no-api', '--timeout', '300', '-o', 'json', '--vpc-cidr', list(1000, () => '10.0.0.0/8')],
      ['PODREACH_POD_IP=', 'PODREACH_NODE_IP= ', 'PODREACH_NETWORK_MODEL=', 'POD_IP='],
    );
    expect(r.code, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.context.vpcCidrs.value).toEqual(['10.0.0.0/8']);
    expect(report.context.podIp?.source).not.toBe('env');
  });

  it('256 distinct VPC CIDRs are taken (the cap is not off by one)', async () => {
    const r = await podreach(['diagnose', '127.0.0.1:1', '--no-api', '--timeout', '300', '-o', 'json', '--vpc-cidr', list(256, slash24)]);
    expect(r.code, r.stderr).toBe(1);
    expect(JSON.parse(r.stdout).context.vpcCidrs.value).toHaveLength(256);
  });
});

describe('TERM=dumb is a terminal without colour or a live view', () => {
  const esc = (s: string) => s.includes('\x1b');
  it('-o text: plain for TERM=dumb, coloured for xterm', async () => {
    const args = ['diagnose', '127.0.0.1:1', '--no-api', '--timeout', '300', '-o', 'text'];
    const dumb = await inTerminal(args, 'dumb');
    expect(dumb.stdout).toMatch(/VERDICT\s+port-closed/);
    expect(esc(dumb.stdout)).toBe(false);
    expect(esc((await inTerminal(args, 'xterm-256color')).stdout)).toBe(true);
  });

  it('no -o: TERM=dumb gets the text report, not the live view', async () => {
    const r = await inTerminal(['diagnose', '127.0.0.1:1', '--no-api', '--timeout', '300'], 'dumb');
    expect(r.stdout).toMatch(/VERDICT\s+port-closed/);
    expect(esc(r.stdout)).toBe(false);
  });
});

describe('random command lines (fast-check, seeded)', () => {
  const garbage = fc.oneof(
    fc.string({ unit: 'grapheme-ascii', maxLength: 12 }),
    fc.string({ unit: 'binary', maxLength: 12 }).map((s) => s.replaceAll('\0', '')), // argv cannot hold NUL
    fc.constantFrom('', ' ', ',', '\n', '-', '--', '=', '\x1b[2J', '0', '-1', '99999999999999999999', 'auto', 'json', 'text'),
  );
  const value = fc.oneof(
    garbage,
    fc.constantFrom('127.0.0.1', '10.1.2.3', '172.16.0.0/16', '10.0.0.0/33', 'tunnel', 'eni', '300', '500', 'pod', 'node'),
    fc.array(fc.constantFrom('10.0.0.0/8', '192.168.0.0/16', '', 'x'), { maxLength: 5 }).map((l) => l.join(',')),
  );
  const flag = fc.constantFrom(
    '--port', '-p', '-o', '--output', '--pod-ip', '--node-ip', '--container-cidr', '--vpc-cidr', '--service-cidr', '--network-model',
    '--timeout', '--context', '-n', '--pod', '--image', '--role', '--no-color', '--no-node-probe', '--prot', '-x', '--help', '--version',
  );
  const sane = fc.oneof(
    fc.constantFrom(['--no-color'], ['-o', 'json'], ['-o', 'text'], ['--output=json'], ['-p', '1'], ['--network-model', 'vpc'], ['--no-node-probe']),
    fc.tuple(fc.constantFrom('--pod-ip', '--node-ip'), fc.ipV4()),
    fc.tuple(fc.constantFrom('--container-cidr', '--service-cidr', '--vpc-cidr'), fc.ipV4(), fc.integer({ min: 8, max: 32 })).map(([f, a, n]) => [f, `${a}/${n}`]),
  );
  const wild = fc.oneof(flag.map((f) => [f]), fc.tuple(flag, value).map(([f, v]) => [f, v]), fc.tuple(flag, value).map(([f, v]) => [`${f}=${v}`]));
  // Mostly sane with a little garbage: half the runs should get as far as a verdict.
  const option = fc.oneof({ weight: 3, arbitrary: sane }, { weight: 1, arbitrary: wild });
  const target = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom('127.0.0.1:1', '127.0.0.1', 'http://127.0.0.1:1', '[::1]:1', 'redis://127.0.0.1', 'localhost:1', '10.9.8.7:80', 'db.internal:5432') },
    { weight: 1, arbitrary: garbage },
  );
  const argv = fc
    .tuple(fc.oneof({ weight: 6, arbitrary: fc.constant('diagnose') }, { weight: 1, arbitrary: fc.constant('probe') }, { weight: 1, arbitrary: fc.constantFrom('help', 'nosuch', '') }), fc.option(target, { nil: undefined, freq: 8 }), fc.array(option, { maxLength: 3 }), fc.boolean())
    .map(([cmd, t, opts, api]) => [cmd, ...(t === undefined ? [] : [t]), ...opts.flat(), ...(api || cmd !== 'diagnose' ? [] : ['--no-api']), '--timeout', '400']);
  const envVar = fc.tuple(fc.constantFrom('PODREACH_POD_IP', 'PODREACH_VPC_CIDR', 'PODREACH_NETWORK_MODEL', 'PODREACH_SERVICE_CIDR', 'NODE_IP', 'NO_COLOR'), value).map(([k, v]) => `${k}=${v.replaceAll('\0', '')}`);
  const cases = fc.sample(fc.tuple(argv, fc.oneof({ weight: 3, arbitrary: fc.constant<string[]>([]) }, { weight: 1, arbitrary: fc.array(envVar, { minLength: 1, maxLength: 2 }) })), { numRuns: 40, seed: Number(process.env.PODREACH_FC_SEED ?? 20261206) });

  it('40 runs: a one-line usage error (2), help/version (0) or a verdict (0/1); no exit 3, stack trace or hang', async () => {
    const results: { args: string[]; env: string[]; r: Awaited<ReturnType<typeof podreach>> }[] = [];
    // Two at a time: this machine has two cores.
    for (let i = 0; i < cases.length; i += 2) {
      await Promise.all(cases.slice(i, i + 2).map(async ([args, env]) => results.push({ args, env, r: await podreach(args, env, 20_000) })));
    }
    const codes: Record<string, number> = {};
    for (const { args, env, r } of results) {
      const where = JSON.stringify({ args, env, code: r.code, stderr: r.stderr.slice(0, 300) });
      codes[String(r.code)] = (codes[String(r.code)] ?? 0) + 1;
      expect(r.timedOut, where).toBe(false);
      expect([0, 1, 2], where).toContain(r.code);
      expect(r.stderr, where).not.toMatch(/\n\s+at |Error:|node:internal/);
      if (r.code === 2) {
        expect(r.stderr.split('\n'), where).toHaveLength(2); // one line and its newline
        expect(r.stderr.slice(0, -1), where).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
        expect(r.stdout, where).toBe('');
      } else {
        expect(r.stdout.length, where).toBeGreaterThan(0);
      }
    }
    console.log(`random command lines: exit codes ${JSON.stringify(codes)}`);
    if (process.env.DEBUG_CLI) for (const { args, r } of results) console.log(JSON.stringify(args), r.code, r.stderr.trim());
  });
});
