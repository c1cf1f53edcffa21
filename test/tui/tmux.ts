// A real terminal for end-to-end tests: a private tmux server (its own socket), one pane, bounded waits.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUNDLE as BUILT, targetArg } from '../integration/podreach.ts';
import { type Lab, NODE } from '../lab/lab.ts';
import { INFRA_DEADLINE_MS, sleep } from '../lab/wait.ts';

/** The CLI under test; PODREACH_BUNDLE tests a copy, e.g. while someone else rebuilds dist/. */
export const BUNDLE = process.env.PODREACH_BUNDLE ?? BUILT;

/** `podreach diagnose` of the lab's target with the scenario's flags, in the lab pod's namespace. */
export function diagnoseArgv(lab: Lab, targets: readonly string[] = [targetArg(lab)]): string[] {
  return ['ip', 'netns', 'exec', lab.ns('pod'), NODE, BUNDLE, 'diagnose', ...targets, ...lab.scenario.flags];
}

export function haveTmux(): boolean {
  return spawnSync('sh', ['-c', 'command -v tmux']).status === 0;
}

export interface Pane {
  /** Plain text of the visible screen (capture-pane -p), trailing blanks trimmed. */
  screen(): string;
  /** The screen with SGR escapes (capture-pane -e): colours are visible here. */
  screenWithEscapes(): string;
  /** Everything the pane has shown, scrollback included, wrapped lines joined (capture-pane -J). */
  scrollback(): string;
  send(...keys: string[]): void;
  /** Sends a signal (TERM, HUP, ...) to the command: the `podreach diagnose` on the pane's terminal. */
  signal(sig: string): void;
  /**
   * Polls the screen (every `pollMs`, default 50: transient states must not slip between two looks) until `test`
   * passes; throws with the last screen after `timeoutMs`, raised to 30 s: reaching a screen is waited for, not timed.
   */
  waitFor(test: (screen: string) => boolean, timeoutMs?: number, what?: string, pollMs?: number): Promise<string>;
  /** The command's exit status once it has ended, else undefined. */
  exitCode(): number | undefined;
  /** Waits for the command's exit status; `timeoutMs` (default 30 s) is kept as given: a caller may bound a prompt exit. */
  waitExit(timeoutMs?: number): Promise<number>;
  /** stty -g before the command ran and after it ended (equal = terminal restored). */
  stty(): { before: string; after: string };
  /** tmux's #{cursor_flag}: 1 when the cursor is visible. */
  cursorVisible(): boolean;
  kill(): void;
}

/** Runs argv in a fresh tmux server of cols × rows, with env added. */
export function openPane(
  argv: string[],
  opts: {
    cols: number;
    rows: number;
    env?: Record<string, string>;
    stdinNull?: boolean;
  },
): Pane {
  const socket = `podreach-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const dir = mkdtempSync(join(tmpdir(), 'podreach-tui-'));
  const q = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
  const env = Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${q(v)}`);
  // The wrapper records the terminal state around the command, then keeps the pane (and screen) alive.
  writeFileSync(
    join(dir, 'run.sh'),
    [
      // A Ctrl-C that arrives before raw mode is a SIGINT to the whole foreground group: the
      // wrapper must outlive it (a trap with a command still leaves children the default action).
      "trap 'true' INT",
      `stty -g > ${dir}/before`,
      `env ${env.join(' ')} ${argv.map(q).join(' ')}${opts.stdinNull ? ' < /dev/null' : ''}`,
      'code=$?',
      `stty -g > ${dir}/after`,
      `echo $code > ${dir}/exit.tmp && mv ${dir}/exit.tmp ${dir}/exit`,
      'exec sleep 60',
    ].join('\n'),
  );
  const tmux = (...a: string[]) =>
    execFileSync('tmux', ['-L', socket, ...a], {
      encoding: 'utf8',
      timeout: 15_000,
    });
  // A long scrollback: a sweep's JSON (j) runs to a thousand lines and more.
  tmux('-f', '/dev/null', 'start-server', ';', 'set-option', '-g', 'history-limit', '50000', ';', 'new-session', '-d', '-s', 't', '-x', String(opts.cols), '-y', String(opts.rows), `sh ${dir}/run.sh`);

  const read = (f: string) => {
    try {
      return readFileSync(join(dir, f), 'utf8').trim();
    } catch {
      return undefined;
    }
  };
  const pane: Pane = {
    screen: () => trimScreen(tmux('capture-pane', '-p', '-t', 't')),
    screenWithEscapes: () => tmux('capture-pane', '-p', '-e', '-t', 't'),
    scrollback: () => tmux('capture-pane', '-p', '-J', '-S', '-', '-t', 't'),
    send: (...keys) => void tmux('send-keys', '-t', 't', ...keys),
    signal(sig) {
      const tty = tmux('display-message', '-p', '-t', 't', '#{pane_tty}').trim().replace(/^\/dev\//, '');
      // Not by name: Node 24 calls its main thread MainThread, and the wrapper shell shares the terminal.
      spawnSync('pkill', [`-${sig}`, '-t', tty, '-f', ' diagnose ']);
    },
    async waitFor(test, timeoutMs = INFRA_DEADLINE_MS, what = 'screen', pollMs = 50) {
      const end = Date.now() + Math.max(timeoutMs, INFRA_DEADLINE_MS);
      let s = '';
      while (Date.now() < end) {
        s = pane.screen();
        if (test(s)) return s;
        await sleep(pollMs);
      }
      throw new Error(`timed out waiting for ${what}; last screen:\n${s}`);
    },
    exitCode: () => {
      const e = read('exit');
      return e === undefined ? undefined : Number(e);
    },
    async waitExit(timeoutMs = INFRA_DEADLINE_MS) {
      const end = Date.now() + timeoutMs;
      while (Date.now() < end) {
        const c = pane.exitCode();
        if (c !== undefined) return c;
        await sleep(50);
      }
      throw new Error(`command did not exit; last screen:\n${pane.screen()}`);
    },
    stty: () => ({ before: read('before') ?? '', after: read('after') ?? '' }),
    cursorVisible: () => tmux('display-message', '-p', '-t', 't', '#{cursor_flag}').trim() === '1',
    kill() {
      try {
        tmux('kill-server');
      } catch {
        // already gone
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return pane;
}

export function trimScreen(s: string): string {
  return s
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')
    .replace(/\n+$/, '');
}

/**
 * Golden-file form of a screen: timings and spinner frames replaced, so two runs compare equal.
 * The ping and gateway rows race with TCP (they are not waited for once TCP has answered), so they,
 * the full-size echo that follows ping, and the RTT basis they feed are left out; every other line
 * is compared as drawn.
 */
export function normaliseScreen(s: string): string {
  // A stall of podreach's own (the machine's load, not the screen) adds an evidence bullet: left out, with its
  // wrapped lines, like the probe rows whose timing varies.
  let stalled = false;
  return trimScreen(s)
    .split('\n')
    .filter((l) => !/^[✓✗!·] (ping|gateway|mtu) /.test(l))
    .filter((l) => {
      if (/^\s+• /.test(l) || !/^\s{4}\S/.test(l)) stalled = /^\s+• podreach itself was starved/.test(l);
      return !stalled;
    })
    .join('\n')
    .replace(/ +\d+(?:\.\d+)? ?ms\b/g, ' ~ms')
    .replace(/^rtt ~ms \([a-z-]+\)/m, 'rtt ~ms (…)')
    .replace(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/g, '*');
}
