// The entry's guess that a run will be the live view (it then starts the view's thread early).
// It must agree with main.ts on every case main.ts decides: a wrong "yes" costs an idle thread,
// a wrong "no" costs the live view ~45 ms.
import { describe, expect, it } from 'vitest';
import { liveViewLikely } from '../../../src/cli/prestart.ts';

describe('liveViewLikely', () => {
  it.each([
    [['diagnose', '10.0.0.5:80'], true, true],
    [['diagnose', '10.0.0.5:80', '--no-color', '--timeout', '900'], true, true],
    [['diagnose', 'http://db.internal:8080/x', '-p', '8080'], true, true],
    [['diagnose', '10.0.0.5:80'], false, false],
    [['diagnose', '10.0.0.5:80', '-o', 'json'], true, false],
    [['diagnose', '10.0.0.5:80', '-ojson'], true, false],
    [['diagnose', '10.0.0.5:80', '--output', 'text'], true, false],
    [['diagnose', '10.0.0.5:80', '--output=text'], true, false],
    [['diagnose', '--help'], true, false],
    [['diagnose', '-h'], true, false],
    [['--version'], true, false],
    [['probe', '10.0.0.5:80'], true, false],
    [[], true, false],
  ] as const)('%j with a terminal: %s → %s', (argv, tty, expected) => {
    expect(liveViewLikely(argv, tty)).toBe(expected);
  });

  it('an option that only starts with --output-ish letters is not -o', () => {
    expect(liveViewLikely(['diagnose', '10.0.0.5:80', '--outputs'], true)).toBe(true);
  });
});
