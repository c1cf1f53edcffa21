import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/cli/errors.ts';
import { needsDns, parseTarget } from '../../../src/probe/target.ts';

describe('parseTarget: accepted forms', () => {
  it.each([
    ['10.0.0.5', { host: '10.0.0.5', ip: '10.0.0.5' }],
    ['10.0.0.5:6379', { host: '10.0.0.5', ip: '10.0.0.5', port: 6379, portSource: 'target' }],
    ['redis.example.internal', { host: 'redis.example.internal' }],
    ['Redis.Example.Internal:6379', { host: 'redis.example.internal', port: 6379, portSource: 'target' }],
    ['db', { host: 'db' }],
    ['svc.ns.svc.cluster.local.', { host: 'svc.ns.svc.cluster.local.' }],
    ['[fd00::5]:443', { host: 'fd00::5', ip: 'fd00::5', port: 443, portSource: 'target' }],
    ['[fd00::5]', { host: 'fd00::5', ip: 'fd00::5' }],
    ['fd00::5', { host: 'fd00::5', ip: 'fd00::5' }],
    ['::1', { host: '::1', ip: '::1' }],
    ['http://10.0.0.5', { host: '10.0.0.5', ip: '10.0.0.5', port: 80, scheme: 'http', portSource: 'scheme' }],
    ['https://api.internal/v1/x?y=1', { host: 'api.internal', port: 443, scheme: 'https', portSource: 'scheme' }],
    ['redis://cache:6380', { host: 'cache', port: 6380, scheme: 'redis', portSource: 'target' }],
    ['redis://cache', { host: 'cache', port: 6379, scheme: 'redis', portSource: 'scheme' }],
    ['mysql://user:pw@10.1.2.3/db', { host: '10.1.2.3', ip: '10.1.2.3', port: 3306, scheme: 'mysql', portSource: 'scheme' }],
    ['postgres://pg', { host: 'pg', port: 5432, scheme: 'postgres', portSource: 'scheme' }],
    ['postgresql://pg', { host: 'pg', port: 5432, scheme: 'postgresql', portSource: 'scheme' }],
    ['amqp://mq', { host: 'mq', port: 5672, scheme: 'amqp', portSource: 'scheme' }],
    ['kafka://broker', { host: 'broker', port: 9092, scheme: 'kafka', portSource: 'scheme' }],
    ['tcp://10.0.0.5:9000', { host: '10.0.0.5', ip: '10.0.0.5', port: 9000, scheme: 'tcp', portSource: 'target' }],
    ['HTTP://h:80', { host: 'h', port: 80, scheme: 'http', portSource: 'target' }],
    ['redis://[fd00::7]:6379', { host: 'fd00::7', ip: 'fd00::7', port: 6379, scheme: 'redis', portSource: 'target' }],
    ['weird+scheme://h:1', { host: 'h', port: 1, scheme: 'weird+scheme', portSource: 'target' }],
    ['  10.0.0.5:80  ', { host: '10.0.0.5', ip: '10.0.0.5', port: 80, portSource: 'target' }],
  ])('%s', (input, want) => {
    // A password never survives parsing (see redactTarget).
    expect(parseTarget(input)).toEqual({ input: input.trim().replace(':pw@', ':***@'), ...want });
  });

  it('--port overrides the TARGET port and the scheme default', () => {
    expect(parseTarget('10.0.0.5:80', 8080)).toMatchObject({ port: 8080, portSource: 'flag' });
    expect(parseTarget('redis://cache', 7000)).toMatchObject({ port: 7000, portSource: 'flag', scheme: 'redis' });
    expect(parseTarget('tcp://h', 9)).toMatchObject({ port: 9, portSource: 'flag' });
    expect(parseTarget('h', 22)).toMatchObject({ port: 22, portSource: 'flag' });
  });

  it('needsDns is true only for names', () => {
    expect(needsDns(parseTarget('db:5432'))).toBe(true);
    expect(needsDns(parseTarget('10.0.0.5:5432'))).toBe(false);
    expect(needsDns(parseTarget('[fd00::1]:5432'))).toBe(false);
    expect(needsDns({ ...parseTarget('db'), ip: '10.0.0.9' })).toBe(false);
  });
});

describe('parseTarget: malformed input is a UsageError with one clear sentence', () => {
  it.each([
    ['', /TARGET is empty/],
    ['   ', /TARGET is empty/],
    ['1.2.3.4:99999', /port 99999 is outside 1-65535/],
    ['1.2.3.4:0', /port 0 is outside/],
    ['1.2.3.4:', /port "" is not a number/],
    ['1.2.3.4:http', /port "http" is not a number/],
    ['1.2.3.4:-1', /port "-1" is not a number/],
    ['host:123456', /port "123456" is not a number/],
    [':80', /host is empty/],
    ['http://', /host is empty/],
    ['http://:80', /host is empty/],
    ['tcp://10.0.0.5', /scheme "tcp" has no default port/],
    ['gopherish://h', /scheme "gopherish" has no default port/],
    ['1.2.3.256', /"1.2.3.256" is not a valid IPv4 address/],
    ['999.1.1.1:80', /not a valid IPv4 address/],
    ['http://1.2.3', /not a valid IPv4 address/],
    ['fd00::1:80:x', /IPv6 address with a port must be written \[ADDRESS\]:PORT/],
    ['[10.0.0.1]:80', /inside brackets is not an IPv6 address/],
    ['[fd00::1', /needs its closing "\]"/],
    ['[fd00::1]:99999', /port 99999 is outside/],
    ['redis://[zz::1]:6379', /inside brackets is not an IPv6 address/],
    ['a..b', /not a valid host name/],
    ['-bad-.example', /not a valid host name/],
    ['exa mple', /not a valid host name/],
    ['ho$t:80', /not a valid host name/],
    ['://h', /not a URL scheme/],
    ['1http://h', /not a URL scheme/],
    [`${'a'.repeat(64)}.example`, /not a valid host name/],
  ])('%j', (input, message) => {
    let err: unknown;
    try {
      parseTarget(input);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toContain('\n');
  });

  it.each([0, 65536, 1.5, Number.NaN, -80])('--port %s is rejected', (port) => {
    expect(() => parseTarget('10.0.0.5', port)).toThrow(UsageError);
    expect(() => parseTarget('10.0.0.5', port)).toThrow(/--port/);
  });
});
