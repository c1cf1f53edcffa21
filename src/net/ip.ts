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
  const [addr, bits] = ipaddr.parseCIDR(text);
  if (addr.kind() === 'ipv4' && !ipaddr.IPv4.isValidFourPartDecimal(text.split('/')[0] ?? '')) return null;
  const net =
    addr.kind() === 'ipv4' ? ipaddr.IPv4.networkAddressFromCIDR(text) : ipaddr.IPv6.networkAddressFromCIDR(text);
  return `${net.toString()}/${bits}`;
}

function parseCidr(s: string): [Addr, number] {
  const n = normalizeCidr(s);
  if (!n) throw new Error(`not a CIDR: ${s}`);
  return ipaddr.parseCIDR(n);
}

/** IPv4 + ICMP headers: ping's -s is a packet's size minus these. */
export const ICMP4_HEADERS = 28;

export function inCidr(ip: string, cidr: string): boolean {
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

/** The subnet of an interface address: ("172.16.1.10", 24) → "172.16.1.0/24". */
export function subnetOf(ip: string, prefix: number): string {
  return normalizeCidr(`${ip}/${prefix}`) ?? `${ip}/${prefix}`;
}

/** The private blocks (RFC 1918): also ip-masq-agent's default no-masquerade list. */
export const RFC1918: readonly string[] = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];

export function isRfc1918(ip: string): boolean {
  return RFC1918.some((c) => inCidr(ip, c));
}
