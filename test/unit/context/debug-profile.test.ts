import { describe, expect, it } from 'vitest';
import { debugProfileNote, parseGroupRange } from '../../../src/context/debug-profile.ts';

describe('the kubectl debug profile note (ICMP without NET_RAW)', () => {
  it('says nothing for netadmin, sysadmin, or no profile', () => {
    expect(debugProfileNote({}, 1000, '0 2147483647')).toBeUndefined();
    expect(debugProfileNote({ PODREACH_DEBUG_PROFILE: 'netadmin' }, 1000, '1 0')).toBeUndefined();
    expect(debugProfileNote({ PODREACH_DEBUG_PROFILE: 'sysadmin' }, 1000, '1 0')).toBeUndefined();
  });

  it('restricted: names the sysctl and whether it covers our group', () => {
    const open = debugProfileNote({ PODREACH_DEBUG_PROFILE: 'restricted' }, 1000, '0\t2147483647\n');
    expect(open).toMatch(/--profile=restricted: no NET_RAW.*ping_group_range must allow: it is 0 2147483647, which covers gid 1000$/);
    const closed = debugProfileNote({ PODREACH_DEBUG_PROFILE: 'baseline' }, 1000, '1 0\n');
    expect(closed).toMatch(/it is 1 0, which leaves out gid 1000, so ICMP cannot run and the verdict rests on TCP/);
    expect(debugProfileNote({ PODREACH_DEBUG_PROFILE: 'general' }, 1000, undefined)).toMatch(/\(could not read it\)$/);
  });

  it('reads the sysctl strictly', () => {
    expect(parseGroupRange('0 2147483647\n')).toEqual([0, 2147483647]);
    expect(parseGroupRange('1 0')).toEqual([1, 0]);
    expect(parseGroupRange('')).toBeUndefined();
    expect(parseGroupRange('a b')).toBeUndefined();
  });
});
