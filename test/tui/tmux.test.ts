// End to end in a real terminal: tmux runs podreach inside a lab pod's network namespace.
// Golden screens: UPDATE_GOLDEN=1 rewrites test/tui/golden/*.txt from this run.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, type Lab } from '../lab/lab.ts';
import { BUNDLE, diagnoseArgv, haveTmux, normaliseScreen, openPane, type Pane, trimScreen } from './tmux.ts';

const GOLDEN = (id: string) => fileURLToPath(new URL(`./golden/${id}.txt`, import.meta.url));
const COLS = 100;
const ROWS = 50;

const canRun = process.getuid?.() === 0 && haveTmux() && ['ip', 'iptables', 'ping'].every((c) => spawnSync('sh', ['-c', `command -v ${c}`]).status === 0);

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

function restored(p: Pane): void {
  const { before, after } = p.stty();
  expect(before).not.toBe('');
  expect(after, 'stty settings after exit').toBe(before);
  expect(p.cursorVisible(), 'cursor visible after exit').toBe(true);
}

describe.skipIf(!canRun)('TUI in tmux, security group scenario (vpc-sg-container-cidr)', () => {
  const lab = useLab('vpc-sg-container-cidr');

  it('shows probes running, then the verdict and the fix; r re-runs; q restores the terminal', async () => {
    await withPane(diagnoseArgv(lab()), async (p) => {
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
      await p.waitFor((s) => /running…/.test(s), 10_000, 'probes running');
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
    // A copy of the bundle without ink's chunk: a broken install, not a stubbed view.
    const copy = mkdtempSync(join(tmpdir(), 'podreach-broken-'));
    try {
      cpSync(dirname(BUNDLE), copy, { recursive: true });
      const chunks = join(copy, 'chunks');
      const ink = readdirSync(chunks).filter((f) => f.startsWith('app-'));
      expect(ink).toHaveLength(1);
      rmSync(join(chunks, ink[0]!));
      const argv = diagnoseArgv(lab()).map((a) => (a === BUNDLE ? join(copy, basename(BUNDLE)) : a));
      await withPane(argv, async (p) => {
        expect(await p.waitExit()).toBe(0);
        const s = p.screen();
        // The terminal wraps the line (the path is long): unwrap before matching.
        expect(s.replaceAll('\n', '')).toMatch(/podreach: live view failed \(Cannot find module .+app-.+\); printing text instead/);
        expect(s).toMatch(/^VERDICT\s+reachable: Reachable/m);
        restored(p);
      });
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
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
