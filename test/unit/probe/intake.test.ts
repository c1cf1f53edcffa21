// The intake of probe reports from outside (src/probe/report.ts): the shapes that once crashed the
// diagnosis or broke the output's schema, the file reader's limits, and a property: whatever a report
// file holds, it is either used (and the report built from it validates) or refused in one line.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { gatherContext } from '../../../src/context/index.ts';
import type { LocalFacts } from '../../../src/context/local.ts';
import { judge, podAndNode } from '../../../src/diagnose/index.ts';
import { checkProbeReport, MAX_REPORT_BYTES, parseProbeReport, readProbeReportFile, targetMismatch } from '../../../src/probe/report.ts';
import type { ProbeReport, Target } from '../../../src/probe/types.ts';
import { buildReport } from '../../../src/render/report.ts';
import { renderText } from '../../../src/render/text.ts';
import { schemaErrors } from '../../integration/schema.ts';
import { ECS, OPEN, probe, SILENT, target } from '../diagnose/fixtures.ts';
import { edits, fullReport, JUNK, mutate } from './intake-fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'podreach-intake-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const oneLine = (s: string | undefined) => expect(s).toMatch(/^[^\n]{1,400}$/);
const edited = (f: (r: Record<string, unknown>) => void) => {
  const r = structuredClone(fullReport(ECS)) as unknown as Record<string, unknown>;
  f(r);
  return r;
};

describe('a probe report from outside', () => {
  // Each accepted by the old check (kind, schemaVersion, non-empty icmp/target/from) and then either
  // crashed the diagnosis (exit 3) or was copied into a report that broke schema/report.schema.json.
  const refused: [string, unknown, RegExp][] = [
    ['numbers for icmp, target, from', { kind: 'podreach.probe', schemaVersion: 1, icmp: 1, target: 1, from: 1 }, /^\/(icmp|target|from|rtt)\b.*(must be|is missing)/],
    ['from.addresses a string', edited((r) => ((r.from as Record<string, unknown>).addresses = '1.2.3.4')), /^\/from\/addresses must be an array$/],
    ['dns a string', edited((r) => (r.dns = 'x')), /^\/dns must be an object$/],
    ['empty objects', edited((r) => ((r.icmp = {}), (r.target = {}), (r.from = {}))), /is missing$/],
    ['tcp "open"', edited((r) => (r.tcp = 'open')), /^\/tcp must be an object$/],
    ['tcp.status "weird"', edited((r) => ((r.tcp as Record<string, unknown>).status = 'weird')), /^\/tcp\/status must be one of open, refused, timeout, unreachable, error$/],
    ['rtt null', edited((r) => (r.rtt = null)), /^\/rtt must be an object$/],
    ['icmp.sent -1', edited((r) => ((r.icmp as Record<string, unknown>).sent = -1)), /^\/icmp\/sent must be >= 0$/],
    ['app 5', edited((r) => (r.app = 5)), /^\/app must be an object$/],
    ['target.ip null', edited((r) => ((r.target as Record<string, unknown>).ip = null)), /^\/target\/ip must be a string$/],
    ['an address that is not one', edited((r) => ((r.from as Record<string, unknown>).addresses = ['192.168.10.11', 'eth0'])), /^\/from\/addresses\/1 must be an IP address$/],
    ['schemaVersion 2', edited((r) => (r.schemaVersion = 2)), /^\/schemaVersion must be 1$/],
    ['an array', [], /not a podreach probe report/],
    ['a diagnose report', { kind: 'podreach.report', schemaVersion: 1 }, /not a podreach probe report/],
  ];
  for (const [what, v, why] of refused) {
    it(`${what} → refused, saying where`, async () => {
      const got = await checkProbeReport(v);
      expect(got.report).toBeUndefined();
      expect(got.why).toMatch(why);
      oneLine(got.why);
    });
  }

  it('a complete report is accepted as it is; unknown fields are removed, at every level', async () => {
    expect((await checkProbeReport(fullReport(ECS))).report).toEqual(fullReport(ECS));
    const extra = edited((r) => {
      r.future = 'x'.repeat(1000);
      (r.from as Record<string, unknown>).vendor = { a: 1 };
      ((r.pmtu as { tried: Record<string, unknown>[] }).tried[0]!).note = 'x';
    });
    const got = await checkProbeReport(extra);
    expect(got.report).toEqual(fullReport(ECS));
  });

  it('text: not JSON, and over 1 MB, are refused before parsing', async () => {
    expect((await parseProbeReport('{"kind":')).why).toMatch(/^not JSON/);
    const big = JSON.stringify({ ...fullReport(ECS), pad: 'x'.repeat(MAX_REPORT_BYTES) });
    expect((await parseProbeReport(big)).why).toMatch(/over the 1 MB a probe report can be$/);
  });
});

describe('the node report stands for the target', () => {
  const report = (t: Partial<Target>) => ({ ...fullReport(ECS), target: { ...ECS, ...t } }) as ProbeReport;
  it('same address and port → usable', () => {
    expect(targetMismatch(report({}), ECS)).toBeUndefined();
    expect(targetMismatch(report({ port: undefined }), target('192.168.10.52'))).toBeUndefined();
  });
  it('no address: it does not say what it probed', () => {
    const { ip: _, ...noIp } = ECS;
    expect(targetMismatch({ ...fullReport(ECS), target: noIp }, ECS)).toMatch(/^\/target\/ip is missing/);
  });
  it('another address, or another port → named', () => {
    expect(targetMismatch(report({ ip: '127.0.0.1' }), { ...ECS, ip: '10.9.9.9' })).toBe('it probed 127.0.0.1, not 10.9.9.9');
    expect(targetMismatch(report({ port: 22 }), ECS)).toBe('it probed port 22, not 80');
  });
  it('a name: the report must be for the same name', () => {
    const named: Target = { input: 'db.corp:80', host: 'db.corp', port: 80 };
    expect(targetMismatch(report({ host: 'DB.corp' }), named)).toBeUndefined();
    expect(targetMismatch(report({ host: 'web.corp' }), named)).toBe('it probed web.corp, not db.corp');
  });
  it('a name the node could not resolve: no address, its DNS result stands (for that name only)', () => {
    const named: Target = { input: 'nosuch.corp:80', host: 'nosuch.corp', port: 80 };
    const dns = { status: 'nxdomain' as const, name: 'nosuch.corp', addresses: [], ms: 3, servers: ['10.0.0.2'] };
    const unresolved = { ...fullReport(ECS), target: { input: 'nosuch.corp:80', host: 'nosuch.corp', port: 80 }, dns } as ProbeReport;
    expect(targetMismatch(unresolved, named)).toBeUndefined();
    expect(targetMismatch(unresolved, { ...named, host: 'other.corp' })).toBe('it probed nosuch.corp, not other.corp');
    // Without its DNS result it says nothing about any target.
    const { dns: _, ...silent } = unresolved;
    expect(targetMismatch(silent as ProbeReport, named)).toMatch(/^\/target\/ip is missing/);
  });
});

describe('reading a report file', () => {
  const file = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const ends = async (path: string) => {
    const t0 = performance.now();
    const got = await readProbeReportFile(path, 2000);
    return { ...got, ms: performance.now() - t0 };
  };

  it('a regular file with a report', async () => {
    expect((await ends(file('ok.json', JSON.stringify(fullReport(ECS))))).report).toEqual(fullReport(ECS));
  });
  it('a FIFO, a directory, a device → refused at once, nothing waits for a writer', async () => {
    const fifo = join(dir, 'fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    for (const [path, kind] of [[fifo, 'a FIFO'], [dir, 'a directory'], ['/dev/zero', 'a device']] as const) {
      const got = await ends(path);
      expect(got.why).toBe(`not a regular file (${kind})`);
      // Generous: "does not hang", not a speed goal.
      expect(got.ms).toBeLessThan(1500);
    }
  });
  it('no such file', async () => {
    expect((await ends(join(dir, 'nope'))).why).toBe('no such file');
  });
  it('50 MB → refused by its size, unread', async () => {
    const p = join(dir, 'big.json');
    writeFileSync(p, '');
    truncateSync(p, 50 * 1024 * 1024);
    const got = await ends(p);
    expect(got.why).toBe('50 MB, over the 1 MB a probe report can be');
  });
  it('one byte over 1 MB → refused; 1 MB of report → read', async () => {
    const report = JSON.stringify(fullReport(ECS));
    expect((await ends(file('edge.json', report + ' '.repeat(MAX_REPORT_BYTES - report.length)))).report).toBeDefined();
    expect((await ends(file('over.json', report + ' '.repeat(MAX_REPORT_BYTES - report.length + 1)))).why).toMatch(/^1048577 bytes, over/);
  });
});

describe('property: any edit of a valid report is either used, and the report built on it validates, or refused in one line', () => {
  const LOCAL: LocalFacts = {
    facts: { podIp: { value: '172.16.1.10', source: 'interface', confidence: 0.9 }, gateway: { value: '172.16.1.1', source: 'interface', confidence: 0.9 } },
    interfaceSubnet: '172.16.1.0/24',
    addresses: ['172.16.1.10'],
  };
  const NAMED: Target = { input: 'mysql://db.corp', host: 'db.corp', ip: '192.168.20.10', port: 3306, scheme: 'mysql', portSource: 'scheme' };
  // What the user typed (for a name: not resolved yet), and the node report made for it.
  const bases: [Target, ProbeReport][] = [
    [ECS, fullReport(ECS)],
    [{ ...NAMED, ip: undefined }, fullReport(NAMED)],
    [ECS, { ...probe(ECS, SILENT, 'node') }],
  ];
  const flags = [{ containerCidr: '172.16.0.0/16', vpcCidr: ['192.168.0.0/16'], networkModel: 'vpc' }, { networkModel: 'tunnel' }, {}];
  const pods = [SILENT, OPEN, { tcp: 'refused', icmp: 'reply' } as const];
  const RUNS = Number(process.env.PODREACH_FC_RUNS ?? 10_000);
  // A plain check, not expect(): it runs 10,000 times.
  const inOneLine = (why: string) => {
    if (!/^[^\n]{1,400}$/.test(why)) throw new Error(`not one line: ${JSON.stringify(why)}`);
  };

  it(`${RUNS} edits, seeded`, async () => {
    let used = 0;
    await fc.assert(
      fc.asyncProperty(fc.nat(bases.length - 1), fc.nat(flags.length - 1), fc.nat(pods.length - 1), edits, async (b, f, p, list) => {
        const [userTarget, base] = bases[b]!;
        const got = await parseProbeReport(JSON.stringify(mutate(base, list)));
        if (got.why !== undefined) return inOneLine(got.why);
        const wrong = targetMismatch(got.report, userTarget);
        if (wrong !== undefined) return inOneLine(wrong);
        used++;
        const resolved = { ...userTarget, ip: userTarget.ip ?? got.report.target.ip };
        const context = gatherContext({ flags: flags[f]!, env: {}, nodeReport: got.report, local: LOCAL });
        const pod = probe(resolved, pods[p]!);
        // The engine's entry, as the CLI calls it: the diagnosis, the CIDR facts and the measured SNAT.
        const { diagnosis, cidr } = judge({ target: resolved, context: context.facts, observations: podAndNode(pod, got.report, context.facts.nodeName?.value) });
        const report = buildReport({
          version: '0.0.0',
          target: resolved,
          context,
          cidr,
          pod,
          node: got.report,
          diagnosis,
          timings: { probeMs: 1, diagnoseMs: 1, totalMs: 2 },
        });
        const json = JSON.stringify(report);
        expect(schemaErrors(JSON.parse(json))).toEqual([]);
        expect(json).not.toContain(JUNK);
        expect(renderText(report)).toContain('VERDICT');
      }),
      { seed: 20261206, numRuns: RUNS },
    );
    // The property means little if nearly every edit is refused.
    console.log(`intake property: ${RUNS} edits, ${used} used`);
    expect(used).toBeGreaterThan(RUNS / 20);
  });
});
