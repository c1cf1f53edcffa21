// Real packets, loopback only (127.0.0.0/8 in the host namespace).
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveName } from '../../../src/probe/dns.ts';
import { classifyPing, probeIcmp, runPing } from '../../../src/probe/icmp.ts';
import { RttTracker } from '../../../src/probe/rtt.ts';
import { runProbes } from '../../../src/probe/run.ts';
import { parseTarget } from '../../../src/probe/target.ts';
import { probeTcp } from '../../../src/probe/tcp.ts';
import type { ProbeEvent } from '../../../src/probe/types.ts';
import { type FakeDns, startFakeDns } from './dns-server.ts';

let server: Server;
let openPort = 0;
let closedPort = 0;

beforeAll(async () => {
  server = createServer((s) => s.end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  openPort = (server.address() as { port: number }).port;
  // A port that was just free: bind and close to find one nobody listens on.
  const tmp = createServer();
  await new Promise<void>((r) => tmp.listen(0, '127.0.0.1', r));
  closedPort = (tmp.address() as { port: number }).port;
  await new Promise((r) => tmp.close(r));
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('tcp on 127.0.0.1', () => {
  it('open listener → open, one attempt, feeds a tcp-open sample', async () => {
    const tracker = new RttTracker();
    const r = await probeTcp('127.0.0.1', openPort, tracker);
    expect(r).toMatchObject({ status: 'open', port: openPort, attempts: 1 });
    expect(tracker.estimate.basis).toBe('tcp-open');
  });
  it('closed port → refused (RST) with ECONNREFUSED, feeds a tcp-rst sample', async () => {
    const tracker = new RttTracker();
    const r = await probeTcp('127.0.0.1', closedPort, tracker);
    expect(r).toMatchObject({ status: 'refused', errno: 'ECONNREFUSED', attempts: 1 });
    expect(tracker.estimate.basis).toBe('tcp-rst');
  });
});

describe('icmp on 127.0.0.1', () => {
  it('replies, with an RTT, well before the 1 s deadline; the first reply ends the target echo', async () => {
    const r = await probeIcmp('127.0.0.1');
    expect(r).toMatchObject({ status: 'reply', sent: 1, received: 1 });
    expect(r.rttMs).toBeGreaterThan(0);
    console.log(`icmp 127.0.0.1: ${r.ms} ms for ${r.received} replies, min rtt ${r.rttMs} ms`);
    expect(r.ms).toBeLessThan(900); // far below the deadline means ping stopped on replies, not on -w
  });

  it('untilReply stops ping at its first reply; without it, ping sends every echo', async () => {
    // 400 ms apart: the third echo goes out only if ping was not stopped at the first reply.
    const slow = { count: 3, intervalS: 0.4, waitS: 1 };
    const stopped = await runPing('127.0.0.1', { ...slow, untilReply: true });
    expect(stopped.answeredSeq).toBeLessThan(3);
    expect(stopped.output).toMatch(/^[12] packets transmitted, [12] received/m);
    const r = classifyPing(stopped, null, 1);
    expect(r).toMatchObject({ status: 'reply', sent: stopped.answeredSeq, received: stopped.answeredSeq });
    const all = await runPing('127.0.0.1', slow);
    expect(all.answeredSeq).toBeUndefined();
    expect(classifyPing(all, null, 1)).toMatchObject({ status: 'reply', sent: 3, received: 3 });
  });
});

describe('runProbes on 127.0.0.1 (no gateway: the host gateway is off limits)', () => {
  it('refused port: report shape, events, rtt', async () => {
    const events: ProbeEvent[] = [];
    const report = await runProbes(parseTarget(`127.0.0.1:${closedPort}`), {
      role: 'node',
      gateway: null,
      onEvent: (e) => events.push(e),
    });
    expect(report.kind).toBe('podreach.probe');
    expect(report.from.role).toBe('node');
    expect(report.dns).toBeUndefined();
    expect(report.gateway).toBeUndefined();
    expect(report.icmp.status).toBe('reply');
    expect(report.tcp).toMatchObject({ status: 'refused', port: closedPort });
    expect(report.rtt.basis).not.toBe('none');
    expect(report.from.addresses).not.toContain('127.0.0.1');
    expect(events.map((e) => `${e.type}:${e.probe}`).sort()).toEqual(
      ['started:icmp', 'started:tcp', 'finished:icmp', 'finished:tcp'].sort(),
    );
    console.log(`runProbes 127.0.0.1 refused: ${report.durationMs} ms`);
  });
  it('a name goes through DNS first, and a DNS failure skips ICMP and TCP', async () => {
    const dns = await startFakeDns({ 'up.test': { a: ['127.0.0.1'] } });
    try {
      const conf = { nameservers: [dns.address], search: [], ndots: 1 };
      const ok = await runProbes(parseTarget(`up.test:${openPort}`), { role: 'pod', gateway: null, dns: { servers: [dns.address], conf } });
      expect(ok.dns).toMatchObject({ status: 'ok', addresses: ['127.0.0.1'] });
      expect(ok.target.ip).toBe('127.0.0.1');
      expect(ok.tcp?.status).toBe('open');
      const bad = await runProbes(parseTarget('gone.test:80'), { role: 'pod', gateway: null, dns: { servers: [dns.address], conf } });
      expect(bad.dns?.status).toBe('nxdomain');
      expect(bad.icmp.status).toBe('skipped');
      expect(bad.tcp).toBeUndefined();
    } finally {
      await dns.close();
    }
  });
  it('a dual-stack name: IPv4 first without an IPv6 route; refused over IPv4, the IPv6 address is asked and answers', async () => {
    const v6 = createServer((s) => s.end());
    await new Promise<void>((r) => v6.listen(0, '::1', r));
    const port = (v6.address() as { port: number }).port;
    const dns = await startFakeDns({ 'dual.test': { a: ['127.0.0.1'], aaaa: ['::1'] }, 'v4.test': { a: ['127.0.0.1'] } });
    try {
      const conf = { nameservers: [dns.address], search: [], ndots: 1 };
      const r = await runProbes(parseTarget(`dual.test:${port}`), { role: 'pod', gateway: null, dns: { servers: [dns.address], conf } });
      expect(r.dns).toMatchObject({ status: 'ok', addresses: ['127.0.0.1', '::1'], first: { family: 'IPv4' } });
      expect(r.dns?.first?.why).toContain('no IPv6 default route');
      expect(r.target.ip).toBe('127.0.0.1');
      expect(r.tcp?.status).toBe('refused');
      expect(r.otherFamily).toMatchObject({ family: 'IPv6', ip: '::1', tcp: { status: 'open', port } });
      // A single-family name, or a first family that works: no second leg.
      const one = await runProbes(parseTarget(`v4.test:${port}`), { role: 'pod', gateway: null, dns: { servers: [dns.address], conf } });
      expect([one.tcp?.status, one.otherFamily]).toEqual(['refused', undefined]);
      // No port: the echo decides, and the other family gets an echo (a fake one here: no packet leaves).
      const asked: string[] = [];
      const icmp: typeof probeIcmp = async (ip) => (asked.push(ip), ip === '::1' ? { status: 'reply', sent: 3, received: 3, rttMs: 0.1, ms: 2 } : { status: 'no-reply', sent: 3, received: 0, ms: 350 });
      const echo = await runProbes(parseTarget('dual.test'), { role: 'pod', gateway: null, mtu: null, icmp, dns: { servers: [dns.address], conf } });
      expect(asked).toEqual(['127.0.0.1', '::1']);
      expect(echo.otherFamily).toMatchObject({ family: 'IPv6', ip: '::1', icmp: { status: 'reply' } });
    } finally {
      await dns.close();
      await new Promise((r) => v6.close(r));
    }
  });
});

describe('dns against a fake server on 127.0.0.1', () => {
  let dns: FakeDns;
  beforeAll(async () => {
    dns = await startFakeDns({
      'redis.default.svc.cluster.local': { a: ['10.247.1.2'] },
      'mq.cluster.local': { a: ['10.247.1.3'] },
      'v6only.test': { aaaa: ['fd00::7'] },
      'both.test': { a: ['10.247.1.4'], aaaa: ['fd00::4'] },
      'noaaaa.test': { a: ['10.247.1.5'], aaaa: 'drop' },
      'named.test': {},
      'broken.test': { rcode: 'SERVFAIL' },
      'nope.test': { rcode: 'REFUSED' },
      'black.hole': 'drop',
    });
  });
  afterAll(() => dns.close());
  const conf = { nameservers: [], search: ['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local'], ndots: 5 };
  const ask = (name: string, timeoutMs = 800) => resolveName(name, { servers: [dns.address], conf, timeoutMs });

  it('a short name resolves through the first search domain', async () => {
    const r = await ask('redis');
    expect(r).toMatchObject({ status: 'ok', addresses: ['10.247.1.2'], servers: [dns.address] });
  });
  it('later search domains win only when the earlier ones are NXDOMAIN', async () => {
    expect(await ask('mq')).toMatchObject({ status: 'ok', addresses: ['10.247.1.3'] });
  });
  it('absolute names skip the search list', async () => {
    dns.asked.length = 0;
    expect(await ask('named.test.')).toMatchObject({ status: 'no-data' });
    expect(dns.asked.every((q) => q.startsWith('named.test/'))).toBe(true);
  });
  it('A and AAAA are asked together; each list kept, the addresses in the order a client tries them', async () => {
    expect(await ask('v6only.test.')).toMatchObject({ status: 'ok', addresses: ['fd00::7'], a: [], aaaa: ['fd00::7'] });
    dns.asked.length = 0;
    expect(await ask('both.test.')).toMatchObject({ status: 'ok', addresses: ['10.247.1.4', 'fd00::4'], a: ['10.247.1.4'], aaaa: ['fd00::4'] });
    expect(dns.asked.sort()).toEqual(['both.test/A', 'both.test/AAAA']);
  });
  it('a server that drops AAAA holds the lookup only briefly after A answered: the AAAA list is absent', async () => {
    const r = await ask('noaaaa.test.', 2000);
    expect(r).toMatchObject({ status: 'ok', addresses: ['10.247.1.5'], a: ['10.247.1.5'] });
    expect(r.aaaa).toBeUndefined();
    console.log(`A answered, AAAA dropped: ${r.ms} ms (DNS budget 2000 ms)`);
    expect(r.ms).toBeLessThan(1000);
  });
  it.each([
    ['missing.test.', 'nxdomain', 'ENOTFOUND'],
    ['broken.test.', 'servfail', 'ESERVFAIL'],
    ['nope.test.', 'refused', 'EREFUSED'],
  ])('%s → %s', async (name, status, errno) => {
    expect(await ask(name)).toMatchObject({ status, errno });
  });
  it('a silent server is a timeout, bounded by the overall guard', async () => {
    const r = await ask('black.hole.', 300);
    expect(r.status).toBe('timeout');
    console.log(`dns timeout after ${r.ms} ms (budget 300 ms)`);
    expect(r.ms).toBeLessThan(2000);
  });
  it('nothing listening on the server port → error, not a hang', async () => {
    const r = await resolveName('x.test.', { servers: ['127.0.0.1:9'], conf, timeoutMs: 500 });
    expect(['error', 'timeout']).toContain(r.status);
    console.log(`dns to a closed port: ${r.status} ${r.errno} after ${r.ms} ms`);
  });
});
