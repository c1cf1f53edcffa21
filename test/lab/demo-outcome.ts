// `npm start`'s last line: podreach's own exit code, and whether the demo showed what it meant to.
import type { Scenario } from './scenarios.ts';

/**
 * The demo worked when podreach named the cause the scenario was built for. podreach's own exit code
 * (1 = not reachable) is then expected, not a failure: the last line says which it was and why.
 */
export function demoOutcome(s: Scenario, code: number | null, stdout: string): { exit: number; line: string } {
  const cause = /^VERDICT\s+([\w-]+):/m.exec(stdout)?.[1];
  const why = code === 0 ? 'reachable' : code === 1 ? 'not reachable' : code === 2 ? 'usage error' : code === 3 ? 'podreach failed' : 'no exit code';
  const podreach = `podreach exited ${code ?? '-'} (${why})`;
  if (cause === s.expectedCause && code === (cause === 'reachable' ? 0 : 1)) {
    return { exit: 0, line: `demo worked: ${podreach}, verdict ${cause} as this scenario is built to show, so npm start exits 0` };
  }
  return { exit: 1, line: `demo failed: ${podreach}, verdict ${cause ?? 'missing'} where ${s.expectedCause} was expected, so npm start exits 1` };
}
