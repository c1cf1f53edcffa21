// The one-file rule for probes: a new probe kind is one module. Listed with the others, the run schedules
// it, the report carries its result under its name, and the text line, the `probe` summary and the live
// view's rows read it through the module; nothing else (types, run, renderers) knows about it.
import { createSocket, type Socket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROBES } from '../../../src/probe/kinds/index.ts';
import { runProbes } from '../../../src/probe/run.ts';
import type { ProbeEvent } from '../../../src/probe/types.ts';
import { buildReport } from '../../../src/render/report.ts';
import { probeSummary, renderText } from '../../../src/render/text.ts';
import { rowsFromEvents, rowsFromReport } from '../../../src/render/tui/rows.ts';
import { ctx, target } from '../diagnose/fixtures.ts';
import { judge, podAndNode } from '../../../src/diagnose/index.ts';
import { udp } from './fixtures/probe-udp.ts';

// Real datagrams, on loopback only: an echo server, and a port nothing listens on.
let echo: Socket;
let echoPort = 0;
let closedPort = 0;
beforeAll(async () => {
  echo = createSocket('udp4');
  echo.on('message', (m, peer) => echo.send(m, peer.port, peer.address));
  await new Promise<void>((r) => echo.bind(0, '127.0.0.1', r));
  echoPort = echo.address().port;
  const probe = createSocket('udp4');
  await new Promise<void>((r) => probe.bind(0, '127.0.0.1', r));
  closedPort = probe.address().port;
  await new Promise<void>((r) => probe.close(() => r()));
});
afterAll(() => echo.close());

const KINDS = [...PROBES, udp];
const loopback = (port: number) => ({ input: `127.0.0.1:${port}`, host: '127.0.0.1', ip: '127.0.0.1', port });

describe('a probe added as one file', () => {
  it('is not shipped', () => {
    expect(PROBES.map((k) => k.name)).not.toContain('udp');
  });

  it('listed with the shipped kinds, it runs after its `after` and its result is in the report under its name', async () => {
    const events: ProbeEvent[] = [];
    const open = await runProbes(loopback(echoPort), { role: 'pod', onEvent: (e) => events.push(e) }, KINDS);
    expect(open.udp).toMatchObject({ status: 'answered', port: echoPort });
    expect(events.filter((e) => e.probe === 'udp').map((e) => e.type)).toEqual(['started', 'finished']);
    const closed = await runProbes(loopback(closedPort), { role: 'pod' }, KINDS);
    expect(closed.udp).toMatchObject({ status: 'refused', port: closedPort });
    // the shipped list alone never sends it
    expect((await runProbes(loopback(echoPort), { role: 'pod' })).udp).toBeUndefined();

    // live rows while probing and from the report, through the module's words
    const live = rowsFromEvents(events, loopback(echoPort), undefined, KINDS).find((r) => r.probe === 'udp');
    expect(live).toMatchObject({ label: `udp/${echoPort}`, dest: `127.0.0.1:${echoPort}`, outcome: 'answered', tone: 'good', running: false });
    expect(rowsFromReport(closed, KINDS).find((r) => r.probe === 'udp')).toMatchObject({ outcome: 'refused', tone: 'bad' });

    // the probe summary and the text report's probe line
    expect(probeSummary(closed, KINDS)).toContain(`udp/${closedPort} refused`);
    const t = target('127.0.0.1', closedPort);
    const { diagnosis, cidr } = judge({ target: t, context: ctx('vpc'), observations: podAndNode(closed, undefined, undefined) });
    const text = renderText(
      buildReport({ version: 'test', target: t, context: { facts: ctx('vpc'), missing: [], notes: [] }, cidr, pod: closed, diagnosis, timings: { probeMs: 1, diagnoseMs: 1, totalMs: 2 } }),
      undefined,
      KINDS,
    );
    expect(text).toMatch(new RegExp(`from pod .*tcp/${closedPort} refused.* · udp/${closedPort} refused`));
  });
});
