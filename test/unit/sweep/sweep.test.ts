import { parse as parseJunit } from 'junit2json';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/cli/errors.ts';
import { parseTargetList } from '../../../src/cli/targets.ts';
import { dependenciesFromEnv } from '../../../src/context/deps.ts';
import { manualCommand } from '../../../src/kube/manual.ts';
import { encodePlan, makePlan, parsePlan } from '../../../src/probe/plan.ts';
import { mapLimit, reaskRateLimited } from '../../../src/probe/sweep.ts';
import type { ProbeReport } from '../../../src/probe/types.ts';
import { parseTarget, redactTarget } from '../../../src/probe/target.ts';
import { renderJunit } from '../../../src/render/junit.ts';
import type { PodreachReport } from '../../../src/render/report.ts';

describe('probe plans', () => {
  it('round-trip: the node runs exactly the targets the pod parsed, port from --port included', () => {
    const plan = makePlan([parseTarget('192.168.10.52', 80), parseTarget('redis://cache.internal'), parseTarget('[fd00::1]:443')], 2500);
    const back = parsePlan(encodePlan(plan));
    expect(back).toEqual(plan);
    expect(back.items[0]?.target).toMatchObject({ host: '192.168.10.52', ip: '192.168.10.52', port: 80, portSource: 'flag' });
    expect(back.items[1]?.target).toMatchObject({ host: 'cache.internal', port: 6379, scheme: 'redis' });
  });

  it('--patience travels in the plan, and the budget grows to hold two of its waits', () => {
    const plan = makePlan([parseTarget('10.1.0.20:80')], 2500, 1500);
    expect(plan).toMatchObject({ timeoutMs: 3200, patienceMs: 1500 });
    expect(parsePlan(encodePlan(plan))).toEqual(plan);
    expect(makePlan([parseTarget('10.1.0.20:80')], 2500, 500).timeoutMs).toBe(2500);
    expect(makePlan([parseTarget('10.1.0.20:80')], 2500)).not.toHaveProperty('patienceMs');
    expect(manualCommand('n1', 'podreach:1', plan)).toContain('10.1.0.20:80 --timeout 3200 --patience 1500 -o json');
  });

  it('unknown fields are dropped, not carried', () => {
    const text = JSON.stringify({ ...makePlan([parseTarget('10.0.0.1:80')], 2500), extra: 'x'.repeat(100) });
    const withJunk = JSON.parse(text);
    withJunk.items[0].target.junk = 1;
    expect(JSON.stringify(parsePlan(JSON.stringify(withJunk)))).not.toMatch(/junk|extra/);
  });

  const bad: [string, unknown][] = [
    ['not JSON', '{'],
    ['kind', { kind: 'podreach.probe', schemaVersion: 1 }],
    ['schemaVersion', { kind: 'podreach.plan', schemaVersion: 2, timeoutMs: 2500, items: [] }],
    ['timeoutMs', { kind: 'podreach.plan', schemaVersion: 1, timeoutMs: 1, items: [{ target: { input: 'a', host: 'a' } }] }],
    ['items must be', { kind: 'podreach.plan', schemaVersion: 1, timeoutMs: 2500, items: [] }],
    ['host', { kind: 'podreach.plan', schemaVersion: 1, timeoutMs: 2500, items: [{ target: { input: 'x', host: 'a b' } }] }],
    ['port', { kind: 'podreach.plan', schemaVersion: 1, timeoutMs: 2500, items: [{ target: { input: 'x', host: 'a', port: 70000 } }] }],
    ['ip', { kind: 'podreach.plan', schemaVersion: 1, timeoutMs: 2500, items: [{ target: { input: 'x', host: 'a', ip: '1.2.3' } }] }],
    ['patienceMs', { kind: 'podreach.plan', schemaVersion: 1, timeoutMs: 2500, patienceMs: 0, items: [{ target: { input: 'a', host: 'a' } }] }],
    ['scheme', { kind: 'podreach.plan', schemaVersion: 1, timeoutMs: 2500, items: [{ target: { input: 'x', host: 'a', scheme: 'A B' } }] }],
  ];
  for (const [what, v] of bad) {
    it(`rejects a bad plan (${what}) with one line`, () => {
      const text = typeof v === 'string' ? v : JSON.stringify(v);
      expect(() => parsePlan(text)).toThrow(UsageError);
      try {
        parsePlan(text);
      } catch (e) {
        expect((e as Error).message).toMatch(new RegExp(`^--plan: .*${what}`));
        expect((e as Error).message).not.toContain('\n');
      }
    });
  }
});

describe('mapLimit', () => {
  it('keeps input order and never more than the limit in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const out = await mapLimit([50, 10, 30, 0, 20, 5], 2, async (ms, i) => {
      peak = Math.max(peak, ++inFlight);
      await new Promise((r) => setTimeout(r, ms));
      inFlight--;
      return i;
    });
    expect(out).toEqual([0, 1, 2, 3, 4, 5]);
    expect(peak).toBe(2);
  });
});

describe('credentials in TARGET', () => {
  it.each([
    ['postgres://app:pw@db:5432/x', 'postgres://app:***@db:5432/x'],
    ['mysql://root:p%40ss@10.0.0.1/app', 'mysql://root:***@10.0.0.1/app'],
    ['redis://:onlypw@cache:6379', 'redis://:***@cache:6379'],
    ['http://db/x?user=a&password=secret&x=1', 'http://db/x?user=a&password=***&x=1'],
    ['amqp://guest@mq', 'amqp://guest@mq'],
  ])('%s is shown as %s, everywhere', (input, shown) => {
    expect(redactTarget(input)).toBe(shown);
    expect(parseTarget(input).input).toBe(shown);
  });
});

describe('--from-env', () => {
  const env = {
    DATABASE_URL: 'postgres://app:hunter2@orders-db.internal:5432/orders?sslmode=require',
    REDIS_HOST: '192.168.20.10',
    REDIS_PORT: '6379',
    ORDERS_JDBC_URL: 'jdbc:mysql://mysql.internal:3306/shop?user=app&password=hunter2',
    REPORTS_JDBC_URL: 'jdbc:sqlserver://mssql.internal;databaseName=r',
    KAFKA_ADDR: 'kafka-0.kafka:9092',
    AMQP_URL: 'amqp://guest:guest@rabbit:5672',
    // Kubernetes and runtime noise: never a dependency.
    KUBERNETES_SERVICE_HOST: '10.247.0.1',
    KUBERNETES_SERVICE_PORT: '443',
    REDIS_MASTER_SERVICE_HOST: '10.247.3.4',
    REDIS_MASTER_SERVICE_PORT: '6379',
    REDIS_MASTER_PORT: 'tcp://10.247.3.4:6379',
    REDIS_MASTER_PORT_6379_TCP_ADDR: '10.247.3.4',
    POD_IP: '172.16.1.10',
    PODREACH_NODE_IP: '192.168.10.11',
    LOG_LEVEL: 'debug',
    TIMEOUT: '30',
    GREETING: 'hello:world',
    EMPTY: '',
  };
  it('finds exactly the dependencies, says where each came from, and never carries a password', () => {
    const deps = dependenciesFromEnv(env);
    expect(deps).toEqual([
      { input: 'amqp://guest:***@rabbit:5672', from: 'env AMQP_URL' },
      { input: 'postgres://app:***@orders-db.internal:5432/orders?sslmode=require', from: 'env DATABASE_URL' },
      { input: 'kafka-0.kafka:9092', from: 'env KAFKA_ADDR' },
      { input: 'mysql://mysql.internal:3306', from: 'env ORDERS_JDBC_URL' },
      { input: '192.168.20.10:6379', from: 'env REDIS_HOST + REDIS_PORT' },
      { input: 'tcp://mssql.internal:1433', from: 'env REPORTS_JDBC_URL' },
    ]);
    expect(JSON.stringify(deps)).not.toMatch(/hunter2|guest:guest/);
    for (const d of deps) expect(() => parseTarget(d.input)).not.toThrow();
  });

  it('the same address twice is one target', () => {
    expect(dependenciesFromEnv({ A_URL: 'redis://cache:6379', B_ADDR: 'cache:6379', C_URL: 'redis://cache:6379' })).toHaveLength(2);
  });
});

describe('-f FILE', () => {
  it('one target a line; # comments and blank lines are not targets', () => {
    expect(parseTargetList('# deps of the shop\n192.168.10.52:80\n\n  redis://cache # the cache\r\nhttp://a/#frag\n')).toEqual(['192.168.10.52:80', 'redis://cache', 'http://a/#frag']);
  });
});

describe('-o junit', () => {
  const report = (input: string, cause: string, reachable: boolean): PodreachReport =>
    ({
      target: { input },
      generatedAt: '2026-12-06T12:00:00.000Z',
      timings: { totalMs: 1234 },
      diagnosis: { cause, reachable, confidence: 0.9, summary: `sum <${input}> & "q"`, evidence: ['e1'], fix: ['allow 172.16.0.0/16'], alternatives: [] },
    }) as unknown as PodreachReport;

  it('a real JUnit parser reads one testcase per target, failures with the summary and fix', async () => {
    const xml = renderJunit([report('10.0.0.1:80', 'reachable', true), report('a&b<c>\u0001:80', 'security-group', false)], 2500);
    const j = (await parseJunit(xml)) as { tests: number; failures: number; time: number; testsuite: { testcase: { name: string; time: number; failure?: { message: string; type: string; inner: string }[] }[] }[] };
    expect(j).toMatchObject({ tests: 2, failures: 1, time: 2.5 });
    const [ok, bad] = j.testsuite[0]?.testcase ?? [];
    expect(ok).toMatchObject({ name: '10.0.0.1:80', time: 1.234 });
    expect(ok?.failure).toBeUndefined();
    expect(bad?.name).toBe('a&b<c>:80');
    expect(bad?.failure?.[0]).toMatchObject({ type: 'security-group', message: 'sum <a&b<c>\u0001:80> & "q" · fix: allow 172.16.0.0/16'.replace('\u0001', '') });
    expect(bad?.failure?.[0]?.inner).toContain('evidence: e1');
  });
});

describe('the manual node command', () => {
  const cmd = (inputs: string[], port?: number, timeoutMs = 2500) => manualCommand('n1', 'podreach:1', makePlan(inputs.map((i) => parseTarget(i, port)), timeoutMs));
  it('readable arguments when they say exactly what the plan says', () => {
    expect(cmd(['192.168.10.52'], 80)).toBe('kubectl debug node/n1 -q --attach --profile=netadmin --image=podreach:1 -- podreach probe 192.168.10.52:80 -o json');
    expect(cmd(['redis://cache.internal', '[fd00::1]:443', 'db'], undefined, 4000)).toMatch(/-- podreach probe redis:\/\/cache\.internal:6379 '\[fd00::1\]:443' db --timeout 4000 -o json$/);
  });
  it('--port travels too: tcp://h --port N is tcp://h:N', () => {
    expect(cmd(['tcp://10.0.0.5'], 9000)).toMatch(/-- podreach probe tcp:\/\/10\.0\.0\.5:9000 -o json$/);
  });
  it('the plan itself when arguments cannot say it (a target no TARGET parses to)', () => {
    const odd = makePlan([{ input: 'x', host: 'db', scheme: 'custom' }], 2500);
    const plan = parsePlan(/--plan '([^']*)'/.exec(manualCommand('n1', 'podreach:1', odd))?.[1] ?? '');
    expect(plan).toEqual(odd);
  });
});

describe('the router ICMP rate limit in a sweep', () => {
  const rep = (ip: string, icmp: string, tcp = 'timeout') =>
    ({ target: { input: `${ip}:80`, host: ip, ip, port: 80 }, icmp: { status: icmp, sent: 3, received: 0, ms: 1000, ...(icmp === 'unreachable' ? { detail: 'From 192.168.255.1 icmp_seq=1 Destination Net Unreachable' } : {}) }, tcp: { status: tcp, port: 80, ms: 600, attempts: 2, waitMs: 300 } }) as unknown as ProbeReport;
  it('a silent neighbour of a target that got "unreachable" is asked again; others are left alone', async () => {
    const asked: string[] = [];
    const ping = async (ip: string) => {
      asked.push(ip);
      return { status: 'unreachable' as const, sent: 1, received: 0, ms: 5, detail: 'From 192.168.255.1 icmp_seq=1 Destination Net Unreachable' };
    };
    const before = [rep('10.1.0.20', 'unreachable'), rep('10.1.0.21', 'no-reply'), rep('10.1.0.21', 'no-reply'), rep('10.2.0.9', 'no-reply'), rep('10.1.0.22', 'no-reply', 'refused')];
    const after = await reaskRateLimited(before, ping as never, 1);
    expect(asked).toEqual(['10.1.0.21']);
    expect(after.map((r) => r.icmp.status)).toEqual(['unreachable', 'unreachable', 'unreachable', 'no-reply', 'no-reply']);
    expect(after[1]?.icmp.detail).toMatch(/Destination Net Unreachable \(asked again/);
  });
  it('no "unreachable" anywhere: nothing is asked again', async () => {
    const before = [rep('10.1.0.20', 'no-reply'), rep('10.1.0.21', 'no-reply')];
    expect(await reaskRateLimited(before, (() => { throw new Error('asked'); }) as never, 1)).toEqual(before);
  });
});
