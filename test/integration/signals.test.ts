// Signals mid-probe leave nothing behind: the built CLI probes a silent target inside the probe lab (both its
// ping children waiting out their deadline), gets SIGINT / SIGTERM / SIGHUP, and exits with 128+N; 100 ms
// later no process is left in the lab's client namespace. Packets stay inside namespaces this test created.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canBuildLab, createLab, type Lab, SERVER_NO_PING } from './probe/lab.ts';
import { BUNDLE } from './podreach.ts';
import { alive, nsPids, pings, sleep, startCli, until } from './proc.ts';

const ready = canBuildLab() && existsSync(BUNDLE);
let lab: Lab;
const DROP_ICMP = ['INPUT', '-p', 'icmp', '-j', 'DROP'];

describe.skipIf(!ready)('signals during a probe (dist/podreach.mjs in the probe lab)', () => {
  beforeAll(async () => {
    lab = await createLab();
    // The gateway stays silent too: both pings (target and gateway) are waiting when the signal lands.
    expect((await lab.exec(lab.router, ['iptables', '-I', ...DROP_ICMP])).code).toBe(0);
  });
  afterAll(() => lab?.destroy());

  const cases: [string, NodeJS.Signals, number, boolean][] = [
    ['SIGINT to its pid', 'SIGINT', 130, false],
    ['SIGTERM to its pid', 'SIGTERM', 143, false],
    ['SIGHUP to its pid', 'SIGHUP', 129, false],
    ['SIGTERM to its process group', 'SIGTERM', 143, true],
  ];
  it.each(cases)('%s: the conventional exit code, and no ping child alive 100 ms after', async (_name, sig, code, group) => {
    const cli = startCli(lab.client, ['diagnose', `${SERVER_NO_PING}:81`, '--no-api', '-o', 'json', '--timeout', '5000']);
    await until(() => pings(lab.client).length >= 2, 5000, 'both ping children');
    const children = pings(lab.client);
    expect(children.map((p) => p.args.at(-1)).sort()).toEqual(['10.251.1.1', SERVER_NO_PING]);
    const sent = performance.now();
    process.kill(group ? -cli.pid : cli.pid, sig);
    const exit = await cli.exited;
    await sleep(100);
    const left = children.filter((p) => alive(p.pid));
    console.log(`${sig}${group ? ' (group)' : ''}: exit ${exit.code} ${Math.round(exit.at - sent)} ms after the signal; pings left: ${left.length}`);
    expect(exit.code).toBe(code);
    expect(left).toEqual([]);
    expect(nsPids(lab.client)).toEqual([]);
    // Signal handling is not held up by CPU-bound work (generous bound: the machine is shared).
    expect(exit.at - sent).toBeLessThan(1000);
  });
});
