import { networkInterfaces } from 'node:os';
import { interfaceMtu, localAddresses, readDefaultRoute, readResolvConf } from '../net/host.ts';
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

export function localFacts(): LocalFacts {
  const facts: PodContext = {};
  const route = readDefaultRoute();
  const ifaces = networkInterfaces();
  const addresses = localAddresses();
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
    const mtu = interfaceMtu(route.iface);
    if (mtu) facts.mtu = fact(mtu, `/sys/class/net/${route.iface}/mtu`);
  } else {
    const first = addresses.find((a) => !a.includes(':'));
    if (first) facts.podIp = fact(first, 'first non-loopback address (no default route)', 0.6);
  }
  const resolv = readResolvConf();
  if (resolv.nameservers.length) {
    facts.dnsServers = { value: resolv.nameservers, source: 'resolv.conf', confidence: 0.95, note: '/etc/resolv.conf' };
  }
  if (resolv.search.length) {
    facts.searchDomains = { value: resolv.search, source: 'resolv.conf', confidence: 0.95, note: '/etc/resolv.conf' };
  }
  return { facts, interfaceSubnet, addresses };
}
