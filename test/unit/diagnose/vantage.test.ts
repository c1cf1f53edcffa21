// Vantage points: the diagnosis reads observations by where they were made, so an observation from a new
// vantage point (another node, the peer) changes no verdict and no cause module.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../../src/diagnose/engine.ts';
import { judge, podAndNode } from '../../../src/diagnose/index.ts';
import type { Evidence, Observation } from '../../../src/diagnose/types.ts';
import { nodeSide, observation } from '../../../src/diagnose/vantage.ts';
import { ctx, ECS, evidence, OPEN, PEER, probe, REDIS, type Side, SILENT, target } from './fixtures.ts';

const REFUSED: Side = { tcp: 'refused', icmp: 'reply' };
const NET_UNREACH: Side = { tcp: 'unreachable', errno: 'ENETUNREACH', icmp: 'unreachable', icmpDetail: 'From 192.168.10.1 icmp_seq=1 Destination Net Unreachable' };
const SIDES: [string, Side][] = [['silent', SILENT], ['open', OPEN], ['refused', REFUSED], ['net unreachable', NET_UNREACH]];
const MODELS = ['tunnel', 'vpc', 'eni', undefined] as const;
const TARGETS = [ECS, REDIS, PEER, target('10.247.3.20', 8080)];

/** The same evidence with more observations: another node's and the peer's, each the opposite of the node's. */
function withMore(ev: Evidence, ...more: Observation[]): Evidence {
  return { ...ev, observations: [...ev.observations, ...more] };
}
const other = (ev: Evidence, s: Side): Observation[] => {
  const opposite = s === OPEN ? SILENT : OPEN;
  return [observation('node:other', probe(ev.target, opposite, 'node')), observation('peer', probe(ev.target, opposite, 'node'))];
};

describe('a new vantage point needs no change to the causes', () => {
  it('every model × target × pod side × node side: extra observations from another node and the peer leave the verdict as it was', () => {
    let cases = 0;
    for (const model of MODELS) {
      for (const t of TARGETS) {
        for (const [, pod] of SIDES) {
          for (const node of [undefined, ...SIDES.map(([, s]) => s)]) {
            const ev = evidence(t, ctx(model), pod, node);
            expect(diagnose(withMore(ev, ...other(ev, node ?? SILENT)))).toEqual(diagnose(ev));
            cases++;
          }
        }
      }
    }
    expect(cases).toBe(MODELS.length * TARGETS.length * SIDES.length * (SIDES.length + 1));
  });

  it('the same observation as this pod\'s node does change the verdict (the check above can fail)', () => {
    const ev = evidence(ECS, ctx('vpc'), SILENT);
    const asNode = withMore(ev, observation('node', probe(ECS, OPEN, 'node')));
    expect(diagnose(ev).comparison).toBe('no-node-report');
    expect(diagnose(asNode).comparison).toBe('pod-only-fails');
    expect(diagnose(withMore(ev, observation('node:other', probe(ECS, OPEN, 'node')))).comparison).toBe('no-node-report');
  });

  it('the node side is the node this pod runs on: node:<its name>, else node; another node is not the comparison', () => {
    const named = ctx('vpc', { nodeName: '192.168.10.11' });
    const ev = evidence(ECS, named, SILENT, OPEN);
    expect(ev.observations.map((o) => o.vantage)).toEqual(['pod', 'node:192.168.10.11']);
    expect(nodeSide(ev)?.from.vantage).toBe('node:192.168.10.11');
    // The verdict does not depend on how the node is named.
    expect(diagnose(ev)).toEqual(diagnose(evidence(ECS, ctx('vpc'), SILENT, OPEN)));
    // Keyed `node` (its name not known when it was keyed) it still is this pod's node.
    const unnamed = { ...ev, observations: podAndNode(probe(ECS, SILENT), probe(ECS, OPEN, 'node'), undefined) };
    expect(diagnose(unnamed)).toEqual(diagnose(ev));
    // A report from a node of another name is not this pod's node.
    const elsewhere = { ...ev, observations: podAndNode(probe(ECS, SILENT), probe(ECS, OPEN, 'node'), '192.168.10.99') };
    expect(nodeSide(elsewhere)).toBeUndefined();
    expect(diagnose(elsewhere).comparison).toBe('no-node-report');
  });

  it('podAndNode keys the node by its name when known, and each report says where it was made', () => {
    const [pod, node] = podAndNode(probe(ECS, SILENT), probe(ECS, OPEN, 'node'), 'cce-node-1');
    expect(pod).toMatchObject({ vantage: 'pod', report: { from: { role: 'pod', vantage: 'pod' } } });
    expect(node).toMatchObject({ vantage: 'node:cce-node-1', report: { from: { role: 'node', vantage: 'node:cce-node-1' } } });
    expect(podAndNode(probe(ECS, SILENT), undefined, 'cce-node-1').map((o) => o.vantage)).toEqual(['pod']);
  });

  it('judge() refuses observations without the pod\'s, or with one vantage point twice', () => {
    const ev = evidence(ECS, ctx('vpc'), SILENT, OPEN);
    expect(() => judge({ ...ev, observations: ev.observations.slice(1) })).toThrow(/^judge: no observation from the pod$/);
    expect(() => judge({ ...ev, observations: [...ev.observations, ev.observations[1]!] })).toThrow(/^judge: two observations from node$/);
    expect(judge(ev).diagnosis.cause).toBe('security-group');
  });
});

describe('no cause module knows how many vantage points there are', () => {
  const DIAGNOSE = resolve(import.meta.dirname, '..', '..', '..', 'src', 'diagnose');
  // A report read by its old name or by its place in the list, instead of through podSide / nodeSide / from.
  const BY_POSITION = /\bev\??\.(?:pod|node)\b|\bobservations\s*(?:\?\.)?\[/g;
  const hits = (text: string) => [...text.matchAll(BY_POSITION)].map((m) => m[0]);

  it('the check catches ev.pod, ev.node, ev?.node and observations[i]', () => {
    expect(hits('const d = ev.pod.dns; if (ev.node?.dns) x(ev?.node); const n = ev.observations[1];')).toEqual(['ev.pod', 'ev.node', 'ev?.node', 'observations[']);
    expect(hits('const d = podSide(ev).dns; s.pod.outcome; ev.context.nodeIp; ev.podIp')).toEqual([]);
  });

  it('causes/*.ts, signals, explain and the engine read observations only through the vantage accessors', () => {
    const files = [
      ...readdirSync(join(DIAGNOSE, 'causes')).map((f) => join('causes', f)),
      'signals.ts',
      'explain.ts',
      'engine.ts',
    ];
    expect(files.length).toBeGreaterThan(10);
    expect(files.flatMap((f) => hits(readFileSync(join(DIAGNOSE, f), 'utf8')).map((h) => `${f}: ${h}`))).toEqual([]);
  });
});
