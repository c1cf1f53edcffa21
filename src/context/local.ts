import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { subnetOf } from '../net/ip.ts';
import type { Fact, PodContext } from './types.ts';

/** What this network namespace says about itself: no API, no privileges, a few file reads. */
export interface LocalFacts {
  facts: PodContext;
  /** The pod interface's own subnet ("172.16.1.0/24"), a hint for the container subnet under ENI. */
  interfaceSubnet?: string;
  /** All non-loopback addresses of this namespace. */
  addresses: string[];
}

const fact = <T>(value: T, note: string, confidence = 0.9): Fact<T> => ({ value, source: 'interface', confidence, note });

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Little-endian hex from /proc/net/route → dotted quad. */
function hexToIp(hex: string): string {
  const n = Number.parseInt(hex, 16);
  return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255].join('.');
}

export function defaultRoute(procNetRoute = read('/proc/net/route')): { iface: string; gateway: string } | undefined {
  for (const line of (procNetRoute ?? '').split('\n').slice(1)) {
    const [iface, dest, gw, , , , , mask] = line.trim().split(/\s+/);
    if (iface && dest === '00000000' && mask === '00000000' && gw) return { iface, gateway: hexToIp(gw) };
  }
  return undefined;
}

export interface ResolvConf {
  nameservers: string[];
  search: string[];
  options: string[];
}

export function parseResolvConf(text: string | undefined): ResolvConf {
  const out: ResolvConf = { nameservers: [], search: [], options: [] };
  for (const raw of (text ?? '').split('\n')) {
    const [key, ...rest] = raw.replace(/[#;].*/, '').trim().split(/\s+/);
    if (key === 'nameserver' && rest[0]) out.nameservers.push(rest[0]);
    else if (key === 'search' || key === 'domain') out.search.push(...rest);
    else if (key === 'options') out.options.push(...rest);
  }
  return out;
}

export function localFacts(): LocalFacts {
  const facts: PodContext = {};
  const route = defaultRoute();
  const ifaces = networkInterfaces();
  const addresses: string[] = [];
  for (const list of Object.values(ifaces)) {
    for (const a of list ?? []) if (!a.internal && !a.address.startsWith('fe80')) addresses.push(a.address);
  }
  let interfaceSubnet: string | undefined;
  if (route) {
    facts.gateway = fact(route.gateway, `default route via ${route.gateway} dev ${route.iface}`);
    facts.interface = fact(route.iface, 'interface of the default route');
    const v4 = ifaces[route.iface]?.find((a) => a.family === 'IPv4' && !a.internal);
    if (v4) {
      facts.podIp = fact(v4.address, `${route.iface} address`);
      const prefix = Number(v4.cidr?.split('/')[1] ?? 32);
      interfaceSubnet = subnetOf(v4.address, prefix);
    }
    const mtu = Number(read(`/sys/class/net/${route.iface}/mtu`)?.trim());
    if (mtu > 0) facts.mtu = fact(mtu, `/sys/class/net/${route.iface}/mtu`);
  } else {
    const first = addresses.find((a) => !a.includes(':'));
    if (first) facts.podIp = fact(first, 'first non-loopback address (no default route)', 0.6);
  }
  const resolv = parseResolvConf(read('/etc/resolv.conf'));
  if (resolv.nameservers.length) {
    facts.dnsServers = { value: resolv.nameservers, source: 'resolv.conf', confidence: 0.95, note: '/etc/resolv.conf' };
  }
  if (resolv.search.length) {
    facts.searchDomains = { value: resolv.search, source: 'resolv.conf', confidence: 0.95, note: '/etc/resolv.conf' };
  }
  return { facts, interfaceSubnet, addresses };
}
