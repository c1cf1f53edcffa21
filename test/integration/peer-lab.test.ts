// Two-ended diagnosis in the lab: `podreach peer --listen` on the target host while `podreach diagnose` runs in
// the pod, then the diagnosis again with --peer-report. The host's view settles what the wire cannot: for every
// silent cause, the cause is named at ≥ 0.8 with no alternative within the ambiguity gap; without the report
// the ranking is the wire's. Also: podreach peer changes nothing on the host and runs as non-root, and bad
// input is one line and exit 2.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { afterAll, describe, expect, it } from 'vitest';
import { NODE, run, withLab, type Lab, type Role } from '../lab/lab.ts';
import { NODE_IP, PEER, findScenario } from '../lab/scenarios.ts';
import { useEmptyNetns } from '../support/netns.ts';
import { BUNDLE, diagnoseJson, targetArg } from './podreach.ts';
import { schemaErrors } from './schema.ts';

const AMBIGUOUS_GAP = 0.2;
const dir = mkdtempSync(join(tmpdir(), 'podreach-peer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const peerSchema = new Ajv2020.default({ allErrors: true, strict: false, validateFormats: false }).compile(
  JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'schema', 'peer.schema.json'), 'utf8')),
);

const hostRole = (lab: Lab): Role => (lab.scenario.target.host === PEER ? 'peer' : 'ecs');
const seenSource = (lab: Lab) => (lab.scenario.model === 'tunnel' ? NODE_IP : lab.podIp);
const asUser = (argv: string[]) => ['setpriv', '--reuid', '1000', '--regid', '1000', '--clear-groups', ...argv];

function peerArgv(lab: Lab, listenS: number): string[] {
  return [NODE, BUNDLE, 'peer', '--source', seenSource(lab), '--port', String(lab.scenario.target.port), '--listen', String(listenS), '-o', 'json'];
}

/** podreach peer on the target host with a window, and diagnose in the pod inside it; the peer's JSON in a file. */
async function twoEnded(lab: Lab) {
  const peer = lab.exec(hostRole(lab), peerArgv(lab, 4), { timeoutMs: 15_000 });
  // The window opens once node has started (~0.2 s): let it, then probe from the pod.
  await new Promise((r) => setTimeout(r, 500));
  const alone = await diagnoseJson(lab);
  const p = await peer;
  expect(p.code, p.stderr).toBe(0);
  const doc = JSON.parse(p.stdout);
  expect(peerSchema(doc), JSON.stringify(peerSchema.errors)).toBe(true);
  const file = join(dir, `${lab.prefix}.json`);
  writeFileSync(file, p.stdout);
  const paired = await diagnoseJson(lab, ['--peer-report', file]);
  return { alone: alone.report, paired: paired.report, peer: doc, code: paired.code };
}

describe('podreach diagnose --peer-report names the cause the wire cannot', () => {
  const ids = ['vpc-docker-bridge', 'vpc-docker-br-network', 'eni-docker-bridge', 'vpc-sg-container-cidr', 'tunnel-sg-node', 'vpc-peer-return-route', 'vpc-host-firewall'];
  for (const id of ids) {
    const s = findScenario(id)!;
    it(`${id} → ${s.expectedCause}`, async () => {
      await withLab(s, async (lab) => {
        const { alone, paired, peer, code } = await twoEnded(lab);
        const d = paired.diagnosis;
        const label = `${id}: ${d.cause} ${d.confidence} (alternatives ${d.alternatives.map((a) => `${a.cause} ${a.confidence}`).join(', ')}) — ${d.summary}`;
        expect(schemaErrors(paired), 'report matches schema/report.schema.json').toEqual([]);
        expect(paired.peer?.kind).toBe('podreach.peer');
        expect(d.cause, label).toBe(s.expectedCause);
        expect(d.confidence, label).toBeGreaterThanOrEqual(0.8);
        expect(d.ambiguous, label).toBe(false);
        expect(d.confidence - (d.alternatives[0]?.confidence ?? 0), label).toBeGreaterThanOrEqual(AMBIGUOUS_GAP);
        expect(code).toBe(1);
        // Without the peer's report: what the wire alone says (the lab diagnosis test holds it), and no peer field.
        const a = alone.diagnosis;
        expect(alone.peer).toBeUndefined();
        expect([a.cause, ...a.alternatives.map((x) => x.cause)], `${id} without the peer report: ${a.cause}`).toEqual(
          expect.arrayContaining([s.indistinguishableFrom && a.cause === s.indistinguishableFrom ? s.indistinguishableFrom : s.expectedCause]),
        );
        if (a.ambiguous) expect(a.settle, `${id}: an ambiguous verdict names the peer command`).toContain(`podreach peer --source ${seenSource(lab)} --port ${s.target.port}`);
        const src = peer.sources[0];
        // docker0 here has lost carrier (its one port is down): the route is flagged linkdown and still captures.
        if (id === 'vpc-docker-bridge') expect(src.covering).toEqual([expect.objectContaining({ dev: 'docker0', state: 'no-carrier', linkdown: true })]);
        console.log(`${id.padEnd(24)} with peer: ${d.cause} ${d.confidence} | alone: ${a.cause} ${a.confidence}${a.ambiguous ? ' (ambiguous)' : ''} | peer: arrived=${src.arrived?.seen} route=${src.route.line}`);
      });
    });
  }
});

/** What the host's configuration is: links, addresses, routes, rules, neighbours aside (traffic moves them), firewall rules without counters. */
async function hostState(lab: Lab, role: Role): Promise<string> {
  const cmds = [
    ['ip', '-d', 'link', 'show'],
    ['ip', 'addr', 'show'],
    ['ip', 'route', 'show', 'table', 'all'],
    ['ip', 'rule', 'show'],
    ['iptables-save'],
    ['sysctl', 'net.ipv4.ip_forward', 'net.ipv4.conf.all.rp_filter'],
  ];
  const outs = await Promise.all(cmds.map((c) => lab.exec(role, c)));
  return outs
    .map((o) => o.stdout)
    .join('\n')
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .map((l) => l.replace(/\[\d+:\d+\]/g, ''))
    .join('\n');
}

describe('podreach peer is read-only and runs as non-root', () => {
  it('root and uid 1000 runs change no link, address, route, rule or firewall rule; non-root says what it could not read', async () => {
    await withLab('vpc-host-firewall', async (lab) => {
      const before = await hostState(lab, 'ecs');
      const root = await lab.exec('ecs', peerArgv(lab, 1), { timeoutMs: 10_000 });
      const user = await lab.exec('ecs', asUser(peerArgv(lab, 1)), { timeoutMs: 10_000 });
      const text = await lab.exec('ecs', asUser([NODE, BUNDLE, 'peer', '--source', `${lab.podIp},${NODE_IP}`, '--port', '80']), { timeoutMs: 10_000 });
      const after = await hostState(lab, 'ecs');
      expect(after).toBe(before);
      expect(root.code, root.stderr).toBe(0);
      expect(user.code, user.stderr).toBe(0);
      expect(text.code, text.stderr).toBe(0);
      const r = JSON.parse(root.stdout);
      const u = JSON.parse(user.stdout);
      expect(r.host.uid).toBe(0);
      expect(r.sources[0].firewall).toMatchObject({ verdict: 'drop', chain: 'INPUT' });
      expect(u.host.uid).toBe(1000);
      expect(u.sources[0].firewall.verdict).toBe('not-readable');
      expect(u.sources[0].firewall.why).toMatch(/root/);
      const methods = Object.fromEntries(u.sources[0].arrived.methods.map((m: { method: string; available: boolean }) => [m.method, m.available]));
      expect(methods).toEqual({ 'socket-states': true, 'firewall-counters': false, capture: false });
      expect(u.listener).toEqual({ port: 80, listening: true, on: ['0.0.0.0'] });
      // Text: one block per source, each ending with what it means.
      expect(text.stdout).toContain(`source ${lab.podIp}`);
      expect(text.stdout).toContain(`source ${NODE_IP}`);
      expect(text.stdout).toMatch(/firewall +not-readable/);
      expect(targetArg(lab)).toBe('192.168.10.52:80');
    });
  });
  it('lists a down bridge that covers the source, whose route is gone', async () => {
    await withLab('vpc-docker-bridge-down', async (lab) => {
      const r = await lab.exec('ecs', [NODE, BUNDLE, 'peer', '--source', lab.podIp, '-o', 'json']);
      const src = JSON.parse(r.stdout).sources[0];
      expect(src.covering).toEqual([{ dev: 'docker0', cidr: '172.17.0.0/16', via: 'address', bridge: true, docker: true, state: 'down' }]);
      expect(src.route).toMatchObject({ kind: 'gateway', dev: 'eth0', defaultDev: true, bridge: false });
    });
  });
});

describe('bad input: one line on stderr, exit 2', () => {
  const NS = useEmptyNetns('peer');
  const cli = (args: string[]) => run('ip', ['netns', 'exec', NS, 'env', '-i', 'PATH=/usr/sbin:/usr/bin:/sbin:/bin', 'LC_ALL=C', NODE, BUNDLE, ...args], { timeoutMs: 20_000 });
  const file = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const good = {
    kind: 'podreach.peer', schemaVersion: 1, tool: { name: 'podreach', version: '0' }, generatedAt: '2026-12-06T00:00:00Z',
    host: { hostname: 'ecs', addresses: ['192.168.10.52'], uid: 0 }, port: 80, listener: null,
    sources: [{ ip: '127.0.0.1', route: { kind: 'local', defaultDev: false, bridge: false, docker: false, line: 'local' }, covering: [] }], notes: [],
  };
  const cases: [string, string[], RegExp][] = [
    ['--source not an address', ['peer', '--source', '10.0.0.1,nope'], /^podreach: --source: "nope" is not an IP address\n$/],
    ['--source missing', ['peer', '--port', '80'], /^podreach: required option '--source <ips>' not specified\n$/],
    ['--listen without --port', ['peer', '--source', '127.0.0.1', '--listen', '3'], /^podreach: --listen needs --port/],
    ['--port out of range', ['peer', '--source', '127.0.0.1', '--port', '70000'], /^podreach: --port: 70000 is outside 1–65535\n$/],
    ['--peer-report not JSON', ['diagnose', '127.0.0.1:80', '--peer-report', file('nojson', '{nope')], /^podreach: --peer-report \S+: not JSON/],
    ['--peer-report of another kind', ['diagnose', '127.0.0.1:80', '--peer-report', file('kind', JSON.stringify({ ...good, kind: 'podreach.probe' }))], /not a podreach peer report/],
    ['--peer-report with a bad field', ['diagnose', '127.0.0.1:80', '--peer-report', file('field', JSON.stringify({ ...good, port: 'x' }))], /: \/port must be a whole number/],
    ['--peer-report from another host', ['diagnose', '127.0.0.1:80', '--peer-report', file('host', JSON.stringify(good))], /it was made on ecs \(192\.168\.10\.52\), not on 127\.0\.0\.1/],
    ['--peer-report missing', ['diagnose', '127.0.0.1:80', '--peer-report', join(dir, 'nosuch')], /: no such file\n$/],
  ];
  for (const [what, args, msg] of cases) {
    it(what, async () => {
      const r = await cli(args);
      expect(r.timedOut).toBe(false);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.split('\n').length, r.stderr).toBe(2);
      expect(r.stderr).toMatch(msg);
    });
  }
});
