// TCP sockets from /proc/net/tcp and tcp6 (this network namespace): listeners, and the states of connections
// from a source. Readable by any user; a SYN that reached a listening socket shows as SYN-RECV even when
// the host's reply never gets back (its route leads elsewhere).
import { readFile } from 'node:fs/promises';
import { normalizeCidr } from '../../net/ip.ts';

const STATES: Record<string, string> = {
  '01': 'ESTABLISHED',
  '02': 'SYN-SENT',
  '03': 'SYN-RECV',
  '04': 'FIN-WAIT-1',
  '05': 'FIN-WAIT-2',
  '06': 'TIME-WAIT',
  '07': 'CLOSE',
  '08': 'CLOSE-WAIT',
  '09': 'LAST-ACK',
  '0A': 'LISTEN',
  '0B': 'CLOSING',
};

export interface Socket {
  local: string;
  localPort: number;
  remote: string;
  remotePort: number;
  state: string;
}

/** "0100007F" → 127.0.0.1; 32 hex digits → IPv6 (four little-endian words), IPv4-mapped folded to IPv4. */
export function hexAddress(hex: string): string {
  const le = (h: string) => (h.match(/../g) ?? []).reverse().join('');
  if (hex.length === 8) return (le(hex).match(/../g) ?? []).map((b) => parseInt(b, 16)).join('.');
  const words = (hex.match(/.{8}/g) ?? []).map(le).join('');
  const v6 = (words.match(/.{4}/g) ?? []).join(':');
  // normalizeCidr folds an IPv4-mapped address back to IPv4 (…/32).
  return normalizeCidr(v6)?.replace(/\/\d+$/, '') ?? v6;
}

/** Parses one /proc/net/tcp* file. */
export function parseProcNetTcp(text: string): Socket[] {
  const out: Socket[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    const [l, r, st] = [f[1], f[2], f[3]];
    if (!l || !r || !st) continue;
    const [la = '', lp = '0'] = l.split(':');
    const [ra = '', rp = '0'] = r.split(':');
    out.push({ local: hexAddress(la), localPort: parseInt(lp, 16), remote: hexAddress(ra), remotePort: parseInt(rp, 16), state: STATES[st.toUpperCase()] ?? st });
  }
  return out;
}

export async function sockets(): Promise<Socket[]> {
  const files = await Promise.all(['/proc/net/tcp', '/proc/net/tcp6'].map((f) => readFile(f, 'utf8').catch(() => '')));
  return files.flatMap(parseProcNetTcp);
}
