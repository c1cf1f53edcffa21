// The live view of several targets: the table fills in as each target is probed and diagnosed; the keys
// move the selection, open a target's full screen and go back.
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import type { Evidence } from '../../src/diagnose/types.ts';
import { podOnly } from '../../src/diagnose/index.ts';
import { podSide } from '../../src/diagnose/vantage.ts';
import type { PodreachReport } from '../../src/render/report.ts';
import { type RunHooks, type SweepRun, startRun } from '../../src/render/tui/live.ts';
import { SweepApp, type SweepSession } from '../../src/render/tui/sweep-app.tsx';
import { CASES, reportFrom } from './fixtures.ts';

const DOWN = '\u001B[B';
const UP = '\u001B[A';
const ENTER = '\r';
const ESC = '\u001B';

const pick = (name: string) => CASES.find((c) => c.name === name)!.ev();
/** Three targets with three verdicts, made by the real engine. */
const EVIDENCE: Evidence[] = [pick('security group (vpc, node passes)'), pick('reachable'), pick('port closed')];
// `reachable` and `security group` probe the same target: tell the rows apart.
EVIDENCE[1] = { ...EVIDENCE[1]!, target: { ...EVIDENCE[1]!.target, input: 'http://192.168.10.52' } };

/** A sweep whose per-target events and reports the test hands over by hand. */
function manualSweep(evs: readonly Evidence[] = EVIDENCE, n = 1) {
  const hooks: RunHooks[] = [];
  const settle: { resolve: (r: PodreachReport) => void; reject: (e: Error) => void }[] = [];
  const targets = evs.map((ev, i) =>
    startRun(
      (h) => {
        hooks[i] = h;
        return new Promise<PodreachReport>((resolve, reject) => (settle[i] = { resolve, reject }));
      },
      n,
      { input: ev.target.input, target: ev.target, context: { facts: ev.context, missing: [], notes: [] } },
    ),
  );
  const run: SweepRun = { n, targets };
  return {
    run,
    hooks,
    /** Target i's report, as runDiagnose would build it. */
    finish: (i: number) => settle[i]!.resolve(reportFrom(evs[i]!)),
    finishAll: () => evs.forEach((_, i) => settle[i]!.resolve(reportFrom(evs[i]!))),
    fail: (message: string) => settle.forEach((s) => s.reject(new Error(message))),
  };
}

async function until(test: () => boolean, what: string, text?: () => string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (test()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`never: ${what}${text ? `\n${text()}` : ''}`);
}

const mounted: { unmount(): void }[] = [];
afterEach(() => {
  for (const m of mounted.splice(0)) m.unmount();
});

function mount(first: SweepRun, opts: { keys?: boolean; columns?: number; rerun?: (n: number) => SweepRun; origins?: (string | undefined)[] } = {}) {
  const session: SweepSession = { settled: false };
  const app = render(
    <SweepApp
      first={first}
      rerun={opts.rerun ?? ((n) => manualSweep(EVIDENCE, n).run)}
      keys={opts.keys ?? true}
      waiting="the other targets"
      origins={opts.origins}
      columns={opts.columns ?? 100}
      session={session}
    />,
  );
  mounted.push(app);
  const text = () => app.frames.at(-1) ?? '';
  const press = async (key: string, test: () => boolean, what: string) => {
    app.stdin.write(key);
    await until(test, what, text);
  };
  /** The table row of target input, with the selection marker. */
  const row = (input: string) => text().split('\n').find((l) => l.slice(2).startsWith(`${input} `)) ?? '';
  return { ...app, session, text, press, row };
}

describe('SweepApp: the table fills in', () => {
  it('a row per target: probing, then probed (waiting for the rest), then its verdict; the tally once all are in', async () => {
    const m = manualSweep();
    const app = mount(m.run);
    expect(app.text()).toMatch(/^podreach {2}3 targets {2}from pod 172\.16\.1\.10 on node 192\.168\.10\.11 · vpc model/);
    expect(app.text()).toMatch(/TARGET\s+VERDICT\s+CONF\s+TIME/);
    for (const ev of EVIDENCE) expect(app.row(ev.target.input)).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] probing…/);
    expect(app.text()).toContain('0 of 3 probed from the pod');
    expect(app.text()).toContain('probing… · ↑↓ select · enter details · q quit');

    m.hooks[2]!.onProbed();
    await until(() => app.row('192.168.10.52:81').includes('probed, waiting for the other targets'), 'row 3 probed', app.text);
    expect(app.text()).toContain('1 of 3 probed from the pod');
    expect(app.row('192.168.10.52:80')).toContain('probing…');

    // Each row as the engine decided it: mark, cause, confidence, time.
    const conf = (i: number) => reportFrom(EVIDENCE[i]!).diagnosis.confidence.toFixed(2);
    m.finish(2);
    await until(() => new RegExp(`✗ port-closed\\s+${conf(2)}\\s+1001 ms$`).test(app.row('192.168.10.52:81')), 'row 3 verdict', app.text);
    m.finish(0);
    await until(() => new RegExp(`[✗?] security-group\\s+${conf(0)}\\s+1001 ms$`).test(app.row('192.168.10.52:80')), 'row 1 verdict', app.text);
    expect(app.text()).toContain('2 of 3 probed from the pod');
    expect(app.row('http://192.168.10.52')).toContain('probing…');
    expect(app.session.settled).toBe(false);

    m.finish(1);
    await until(() => app.row('http://192.168.10.52').includes('✓ reachable'), 'row 2 verdict', app.text);
    expect(app.text()).toContain('1 reachable, 2 not reachable (security-group, port-closed)');
    expect(app.text()).toContain('↑↓ select · enter details · q quit · r re-run probes · J print JSON and exit');
    expect(app.session.settled).toBe(true);
    expect(app.session.ending).toBeUndefined();
  });

  it('a probed target shows the verdict of the pod probes alone, dim and marked "so far", until its report replaces it', async () => {
    const m = manualSweep();
    const app = mount(m.run);
    // What runDiagnose hands over when the pod is done: the pod-only judgement with the early context.
    const soFar = podOnly(EVIDENCE[0]!.target, podSide(EVIDENCE[0]!), EVIDENCE[0]!.context);
    m.hooks[0]!.onProbed(soFar);
    await until(() => app.row('192.168.10.52:80').endsWith('so far'), 'row 1 so far', app.text);
    expect(app.row('192.168.10.52:80')).toMatch(new RegExp(`[✗?] ${soFar.cause}\\s+${soFar.confidence.toFixed(2)}\\s+so far`));
    // The report (with the node's view) may say more, or something else: it replaces the first answer.
    m.finish(0);
    const final = reportFrom(EVIDENCE[0]!).diagnosis;
    await until(() => new RegExp(`[✗?] ${final.cause}\\s+${final.confidence.toFixed(2)}\\s+1001 ms$`).test(app.row('192.168.10.52:80')), 'row 1 final', app.text);
    expect(app.row('192.168.10.52:80')).not.toContain('so far');
  });

  it('the FROM column when targets came from a file or the environment', () => {
    const app = mount(manualSweep().run, { origins: [undefined, '-f deps.txt', 'env API_URL'] });
    expect(app.text()).toMatch(/TARGET\s+VERDICT\s+CONF\s+TIME\s+FROM/);
    expect(app.row('http://192.168.10.52')).toMatch(/probing…\s+-f deps\.txt$/);
    expect(app.row('192.168.10.52:80')).toMatch(/argument$/);
  });

  it('fits 80 columns', async () => {
    const m = manualSweep();
    m.finishAll();
    const app = mount(m.run, { columns: 80, origins: [undefined, '-f deps.txt', 'env A_VERY_LONG_VARIABLE_NAME_FOR_THE_API_URL'] });
    await until(() => app.text().includes('reachable,'), 'tally', app.text);
    for (const l of app.text().split('\n')) expect(l.length, l).toBeLessThanOrEqual(80);
  });
});

describe('SweepApp: keys', () => {
  it('↓/j and ↑/k move the selection within the rows; Enter opens the target, Esc and q go back', async () => {
    const m = manualSweep();
    m.finishAll();
    const app = mount(m.run);
    await until(() => app.text().includes('reachable,'), 'tally', app.text);
    expect(app.row('192.168.10.52:80').startsWith('›')).toBe(true);
    await app.press(DOWN, () => app.row('http://192.168.10.52').startsWith('›'), 'down to row 2');
    expect(app.row('192.168.10.52:80').startsWith('›')).toBe(false);
    await app.press('j', () => app.row('192.168.10.52:81').startsWith('›'), 'j to row 3');
    await app.press('j', () => true, 'j past the end');
    await new Promise((r) => setTimeout(r, 50));
    expect(app.row('192.168.10.52:81').startsWith('›')).toBe(true);
    await app.press(UP, () => app.row('http://192.168.10.52').startsWith('›'), 'up to row 2');
    await app.press('k', () => app.row('192.168.10.52:80').startsWith('›'), 'k to row 1');

    // Enter: the single-target screen of that target, with its verdict and fix.
    await app.press(DOWN, () => app.row('http://192.168.10.52').startsWith('›'), 'down to row 2');
    await app.press(ENTER, () => app.text().includes('VERDICT  ✓ Reachable'), 'row 2 opened');
    expect(app.text()).toMatch(/^podreach {2}http:\/\/192\.168\.10\.52 → 192\.168\.10\.52:80/);
    expect(app.text()).toContain('PROBES');
    expect(app.text()).toContain('target 2 of 3 · esc back to all targets');
    expect(app.text()).not.toContain('TARGET');
    // ↓ in the detail: the next target's screen.
    await app.press(DOWN, () => app.text().includes('Port closed'), 'next target opened');
    await app.press(ESC, () => app.text().includes('TARGET') && app.row('192.168.10.52:81').startsWith('›'), 'back with Esc');
    await app.press(ENTER, () => app.text().includes('Port closed'), 'row 3 opened');
    await app.press('q', () => app.text().includes('TARGET'), 'back with q');
    expect(app.session.ending).toBeUndefined();

    await app.press('q', () => app.session.ending === 'quit', 'q in the table quits');
    expect(app.session.settled).toBe(true);
  });

  it('a target opened while probing fills in there too', async () => {
    const m = manualSweep();
    const app = mount(m.run);
    await app.press(ENTER, () => app.text().includes('VERDICT  probing…'), 'row 1 opened');
    expect(app.text()).toContain('probing… · target 1 of 3 · esc back to all targets');
    m.hooks[0]!.onEvent({ type: 'started', probe: 'tcp', atMs: 0 });
    await until(() => /tcp\/80\s+192\.168\.10\.52:80\s+running…/.test(app.text()), 'tcp running', app.text);
    m.finishAll();
    await until(() => app.text().includes('Security group blocks the source'), 'verdict in the detail', app.text);
  });

  it('J (the sweep JSON) and r (re-run) only once every report is in; q before that leaves unsettled', async () => {
    const m = manualSweep();
    const runs: ReturnType<typeof manualSweep>[] = [];
    const app = mount(m.run, {
      rerun: (n) => {
        const next = manualSweep(EVIDENCE, n);
        runs.push(next);
        return next.run;
      },
    });
    m.finish(0);
    app.stdin.write('J');
    app.stdin.write('r');
    await new Promise((r) => setTimeout(r, 50));
    expect(app.session.ending).toBeUndefined();
    expect(runs).toHaveLength(0);

    m.finish(1);
    m.finish(2);
    await until(() => app.session.settled, 'settled');
    await app.press('r', () => runs.length === 1, 'a second run');
    await until(() => app.text().includes('run 2') && app.row('192.168.10.52:80').includes('probing…'), 'run 2 probing', app.text);
    expect(app.session.settled).toBe(false);
    runs[0]!.finishAll();
    await until(() => app.session.settled && app.text().includes('1 reachable, 2 not reachable'), 'run 2 settled', app.text);
    await app.press('J', () => app.session.ending === 'json', 'J ends with json');

    const m2 = manualSweep();
    const app2 = mount(m2.run);
    await app2.press('q', () => app2.session.ending === 'quit', 'quit while probing');
    expect(app2.session.settled).toBe(false);
  });

  it('without a keyboard (kubectl exec without -t): no marker, no hints; ends by itself with every verdict', async () => {
    const m = manualSweep();
    const app = mount(m.run, { keys: false });
    expect(app.text()).not.toContain('q quit');
    expect(app.text()).not.toContain('›');
    m.finishAll();
    await until(() => app.session.ending === 'done', 'done');
    expect(app.frames.some((f) => f.includes('1 reachable, 2 not reachable'))).toBe(true);
  });

  it('a failed run shows the error and ends', async () => {
    const m = manualSweep();
    const app = mount(m.run);
    m.fail('no route to anything');
    await until(() => app.session.ending === 'done', 'done');
    expect(app.frames.some((f) => f.includes('podreach: failed: no route to anything') && f.includes('✗ failed'))).toBe(true);
    expect(app.session.error?.message).toBe('no route to anything');
  });
});
