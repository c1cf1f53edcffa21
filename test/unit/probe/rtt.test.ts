import { describe, expect, it } from 'vitest';
import { bestSample, DEFAULT_WAIT, RttTracker, waitFor } from '../../../src/probe/rtt.ts';

describe('waitFor', () => {
  const p = { k: 8, floorMs: 300, noSampleMs: 500, capMs: 1200 };
  it('uses the floor for VPC-scale RTTs', () => {
    expect(waitFor(0.2, p)).toBe(300);
    expect(waitFor(30, p)).toBe(300);
  });
  it('grows with a slow path', () => {
    expect(waitFor(50, p)).toBe(400);
    expect(waitFor(100, p)).toBe(800);
  });
  it('never exceeds the cap', () => {
    expect(waitFor(400, p)).toBe(1200);
    expect(waitFor(null, { ...p, capMs: 200 })).toBe(200);
  });
  it('waits longer when nothing has answered', () => {
    expect(waitFor(null, p)).toBe(500);
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
    expect(t.estimate).toEqual({ ms: null, basis: 'none', waitMs: DEFAULT_WAIT.noSampleMs });
  });

  it('re-evaluates the wait as samples arrive and tells listeners', () => {
    const t = new RttTracker();
    const seen: number[] = [];
    t.onChange(() => seen.push(t.waitMs));
    t.observe({ basis: 'gateway', ms: 0.3 }); // 500 → floor
    t.observe({ basis: 'gateway', ms: 0.2 }); // still the floor: no call
    t.observe({ basis: 'icmp-target', ms: 60 }); // target path beats gateway: 480
    expect(seen).toEqual([300, 480]);
    expect(t.estimate).toEqual({ ms: 60, basis: 'icmp-target', waitMs: 480 });
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
