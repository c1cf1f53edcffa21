// Real packets inside namespaces this test creates (see lab.ts); nothing leaves them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canBuildLab, createLab, FILTERED, GATEWAY, HOST_UNREACHABLE, type Lab, NO_ROUTE, SERVER, SERVER_NO_PING } from './lab.ts';

const root = canBuildLab();
let lab: Lab;

describe.skipIf(!root)('probes in a client ↔ router ↔ server lab', () => {
  beforeAll(async () => {
    lab = await createLab();
  });
  afterAll(() => lab?.destroy());

  it('open port: tcp open, ping reply, gateway reply, all fast', async () => {
    const { report, wallMs } = await lab.probe([`${SERVER}:80`]);
    expect(report.tcp).toMatchObject({ status: 'open', attempts: 1 });
    expect(report.icmp.status).toBe('reply');
    expect(report.gateway).toMatchObject({ status: 'reply', ip: GATEWAY });
    expect(report.from.gateway).toBe(GATEWAY);
    expect(report.from.addresses).toEqual(['10.251.1.2']);
    expect(['icmp-target', 'tcp-open']).toContain(report.rtt.basis);
    console.log(`open: probes ${report.durationMs} ms, process wall ${wallMs} ms, icmp ${report.icmp.ms} ms, tcp ${report.tcp.ms} ms`);
  });

  it('closed port: RST → refused', async () => {
    const { report } = await lab.probe([`${SERVER}:82`]);
    expect(report.tcp).toMatchObject({ status: 'refused', errno: 'ECONNREFUSED', attempts: 1 });
  });

  it('SYNs dropped: timeout after two SYNs, the wait taken from the target\'s own echo RTT', async () => {
    const { report, wallMs } = await lab.probe([`${SERVER}:81`]);
    expect(report.tcp).toMatchObject({ status: 'timeout', attempts: 2 });
    expect(report.icmp.status).toBe('reply'); // only the port is filtered
    // The target itself answered (ping replies): its path is measured, so its floor, not the blind one.
    expect(report.rtt.basis).toBe('icmp-target');
    expect(report.tcp.waitMs).toBe(100);
    expect(report.tcp.ms).toBeGreaterThanOrEqual(report.tcp.waitMs);
    console.log(
      `syn-drop: tcp gave up after ${report.tcp.ms} ms (window ${report.tcp.waitMs} ms, rtt ${report.rtt.ms} ms via ${report.rtt.basis}); probes ${report.durationMs} ms, process wall ${wallMs} ms`,
    );
  });

  it('nothing answers at all (target and gateway silent): the blind floor is used', async () => {
    const drop = ['iptables', '-I', 'INPUT', '-p', 'icmp', '-j', 'DROP'];
    expect((await lab.exec(lab.router, drop)).code).toBe(0);
    try {
      const { report, wallMs } = await lab.probe([`${SERVER_NO_PING}:81`]);
      expect(report.tcp).toMatchObject({ status: 'timeout', attempts: 2, waitMs: 350 });
      expect(report.icmp.status).toBe('no-reply');
      expect(report.gateway.status).toBe('no-reply');
      expect(report.rtt).toMatchObject({ ms: null, basis: 'none' });
      console.log(`all-silent: tcp ${report.tcp.ms} ms, icmp ${report.icmp.ms} ms, probes ${report.durationMs} ms, process wall ${wallMs} ms`);
    } finally {
      await lab.exec(lab.router, ['iptables', '-D', 'INPUT', '-p', 'icmp', '-j', 'DROP']);
    }
  });

  it('ping blocked but port open: tcp open, and ping is judged by the SYN-ACK\'s RTT, not ping\'s 1 s -W', async () => {
    const { report } = await lab.probe([`${SERVER_NO_PING}:80`]);
    // Silent within the window the SYN-ACK set (or, on a starved machine, cut by the run's grace after TCP).
    expect(['no-reply', 'skipped']).toContain(report.icmp.status);
    expect(report.icmp.ms).toBeLessThan(900);
    expect(report.tcp.status).toBe('open');
    expect(report.rtt.basis).toBe('tcp-open');
  });

  it('no route at the router: ICMP net unreachable for both ping and TCP', async () => {
    const { report } = await lab.probe([`${NO_ROUTE}:80`]);
    expect(report.icmp).toMatchObject({ status: 'unreachable', detail: 'From 10.251.1.1 icmp_seq=1 Destination Net Unreachable' });
    expect(report.tcp).toMatchObject({ status: 'unreachable', errno: 'ENETUNREACH', attempts: 1 });
  });

  it('router REJECTs (admin prohibited / host unreachable): unreachable with the ICMP line', async () => {
    const filtered = (await lab.probe([`${FILTERED}:80`])).report;
    expect(filtered.icmp).toMatchObject({ status: 'unreachable', detail: 'From 10.251.1.1 icmp_seq=1 Packet filtered' });
    expect(filtered.tcp).toMatchObject({ status: 'unreachable', errno: 'EHOSTUNREACH' });
    const host = (await lab.probe([`${HOST_UNREACHABLE}:80`])).report;
    expect(host.icmp.detail).toMatch(/Destination Host Unreachable/);
    expect(host.tcp).toMatchObject({ status: 'unreachable', errno: 'EHOSTUNREACH' });
  });

  it('a URL target takes its port from the scheme', async () => {
    const { report } = await lab.probe([`http://${SERVER}`]);
    expect(report.target).toMatchObject({ port: 80, portSource: 'scheme', scheme: 'http' });
    expect(report.tcp.status).toBe('open');
  });

  it('no default route in the client: local network unreachable, fast', async () => {
    expect((await lab.exec(lab.client, ['ip', 'route', 'del', 'default'])).code).toBe(0);
    try {
      const { report, wallMs } = await lab.probe([`${SERVER}:80`]);
      expect(report.from.gateway).toBeUndefined();
      expect(report.icmp).toMatchObject({ status: 'unreachable', detail: 'ping: connect: Network is unreachable' });
      expect(report.tcp).toMatchObject({ status: 'unreachable', errno: 'ENETUNREACH' });
      console.log(`no-route: probes ${report.durationMs} ms, process wall ${wallMs} ms`);
    } finally {
      await lab.exec(lab.client, ['ip', 'route', 'add', 'default', 'via', GATEWAY]);
    }
  });
});
