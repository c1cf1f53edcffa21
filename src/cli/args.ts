// Commander's parsers for option values: each returns the value or throws UsageError (one line, exit 2).
import { quoted, UsageError } from './errors.ts';

export const wholeNumber = (name: string) => (v: string) => {
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n)) throw new UsageError(`${name}: ${quoted(v)} is not a whole number`);
  return n;
};

/** The overall probe budget: below ~200 ms nothing but loopback answers; above a minute is a hang. */
export const budget = (v: string) => {
  const n = wholeNumber('--timeout')(v);
  if (n < 200 || n > 60_000) throw new UsageError(`--timeout: ${n} ms is outside 200–60000`);
  return n;
};

/** --patience: the least wait for a slow path, ms (rtt.ts); a plan's timeout must hold two of it. */
export const patience = (v: string) => {
  const n = wholeNumber('--patience')(v);
  if (n < 1 || n > 20_000) throw new UsageError(`--patience: ${n} ms is outside 1–20000`);
  return n;
};

/** Targets probed at once: past a few hundred, the fd limit and the peers' patience run out first. */
export const concurrency = (v: string) => {
  const n = wholeNumber('--concurrency')(v);
  if (n < 1 || n > 256) throw new UsageError(`--concurrency: ${n} is outside 1–256`);
  return n;
};

/** A flag given an empty value is a mistake (an unset shell variable), not "use the default". */
export const nonEmpty = (name: string) => (v: string) => {
  if (v.trim() === '') throw new UsageError(`${name}: the value is empty`);
  return v;
};

/** Repeatable and comma-separated. Empty pieces are kept for the context to reject (`--vpc-cidr ,`). */
export const collect = (v: string, prev?: string[]) => {
  const out = prev ?? [];
  for (const s of v.split(',')) out.push(s.trim());
  return out;
};
