/** Bad input from the user: the CLI prints `message` as one line on stderr and exits non-zero. */
export class UsageError extends Error {
  override name = 'UsageError';
}
