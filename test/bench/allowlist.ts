// `npm run bench`: `podreach allowlist` on the recorded 1000-node cluster (10 pools in 3 zones), process wall
// time from start to exit, against the test API server on 127.0.0.1. Prints figures; asserts nothing.
// Goal (issue 11): < 2 s.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ApiServer, fakeToken, SA_USER, writeKubeconfig } from '../kube/api-server.ts';
import { bigCluster, bigClusterSubnets } from '../kube/fixtures/big-cluster.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const BUNDLE = join(import.meta.dirname, '..', '..', 'dist', 'podreach.mjs');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

const fx = bigCluster();
const token = fakeToken();
const server = await ApiServer.start({ objects: fx.items, crds: fx['x-podreach-fixture'].crds, tokens: { [token]: { user: SA_USER, rules: [{ verbs: ['*'], resources: ['*'] }] } } });
const dir = mkdtempSync(join(tmpdir(), 'podreach-bench-'));
const kc = writeKubeconfig(dir, server, token);
try {
  const cases: [string, string[]][] = [
    ['--by pool, text', []],
    ['--by pool, -o json', ['-o', 'json']],
    ['--by pool --node-subnet ×10', ['--node-subnet', bigClusterSubnets().join(',')]],
    ['--by node, -o json', ['--by', 'node', '-o', 'json']],
  ];
  console.log(`allowlist on ${fx.items.filter((o) => o.kind === 'Node').length} nodes (process wall time, n=${RUNS})`);
  for (const [label, args] of cases) {
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      const r = await promisify(execFile)(process.execPath, [BUNDLE, 'allowlist', '--kubeconfig', kc, ...args], { env: { HOME: '/nonexistent', PATH: process.env.PATH }, maxBuffer: 64 << 20 });
      times.push(performance.now() - t0);
      bytes = r.stdout.length;
    }
    console.log(`  ${label.padEnd(30)} median ${median(times).toFixed(0).padStart(5)} ms  (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)})  output ${(bytes / 1024).toFixed(0)} KiB`);
  }
  // The same machine's start-up alone: on a loaded machine both grow, and this tells how much is load.
  const startup: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await promisify(execFile)(process.execPath, [BUNDLE, '--version']);
    startup.push(performance.now() - t0);
  }
  console.log(`  ${'start-up alone (--version)'.padEnd(30)} median ${median(startup).toFixed(0).padStart(5)} ms`);
  console.log('goal: < 2000 ms (issue 11), this 2-core machine, API server in the bench process');
} finally {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
