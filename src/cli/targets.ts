// -f FILE: the targets of a sweep, one a line, `#` comments, `-` for stdin.
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { UsageError } from './errors.ts';

const MAX_BYTES = 1 << 20;

/** The lines that name a target: comments (`#` at the start or after a blank) and blank lines dropped. */
export function parseTargetList(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.replace(/(^|\s)#.*$/, '').trim())
    .filter((l) => l !== '');
}

async function readCapped(stream: AsyncIterable<Buffer | string>, what: string): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of stream) {
    const b = typeof c === 'string' ? Buffer.from(c) : c;
    size += b.length;
    if (size > MAX_BYTES) throw new UsageError(`${what}: larger than ${MAX_BYTES} bytes`);
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function readTargetsFile(path: string): Promise<string[]> {
  const what = `-f ${path}`;
  if (path === '') throw new UsageError('-f: empty file name');
  if (path === '-') return parseTargetList(await readCapped(process.stdin, '-f - (stdin)'));
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below.
    fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`${what}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (e as Error).message}`);
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new UsageError(`${what}: not a regular file`);
    if (st.size > MAX_BYTES) throw new UsageError(`${what}: larger than ${MAX_BYTES} bytes`);
    return parseTargetList(await readCapped(fh.createReadStream({ autoClose: false }), what));
  } finally {
    await fh.close();
  }
}
