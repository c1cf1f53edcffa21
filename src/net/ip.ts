import ipaddr from 'ipaddr.js';

type Addr = ipaddr.IPv4 | ipaddr.IPv6;

export function isIp(s: string): boolean {
  return ipaddr.isValid(s) && (ipaddr.IPv4.isValidFourPartDecimal(s) || ipaddr.IPv6.isValid(s));
}

/** Parses an address, folding IPv4-mapped IPv6 (::ffff:a.b.c.d) back to IPv4. */
function parseIp(s: string): Addr {
  const a = ipaddr.parse(s);
  return a.kind() === 'ipv6' && (a as ipaddr.IPv6).isIPv4MappedAddress() ? (a as ipaddr.IPv6).toIPv4Address() : a;
}

/** Canonical "network/prefix" for a CIDR, or null if malformed. "172.16.3.4/16" → "172.16.0.0/16". */
export function normalizeCidr(s: string): string | null {
  const text = s.trim();
  if (!text.includes('/')) {
    if (!isIp(text)) return null;
    const a = parseIp(text);
    return `${a.toString()}/${a.kind() === 'ipv4' ? 32 : 128}`;
  }
  if (!ipaddr.isValidCIDR(text)) return null;
  const [addr, bits] = cidrParse(text);
  if (addr.kind() === 'ipv4' && !ipaddr.IPv4.isValidFourPartDecimal(text.split('/')[0] ?? '')) return null;
  const net =
    addr.kind() === 'ipv4' ? ipaddr.IPv4.networkAddressFromCIDR(text) : ipaddr.IPv6.networkAddressFromCIDR(text);
  return `${net.toString()}/${bits}`;
}

/** ipaddr.parseCIDR tries IPv6 first and throws on IPv4: costly on a list of a thousand nodes. */
const cidrParse = (text: string): [Addr, number] => (text.includes(':') ? ipaddr.parseCIDR(text) : ipaddr.IPv4.parseCIDR(text));

function parseCidr(s: string): [Addr, number] {
  const n = normalizeCidr(s);
  if (!n) throw new Error(`not a CIDR: ${s}`);
  return cidrParse(n);
}

/** IPv4 + ICMP headers: ping's -s is a packet's size minus these. */
export const ICMP4_HEADERS = 28;
/** IPv6 (40 bytes, no options) + ICMPv6 echo (8 bytes). */
export const ICMP6_HEADERS = 48;

export type Family = 'IPv4' | 'IPv6';

/** The family of an address or a CIDR; undefined for anything else. */
export function familyOf(s: string): Family | undefined {
  const ip = s.split('/')[0] ?? '';
  // Plain dotted quads without ipaddr.js: fleet and allowlist ask this of every node for every destination.
  const q = DOTTED_QUAD.exec(ip);
  if (q) return q.slice(1).every((o) => Number(o) <= 255) ? 'IPv4' : undefined;
  if (!isIp(ip)) return undefined;
  return parseIp(ip).kind() === 'ipv6' ? 'IPv6' : 'IPv4';
}

/** Bytes of IP and ICMP header around an echo's payload, for the target's family. */
export const icmpHeaders = (ip: string): number => (familyOf(ip) === 'IPv6' ? ICMP6_HEADERS : ICMP4_HEADERS);

/** One host as a CIDR: /32 for IPv4, /128 for IPv6 (canonical text). */
export const hostCidr = (ip: string): string => normalizeCidr(ip) ?? ip;

export function inCidr(ip: string, cidr: string): boolean {
  if (!ip.includes('/')) {
    const [a, b] = [v4Block(ip), v4Block(cidr)];
    if (a && b) return blockWithin(a, b);
  }
  if (!isIp(ip) || !normalizeCidr(cidr)) return false;
  const a = parseIp(ip);
  const range = parseCidr(cidr);
  return a.kind() === range[0].kind() && a.match(range);
}

export function firstMatch(ip: string, cidrs: readonly string[]): string | undefined {
  return cidrs.find((c) => inCidr(ip, c));
}

export function cidrsOverlap(a: string, b: string): boolean {
  const [na, ba] = parseCidr(a);
  const [nb, bb] = parseCidr(b);
  if (na.kind() !== nb.kind()) return false;
  return ba <= bb ? nb.match(na, ba) : na.match(nb, bb);
}

/** Is block `inner` entirely inside block `outer`? */
export function cidrWithin(inner: string, outer: string): boolean {
  const a = v4Block(inner);
  const b = v4Block(outer);
  if (a && b) return blockWithin(a, b);
  const [ni, bi] = parseCidr(inner);
  const [no, bo] = parseCidr(outer);
  return ni.kind() === no.kind() && bi >= bo && ni.match(no, bo);
}

/** The subnet of an interface address: ("172.16.1.10", 24) → "172.16.1.0/24". */
export function subnetOf(ip: string, prefix: number): string {
  // Plain dotted quads by arithmetic: ipaddr.js costs ~0.2 ms a call cold, and fleet groups 1000 nodes by it.
  const q = DOTTED_QUAD.exec(ip);
  if (q && prefix >= 0 && prefix <= 32 && Number.isInteger(prefix)) {
    const octets = q.slice(1).map(Number);
    if (octets.every((o) => o <= 255)) {
      const n = octets.reduce((a, o) => a * 256 + o, 0);
      const size = 2 ** (32 - prefix);
      const net = n - (n % size);
      return `${[24, 16, 8, 0].map((b) => Math.floor(net / 2 ** b) % 256).join('.')}/${prefix}`;
    }
  }
  return normalizeCidr(`${ip}/${prefix}`) ?? `${ip}/${prefix}`;
}

const DOTTED_QUAD = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})$/;

/** The private blocks (RFC 1918): also ip-masq-agent's default no-masquerade list. */
export const RFC1918: readonly string[] = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];

export function isRfc1918(ip: string): boolean {
  return RFC1918.some((c) => inCidr(ip, c));
}

/** IPv6 unique local (RFC 4193, fc00::/7): IPv6's private addresses. */
export const isUla = (ip: string): boolean => inCidr(ip, 'fc00::/7');

/**
 * The shortest list of IPv4 CIDRs covering exactly the given ones: covered blocks dropped, sibling blocks
 * merged (172.16.0.0/24 + 172.16.1.0/24 → 172.16.0.0/23). IPv6 and malformed entries pass through unchanged.
 */
export function aggregateCidrs(cidrs: readonly string[]): string[] {
  const other: string[] = [];
  const v4: [number, number][] = [];
  for (const c of cidrs) {
    const b = v4Block(c);
    if (b) v4.push(b);
    else if (!other.includes(c)) other.push(c);
  }
  v4.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out: [number, number][] = [];
  for (const c of v4) {
    const last = out[out.length - 1];
    if (last && c[0] < last[0] + 2 ** (32 - last[1])) continue; // inside the previous block
    out.push(c);
    // Merge upwards while the block and its left sibling form the parent.
    for (let top = out[out.length - 1]!, prev = out[out.length - 2]; prev && top[1] === prev[1] && top[1] > 0; top = out[out.length - 1]!, prev = out[out.length - 2]) {
      const size = 2 ** (32 - prev[1]);
      if (prev[0] % (size * 2) !== 0 || prev[0] + size !== top[0]) break;
      out.splice(-2, 2, [prev[0], prev[1] - 1]);
    }
  }
  const text = ([n, bits]: [number, number]) => `${[24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.')}/${bits}`;
  return [...out.map(text), ...other];
}

const blockWithin = (a: [number, number], b: [number, number]): boolean => a[1] >= b[1] && Math.floor(a[0] / 2 ** (32 - b[1])) === Math.floor(b[0] / 2 ** (32 - b[1]));

const V4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** An IPv4 CIDR (or address, as /32) as [network as a number, prefix]; undefined for anything else. Hot: no ipaddr. */
function v4Block(s: string): [number, number] | undefined {
  const m = V4_CIDR.exec(s.includes('/') ? s : `${s}/32`);
  if (!m) return undefined;
  const o = m.slice(1, 5).map(Number) as [number, number, number, number];
  const bits = Number(m[5]);
  if (o.some((x) => x > 255) || bits > 32 || m.slice(1, 5).some((x) => x.length > 1 && x.startsWith('0'))) return undefined;
  const size = 2 ** (32 - bits);
  return [Math.floor((((o[0] * 256 + o[1]) * 256 + o[2]) * 256 + o[3]) / size) * size, bits];
}
