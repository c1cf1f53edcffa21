// podreach starved mid-probe must not blame the network for its own slowness. Deterministic starvation: the
// built CLI is stopped (SIGSTOP) for 1.5 s in the middle of its probes, inside a VPC lab scenario, while the
// answers it waits for arrive. A reachable target stays reachable; a silent one keeps its diagnosis, and the
// report says how long podreach could not run. Packets stay inside namespaces this test created.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { canBuildLab } from './probe/lab.ts';
import { BUNDLE } from './podreach.ts';
import { children, nsPids, sleep, startCli, until } from './proc.ts';
import { type Lab, withLab } from '../lab/lab.ts';
import { ECS } from '../lab/scenarios.ts';
import type { PodreachReport } from '../../src/render/report.ts';

const ready = canBuildLab() && existsSync(BUNDLE);
const STOP_MS = 1500;
const cont = (pid: number): void => {
  try {
    process.kill(pid, 'SIGCONT');
  } catch {
    // gone already
  }
};

/**
 * Runs `diagnose` in the pod; `during` gets the CLI's pid once the probes have started: `started()` holds, or
 * else its ping child to `pingTo` (default: any) exists. The gateway's starts with DNS, the target's with TCP and ICMP.
 */
async function diagnose(lab: Lab, pingTo?: string, during?: (pid: number) => Promise<void>, started?: () => boolean): Promise<{ report: PodreachReport; code: number | null }> {
  const t = lab.scenario.target;
  const cli = startCli(lab.ns('pod'), ['diagnose', `${t.host}:${t.port}`, ...lab.scenario.flags, '--no-api', '-o', 'json']);
  try {
    if (during) {
      const pinging = () => children(cli.pid).some((p) => /(^|\/)ping$/.test(p.args[0] ?? '') && (!pingTo || p.args.at(-1) === pingTo));
      await until(started ?? pinging, 10_000, started ? 'the probes to start' : `a ping to ${pingTo ?? 'anything'}`);
      await during(cli.pid);
    }
  } finally {
    cont(cli.pid);
  }
  const exit = await cli.exited;
  try {
    return { report: JSON.parse(cli.stdout()), code: exit.code };
  } catch {
    throw new Error(`diagnose printed no JSON (exit ${exit.code}): ${cli.stderr()}`);
  }
}

/**
 * A query waits in a stopped DNS server's socket (its netns's /proc/net/udp, rx_queue of port 53): podreach has
 * asked. A lasting sign, where the gateway's ping child may live only a few ms and be missed by a poll.
 */
const queryQueued = (serverPid: number): boolean =>
  ['udp', 'udp6'].some((f) => {
    try {
      return readFileSync(`/proc/${serverPid}/net/${f}`, 'utf8')
        .split('\n')
        .slice(1)
        .some((l) => {
          const [, local, , , queues] = l.trim().split(/\s+/);
          return local?.endsWith(':0035') === true && parseInt(queues?.split(':')[1] ?? '0', 16) > 0;
        });
    } catch {
      return false;
    }
  });

/** Stops the CLI for `ms`; false when it had exited already (on a quick machine a late stop finds it gone). */
const stop = async (pid: number, ms = STOP_MS): Promise<boolean> => {
  try {
    process.kill(pid, 'SIGSTOP');
  } catch {
    return false;
  }
  await sleep(ms);
  cont(pid);
  return true;
};

describe.skipIf(!ready)('podreach stopped for 1.5 s mid-probe (dist/podreach.mjs in the VPC lab)', () => {
  it('tunnel-dns-ok: the DNS answer arrives while podreach is stopped → still resolved and reachable', async () => {
    await withLab('tunnel-dns-ok', async (lab) => {
      const server = nsPids(lab.ns('dns'));
      expect(server.length).toBeGreaterThan(0);
      // The server holds the lookups until podreach is stopped, then answers into its socket at once.
      for (const p of server) process.kill(p, 'SIGSTOP');
      const { report, code } = await diagnose(lab, undefined, async (pid) => {
        try {
          await sleep(100);
          process.kill(pid, 'SIGSTOP');
        } finally {
          server.forEach(cont);
        }
        await sleep(STOP_MS);
        cont(pid);
      }, () => server.some(queryQueued)).finally(() => server.forEach(cont));
      console.log(`dns starved: ${report.diagnosis.cause} ${report.diagnosis.confidence}; dns ${report.probes.pod.dns?.status} in ${report.probes.pod.dns?.ms} ms, stalled ${report.probes.pod.dns?.stalledMs} ms; run stalled ${report.probes.pod.stalledMs} ms`);
      expect(report.probes.pod.dns).toMatchObject({ status: 'ok', addresses: ['192.168.10.52'] });
      expect(report.diagnosis.cause).toBe('reachable');
      expect(code).toBe(0);
      expect(report.probes.pod.dns?.stalledMs).toBeGreaterThanOrEqual(STOP_MS - 200);
      expect(report.probes.pod.stalledMs).toBeGreaterThanOrEqual(STOP_MS - 200);
    });
  });

  it('vpc-ok: stopped at three moments of the probes → reachable every time', async () => {
    await withLab('vpc-ok', async (lab) => {
      for (const delay of [0, 30, 80]) {
        let stoppedAt = 0;
        const { report } = await diagnose(lab, undefined, async (pid) => {
          await sleep(delay);
          stoppedAt = Date.now();
          await stop(pid);
        });
        const pod = report.probes.pod;
        // The probes of a reachable target last ~0.1 s: on a quick machine the latest stop can land after them.
        // startedAt is whole milliseconds and durationMs rounded: a stop within 5 ms of the end counts as neither.
        const end = Date.parse(pod.startedAt) + pod.durationMs;
        const during = stoppedAt < end - 5;
        console.log(`vpc-ok stopped at +${delay} ms (${during ? 'during' : stoppedAt < end ? 'at the end of' : 'after'} the probes): ${report.diagnosis.cause}; tcp ${pod.tcp?.status}, icmp ${pod.icmp.status}, app ${pod.app?.status}; stalled ${pod.stalledMs} ms`);
        expect(report.diagnosis.cause).toBe('reachable');
        if (during) expect(pod.stalledMs).toBeGreaterThanOrEqual(STOP_MS - 200);
      }
    });
  });

  it('tunnel-sg-node: a silent target gets the same diagnosis, and the timeout says what podreach saw', async () => {
    await withLab('tunnel-sg-node', async (lab) => {
      const calm = (await diagnose(lab)).report;
      const { report } = await diagnose(lab, ECS, async (pid) => {
        await sleep(50);
        await stop(pid);
      });
      const tcp = report.probes.pod.tcp;
      console.log(`silent, starved: ${report.diagnosis.cause} ${report.diagnosis.confidence} (calm: ${calm.diagnosis.cause} ${calm.diagnosis.confidence}); tcp ${tcp?.status} ${tcp?.ms} ms, stalled ${tcp?.stalledMs}, observed ${tcp?.observedMs}, wait ${tcp?.waitMs}`);
      expect(calm.probes.pod.tcp?.status).toBe('timeout');
      expect(report.diagnosis.cause).toBe(calm.diagnosis.cause);
      expect(tcp?.status).toBe('timeout');
      expect(tcp?.stalledMs).toBeGreaterThanOrEqual(STOP_MS - 200);
      // The whole window was observed: the stop stretched it instead of eating it.
      expect(tcp?.observedMs).toBeGreaterThanOrEqual((tcp?.waitMs ?? 0) - 20);
    });
  });
});
