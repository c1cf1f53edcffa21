// End to end in a real terminal: tmux runs podreach inside a lab pod's network namespace.
// Golden screens: UPDATE_GOLDEN=1 rewrites test/tui/golden/*.txt from this run.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redactTarget } from '../../src/probe/target.ts';
import { sweepSchemaErrors } from '../integration/schema.ts';
import { createLab, type Lab } from '../lab/lab.ts';
import { ECS, REDIS, SWEEPS, type Sweep } from '../lab/scenarios.ts';
import { BUNDLE, diagnoseArgv, haveTmux, normaliseScreen, openPane, type Pane, trimScreen } from './tmux.ts';

const GOLDEN = (id: string) => fileURLToPath(new URL(`./golden/${id}.txt`, import.meta.url));
const COLS = 100;
const ROWS = 50;

const canRun = process.getuid?.() === 0 && haveTmux() && ['ip', 'iptables', 'ping'].every((c) => spawnSync('sh', ['-c', `command -v ${c}`]).status === 0);

const DEPS = SWEEPS.find((s) => s.id === 'tunnel-app-deps') as Sweep;

const VERDICT_DONE = (s: string) => s.includes('q quit · r re-run probes');
const COLOUR = /\x1b\[(?:[0-9;]*;)?3[1-3]m/;

/** One lab for the enclosing describe block: built before its tests, torn down after them. */
function useLab(id: string): () => Lab {
  let lab: Lab | undefined;
  beforeAll(async () => {
    if (!existsSync(BUNDLE)) throw new Error('dist/podreach.mjs missing: npm run build');
    lab = await createLab(id);
  });
  afterAll(async () => {
    await lab?.destroy();
  });
  return () => {
    if (!lab) throw new Error(`lab ${id} was not built`);
    return lab;
  };
}

function checkGolden(id: string, screen: string): void {
  const got = `${normaliseScreen(screen)}\n`;
  if (process.env.UPDATE_GOLDEN === '1') {
    writeFileSync(GOLDEN(id), got);
    // The screen exactly as captured, timings and all: for the README, never compared.
    writeFileSync(GOLDEN(`${id}.screen`), `${trimScreen(screen)}\n`);
  }
  expect(existsSync(GOLDEN(id)), `${GOLDEN(id)} missing: run with UPDATE_GOLDEN=1`).toBe(true);
  expect(got).toBe(readFileSync(GOLDEN(id), 'utf8'));
}

async function withPane<T>(
  argv: string[],
  fn: (p: Pane) => Promise<T>,
  opts: {
    env?: Record<string, string>;
    stdinNull?: boolean;
    cols?: number;
  } = {},
): Promise<T> {
  const pane = openPane(argv, {
    cols: opts.cols ?? COLS,
    rows: ROWS,
    env: { TERM: 'xterm-256color', CI: 'true', ...opts.env },
    stdinNull: opts.stdinNull,
  });
  try {
    return await fn(pane);
  } finally {
    pane.kill();
  }
}

/** Runs argv from a copy of the bundle without the view's chunk (ink and the views): a broken install, not a stubbed view. */
async function withBrokenView(argv: string[], fn: (p: Pane) => Promise<void>): Promise<void> {
  const copy = mkdtempSync(join(tmpdir(), 'podreach-broken-'));
  try {
    cpSync(dirname(BUNDLE), copy, { recursive: true });
    const chunks = join(copy, 'chunks');
    const ink = readdirSync(chunks).filter((f) => f.startsWith('app-'));
    expect(ink).toHaveLength(1);
    rmSync(join(chunks, ink[0]!));
    await withPane(
      argv.map((a) => (a === BUNDLE ? join(copy, basename(BUNDLE)) : a)),
      fn,
    );
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

function restored(p: Pane): void {
  const { before, after } = p.stty();
  expect(before).not.toBe('');
  expect(after, 'stty settings after exit').toBe(before);
  expect(p.cursorVisible(), 'cursor visible after exit').toBe(true);
}

describe.skipIf(!canRun)('TUI in tmux, security group scenario (vpc-sg-container-cidr)', () => {
  const lab = useLab('vpc-sg-container-cidr');

  it('shows probes running, then the verdict and the fix; r re-runs; q restores the terminal', async () => {
    // --patience: silence is called in ~0.35 s now, often before the view's first frame on a busy machine;
    // a slow link's patience keeps the probes running long enough to watch them.
    await withPane([...diagnoseArgv(lab()), '--patience', '1500'], async (p) => {
      // CI=true is set on purpose: a real terminal still gets the live view.
      const running = await p.waitFor((s) => /running…/.test(s) && s.includes('PROBES'), 10_000, 'probes running');
      expect(running).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] (ping|tcp\/80)\s+192\.168\.10\.52/);
      expect(running).toContain('VERDICT  probing…');

      const done = await p.waitFor(VERDICT_DONE, 10_000, 'verdict');
      expect(done).toContain('Security group blocks the source');
      expect(done.replace(/\s+/g, ' ')).toContain('Add an inbound rule to the security group of 192.168.10.52 allowing source 172.16.0.0/16');
      expect(done).toMatch(/✗ tcp\/80\s+192\.168\.10\.52:80\s+timeout/);
      expect(done).toContain('→ it must allow 172.16.0.0/16');
      expect(COLOUR.test(p.screenWithEscapes())).toBe(true);
      checkGolden('vpc-sg-container-cidr', done);

      p.send('r');
      const rerun = await p.waitFor((s) => s.includes('run 2'), 10_000, 'run 2');
      expect(rerun).toContain('podreach  192.168.10.52:80');
      await p.waitFor((s) => s.includes('run 2') && VERDICT_DONE(s), 10_000, 'verdict of run 2');

      p.send('q');
      expect(await p.waitExit()).toBe(1);
      restored(p);
      expect(p.screen()).toContain('Security group blocks the source');
    });
  });

  it.each([
    ['Ctrl-C (a key in raw mode)', 130, (p: Pane) => p.send('C-c')],
    ['SIGTERM (the pod is going away)', 143, (p: Pane) => p.signal('TERM')],
  ] as const)('%s while probing: exits %i and restores the terminal', async (_what, code, interrupt) => {
    await withPane(diagnoseArgv(lab()), async (p) => {
      // The probes last ~1.2 s; on a loaded machine the view's first frame can come with the verdict, and then
      // the signal lands just after probing: the same exit code and the same restored terminal are owed.
      await p.waitFor((s) => /running…/.test(s) || VERDICT_DONE(s), 10_000, 'probes running (or just done)');
      interrupt(p);
      expect(await p.waitExit(3000)).toBe(code);
      restored(p);
    });
  });

  it('NO_COLOR: the same screen without colour', async () => {
    await withPane(
      diagnoseArgv(lab()),
      async (p) => {
        await p.waitFor(VERDICT_DONE, 10_000, 'verdict');
        expect(COLOUR.test(p.screenWithEscapes())).toBe(false);
        p.send('q');
        expect(await p.waitExit()).toBe(1);
      },
      { env: { NO_COLOR: '1' } },
    );
  });

  it('stdin not a terminal (kubectl exec without -t): no keys, ends by itself with the verdict', async () => {
    await withPane(
      diagnoseArgv(lab()),
      async (p) => {
        expect(await p.waitExit()).toBe(1);
        const s = p.screen();
        expect(s).toContain('Security group blocks the source');
        expect(s).not.toContain('q quit');
        restored(p);
      },
      { stdinNull: true },
    );
  });
});

describe.skipIf(!canRun)('TUI in tmux, reachable scenario (vpc-ok)', () => {
  const lab = useLab('vpc-ok');

  it('shows the reachable verdict in green; q exits 0', async () => {
    await withPane(diagnoseArgv(lab()), async (p) => {
      const done = await p.waitFor(VERDICT_DONE, 10_000, 'verdict');
      expect(done).toContain('✓ Reachable');
      expect(done).toMatch(/✓ tcp\/80\s+192\.168\.10\.52:80\s+open/);
      expect(p.screenWithEscapes()).toMatch(/\x1b\[(?:[0-9;]*;)?32m✓ Reachable/);
      checkGolden('vpc-ok', done);
      p.send('q');
      expect(await p.waitExit()).toBe(0);
      restored(p);
    });
  });

  it('j prints the JSON report after the screen and exits with the verdict', async () => {
    await withPane(diagnoseArgv(lab()), async (p) => {
      await p.waitFor(VERDICT_DONE, 10_000, 'verdict');
      p.send('j');
      expect(await p.waitExit()).toBe(0);
      expect(p.screen()).toMatch(/"totalMs": [\d.]+\n\s*}\n}/);
      restored(p);
    });
  });

  it('a view that cannot load (its chunk is missing): one line on stderr, then the text report', async () => {
    await withBrokenView(diagnoseArgv(lab()), async (p) => {
      expect(await p.waitExit()).toBe(0);
      const s = p.screen();
      // The terminal wraps the line (the path is long): unwrap before matching.
      expect(s.replaceAll('\n', '')).toMatch(/podreach: live view failed \(Cannot find module .+app-.+\); printing text instead/);
      expect(s).toMatch(/^VERDICT\s+reachable: Reachable/m);
      restored(p);
    });
  });

  it('fits 80 columns', async () => {
    await withPane(
      diagnoseArgv(lab()),
      async (p) => {
        const done = await p.waitFor(VERDICT_DONE, 10_000, 'verdict');
        const boxes = done.split('\n').filter((l) => /^[┌│└]/.test(l));
        expect(boxes.length).toBeGreaterThan(4);
        // A box line cut by the terminal's wrap would not end in its corner or side.
        for (const l of boxes) expect(l, l).toMatch(/[┐│┘]$/);
        p.send('q');
        expect(await p.waitExit()).toBe(0);
      },
      { cols: 80 },
    );
  });
});

describe.skipIf(!canRun)('TUI in tmux, several targets (tunnel-app-deps, without the API)', () => {
  const lab = useLab(DEPS.id);
  // --patience keeps the silent targets waiting (~1.5 s) while the table is watched filling in.
  const argv = () => [...diagnoseArgv(lab(), DEPS.dependencies.map((d) => d.input)), '--no-api', '--patience', '1500'];
  /** The table row of a dependency (as shown: a URL's password redacted), selection marker and all. */
  const row = (screen: string, input: string) => screen.split('\n').find((l) => l.slice(2).startsWith(`${redactTarget(input)} `)) ?? '';
  const SWEEP_DONE = (s: string) => s.includes('J print JSON and exit') && s.includes('TARGET');
  const TALLY = /^1 reachable, 5 not reachable \(/m;

  it('the table fills in per target; Enter opens a target, Esc returns; q exits 1 and restores the terminal', async () => {
    await withPane(argv(), async (p) => {
      // The name that does not resolve is done in ~0.1 s; the silent targets wait out their --patience (1.5 s).
      // Probed, it shows the pod's own verdict at once, dim, until the run's report replaces it.
      const filling = await p.waitFor((s) => row(s, 'nosuch.lab.internal:80').endsWith('so far'), 10_000, 'a probed row', 20);
      expect(row(filling, 'nosuch.lab.internal:80')).toMatch(/[✗?] dns\s+\d\.\d\d\s+so far$/);
      expect(filling).toMatch(/^podreach {2}6 targets {2}from pod 172\.16\.1\.10 on node 192\.168\.10\.11 · tunnel model/);
      expect(row(filling, `http://${ECS}`)).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] probing…/);
      expect(filling).toContain('probing… · ↑↓ select · enter details · q quit');

      const done = await p.waitFor(SWEEP_DONE, 15_000, 'every verdict');
      for (const d of DEPS.dependencies) expect(row(done, d.input), d.input).toMatch(new RegExp(`[✓✗?] ${d.cause}\\s+\\d\\.\\d\\d\\s+[\\d.]+ ms$`));
      expect(done).toMatch(TALLY);
      expect(done).not.toContain('s3cret');
      expect(p.screenWithEscapes()).toMatch(/\x1b\[(?:[0-9;]*;)?32m✓ reachable/);
      checkGolden(DEPS.id, done);

      // The third row (port 6380): its full screen, then back to the table with it still selected.
      p.send('Down');
      p.send('j');
      await p.waitFor((s) => row(s, `${REDIS}:6380`).startsWith('›'), 5000, 'row 3 selected');
      p.send('Enter');
      const detail = await p.waitFor((s) => s.includes('VERDICT  ✗ Port closed'), 5000, 'row 3 opened');
      expect(detail).toMatch(new RegExp(`^podreach {2}${REDIS}:6380 {2}from pod`));
      expect(detail).toMatch(/✗ tcp\/6380\s+192\.168\.20\.10:6380\s+refused/);
      expect(detail).toContain('target 3 of 6 · esc back to all targets');
      p.send('Escape');
      const back = await p.waitFor((s) => SWEEP_DONE(s) && row(s, `${REDIS}:6380`).startsWith('›'), 5000, 'the table again');
      expect(back).not.toContain('Port closed');

      p.send('q');
      expect(await p.waitExit()).toBe(1);
      restored(p);
    });
  });

  it("J prints the sweep JSON after the table and exits with the sweep's code", async () => {
    await withPane(argv(), async (p) => {
      await p.waitFor(SWEEP_DONE, 15_000, 'every verdict');
      p.send('J');
      expect(await p.waitExit()).toBe(1);
      const lines = p.scrollback().split('\n');
      const from = lines.indexOf('{');
      const to = lines.lastIndexOf('}');
      expect(from, 'the JSON document').toBeGreaterThan(0);
      const sweep = JSON.parse(lines.slice(from, to + 1).join('\n')) as { kind: string; reports: { diagnosis: { cause: string } }[] };
      expect(sweepSchemaErrors(sweep)).toEqual([]);
      expect(sweep.kind).toBe('podreach.sweep');
      expect(sweep.reports.map((r) => r.diagnosis.cause)).toEqual(DEPS.dependencies.map((d) => d.cause));
      expect(lines.slice(0, from).join('\n')).toMatch(TALLY);
      restored(p);
    });
  });

  it('stdin not a terminal: no keys, ends by itself with the filled table', async () => {
    await withPane(
      argv(),
      async (p) => {
        expect(await p.waitExit()).toBe(1);
        const s = p.screen();
        expect(s).toMatch(TALLY);
        expect(s).not.toContain('q quit');
        restored(p);
      },
      { stdinNull: true },
    );
  });

  it('Ctrl-C while probing: exits 130 and restores the terminal', async () => {
    await withPane(argv(), async (p) => {
      // As for the single view: on a loaded machine the table may show its verdicts before the first look.
      await p.waitFor((s) => s.includes('TARGET') && (/probing…/.test(s) || /^\d+ reachable, \d+ not reachable/m.test(s)), 10_000, 'probing (or just done)');
      p.send('C-c');
      expect(await p.waitExit(3000)).toBe(130);
      restored(p);
    });
  });

  it('a view that cannot load: one line on stderr, then the sweep as text', async () => {
    await withBrokenView(argv(), async (p) => {
      expect(await p.waitExit()).toBe(1);
      const s = p.scrollback();
      expect(s).toMatch(/podreach: live view failed \(Cannot find module .+app-.+\); printing text instead/);
      expect(s).toMatch(/^podreach: 6 targets from pod 172\.16\.1\.10/m);
      expect(s).toMatch(TALLY);
      restored(p);
    });
  });
});
