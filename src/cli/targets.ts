// -f FILE: the targets of a sweep, one a line, `#` comments, `-` for stdin. Read like any file from the user
// (src/probe/report.ts readBoundedText): regular files or a pipe, capped, within a deadline.
import { readBoundedText, shown } from '../probe/report.ts';
import { UsageError } from './errors.ts';

const MAX_BYTES = 1 << 20;

/** The lines that name a target: comments (`#` at the start or after a blank) and blank lines dropped. */
export function parseTargetList(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.replace(/(^|\s)#.*$/, '').trim())
    .filter((l) => l !== '');
}

/** A generator feeding `-f -` may be slow; a pipe that never ends is not. */
const READ_MS = 10_000;

export async function readTargetsFile(path: string): Promise<string[]> {
  if (path === '') throw new UsageError('-f: empty file name');
  const got = await readBoundedText(path, READ_MS, MAX_BYTES, process.stdin, '1 MB a list of targets');
  if ('why' in got) throw new UsageError(`-f ${shown(path)}: ${got.why}`);
  return parseTargetList(got.text);
}
