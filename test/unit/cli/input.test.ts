// Regressions for bad input seen on main: long --vpc-cidr lists, empty values, control characters in
// messages, TERM=dumb. In-process; the built CLI's side is test/integration/cli-input.test.ts.
import { describe, expect, it } from 'vitest';
import { oneLine, quoted, UsageError } from '../../../src/cli/errors.ts';
import { drawingTerminal, liveViewLikely } from '../../../src/cli/prestart.ts';
import { envFacts, flagFacts } from '../../../src/context/flags.ts';
import { MAX_VPC_CIDRS } from '../../../src/context/types.ts';
import { cidrFacts } from '../../../src/diagnose/cidr.ts';
import { parseTarget } from '../../../src/probe/target.ts';
import { ctx } from '../diagnose/fixtures.ts';

const slash24 = (i: number) => `10.${(i >> 8) & 255}.${i & 255}.0/24`;
const usage = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error('no UsageError');
};

describe('--vpc-cidr lists', () => {
  it(`more than ${MAX_VPC_CIDRS} distinct CIDRs is a usage error, found without reading the rest`, () => {
    const t0 = performance.now();
    expect(usage(() => flagFacts({ vpcCidr: Array.from({ length: 2000 }, (_, i) => slash24(i)) }))).toBe(
      `--vpc-cidr: more than ${MAX_VPC_CIDRS} CIDRs; give the node's VPC CIDRs`,
    );
    expect(performance.now() - t0).toBeLessThan(2000); // does not hang; figures in test/bench/cidr-list.ts
  });

  it('duplicates count once, as written or in another spelling of the same network', () => {
    expect(flagFacts({ vpcCidr: Array(1000).fill('10.0.0.0/8') }).vpcCidrs?.value).toEqual(['10.0.0.0/8']);
    expect(flagFacts({ vpcCidr: ['10.0.0.1/8', '192.168.0.0/16', '10.9.9.9/8'] }).vpcCidrs?.value).toEqual(['10.0.0.0/8', '192.168.0.0/16']);
    const many = [...Array.from({ length: MAX_VPC_CIDRS }, (_, i) => slash24(i)), slash24(0)];
    expect(flagFacts({ vpcCidr: many }).vpcCidrs?.value).toHaveLength(MAX_VPC_CIDRS);
  });

  it('overlaps: the cluster ranges against each VPC CIDR, not the VPC CIDRs among themselves', () => {
    const vpc = ['192.168.0.0/16', '192.168.0.0/17', '10.0.0.0/8', '172.16.5.0/24'];
    const f = cidrFacts('192.168.10.52', ctx('vpc', { vpcCidrs: vpc, containerCidr: '172.16.0.0/16', serviceCidr: '10.247.0.0/16' }));
    expect(f.overlaps).toEqual([
      'container CIDR 172.16.0.0/16 overlaps VPC CIDR 172.16.5.0/24',
      'service CIDR 10.247.0.0/16 overlaps VPC CIDR 10.0.0.0/8',
    ]);
    const clash = cidrFacts('192.168.10.52', ctx('vpc', { vpcCidrs: ['172.16.0.0/12'], containerCidr: '172.16.0.0/16', serviceCidr: '172.16.128.0/20' }));
    expect(clash.overlaps).toEqual([
      'container CIDR 172.16.0.0/16 overlaps service CIDR 172.16.128.0/20',
      'container CIDR 172.16.0.0/16 overlaps VPC CIDR 172.16.0.0/12',
      'service CIDR 172.16.128.0/20 overlaps VPC CIDR 172.16.0.0/12',
    ]);
  });

  it(`${MAX_VPC_CIDRS} VPC CIDRs cost a linear pass`, () => {
    const vpc = Array.from({ length: MAX_VPC_CIDRS }, (_, i) => slash24(i));
    const t0 = performance.now();
    const f = cidrFacts('10.0.200.9', ctx('vpc', { vpcCidrs: vpc, serviceCidr: '10.0.0.0/22' }));
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(f.targetVpcCidr).toBe('10.0.200.0/24');
    expect(f.overlaps).toHaveLength(4); // 10.0.0.0/22 holds four of the /24s
  });
});

describe('empty values', () => {
  it.each([
    [{ podIp: '' }, /^--pod-ip: the value is empty \(expected an IP address/],
    [{ nodeIp: ' ' }, /^--node-ip: the value is empty/],
    [{ containerCidr: '' }, /^--container-cidr: the value is empty \(expected a CIDR/],
    [{ serviceCidr: '\t' }, /^--service-cidr: the value is empty/],
    [{ networkModel: '' }, /^--network-model: the value is empty \(expected tunnel, vpc, eni or auto\)/],
    [{ vpcCidr: [''] }, /^--vpc-cidr: the value is empty/],
    [{ vpcCidr: ['', ''] }, /^--vpc-cidr: an empty entry in the list/],
    [{ vpcCidr: ['10.0.0.0/8', ''] }, /^--vpc-cidr: an empty entry in the list/],
  ])('flag %j is a usage error', (flags, msg) => {
    expect(usage(() => flagFacts(flags))).toMatch(msg);
  });

  it('an empty variable is unset; a non-empty bad one is still an error', () => {
    const { env, downward } = envFacts({ PODREACH_POD_IP: '', PODREACH_VPC_CIDR: ' ', PODREACH_NETWORK_MODEL: '', POD_IP: '', NODE_IP: '', HOST_IP: '10.0.0.7' });
    expect(env).toEqual({});
    expect(downward.podIp).toBeUndefined();
    expect(downward.nodeIp).toMatchObject({ value: '10.0.0.7', note: 'HOST_IP (status.hostIP)' });
    expect(usage(() => envFacts({ PODREACH_VPC_CIDR: ',' }))).toMatch(/^PODREACH_VPC_CIDR: an empty entry/);
    expect(usage(() => envFacts({ PODREACH_POD_IP: 'x' }))).toBe('PODREACH_POD_IP: "x" is not an IP address');
  });
});

describe('messages are one printable line', () => {
  it('control characters in what the user typed are escaped, long values cut', () => {
    expect(oneLine('a\nb\r\tc\x1b[31m\x7f\x85\u2028')).toBe('a\\nb\\r\\tc\\u001b[31m\\u007f\\u0085\\u2028');
    expect(usage(() => parseTarget('127.0.0.1:80\nfoo'))).toBe('invalid TARGET "127.0.0.1:80\\nfoo": port "80\\nfoo" is not a number from 1 to 65535');
    expect(usage(() => flagFacts({ podIp: 'x'.repeat(5000) }))).toBe(`--pod-ip: ${quoted('x'.repeat(5000))} is not an IP address`);
    expect(quoted('x'.repeat(61))).toBe(`"${'x'.repeat(60)}…"`);
  });
});

describe('TERM=dumb', () => {
  it('is a terminal that cannot draw: no colour, no live view; an unset TERM can', () => {
    expect(drawingTerminal(true, { TERM: 'dumb' })).toBe(false);
    expect(drawingTerminal(true, {})).toBe(true);
    expect(drawingTerminal(true, { TERM: 'xterm-256color' })).toBe(true);
    expect(drawingTerminal(false, { TERM: 'xterm-256color' })).toBe(false);
    expect(liveViewLikely(['diagnose', '10.0.0.5:80'], drawingTerminal(true, { TERM: 'dumb' }))).toBe(false);
  });
});
