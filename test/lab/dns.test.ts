import { describe, expect, test } from 'vitest';
import { answer, parseQuery, RCODE } from './dns.ts';

function query(name: string, qtype = 1, id = 0x1234): Buffer {
  const labels = name.split('.').flatMap((l) => [Buffer.from([l.length]), Buffer.from(l)]);
  const head = Buffer.from([id >> 8, id & 0xff, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
  return Buffer.concat([head, ...labels, Buffer.from([0, 0, qtype, 0, 1])]);
}
const rcode = (b: Buffer | null) => (b?.[3] ?? -1) & 0xf;
const ancount = (b: Buffer | null) => b?.readUInt16BE(6);

describe('lab DNS server', () => {
  test('answers a known A record with the zone address', () => {
    const r = answer(query('ECS.lab.internal'));
    expect(r?.readUInt16BE(0)).toBe(0x1234);
    expect(rcode(r)).toBe(RCODE.NOERROR);
    expect(ancount(r)).toBe(1);
    expect([...(r ?? Buffer.alloc(0)).subarray(-4)].join('.')).toBe('192.168.10.52');
  });
  test('NXDOMAIN under lab.internal and cluster.local, REFUSED elsewhere, NODATA for AAAA', () => {
    expect(rcode(answer(query('nosuch.lab.internal')))).toBe(RCODE.NXDOMAIN);
    expect(rcode(answer(query('ecs.lab.internal.default.svc.cluster.local')))).toBe(RCODE.NXDOMAIN);
    expect(rcode(answer(query('example.org')))).toBe(RCODE.REFUSED);
    const aaaa = answer(query('peer.lab.internal', 28));
    expect([rcode(aaaa), ancount(aaaa)]).toEqual([RCODE.NOERROR, 0]);
  });
  test('AAAA answers the IPv6 addresses, A the IPv4 ones; an AAAA-only name is NODATA for A', () => {
    const six = answer(query('ecs-dual.lab.internal', 28));
    expect([rcode(six), ancount(six)]).toEqual([RCODE.NOERROR, 1]);
    expect((six ?? Buffer.alloc(0)).subarray(-16).toString('hex')).toBe('fd000192016800200000000000000052');
    expect([...(answer(query('ecs-dual.lab.internal')) ?? Buffer.alloc(0)).subarray(-4)].join('.')).toBe('192.168.20.52');
    const a = answer(query('ecs-v6only.lab.internal'));
    expect([rcode(a), ancount(a)]).toEqual([RCODE.NOERROR, 0]);
  });
  test('garbage: silent for non-headers, FORMERR for a truncated question', () => {
    expect(answer(Buffer.from([1, 2, 3]))).toBeNull();
    const trunc = query('ecs.lab.internal').subarray(0, 20);
    expect(parseQuery(trunc)).toBeNull();
    expect(rcode(answer(trunc))).toBe(RCODE.FORMERR);
    // a compression pointer inside a query's name is refused, not followed
    const loop = Buffer.concat([query('a').subarray(0, 12), Buffer.from([0xc0, 12, 0, 1, 0, 1])]);
    expect(rcode(answer(loop))).toBe(RCODE.FORMERR);
  });
});
