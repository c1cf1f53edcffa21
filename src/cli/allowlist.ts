// `podreach allowlist [TARGET...]`: no packets at all. The nodes and network signals from the API, grouped,
// and per destination the source the peer sees and the entries to allow (render/allowlist.ts).
import { flagFacts, nodeSubnetFlag } from '../context/flags.ts';
import { GROUP_BYS, type GroupBy } from '../context/groups.ts';
import { DESTINATION_CLASSES, type Destination, type DestinationClass, destinationFamilies, ipClass } from '../diagnose/index.ts';
import { type Family, isIp } from '../net/ip.ts';
import { quoted, UsageError } from './errors.ts';
import { withFlags } from './net-flags.ts';

export interface AllowlistFlags {
  by?: string;
  nodeSubnet?: string[];
  vpcCidr?: string[];
  containerCidr?: string;
  networkModel?: string;
  output: 'text' | 'json';
  kubeconfig?: string;
  context?: string;
  timeout: number;
  color: boolean;
}

/** TARGET: a destination class (same-vpc, peered-vpc, managed-service, internet), IP, IP:PORT or [IPv6]:PORT. No names: no DNS. */
export function parseDestination(arg: string, vpcCidrs: readonly string[]): Destination {
  if ((DESTINATION_CLASSES as readonly string[]).includes(arg)) return { class: arg as DestinationClass };
  const m = /^(\d{1,3}(?:\.\d{1,3}){3})(?::(\d{1,5}))?$/.exec(arg) ?? /^\[([0-9A-Fa-f:.]+)\](?::(\d{1,5}))?$/.exec(arg) ?? /^([0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)()$/.exec(arg);
  const ip = m?.[1];
  if (!ip || !isIp(ip)) {
    throw new UsageError(`${quoted(arg)} is not an IP address, IP:PORT, [IPv6]:PORT or a destination class (${DESTINATION_CLASSES.join(', ')}); allowlist sends no packets, so no names`);
  }
  const port = m?.[2] ? Number(m[2]) : undefined;
  if (port !== undefined && (port < 1 || port > 65535)) throw new UsageError(`${quoted(arg)}: port ${port} is outside 1–65535`);
  const cls = ipClass(ip, vpcCidrs);
  return { ip, ...(port !== undefined ? { port } : {}), ...(cls ? { class: cls } : {}) };
}

/** A class without an address, once per family the cluster's pods use (unchanged for an IPv4-only cluster). */
function perFamily(destinations: Destination[], families: Family[] | undefined): Destination[] {
  if (!families) return destinations;
  return destinations.flatMap((d) => (d.ip ? [d] : families.map((family) => ({ ...d, family }))));
}

export async function runAllowlist(targets: string[], o: AllowlistFlags, version: string): Promise<string> {
  const by = (o.by ?? 'pool') as GroupBy;
  if (!GROUP_BYS.includes(by)) throw new UsageError(`--by: ${quoted(o.by ?? '')} is not ${GROUP_BYS.join(', ')}`);
  const nodeSubnets = nodeSubnetFlag(o.nodeSubnet);
  const flags = flagFacts({ networkModel: o.networkModel, containerCidr: o.containerCidr, vpcCidr: o.vpcCidr });
  const vpcCidrs = flags.vpcCidrs?.value ?? [];
  const parsed = targets.length ? targets.map((t) => parseDestination(t, vpcCidrs)) : DESTINATION_CLASSES.map((c) => ({ class: c }));

  const { readCluster } = await import('../kube/cluster.ts');
  const view = await readCluster({ kubeconfig: o.kubeconfig, context: o.context, env: process.env, nodeSubnets, timeoutMs: o.timeout });
  // Flags beat what the API suggested.
  const net = withFlags(view.net, flags);
  const destinations = perFamily(parsed, destinationFamilies(net));
  const notes = [...view.notes];
  if (!net.model) notes.push('network model unknown from the API: pass --network-model tunnel|vpc|eni for exact lists');

  const { buildAllowlist, renderAllowlistText } = await import('../render/allowlist.ts');
  const report = buildAllowlist({ version, server: view.server, user: view.user, nodes: view.nodes, net, by, destinations, notes });
  if (o.output === 'json') return `${JSON.stringify(report, null, 2)}\n`;
  const { COLOR, PLAIN } = await import('../render/text.ts');
  return renderAllowlistText(report, o.color ? COLOR : PLAIN);
}
