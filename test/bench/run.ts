// `npm run bench`: per lab scenario, in the same run and inside the lab pod's namespace, the wall time from
// process start to verdict of podreach (JSON mode) and of the by-hand pair (`ping -c1 -W1`, then a `timeout 5`
// TCP connect), and their ratio; podreach's peak RSS; start-up alone; the API path with a probe pod that takes
// 2 s to start. Prints figures; asserts nothing (speed goals live here, not in timed tests).
//   node test/bench/run.ts [SCENARIO_ID...]     BENCH_RUNS=N (default 7)
//   BENCH_BASELINE=/path/to/an/older/dist/podreach.mjs adds that build, interleaved too: before and after in one run.
import { withLab, type Lab } from '../lab/lab.ts';
import { SCENARIOS } from '../lab/scenarios.ts';
import { BUNDLE, podreach, targetArg } from '../integration/podreach.ts';
import { NODE } from '../lab/lab.ts';
import { withApi } from '../kube/lab-api.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const BASELINE = process.env.BENCH_BASELINE;
const POD_START_MS = 2000;
const only = process.argv.slice(2);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};
const ms = (n: number) => `${n.toFixed(0).padStart(5)} ms`;

/**
 * What a person types: one ping with the shortest whole-second wait, then a TCP connect bounded by timeout(1).
 * ping gets -n: the lab's DNS does not answer reverse lookups, which would add seconds a cluster DNS does not.
 */
function byHand(lab: Lab): Promise<number> {
  const { host, port } = lab.scenario.target;
  const script = `ping -n -c1 -W1 ${host} >/dev/null 2>&1; timeout 5 bash -c 'exec 3<>/dev/tcp/${host}/${port}' >/dev/null 2>&1; true`;
  return lab.exec('pod', ['bash', '-c', script], { timeoutMs: 15_000 }).then((r) => r.ms);
}

/** Peak RSS of one podreach run, MB (GNU time's maximum resident set size). */
async function peakRss(lab: Lab, args: string[]): Promise<number> {
  const r = await lab.exec('pod', ['/usr/bin/time', '-f', 'maxrss %M', NODE, BUNDLE, ...args], { timeoutMs: 15_000 });
  return Number(/maxrss (\d+)/.exec(r.stderr)?.[1] ?? Number.NaN) / 1024;
}

const startup: number[] = [];
const baseStartup: number[] = [];
const bare: number[] = [];
const rows: string[] = [];
const scenarios = only.length ? SCENARIOS.filter((s) => only.includes(s.id)) : SCENARIOS;
console.log(`${'scenario'.padEnd(26)} ${'verdict'.padEnd(22)} ${'podreach'.padStart(8)} ${'by hand'.padStart(8)}  ratio  peak RSS${BASELINE ? '  baseline (verdict)' : ''}   (medians of ${RUNS}, interleaved)`);
for (const s of scenarios) {
  await withLab(s, async (lab) => {
    if (!startup.length) {
      for (let i = 0; i < RUNS; i++) {
        startup.push((await podreach(lab, 'pod', ['--version'])).ms);
        if (BASELINE) baseStartup.push((await lab.exec('pod', [NODE, BASELINE, '--version'])).ms);
        bare.push((await lab.exec('pod', [NODE, '-e', '0'])).ms);
      }
    }
    const args = ['diagnose', targetArg(lab), ...s.flags, '-o', 'json'];
    const tool: number[] = [];
    const hand: number[] = [];
    const base: number[] = [];
    let cause = '';
    let baseCause = '';
    // Interleaved, so that all see the same machine load; podreach and the baseline take turns going first
    // (a fixed order showed a bias of up to ~25 ms for whichever ran right after the by-hand pair).
    const runBase = async () => {
      const b = await lab.exec('pod', [NODE, BASELINE as string, ...args], { timeoutMs: 15_000 });
      base.push(b.ms);
      baseCause = JSON.parse(b.stdout).diagnosis.cause;
    };
    for (let i = 0; i < RUNS; i++) {
      if (BASELINE && i % 2 === 1) await runBase();
      const r = await podreach(lab, 'pod', args);
      tool.push(r.ms);
      cause = JSON.parse(r.stdout).diagnosis.cause;
      if (BASELINE && i % 2 === 0) await runBase();
      hand.push(await byHand(lab));
    }
    const rss = await peakRss(lab, args);
    const line = `${s.id.padEnd(26)} ${cause.padEnd(22)} ${ms(median(tool))} ${ms(median(hand))}  ${(median(tool) / median(hand)).toFixed(2).padStart(5)}  ${rss.toFixed(0).padStart(4)} MB${BASELINE ? `  ${ms(median(base))} (${baseCause})` : ''}`;
    console.log(line);
    rows.push(`| \`${s.id}\` | ${cause} | ${median(tool).toFixed(0)} ms | ${median(hand).toFixed(0)} ms | ${(median(tool) / median(hand)).toFixed(2)} |`);
  });
}
console.log(`\nstart-up alone (podreach --version in the pod namespace): median ${median(startup).toFixed(0)} ms (n=${startup.length}); node -e 0: ${median(bare).toFixed(0)} ms${BASELINE ? `; baseline ${median(baseStartup).toFixed(0)} ms` : ''}`);

// The API path: the test API server in the pod's namespace, probe pods Pending for POD_START_MS before they run.
const apiPath = ['vpc-ok', 'vpc-sg-container-cidr'].filter((id) => !only.length || only.includes(id));
for (const id of apiPath) {
  await withLab(id, (lab) =>
    withApi(
      lab,
      async (api) => {
        const times: number[] = [];
        const base: number[] = [];
        let cause = '';
        let node = false;
        // Interleaved with the baseline build, if any: both see the same load.
        for (let i = 0; i < RUNS; i++) {
          const r = await lab.exec('pod', ['env', ...api.env, NODE, BUNDLE, 'diagnose', targetArg(lab), '-o', 'json'], { timeoutMs: 30_000 });
          times.push(r.ms);
          const rep = JSON.parse(r.stdout);
          cause = rep.diagnosis.cause;
          node = rep.probes.node !== null;
          if (BASELINE) base.push((await lab.exec('pod', ['env', ...api.env, NODE, BASELINE, 'diagnose', targetArg(lab), '-o', 'json'], { timeoutMs: 30_000 })).ms);
        }
        const st = api.state();
        const waits = `pod watches ${st.requestLog.filter((q) => /\/pods\?watch /.test(q)).length}, pod reads ${st.requestLog.filter((q) => /^GET \S+\/pods\/podreach-probe-[0-9a-f]+ /.test(q)).length}`;
        const baseline = BASELINE ? `; baseline median ${ms(median(base))} (min ${Math.min(...base).toFixed(0)}, max ${Math.max(...base).toFixed(0)})` : '';
        console.log(`API, probe pod start ${POD_START_MS} ms: ${id.padEnd(22)} ${cause.padEnd(16)} median ${ms(median(times))} (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)})${baseline}; node side ${node ? 'from the probe pod' : 'not needed'}; probe pods created ${st.created.length}, left ${st.live.length}; ${waits}`);
      },
      ['--pod-start-ms', String(POD_START_MS)],
    ),
  );
}
if (process.env.BENCH_TABLE) console.log(`\n${rows.join('\n')}`);
