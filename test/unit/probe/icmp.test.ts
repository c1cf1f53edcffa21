import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { classifyPing, parsePingOutput, type PingAnswer, pingArgs } from '../../../src/probe/icmp.ts';

// Real node-ping answers from iputils ping, recorded by fixtures/record-ping.ts in a netns lab.
const dir = fileURLToPath(new URL('./fixtures/ping/', import.meta.url));
const fixture = (name: string): { answer: PingAnswer & { rejected?: string } } =>
  JSON.parse(readFileSync(`${dir}${name}.json`, 'utf8'));
const classify = (name: string) => {
  const { answer } = fixture(name);
  return answer.rejected ? classifyPing(null, new Error(answer.rejected), 3.4) : classifyPing(answer, null, 3.4);
};

describe('classifyPing on recorded outputs', () => {
  it('has a fixture for every case below', () => {
    expect(readdirSync(dir).length).toBeGreaterThanOrEqual(10);
  });

  it('reply: counts and the lowest RTT', () => {
    const r = classify('reply');
    expect(r).toMatchObject({ status: 'reply', sent: 3, received: 3, ms: 3 });
    const times = fixture('reply').answer.times as number[];
    expect(r.rttMs).toBe(Math.min(...times));
    expect(classify('reply-loopback-v6').status).toBe('reply');
    expect(classify('gateway-reply')).toMatchObject({ status: 'reply', received: 1 });
  });

  it('no-reply: sent, nothing back, no ICMP error', () => {
    const r = classify('no-reply');
    expect(r.status).toBe('no-reply');
    expect(r.sent).toBeGreaterThan(0);
    expect(r.received).toBe(0);
    expect(r.detail).toBeUndefined();
  });

  it.each([
    ['net-unreachable', 'From 10.251.1.1 icmp_seq=1 Destination Net Unreachable'],
    ['host-unreachable', 'From 10.251.1.1 icmp_seq=1 Destination Host Unreachable'],
    ['packet-filtered', 'From 10.251.1.1 icmp_seq=1 Packet filtered'],
    ['local-no-route', 'ping: connect: Network is unreachable'],
  ])('unreachable: %s keeps the line', (name, line) => {
    expect(classify(name)).toMatchObject({ status: 'unreachable', received: 0, detail: line });
  });

  it('not-run: no permission, with the reason line', () => {
    const r = classify('no-permission');
    expect(r.status).toBe('not-run');
    expect(r.detail).toMatch(/socket: Operation not permitted/);
  });

  it('not-run: the binary could not be spawned', () => {
    const r = classify('missing-binary');
    expect(r).toMatchObject({ status: 'not-run', sent: 0, received: 0 });
    expect(r.detail).toMatch(/error while executing the ping program/);
  });
});

describe('classifyPing on edge shapes', () => {
  it('empty output is not-run', () => {
    expect(classifyPing({ alive: false, output: '', packetLoss: 'unknown' }, null, 1).status).toBe('not-run');
  });
  it('an ICMP error after some replies still counts as reply', () => {
    const output = [
      'PING 10.0.0.1 (10.0.0.1) 56(84) bytes of data.',
      '64 bytes from 10.0.0.1: icmp_seq=1 ttl=64 time=0.5 ms',
      'From 10.0.0.254 icmp_seq=2 Destination Host Unreachable',
      '',
      '--- 10.0.0.1 ping statistics ---',
      '2 packets transmitted, 1 received, +1 errors, 50% packet loss, time 25ms',
    ].join('\n');
    expect(classifyPing({ alive: true, output, times: [0.5], packetLoss: '50.000' }, null, 1)).toMatchObject({
      status: 'reply',
      sent: 2,
      received: 1,
      rttMs: 0.5,
    });
  });
  it('stopped at its first reply: the echoes after the last one answered are not counted as sent', () => {
    const output = (seq: number, transmitted: number) =>
      [
        'PING 10.0.0.1 (10.0.0.1) 56(84) bytes of data.',
        `64 bytes from 10.0.0.1: icmp_seq=${seq} ttl=64 time=12.5 ms`,
        '',
        '--- 10.0.0.1 ping statistics ---',
        `${transmitted} packets transmitted, 1 received, ${Math.round((100 * (transmitted - 1)) / transmitted)}% packet loss, time 20ms`,
      ].join('\n');
    // Echo 2 was out before echo 1's reply came (a 12 ms path, 10 ms apart): not a loss.
    expect(classifyPing({ ...parsePingOutput(output(1, 2)), answeredSeq: 1 }, null, 1)).toMatchObject({ status: 'reply', sent: 1, received: 1 });
    // Echo 1 went unanswered, echo 2 came back: one of two.
    expect(classifyPing({ ...parsePingOutput(output(2, 3)), answeredSeq: 2 }, null, 1)).toMatchObject({ status: 'reply', sent: 2, received: 1 });
    // Ping not stopped: its own count stands.
    expect(classifyPing(parsePingOutput(output(2, 3)), null, 1)).toMatchObject({ sent: 3, received: 1 });
  });
  it('a local sendmsg error mid-run is unreachable', () => {
    const output = [
      'PING 10.0.0.1 (10.0.0.1) 56(84) bytes of data.',
      'ping: sendmsg: Network is unreachable',
      '',
      '--- 10.0.0.1 ping statistics ---',
      '1 packets transmitted, 0 received, 100% packet loss, time 0ms',
    ].join('\n');
    expect(classifyPing({ alive: false, output, packetLoss: '100.000' }, null, 1)).toMatchObject({
      status: 'unreachable',
      detail: 'ping: sendmsg: Network is unreachable',
    });
  });
});

describe('parsePingOutput: our own ping runner reads what node-ping read', () => {
  const names = readdirSync(dir)
    .map((f) => f.replace(/\.json$/, ''))
    .filter((n) => !fixture(n).answer.rejected);

  it.each(names)('%s: same answer fields, same classification', (name) => {
    const { answer } = fixture(name);
    const ours = parsePingOutput(answer.output);
    expect(ours.alive).toBe(answer.alive);
    expect(ours.times).toEqual(answer.times ?? []);
    expect(ours.packetLoss).toBe(answer.packetLoss);
    expect(classifyPing(ours, null, 3.4)).toEqual(classifyPing(answer, null, 3.4));
  });

  it('arguments: numeric, bounded by -c and -W, extra before the address', () => {
    expect(pingArgs('10.0.0.1', { count: 1, intervalS: 0.025, waitS: 0.3, extra: ['-M', 'do', '-s', '1472'] })).toEqual([
      '-n', '-c', '1', '-i', '0.025', '-W', '0.3', '-M', 'do', '-s', '1472', '10.0.0.1',
    ]);
  });
});
