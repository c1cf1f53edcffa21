import { execFile } from 'node:child_process';

export interface Ran {
  ok: boolean;
  stdout: string;
  /** The first line of stderr, or why it did not run. */
  err: string;
}

/** Runs a read-only tool with a deadline; never throws (a missing binary is `ok: false`). */
export function read(file: string, args: string[], timeoutMs = 3000): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs, maxBuffer: 8 * 1024 * 1024, env: { ...process.env, LC_ALL: 'C' } }, (e, stdout, stderr) => {
      const err = (String(stderr).trim().split('\n')[0] ?? '') || (e ? ((e as NodeJS.ErrnoException).code === 'ENOENT' ? `${file} not found` : e.message.split('\n')[0] ?? '') : '');
      resolve({ ok: !e, stdout: String(stdout), err });
    });
  });
}
