import { describe, expect, it } from 'vitest';
import { bestSample, DEFAULT_WAIT, RttTracker, waitFor } from '../../../src/probe/rtt.ts';

describe('waitFor', () => {
  const p = { k: 8, floorMs: 100, blindMs: 350, capMs: 1200 };
  const target = (ms: number) => ({ basis: 'icmp-target' as const, ms });
  const gateway = (ms: number) => ({ basis: 'gateway' as const, ms });
  it('uses the floor for VPC-scale RTTs the target itself answered', () => {
    expect(waitFor(target(0.2), p)).toBe(100);
    expect(waitFor({ basis: 'tcp-rst', ms: 12 }, p)).toBe(100);
  });
  it('holds the blind floor while only the gateway answered: the path beyond it is unmeasured', () => {
    expect(waitFor(gateway(0.1), p)).toBe(350);
    expect(waitFor(null, p)).toBe(350);
  });
  it('grows with a slow path, measured at the gateway or at the target', () => {
    expect(waitFor(target(50), p)).toBe(400);
    expect(waitFor(gateway(100), p)).toBe(800);
  });
  it('never exceeds the cap', () => {
    expect(waitFor(target(400), p)).toBe(1200);
    expect(waitFor(null, { ...p, capMs: 200 })).toBe(200);
  });
  it('--patience raises the blind floor, not the wait for a target that answered', () => {
    expect(waitFor(gateway(0.1), { ...p, patienceMs: 900 })).toBe(900);
    expect(waitFor(null, { ...p, patienceMs: 900 })).toBe(900);
    expect(waitFor(target(0.2), { ...p, patienceMs: 900 })).toBe(100);
    expect(waitFor(null, { ...p, patienceMs: 5000 })).toBe(1200);
  });
  it('a slow target (150 ms each way) answers inside the blind floor', () => {
    expect(waitFor(gateway(0.1), p)).toBeGreaterThan(300);
  });
});

describe('bestSample', () => {
  it('prefers any target-path sample over the gateway', () => {
    expect(
      bestSample([
        { basis: 'gateway', ms: 0.1 },
        { basis: 'icmp-target', ms: 2 },
      ]),
    ).toEqual({ basis: 'icmp-target', ms: 2 });
  });
  it('takes the lowest target-path sample', () => {
    expect(
      bestSample([
        { basis: 'tcp-rst', ms: 3 },
        { basis: 'icmp-target', ms: 2 },
      ])?.basis,
    ).toBe('icmp-target');
  });
  it('falls back to the gateway, then to nothing', () => {
    expect(bestSample([{ basis: 'gateway', ms: 0.4 }])?.basis).toBe('gateway');
    expect(bestSample([])).toBeNull();
  });
});

describe('RttTracker', () => {
  it('starts with the no-sample wait and basis none', () => {
    const t = new RttTracker();
    expect(t.estimate).toEqual({ ms: null, basis: 'none', waitMs: DEFAULT_WAIT.blindMs });
  });

  it('re-evaluates the wait as samples arrive and tells listeners', () => {
    const t = new RttTracker();
    const seen: number[] = [];
    t.onChange(() => seen.push(t.waitMs));
    t.observe({ basis: 'gateway', ms: 0.3 }); // still the blind floor: no call
    t.observe({ basis: 'gateway', ms: 60 }); // not lower: the best gateway sample stays 0.3
    t.observe({ basis: 'icmp-target', ms: 0.2 }); // the target answered: its floor, 100
    t.observe({ basis: 'icmp-target', ms: 60 }); // not the best: no call
    expect(seen).toEqual([100]);
    const slow = new RttTracker();
    slow.observe({ basis: 'icmp-target', ms: 60 });
    expect(slow.waitMs).toBe(480);
    expect(slow.estimate).toEqual({ ms: 60, basis: 'icmp-target', waitMs: 480 });
  });

  it('ignores nonsense samples', () => {
    const t = new RttTracker();
    t.observe({ basis: 'gateway', ms: Number.NaN });
    t.observe({ basis: 'gateway', ms: -1 });
    expect(t.estimate.basis).toBe('none');
  });

  it('capAt lowers the wait and notifies; unsubscribe stops calls', () => {
    const t = new RttTracker();
    let calls = 0;
    const off = t.onChange(() => calls++);
    t.capAt(250);
    expect(t.waitMs).toBe(250);
    expect(calls).toBe(1);
    off();
    t.capAt(100);
    expect(calls).toBe(1);
    expect(t.waitMs).toBe(100);
  });
});
