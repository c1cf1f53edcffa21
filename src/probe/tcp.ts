import { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { loopClock, observedTimeout, seen, withStall } from './clock.ts';
import { RttTracker } from './rtt.ts';
import type { TcpResult, TcpStatus } from './types.ts';

/** errno → outcome. RST is `refused`; an ICMP error from a router is `unreachable`; the rest is local. */
export function classifyErrno(code: string | undefined): Exclude<TcpStatus, 'open' | 'timeout'> {
  switch (code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'unreachable';
    default:
      return 'error'; // EADDRNOTAVAIL, EACCES, EPERM (a local netfilter REJECT/DROP on OUTPUT), ...
  }
}

/**
 * Connects to ip:port. Silence is judged by the wait rule (rtt.ts) from the first SYN: the target is
 * silent once nothing has answered for `tracker.waitMs`, re-read whenever the tracker learns a new RTT.
 * Half-way through, a second connect is sent while the first stays open (a lost SYN); whichever answers
 * first wins. Answers (RST or SYN-ACK) are fed back to the tracker as samples. With `handOver`, the
 * connected socket is passed on instead of closed (one connection per run for the application probe).
 */
export function probeTcp(ip: string, port: number, tracker: RttTracker = new RttTracker(), handOver?: (s: Socket) => void): Promise<TcpResult> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const sockets: Socket[] = [];
    let cancelWait = (): void => {};
    let done = false;
    // Sample the loop for the whole probe: the result says how much of it podreach could not see.
    const release = loopClock.hold();

    const finish = (status: TcpStatus, errno?: string, winner?: Socket): void => {
      if (done) return;
      done = true;
      cancelWait();
      unsubscribe();
      for (const s of sockets) if (s !== winner || !handOver) s.destroy();
      if (winner && handOver) handOver(winner);
      const w = seen(t0);
      release();
      const result: TcpResult = { status, port, ms: w.ms, attempts: sockets.length, waitMs: tracker.waitMs };
      if (errno) result.errno = errno;
      resolve(withStall(result, w, status === 'timeout'));
    };

    // Waits count time podreach could observe: a stall stretches them.
    const arm = (): void => {
      if (done) return;
      cancelWait();
      const cancels = [observedTimeout(t0, () => tracker.waitMs, () => finish('timeout'))];
      if (sockets.length < 2) cancels.push(observedTimeout(t0, () => tracker.waitMs / 2, retry));
      cancelWait = () => {
        for (const c of cancels) c();
      };
    };

    const retry = (): void => {
      attempt();
      arm();
    };

    const attempt = (): void => {
      const started = performance.now();
      const s = new Socket();
      sockets.push(s);
      // An RTT sample counts only the time podreach was running: a stall is not path delay.
      const rtt = (): number => {
        const now = performance.now();
        return Math.max(0, now - started - loopClock.stalled(started, now));
      };
      s.once('connect', () => {
        tracker.observe({ basis: 'tcp-open', ms: rtt() });
        finish('open', undefined, s);
      });
      s.once('error', (err: NodeJS.ErrnoException) => {
        const status = classifyErrno(err.code);
        if (status === 'refused') tracker.observe({ basis: 'tcp-rst', ms: rtt() });
        finish(status, err.code ?? 'UNKNOWN');
      });
      s.connect({ host: ip, port, autoSelectFamily: false });
    };

    const unsubscribe = tracker.onChange(arm);
    attempt();
    arm();
  });
}
