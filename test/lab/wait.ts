// How the test infrastructure waits for its own pieces (servers, links, panes): on the event where the other side
// can announce itself, else by a backing-off poll; always with a deadline generous enough for a loaded 2-core
// machine (a cold `node` start alone took seconds there), and failing at once when the child it waits for is gone.
import type { ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';

/** Deadline for infrastructure start-up: "does not hang", not a speed goal. */
export const INFRA_DEADLINE_MS = 30_000;

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Polls `check` until it returns something other than undefined/false, first every `pollMs`, backing off to 8× that
 * (a busy machine is not made busier). `gone()` returning a reason fails the wait at once; `last()` adds the final
 * state to the deadline's error.
 */
export async function until<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  opts: { what: string; deadlineMs?: number; pollMs?: number; gone?: () => string | undefined; last?: () => string },
): Promise<T> {
  const deadlineMs = opts.deadlineMs ?? INFRA_DEADLINE_MS;
  const end = performance.now() + deadlineMs;
  let pollMs = opts.pollMs ?? 25;
  const cap = pollMs * 8;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    const why = opts.gone?.();
    if (why) throw new Error(`${opts.what}: ${why}`);
    if (performance.now() >= end) throw new Error(`${opts.what}: not after ${deadlineMs} ms${opts.last ? `: ${opts.last()}` : ''}`);
    await sleep(pollMs);
    pollMs = Math.min(pollMs * 1.5, cap);
  }
}

/**
 * Resolves with the first line of `stream` matching `re`, as it arrives. Rejects when the child closes first (with
 * its exit code and what it printed) or at the deadline. `also` streams (stderr) only feed the error message.
 */
export function waitLine(
  child: ChildProcess,
  stream: Readable,
  re: RegExp,
  opts: { what: string; deadlineMs?: number; also?: Readable[] },
): Promise<RegExpMatchArray> {
  const deadlineMs = opts.deadlineMs ?? INFRA_DEADLINE_MS;
  return new Promise((resolve, reject) => {
    let seen = '';
    let out = '';
    const tail = () => out.trim().slice(-300);
    const finish = (f: () => void) => {
      clearTimeout(timer);
      stream.off('data', onData);
      child.off('close', onClose);
      f();
    };
    const onData = (d: Buffer) => {
      seen += d.toString();
      out += d.toString();
      const lines = seen.split('\n');
      seen = lines.pop() ?? '';
      for (const l of lines) {
        const m = l.match(re);
        if (m) return finish(() => resolve(m));
      }
    };
    const onClose = (code: number | null, signal: string | null) =>
      finish(() => reject(new Error(`${opts.what}: exited (${code ?? signal}) before it was ready: ${tail()}`)));
    const timer = setTimeout(() => finish(() => reject(new Error(`${opts.what}: not ready after ${deadlineMs} ms: ${tail()}`))), deadlineMs);
    stream.on('data', onData);
    for (const s of opts.also ?? []) s.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', onClose);
    if (child.exitCode !== null || child.signalCode !== null) onClose(child.exitCode, child.signalCode);
  });
}
