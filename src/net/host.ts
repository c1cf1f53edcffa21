import { readFileSync } from 'node:fs';
import { type NetworkInterfaceInfo, networkInterfaces } from 'node:os';
import { normalizeCidr } from './ip.ts';

// What this network namespace says about itself: default route, addresses, resolver. No privileges.

/**
 * Pure: the IPv4 default route from /proc/net/route text. Addresses there are hex in host byte
 * order (little-endian on every platform we run on); RTF_GATEWAY is flag 0x2. Lowest metric wins.
 */
export function parseDefaultRoute(routeTable: string): { iface: string; gateway: string } | undefined {
  let best: { iface: string; gateway: string; metric: number } | undefined;
  for (const line of routeTable.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const [iface, dest, gw, flags, , , metric, mask] = f;
    if (dest !== '00000000' || mask !== '00000000') continue;
    if ((Number.parseInt(flags ?? '0', 16) & 0x2) === 0 || !/^[0-9A-Fa-f]{8}$/.test(gw ?? '')) continue;
    const n = Number.parseInt(gw as string, 16);
    const ip = [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff].join('.');
    const m = Number(metric);
    if (!best || m < best.metric) best = { iface: iface as string, gateway: ip, metric: m };
  }
  return best && { iface: best.iface, gateway: best.gateway };
}

/** A /proc table through its parser; undefined when it cannot be read (no /proc, another OS). */
function readTable<T>(path: string, parse: (text: string) => T | undefined): T | undefined {
  try {
    return parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

export const readDefaultRoute = (path = '/proc/net/route'): { iface: string; gateway: string } | undefined => readTable(path, parseDefaultRoute);

/** "fe800000000000000000000000000001" → "fe80::1". */
function hex6(h: string): string {
  const groups = h.match(/.{4}/g)!.map((g) => Number.parseInt(g, 16).toString(16));
  return normalizeCidr(groups.join(':'))!.split('/')[0]!;
}

/**
 * Pure: the IPv6 default route from /proc/net/ipv6_route text (dest, dest len, src, src len, next hop,
 * metric, refcnt, use, flags, device; hex, no header). RTF_GATEWAY is 0x2; RTF_REJECT (0x200) marks the
 * kernel's unreachable entries. Lowest metric wins.
 */
export function parseDefaultRoute6(routeTable: string): { iface: string; gateway: string } | undefined {
  let best: { iface: string; gateway: string; metric: number } | undefined;
  for (const line of routeTable.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const [dest, len, , , gw, metric, , , flags, iface] = f;
    if (!/^0{32}$/.test(dest ?? '') || len !== '00' || !/^[0-9a-fA-F]{32}$/.test(gw ?? '')) continue;
    const fl = Number.parseInt(flags ?? '0', 16);
    if ((fl & 0x2) === 0 || (fl & 0x200) !== 0) continue;
    const m = Number.parseInt(metric ?? '0', 16);
    if (!best || m < best.metric) best = { iface: iface as string, gateway: hex6(gw as string), metric: m };
  }
  return best && { iface: best.iface, gateway: best.gateway };
}

export const readDefaultRoute6 = (path = '/proc/net/ipv6_route'): { iface: string; gateway: string } | undefined => readTable(path, parseDefaultRoute6);

/** An interface's MTU from /sys, or undefined. */
export function interfaceMtu(iface: string): number | undefined {
  try {
    const n = Number(readFileSync(`/sys/class/net/${iface}/mtu`, 'utf8').trim());
    return n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

/** A gateway as ping and connect take it: a link-local one needs its interface (fe80::1%eth0). */
export const scopedGateway = (r: { iface: string; gateway: string }): string => (/^fe[89ab]/i.test(r.gateway) && !r.gateway.includes('%') ? `${r.gateway}%${r.iface}` : r.gateway);

/** Addresses a peer could see from this namespace: not loopback, not IPv6 link-local. */
export function localAddresses(ifaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces()): string[] {
  const out: string[] = [];
  for (const addrs of Object.values(ifaces)) {
    for (const a of addrs ?? []) {
      if (a.internal) continue;
      if (a.family === 'IPv6' && /^fe[89ab]/i.test(a.address)) continue;
      out.push(a.address);
    }
  }
  return out;
}

export interface ResolvConf {
  nameservers: string[];
  search: string[];
  ndots: number;
}

/** Pure: the parts of resolv.conf that decide which names get asked (glibc rules: last `search` wins). */
export function parseResolvConf(text: string): ResolvConf {
  const conf: ResolvConf = { nameservers: [], search: [], ndots: 1 };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const [key, ...rest] = line.split(/\s+/);
    if (key === 'nameserver' && rest[0]) conf.nameservers.push(rest[0]);
    else if (key === 'search' || key === 'domain') conf.search = rest.filter((d) => d !== '.');
    else if (key === 'options') {
      for (const opt of rest) {
        const m = /^ndots:(\d+)$/.exec(opt);
        if (m) conf.ndots = Math.min(Number(m[1]), 15);
      }
    }
  }
  return conf;
}

export function readResolvConf(path = '/etc/resolv.conf'): ResolvConf {
  try {
    return parseResolvConf(readFileSync(path, 'utf8'));
  } catch {
    return { nameservers: [], search: [], ndots: 1 };
  }
}
