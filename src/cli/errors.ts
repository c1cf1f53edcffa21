/** Bad input from the user: the CLI prints `message` as one line on stderr and exits non-zero. */
export class UsageError extends Error {
  override name = 'UsageError';
  constructor(message: string) {
    // The message quotes what the user typed: a newline or an escape sequence in it must not reach the terminal raw.
    super(oneLine(message));
  }
}

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** `s` with every control character written as an escape (\n, \t, \u001b…): one printable line. */
export function oneLine(s: string): string {
  return s.replace(CONTROL, (c) => NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** What the user typed, quoted for a message: long values are cut so the line stays readable. */
export function quoted(value: string, max = 60): string {
  return `"${value.length > max ? `${value.slice(0, max)}…` : value}"`;
}
