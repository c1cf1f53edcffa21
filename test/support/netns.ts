// An empty network namespace (loopback only) for the enclosing test file: made before its tests, deleted after.
// Whatever runs in it can reach 127.0.0.0/8 and nothing else.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll } from 'vitest';

export function useEmptyNetns(label: string): string {
  const ns = `podreach-${label}-${process.pid}`;
  const ip = (...a: string[]) => spawnSync('ip', a, { encoding: 'utf8', timeout: 5000 });
  beforeAll(() => {
    ip('netns', 'del', ns);
    const r = ip('netns', 'add', ns);
    if (r.status !== 0) throw new Error(`ip netns add ${ns}: ${r.stderr}`);
    ip('-n', ns, 'link', 'set', 'lo', 'up');
  });
  afterAll(() => {
    ip('netns', 'del', ns);
  });
  return ns;
}
