import { type NetworkInterfaceInfo, networkInterfaces } from 'node:os';
import { interfaceMtu, localAddresses, readDefaultRoute, readDefaultRoute6, readResolvConf } from '../net/host.ts';
import { subnetOf } from '../net/ip.ts';
import type { Fact, PodContext } from './types.ts';

/** What this network namespace says about itself: no API, no privileges, a few file reads. */
export interface LocalFacts {
  facts: PodContext;
  /** The pod interface's own subnet ("172.16.1.0/24"), a hint for the container subnet under ENI. */
  interfaceSubnet?: string;
  /** All non-loopback addresses of this namespace, both families (IPv6 link-local left out). */
  addresses: string[];
  /** The IPv6 default route as read (its interface zones a link-local gateway for ping). */
  route6?: Route;
}

type Route = { iface: string; gateway: string };

/** For tests: the namespace's tables, instead of /proc and os.networkInterfaces(). */
export interface LocalSources {
  route?: Route;
  route6?: Route;
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>;
  mtu?: (iface: string) => number | undefined;
}

const fact = <T>(value: T, note: string, confidence = 0.9): Fact<T> => ({ value, source: 'interface', confidence, note });

/** A global address of one family on an interface (not loopback, not IPv6 link-local). */
function globalAddr(ifaces: LocalSources['interfaces'], iface: string, family: 'IPv4' | 'IPv6'): NetworkInterfaceInfo | undefined {
  return ifaces[iface]?.find((a) => a.family === family && !a.internal && !/^fe[89ab]/i.test(a.address));
}

function readLocal(): LocalSources {
  return { route: readDefaultRoute(), route6: readDefaultRoute6(), interfaces: networkInterfaces(), mtu: interfaceMtu };
}

export function localFacts(src: LocalSources = readLocal()): LocalFacts {
  const facts: PodContext = {};
  const { route, route6, interfaces: ifaces } = src;
  const addresses = localAddresses(ifaces);
  let interfaceSubnet: string | undefined;
  // One address per family, each from its default route's interface; IPv4 stays primary when both exist.
  const v4 = route && globalAddr(ifaces, route.iface, 'IPv4');
  const v6 = route6 && globalAddr(ifaces, route6.iface, 'IPv6');
  const main = route ?? route6;
  if (route) facts.gateway = fact(route.gateway, `default route via ${route.gateway} dev ${route.iface}`);
  if (route6) facts.gateway6 = fact(route6.gateway, `IPv6 default route via ${route6.gateway} dev ${route6.iface} (/proc/net/ipv6_route)`);
  if (main) {
    facts.interface = fact(main.iface, route ? 'interface of the default route' : 'interface of the IPv6 default route');
    const mtu = src.mtu?.(main.iface);
    if (mtu) facts.mtu = fact(mtu, `/sys/class/net/${main.iface}/mtu`);
  }
  const found = [v4 && { a: v4, iface: route!.iface }, v6 && { a: v6, iface: route6!.iface }].filter((x) => !!x);
  if (found.length) {
    const first = found[0]!;
    facts.podIp = fact(first.a.address, `${first.iface} address`);
    if (found.length > 1) facts.podIps = fact(found.map((x) => x.a.address), `${[...new Set(found.map((x) => x.iface))].join(', ')} addresses, IPv4 and IPv6`);
    interfaceSubnet = subnetOf(first.a.address, Number(first.a.cidr?.split('/')[1] ?? (first.a.family === 'IPv4' ? 32 : 128)));
  } else if (!main) {
    const first = addresses.find((a) => !a.includes(':')) ?? addresses[0];
    if (first) facts.podIp = fact(first, 'first non-loopback address (no default route)', 0.6);
  }
  const resolv = readResolvConf();
  if (resolv.nameservers.length) {
    facts.dnsServers = { value: resolv.nameservers, source: 'resolv.conf', confidence: 0.95, note: '/etc/resolv.conf' };
  }
  if (resolv.search.length) {
    facts.searchDomains = { value: resolv.search, source: 'resolv.conf', confidence: 0.95, note: '/etc/resolv.conf' };
  }
  return { facts, interfaceSubnet, addresses, ...(route6 ? { route6 } : {}) };
}
