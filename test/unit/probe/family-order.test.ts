import { describe, expect, it } from 'vitest';
import { clientOrder, familyPaths } from '../../../src/probe/family-order.ts';

const A = ['192.168.20.52', '192.168.20.53'];
const AAAA = ['fd00:192:168:20::52'];

describe('the family a glibc client tries first', () => {
  it('dual-stack pod with an IPv6 source and default route: IPv6 first, the reason names the source', () => {
    const o = clientOrder(A, AAAA, familyPaths(['172.16.1.10', 'fd00:172:16:1::10'], '172.16.1.1', 'fd00:172:16:1::1'));
    expect(o).toMatchObject({ family: 'IPv6', addresses: [...AAAA, ...A] });
    expect(o?.why).toContain('glibc getaddrinfo');
    expect(o?.why).toContain('fd00:172:16:1::10');
  });
  it('only a link-local IPv6 address: IPv4 first (rule 1), even with an IPv6 route', () => {
    const o = clientOrder(A, AAAA, familyPaths(['172.16.1.10', 'fe80::1'], '172.16.1.1', 'fe80::ff%eth0'));
    expect(o).toMatchObject({ family: 'IPv4', addresses: [...A, ...AAAA] });
    expect(o?.why).toContain('no IPv6 address other than link-local');
  });
  it('an IPv6 address without an IPv6 default route: IPv4 first', () => {
    const o = clientOrder(A, AAAA, familyPaths(['172.16.1.10', 'fd00:172:16:1::10'], '172.16.1.1', undefined));
    expect(o).toMatchObject({ family: 'IPv4' });
    expect(o?.why).toContain('no IPv6 default route');
  });
  it('a single family is that family whatever the pod has; nothing for no records', () => {
    const v4only = familyPaths(['172.16.1.10'], '172.16.1.1', undefined);
    expect(clientOrder([], AAAA, v4only)).toMatchObject({ family: 'IPv6', addresses: AAAA });
    expect(clientOrder(A, [], familyPaths(['fd00::1'], undefined, 'fd00::ff'))).toMatchObject({ family: 'IPv4', addresses: A });
    expect(clientOrder([], [], v4only)).toBeUndefined();
  });
  it('familyPaths keeps link-local out of the sources and reads a route from a gateway', () => {
    expect(familyPaths(['fe80::2', '10.0.0.5', '2001:db8::5'], undefined, '2001:db8::1')).toEqual({ IPv4: { source: '10.0.0.5', route: false }, IPv6: { source: '2001:db8::5', route: true } });
  });
});
