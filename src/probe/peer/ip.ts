// Routes and interfaces, through iproute2's JSON output (`ip -j`): no privilege needed, nothing changed.
import { inCidr, normalizeCidr } from '../../net/ip.ts';
import { read } from './exec.ts';
import type { Covering, PeerRoute } from './types.ts';

interface Link {
  ifname: string;
  flags?: string[];
  operstate?: string;
  linkinfo?: { info_kind?: string };
  addr_info?: { family: string; local: string; prefixlen: number }[];
}

interface Route {
  dst?: string;
  type?: string;
  gateway?: string;
  dev?: string;
  prefsrc?: string;
  flags?: string[];
}

/** docker0, or a user-defined network's bridge (br- and the network id's first 12 hex digits). */
export const dockerName = (dev: string): boolean => dev === 'docker0' || /^br-[0-9a-f]{12}$/.test(dev);

const json = <T>(text: string): T[] => {
  try {
    const v = JSON.parse(text);
    return Array.isArray(v) ? (v as T[]) : [];
  } catch {
    return [];
  }
};

/** What the host's interfaces and main routes are: read once per run. */
export interface HostNet {
  links: Link[];
  routes: Route[];
  defaultDev?: string;
}

export async function hostNet(): Promise<HostNet> {
  const [links, routes] = await Promise.all([read('ip', ['-j', '-d', 'addr', 'show']), read('ip', ['-j', 'route', 'show'])]);
  if (!links.ok) throw new Error(`ip addr: ${links.err}`);
  const rs = json<Route>(routes.stdout);
  return { links: json<Link>(links.stdout), routes: rs, defaultDev: rs.find((r) => r.dst === 'default')?.dev };
}

/** The host's own addresses (not loopback). */
export const addresses = (net: HostNet): string[] =>
  net.links.flatMap((l) => (l.addr_info ?? []).filter((a) => a.family === 'inet' || a.family === 'inet6').map((a) => a.local)).filter((a) => a !== '127.0.0.1' && a !== '::1');

const isBridge = (net: HostNet, dev: string | undefined): boolean => net.links.some((l) => l.ifname === dev && l.linkinfo?.info_kind === 'bridge');

function state(l: Link | undefined): Covering['state'] {
  const flags = l?.flags ?? [];
  if (!flags.includes('UP')) return 'down';
  return flags.includes('NO-CARRIER') || l?.operstate === 'DOWN' ? 'no-carrier' : 'up';
}

/** Where a reply to `src` would go: `ip route get`. */
export async function routeTo(net: HostNet, src: string): Promise<PeerRoute> {
  const r = await read('ip', ['-j', 'route', 'get', src]);
  const text = await read('ip', ['route', 'get', src]);
  // ip route get ends with the caller's uid: noise in a report.
  const line = ((text.stdout.split('\n')[0] ?? text.err).trim() || text.err).replace(/ uid \d+$/, '');
  const got = json<Route>(r.stdout)[0];
  if (!r.ok || !got) return { kind: 'unreachable', line: line || r.err, defaultDev: false, bridge: false, docker: false };
  const dev = got.dev;
  const kind: PeerRoute['kind'] = got.type === 'local' ? 'local' : got.gateway ? 'gateway' : 'connected';
  return {
    kind,
    ...(dev ? { dev } : {}),
    ...(got.gateway ? { via: got.gateway } : {}),
    ...(got.prefsrc ? { src: got.prefsrc } : {}),
    defaultDev: dev !== undefined && dev === net.defaultDev,
    bridge: isBridge(net, dev),
    docker: dev !== undefined && dockerName(dev),
    line,
  };
}

/** Every interface address and route whose range holds `src`, down and linkdown ones too. */
export function covering(net: HostNet, src: string): Covering[] {
  const out: Covering[] = [];
  for (const l of net.links) {
    for (const a of l.addr_info ?? []) {
      const cidr = normalizeCidr(`${a.local}/${a.prefixlen}`);
      if (!cidr || !inCidr(src, cidr) || l.ifname === 'lo') continue;
      out.push({ dev: l.ifname, cidr, via: 'address', bridge: l.linkinfo?.info_kind === 'bridge', docker: dockerName(l.ifname), state: state(l) });
    }
  }
  for (const r of net.routes) {
    const cidr = r.dst && r.dst !== 'default' ? normalizeCidr(r.dst) : null;
    if (!cidr || !r.dev || !inCidr(src, cidr)) continue;
    const linkdown = r.flags?.includes('linkdown') ?? false;
    const same = out.find((c) => c.dev === r.dev && c.cidr === cidr);
    if (same) {
      if (linkdown) same.linkdown = true;
      continue;
    }
    const l = net.links.find((x) => x.ifname === r.dev);
    out.push({ dev: r.dev, cidr, via: 'route', bridge: isBridge(net, r.dev), docker: dockerName(r.dev), state: state(l), ...(linkdown ? { linkdown } : {}) });
  }
  return out;
}
