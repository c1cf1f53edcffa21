import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { App, type Session } from '../../src/render/tui/app.tsx';
import type { LiveRun } from '../../src/render/tui/live.ts';
import { ctx, ECS, evidence, OPEN, SILENT } from '../unit/diagnose/fixtures.ts';
import { manualRun, reportFrom, until } from './fixtures.ts';

const mounted: { unmount(): void }[] = [];
afterEach(() => {
  for (const m of mounted.splice(0)) m.unmount();
});

function mount(
  first: LiveRun,
  opts: {
    keys?: boolean;
    columns?: number;
    rerun?: (n: number) => LiveRun;
  } = {},
) {
  const session: Session = { settled: false };
  const app = render(
    <App first={first} rerun={opts.rerun ?? (() => manualRun().run)} keys={opts.keys ?? true} columns={opts.columns ?? 100} session={session} />,
  );
  mounted.push(app);
  const text = () => app.frames.at(-1) ?? '';
  return { ...app, session, text };
}

describe('App, live', () => {
  it('draws events that arrived before it mounted, then each new one, then the verdict', async () => {
    const m = manualRun();
    // As in src/cli/tui.ts: probing has begun before ink is even loaded.
    m.hooks.onContext({ facts: ctx('vpc'), missing: [], notes: [] }, ECS);
    m.hooks.onEvent({ type: 'started', probe: 'icmp', atMs: 0 });
    m.hooks.onEvent({ type: 'started', probe: 'tcp', atMs: 0 });
    const app = mount(m.run);
    const first = app.text();
    expect(first).toMatch(/ping\s+192\.168\.10\.52\s+running…/);
    expect(first).toMatch(/tcp\/80\s+192\.168\.10\.52:80\s+running…/);
    expect(first).toMatch(/pod IP\s+172\.16\.1\.10/);
    expect(first).toContain('VERDICT  probing…');
    expect(first).toContain('probing… · q quit');

    m.hooks.onEvent({
      type: 'finished',
      probe: 'tcp',
      atMs: 600,
      result: {
        status: 'timeout',
        port: 80,
        ms: 600,
        attempts: 2,
        waitMs: 300,
      },
    });
    await until(() => /✗ tcp\/80\s+192\.168\.10\.52:80\s+timeout/.test(app.text()), 'tcp row finished');
    expect(app.text()).toMatch(/ping\s+192\.168\.10\.52\s+running…/);

    m.settle.resolve(reportFrom(evidence(ECS, ctx('vpc'), SILENT, OPEN)));
    await until(() => app.text().includes('Security group blocks the source'), 'verdict');
    expect(app.text()).toContain('q quit · r re-run probes · j print JSON and exit');
    expect(app.session.settled).toBe(true);
    expect(app.session.ending).toBeUndefined();
  });

  it('q quits; j asks for the JSON report (only once there is one)', async () => {
    const m = manualRun();
    const app = mount(m.run);
    app.stdin.write('j');
    await new Promise((r) => setTimeout(r, 50));
    expect(app.session.ending).toBeUndefined();
    m.settle.resolve(reportFrom(evidence(ECS, ctx('vpc'), OPEN)));
    await until(() => app.text().includes('✓ Reachable'), 'verdict');
    app.stdin.write('j');
    await until(() => app.session.ending === 'json', 'json ending');
    expect(app.session.report?.diagnosis.cause).toBe('reachable');

    const m2 = manualRun();
    const app2 = mount(m2.run);
    app2.stdin.write('q');
    await until(() => app2.session.ending === 'quit', 'quit');
    expect(app2.session.settled).toBe(false);
  });

  it('r re-runs the probes once the verdict is in, and the new run replaces the old', async () => {
    const m = manualRun();
    const runs: ReturnType<typeof manualRun>[] = [];
    const app = mount(m.run, {
      rerun: (n) => {
        const next = manualRun(n);
        runs.push(next);
        return next.run;
      },
    });
    app.stdin.write('r');
    await new Promise((r) => setTimeout(r, 50));
    expect(runs).toHaveLength(0);
    m.settle.resolve(reportFrom(evidence(ECS, ctx('vpc'), SILENT, OPEN)));
    await until(() => app.text().includes('Security group'), 'first verdict');
    app.stdin.write('r');
    await until(() => runs.length === 1, 'a second run');
    runs[0]!.hooks.onContext({ facts: ctx('vpc'), missing: [], notes: [] }, ECS);
    await until(() => app.text().includes('run 2') && app.text().includes('VERDICT  probing…'), 'run 2 probing');
    runs[0]!.settle.resolve(reportFrom(evidence(ECS, ctx('vpc'), OPEN)));
    await until(() => app.text().includes('✓ Reachable'), 'second verdict');
    expect(app.session.report?.diagnosis.cause).toBe('reachable');
  });

  it('without a keyboard (kubectl exec without -t) it ends by itself after the verdict, with no key hints', async () => {
    const m = manualRun();
    const app = mount(m.run, { keys: false });
    expect(app.text()).not.toContain('q quit');
    m.settle.resolve(reportFrom(evidence(ECS, ctx('vpc'), OPEN)));
    await until(() => app.session.ending === 'done', 'done');
    expect(app.frames.some((f) => f.includes('✓ Reachable'))).toBe(true);
  });

  it('a failed run shows the error and ends', async () => {
    const m = manualRun();
    const app = mount(m.run);
    m.settle.reject(new Error('no route to anything'));
    await until(() => app.session.ending === 'done', 'done');
    expect(app.frames.some((f) => f.includes('podreach: failed: no route to anything'))).toBe(true);
    expect(app.session.error?.message).toBe('no route to anything');
  });
});

describe('App, width', () => {
  const finished = () => {
    const m = manualRun();
    m.settle.resolve(reportFrom(evidence(ECS, ctx('vpc'), SILENT, OPEN)));
    return m.run;
  };

  it('fits in 80 columns: panels stacked, nothing wider than 80', async () => {
    const app = mount(finished(), { columns: 80 });
    await until(() => app.text().includes('EVIDENCE'), 'verdict');
    const lines = app.text().split('\n');
    for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(80);
    const ctxAt = lines.findIndex((l) => l.startsWith('CONTEXT'));
    const mapAt = lines.findIndex((l) => l.startsWith('CIDR MAP'));
    expect(mapAt).toBeGreaterThan(ctxAt);
  });

  it('uses a wide terminal: context and map side by side', async () => {
    const app = mount(finished(), { columns: 140 });
    await until(() => app.text().includes('EVIDENCE'), 'verdict');
    const lines = app.text().split('\n');
    expect(lines.some((l) => /^CONTEXT\s+CIDR MAP$/.test(l))).toBe(true);
    for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(140);
  });
});
