// `node test/bench/cidr-list.ts`: what long --vpc-cidr lists cost, process start to exit, in an empty
// network namespace (loopback only; created and deleted here). Prints figures; asserts nothing.
// On main before the fix: 100 entries 0.49 s, 300 0.97 s, 600 3.4 s, 1,000 copies 12–13 s, 2,000 /24s 39–44 s.
import { spawnSync } from 'node:child_process';
import { BUNDLE } from '../integration/podreach.ts';
import { NODE, run } from '../lab/lab.ts';

const NS = `podreach-bench-${process.pid}`;
const slash24 = (i: number) => `10.${(i >> 8) & 255}.${i & 255}.0/24`;
const lists: [string, string[]][] = [
  ['no --vpc-cidr (baseline)', []],
  ['100 distinct /24s', Array.from({ length: 100 }, (_, i) => slash24(i))],
  ['256 distinct /24s (the cap)', Array.from({ length: 256 }, (_, i) => slash24(i))],
  ['1,000 copies of 10.0.0.0/8', Array(1000).fill('10.0.0.0/8')],
  ['2,000 distinct /24s (refused)', Array.from({ length: 2000 }, (_, i) => slash24(i))],
];
spawnSync('ip', ['netns', 'add', NS]);
try {
  spawnSync('ip', ['-n', NS, 'link', 'set', 'lo', 'up']);
  for (const [what, list] of lists) {
    const times: number[] = [];
    let code: number | null = null;
    for (let i = 0; i < 5; i++) {
      const r = await run('ip', ['netns', 'exec', NS, NODE, BUNDLE, 'diagnose', '127.0.0.1:1', '--no-api', '--timeout', '300', '-o', 'json', ...(list.length ? ['--vpc-cidr', list.join(',')] : [])], { timeoutMs: 60_000 });
      times.push(r.ms);
      code = r.code;
    }
    times.sort((a, b) => a - b);
    console.log(`${what.padEnd(32)} exit ${code}  median ${times[2]} ms (min ${times[0]}, max ${times[4]}, n=5)`);
  }
} finally {
  spawnSync('ip', ['netns', 'del', NS]);
}
