import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';

/**
 * Pure: the IPv4 default gateway from /proc/net/route text. Addresses there are hex in host byte
 * order (little-endian on every platform we run on); RTF_GATEWAY is flag 0x2. Lowest metric wins.
 */
export function parseDefaultGateway(routeTable: string): string | undefined {
  let best: { ip: string; metric: number } | undefined;
  for (const line of routeTable.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const [, dest, gw, flags, , , metric, mask] = f;
    if (dest !== '00000000' || mask !== '00000000') continue;
    if ((Number.parseInt(flags ?? '0', 16) & 0x2) === 0 || !/^[0-9A-Fa-f]{8}$/.test(gw ?? '')) continue;
    const n = Number.parseInt(gw as string, 16);
    const ip = [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff].join('.');
    const m = Number(metric);
    if (!best || m < best.metric) best = { ip, metric: m };
  }
  return best?.ip;
}

export function readDefaultGateway(path = '/proc/net/route'): string | undefined {
  try {
    return parseDefaultGateway(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Addresses a peer could see from this namespace: not loopback, not IPv6 link-local. */
export function localAddresses(): string[] {
  const out: string[] = [];
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) {
      if (a.internal) continue;
      if (a.family === 'IPv6' && /^fe[89ab]/i.test(a.address)) continue;
      out.push(a.address);
    }
  }
  return out;
}
