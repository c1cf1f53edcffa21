// `podreach completion bash|zsh|fish`: sourced in the real shell, it completes subcommands, flags and the
// values of enum flags, all read off the command definitions (a flag added to main.ts completes for free).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NODE } from '../lab/lab.ts';
import { BUNDLE } from './podreach.ts';

const dir = mkdtempSync(join(tmpdir(), 'podreach-completion-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function script(shell: string): string {
  const r = spawnSync(NODE, [BUNDLE, 'completion', shell], { encoding: 'utf8', timeout: 15_000 });
  expect(r.status, r.stderr).toBe(0);
  const file = join(dir, `podreach.${shell}`);
  writeFileSync(file, r.stdout);
  return file;
}
const has = (shell: string) => spawnSync(shell, ['-c', 'true']).status === 0;

describe('bash', () => {
  const file = script('bash');
  /** COMPREPLY for the words typed so far (the last one is the word being completed). */
  const complete = (...words: string[]): string[] => {
    const r = spawnSync('bash', ['-c', `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _podreach; printf '%s\\n' "\${COMPREPLY[@]}"`, 'bash', file, 'podreach', ...words], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    return r.stdout.split('\n').filter(Boolean);
  };

  it('is registered for podreach (complete -p)', () => {
    const r = spawnSync('bash', ['-c', 'source "$1"; complete -p podreach', 'bash', file], { encoding: 'utf8' });
    expect(r.stdout.trim()).toBe('complete -F _podreach podreach');
  });

  it('podreach diag<TAB> → diagnose; podreach <TAB> → every subcommand', () => {
    expect(complete('diag')).toEqual(['diagnose']);
    expect(complete('')).toEqual(['diagnose', 'probe', 'fleet', 'allowlist', 'peer', 'completion', 'help']);
  });

  it('flags of the subcommand, and the values of enum flags', () => {
    expect(complete('diagnose', '--net')).toEqual(['--network-model']);
    expect(complete('diagnose', '10.0.0.5:80', '--network-model', '')).toEqual(['tunnel', 'vpc', 'eni', 'auto']);
    expect(complete('diagnose', '-o', 'y')).toEqual(['yaml']);
    expect(complete('probe', '-o', '')).toEqual(['text', 'json', 'yaml']);
    expect(complete('probe', '--ro')).toEqual(['--role']);
    expect(complete('completion', '')).toEqual(['bash', 'zsh', 'fish']);
    expect(complete('probe', '--from')).toEqual([]); // a diagnose flag is not offered to probe
  });

  it('a free value (an IP) is not completed with flags; a file flag completes files', () => {
    expect(complete('diagnose', '--pod-ip', '')).toEqual([]);
    writeFileSync(join(dir, 'targets.txt'), '10.0.0.5:80\n');
    expect(complete('diagnose', '-f', join(dir, 'targ'))).toEqual([join(dir, 'targets.txt')]);
  });
});

describe.skipIf(!has('fish'))('fish', () => {
  const file = script('fish');
  const complete = (line: string) => spawnSync('fish', ['-c', `source $argv[1]; complete -C $argv[2]`, file, line], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map((l) => l.split('\t')[0]);
  it('subcommands, flags and enum values', () => {
    expect(complete('podreach diag')).toEqual(['diagnose']);
    expect(complete('podreach diagnose -o ').sort()).toEqual(['json', 'junit', 'text', 'yaml']);
    expect(complete('podreach probe --ro')).toEqual(['--role']);
  });
});

describe.skipIf(!has('zsh'))('zsh', () => {
  const file = script('zsh');
  it('parses, and registers _podreach with compinit', () => {
    expect(spawnSync('zsh', ['-n', file]).status).toBe(0);
    const r = spawnSync('zsh', ['-fc', `autoload -U compinit; compinit -u -d "$1/zcompdump"; source "$2"; print -r -- $_comps[podreach]`, 'zsh', dir, file], { encoding: 'utf8' });
    expect(r.stdout.trim()).toBe('_podreach');
  });
});

it('an unknown shell: one line, exit 2', () => {
  const r = spawnSync(NODE, [BUNDLE, 'completion', 'ksh'], { encoding: 'utf8' });
  expect(r.status).toBe(2);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(/bash, zsh, fish/);
});
