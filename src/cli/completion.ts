// `podreach completion bash|zsh|fish`: shell completion read off the command definitions themselves
// (subcommands, flags, the values an enum flag takes, files where a flag names a file). Targets are not
// completed: podreach keeps no history of them.
import type { Command } from '@commander-js/extra-typings';
import { NETWORK_MODELS } from '../context/types.ts';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

interface Flag {
  short?: string;
  long?: string;
  description: string;
  /** takes a value: the values to offer ([] = anything), or 'file' */
  value?: string[] | 'file';
}
interface Sub {
  name: string;
  description: string;
  flags: Flag[];
  /** values of the first positional argument, when it is an enum (completion SHELL) */
  args: string[];
}

/** Values commander does not know as choices (their parsers check them elsewhere). */
const VALUES: Record<string, string[]> = {
  '--network-model': [...NETWORK_MODELS, 'auto'],
  '--role': ['pod', 'node'],
  '--from-env': ['secrets'],
};
const FILE_FLAG = /^--(file|kubeconfig|node-report)$/;

type AnyCommand = Command<unknown[], Record<string, unknown>, Record<string, unknown>>;

function subOf(c: AnyCommand): Sub {
  const flags: Flag[] = c.options
    .filter((o) => !o.hidden)
    .map((o) => {
      const takes = o.required || o.optional;
      const value = !takes ? undefined : o.long && FILE_FLAG.test(o.long) ? 'file' : (o.argChoices ?? (o.long ? VALUES[o.long] : undefined) ?? []);
      return { short: o.short, long: o.long, description: o.description, value };
    });
  flags.push({ short: '-h', long: '--help', description: 'display help for command' });
  return { name: c.name(), description: c.description(), flags, args: c.registeredArguments[0]?.argChoices ?? [] };
}

export function completionScript(shell: Shell, cli: AnyCommand): string {
  const subs = cli.commands.map((c) => subOf(c as AnyCommand));
  const top: Flag[] = [
    { short: '-V', long: '--version', description: 'output the version number' },
    { short: '-h', long: '--help', description: 'display help for command' },
  ];
  return shell === 'bash' ? bash(subs, top) : shell === 'zsh' ? zsh(subs, top) : fish(subs, top);
}

const names = (f: Flag) => [f.short, f.long].filter((n): n is string => n !== undefined);
const words = (fs: Flag[]) => fs.flatMap(names).join(' ');
const sq = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

function bash(subs: Sub[], top: Flag[]): string {
  const valueCases = (s: Sub) => {
    const withValue = s.flags.filter((f) => f.value !== undefined);
    const files = withValue.filter((f) => f.value === 'file');
    const free = withValue.filter((f) => Array.isArray(f.value) && f.value.length === 0);
    const cases = withValue
      .filter((f) => Array.isArray(f.value) && f.value.length > 0)
      .map((f) => `        ${names(f).join('|')}) COMPREPLY=($(compgen -W ${sq((f.value as string[]).join(' '))} -- "$cur")); return ;;`);
    if (files.length) cases.push(`        ${files.flatMap(names).join('|')}) compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- "$cur")); return ;;`);
    // A value nobody can guess (an IP, a name): offer nothing rather than the flags.
    if (free.length) cases.push(`        ${free.flatMap(names).join('|')}) return ;;`);
    return cases;
  };
  const subCases = subs.map(
    (s) => `    ${s.name})
      case $prev in
${valueCases(s).join('\n')}
      esac
      opts=${sq(words(s.flags))}
      args=${sq(s.args.join(' '))} ;;`,
  );
  return `# podreach completion for bash. Load with: source <(podreach completion bash)
_podreach() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]} cmd='' opts='' args='' i
  COMPREPLY=()
  for ((i = 1; i < COMP_CWORD; i++)); do
    case \${COMP_WORDS[i]} in -*) ;; *) cmd=\${COMP_WORDS[i]}; break ;; esac
  done
  case $cmd in
    '')
      if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W ${sq(words(top))} -- "$cur"))
      else COMPREPLY=($(compgen -W ${sq([...subs.map((s) => s.name), 'help'].join(' '))} -- "$cur"))
      fi
      return ;;
    help) COMPREPLY=($(compgen -W ${sq(subs.map((s) => s.name).join(' '))} -- "$cur")); return ;;
${subCases.join('\n')}
    *) return ;;
  esac
  if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "$opts" -- "$cur"))
  elif [[ -n $args && $i -eq $((COMP_CWORD - 1)) ]]; then COMPREPLY=($(compgen -W "$args" -- "$cur"))
  fi
}
complete -F _podreach podreach
`;
}

/** zsh _arguments specs: brackets and colons in a description would end it early. */
const zdesc = (s: string) => s.replace(/[[\]:'\\]/g, ' ').replace(/\s+/g, ' ').trim();

function zsh(subs: Sub[], top: Flag[]): string {
  const spec = (f: Flag) => {
    const ns = names(f);
    const value = f.value === undefined ? '' : f.value === 'file' ? ':file:_files' : f.value.length ? `:value:(${f.value.join(' ')})` : ':value: ';
    const excl = ns.length > 1 ? `(${ns.join(' ')})` : '';
    const body = `[${zdesc(f.description)}]${value}`;
    return ns.length > 1 ? `'${excl}'{${ns.join(',')}}'${body}'` : `'${ns[0]}${body}'`;
  };
  const subCases = subs.map((s) => {
    const pos = s.args.length ? `'1:shell:(${s.args.join(' ')})'` : `'*:target: '`;
    return `        ${s.name}) _arguments -s ${[...s.flags.map(spec), pos].join(' \\\n            ')} ;;`;
  });
  return `#compdef podreach
# podreach completion for zsh. Load with: source <(podreach completion zsh)
# (or save it as _podreach in a directory on $fpath)
_podreach() {
  local curcontext=$curcontext state line
  _arguments -C ${top.map(spec).join(' ')} '1:command:->cmd' '*::arg:->args'
  case $state in
    cmd)
      local -a cmds
      cmds=(${subs.map((s) => `'${s.name}:${zdesc(s.description)}'`).join(' ')} 'help:display help for command')
      _describe -t commands 'podreach command' cmds ;;
    args)
      case $line[1] in
${subCases.join('\n')}
      esac ;;
  esac
}
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then _podreach "$@"; else compdef _podreach podreach; fi
`;
}

function fish(subs: Sub[], top: Flag[]): string {
  const fq = (s: string) => `'${s.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
  const flag = (f: Flag, cond: string) => {
    const parts = ['complete -c podreach', `-n ${fq(cond)}`];
    if (f.short) parts.push(`-s ${f.short.slice(1)}`);
    if (f.long) parts.push(`-l ${f.long.slice(2)}`);
    if (f.value === 'file') parts.push('-r -F');
    else if (f.value) parts.push(f.value.length ? `-x -a ${fq(f.value.join(' '))}` : '-x');
    parts.push(`-d ${fq(f.description)}`);
    return parts.join(' ');
  };
  const lines = ['# podreach completion for fish. Load with: podreach completion fish | source', 'complete -c podreach -f'];
  for (const f of top) lines.push(flag(f, '__fish_use_subcommand'));
  for (const s of subs) lines.push(`complete -c podreach -n '__fish_use_subcommand' -a ${s.name} -d ${fq(s.description)}`);
  lines.push(`complete -c podreach -n '__fish_use_subcommand' -a help -d 'display help for command'`);
  for (const s of subs) {
    const cond = `__fish_seen_subcommand_from ${s.name}`;
    for (const f of s.flags) lines.push(flag(f, cond));
    if (s.args.length) lines.push(`complete -c podreach -n ${fq(cond)} -a ${fq(s.args.join(' '))}`);
  }
  return `${lines.join('\n')}\n`;
}
