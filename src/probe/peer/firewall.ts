// The host's own firewall, read-only: `iptables-save -t filter` (iptables-nft shows nftables-backed rules the
// same way), and the filter INPUT chain walked for a new TCP connection from one source to one port. Reading
// needs root (CAP_NET_ADMIN); without it the verdict is "not-readable", never a guess.
import { inCidr } from '../../net/ip.ts';
import { read } from './exec.ts';
import type { PeerFirewall } from './types.ts';

export interface Rules {
  policies: Record<string, string>;
  /** Per chain, its rules in order: the text after `-A CHAIN` and the packet counter when saved with -c. */
  chains: Record<string, { text: string; packets?: number }[]>;
}

/** Parses `iptables-save [-c] -t filter`. */
export function parseIptablesSave(text: string): Rules {
  const rules: Rules = { policies: {}, chains: {} };
  let inFilter = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('*')) inFilter = line === '*filter';
    if (!inFilter) continue;
    const policy = /^:(\S+) (\S+)/.exec(line);
    if (policy) {
      rules.policies[policy[1] as string] = policy[2] as string;
      rules.chains[policy[1] as string] ??= [];
      continue;
    }
    const rule = /^(?:\[(\d+):\d+\] )?-A (\S+) (.*)$/.exec(line);
    if (rule) (rules.chains[rule[2] as string] ??= []).push({ text: rule[3] as string, ...(rule[1] ? { packets: Number(rule[1]) } : {}) });
  }
  return rules;
}

/** Splits a rule into words, keeping "quoted comments" whole. */
const words = (text: string): string[] => (text.match(/"(?:[^"\\]|\\.)*"|\S+/g) ?? []).map((w) => w.replace(/^"|"$/g, ''));

interface Packet {
  src: string;
  port: number;
  /** Interface the packet comes in on, when known (the route back to the source). */
  inDev?: string;
  /** The host's addresses: a `-d` must name one. */
  local: string[];
}

type Match = 'yes' | 'no' | 'unsure';

const portIn = (port: number, spec: string): boolean =>
  spec.split(',').some((p) => {
    const [a, b] = p.split(':').map(Number);
    return b === undefined ? port === a : port >= (a ?? 0) && port <= (b || 65535);
  });

const ifMatch = (dev: string | undefined, pattern: string): Match => (dev === undefined ? 'unsure' : pattern.endsWith('+') ? (dev.startsWith(pattern.slice(0, -1)) ? 'yes' : 'no') : dev === pattern ? 'yes' : 'no');

/** Whether one rule matches a new TCP SYN; `unsure` for a match podreach does not evaluate. */
function matches(w: string[], p: Packet): { match: Match; target?: string; goto?: boolean } {
  let result: Match = 'yes';
  let target: string | undefined;
  let goto = false;
  const fold = (m: Match, negate: boolean) => {
    const v: Match = m === 'unsure' ? 'unsure' : (m === 'yes') !== negate ? 'yes' : 'no';
    if (v === 'no') result = 'no';
    else if (v === 'unsure' && result === 'yes') result = 'unsure';
  };
  for (let i = 0; i < w.length; i++) {
    const negate = w[i] === '!';
    if (negate) i++;
    const opt = w[i];
    const val = w[i + 1] ?? '';
    switch (opt) {
      case '-s':
        fold(val.split(',').some((c) => inCidr(p.src, c)) ? 'yes' : 'no', negate);
        i++;
        break;
      case '-d':
        fold(val.split(',').some((c) => p.local.some((a) => inCidr(a, c))) ? 'yes' : 'no', negate);
        i++;
        break;
      case '-p':
        fold(['tcp', '6', 'all'].includes(val) ? 'yes' : 'no', negate);
        i++;
        break;
      case '-i':
        fold(ifMatch(p.inDev, val), negate);
        i++;
        break;
      case '--dport':
      case '--dports':
      case '--destination-port':
        fold(portIn(p.port, val) ? 'yes' : 'no', negate);
        i++;
        break;
      case '--ctstate':
      case '--state':
        fold(val.split(',').includes('NEW') ? 'yes' : 'no', negate);
        i++;
        break;
      case '--tcp-flags': {
        // --syn is saved as "--tcp-flags FIN,SYN,RST,ACK SYN": a bare SYN matches when SYN is set and the rest clear.
        const set = (w[i + 2] ?? '').split(',');
        fold(val.split(',').includes('SYN') ? (set.length === 1 && set[0] === 'SYN' ? 'yes' : 'no') : 'unsure', negate);
        i += 2;
        break;
      }
      case '--syn':
        fold('yes', negate);
        break;
      case '-m':
      case '--comment':
      case '--reject-with':
        i++;
        break;
      case '-j':
      case '-g':
        target = val;
        goto = opt === '-g';
        i++;
        break;
      case '-o':
        i++;
        break;
      default:
        // A match podreach does not evaluate (ipset, recent, addrtype, --sport, --tcp-flags, ...).
        fold('unsure', false);
        if (opt?.startsWith('--') && w[i + 1] && !w[i + 1]?.startsWith('-')) i++;
    }
  }
  return { match: result, ...(target ? { target } : {}), goto };
}

const FINAL: Record<string, PeerFirewall['verdict']> = { ACCEPT: 'accept', DROP: 'drop', REJECT: 'reject' };

/** Walks INPUT (and the chains it jumps to) for a new TCP connection; the first ACCEPT, DROP or REJECT decides. */
export function verdictFor(rules: Rules, p: Packet): Omit<PeerFirewall, 'tool'> {
  const unsure: string[] = [];
  const walk = (chain: string, depth: number): { verdict: PeerFirewall['verdict']; rule: string; chain: string } | 'return' | undefined => {
    for (const r of rules.chains[chain] ?? []) {
      const m = matches(words(r.text), p);
      if (m.match === 'no' || !m.target) continue;
      const text = `-A ${chain} ${r.text}`;
      if (m.match === 'unsure') {
        unsure.push(text);
        continue;
      }
      const final = FINAL[m.target];
      if (final) return { verdict: final, rule: text, chain };
      if (m.target === 'RETURN') return 'return';
      if (rules.chains[m.target] && depth < 16) {
        const sub = walk(m.target, depth + 1);
        if (sub && sub !== 'return') return sub;
        if (m.goto) return 'return';
      }
    }
    return undefined;
  };
  const got = walk('INPUT', 0);
  const out = got && got !== 'return' ? { verdict: got.verdict, rule: got.rule, chain: got.chain } : policyVerdict(rules);
  return { ...out, ...(unsure.length ? { unsure } : {}) };
}

function policyVerdict(rules: Rules): Omit<PeerFirewall, 'tool'> {
  const policy = rules.policies.INPUT ?? 'ACCEPT';
  const anyRule = Object.values(rules.chains).some((c) => c.length > 0);
  if (policy === 'DROP') return { verdict: 'drop', chain: 'INPUT', rule: ':INPUT DROP (the chain policy)' };
  return { verdict: anyRule ? 'accept' : 'no-rules', chain: 'INPUT' };
}

/** Reads the filter table (with counters), or why it cannot be read. */
export async function readRules(): Promise<{ rules: Rules; why?: undefined } | { rules?: undefined; why: string }> {
  const r = await read('iptables-save', ['-c', '-t', 'filter']);
  if (!r.ok) return { why: /denied|must be root|not permitted/i.test(r.err) ? `not readable as uid ${process.getuid?.() ?? '?'}: iptables-save needs root (CAP_NET_ADMIN)` : r.err || 'iptables-save failed' };
  return { rules: parseIptablesSave(r.stdout) };
}

/** The packet counter of one rule (by its text), summed if it appears twice. */
export const ruleCount = (rules: Rules, rule: string): number | undefined => {
  const [, chain = '', text = ''] = /^-A (\S+) (.*)$/.exec(rule) ?? [];
  const hits = (rules.chains[chain] ?? []).filter((r) => r.text === text);
  return hits.length ? hits.reduce((n, r) => n + (r.packets ?? 0), 0) : undefined;
};
