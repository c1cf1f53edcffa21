// `podreach allowlist [TARGET...]`: no packets at all. The nodes and network signals from the API, grouped,
// and per destination the source the peer sees and the entries to allow (render/allowlist.ts).
import { GROUP_BYS, type GroupBy } from '../context/groups.ts';
import { type Fact, MAX_VPC_CIDRS, NETWORK_MODELS, type NetworkModel } from '../context/types.ts';
import { type ClusterNet, DESTINATION_CLASSES, type Destination, type DestinationClass } from '../diagnose/index.ts';
import { firstMatch, isIp, isRfc1918, normalizeCidr } from '../net/ip.ts';
import { quoted, UsageError } from './errors.ts';

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

function cidrs(flag: string, list: readonly string[] | undefined): string[] {
  const out = (list ?? []).map((c) => {
    const n = normalizeCidr(c);
    if (!n || !c.includes('/') || n.includes(':')) throw new UsageError(`${flag}: ${quoted(c)} is not an IPv4 CIDR`);
    return n;
  });
  if (out.length > MAX_VPC_CIDRS) throw new UsageError(`${flag}: ${out.length} CIDRs, at most ${MAX_VPC_CIDRS}`);
  return out;
}

/** TARGET: a destination class (same-vpc, peered-vpc, managed-service, internet), IP or IP:PORT. No names: no DNS. */
export function parseDestination(arg: string, vpcCidrs: readonly string[]): Destination {
  if ((DESTINATION_CLASSES as readonly string[]).includes(arg)) return { class: arg as DestinationClass };
  const m = /^(\d{1,3}(?:\.\d{1,3}){3})(?::(\d{1,5}))?$/.exec(arg);
  const ip = m?.[1];
  if (!ip || !isIp(ip)) {
    throw new UsageError(`${quoted(arg)} is not an IPv4 address, IP:PORT or a destination class (${DESTINATION_CLASSES.join(', ')}); allowlist sends no packets, so no names`);
  }
  const port = m?.[2] !== undefined ? Number(m[2]) : undefined;
  if (port !== undefined && (port < 1 || port > 65535)) throw new UsageError(`${quoted(arg)}: port ${port} is outside 1–65535`);
  const cls: DestinationClass | undefined = !isRfc1918(ip) ? 'internet' : vpcCidrs.length ? (firstMatch(ip, vpcCidrs) ? 'same-vpc' : 'peered-vpc') : undefined;
  return { ip, ...(port !== undefined ? { port } : {}), ...(cls ? { class: cls } : {}) };
}

const flag = <T>(value: T, note: string): Fact<T> => ({ value, source: 'flag', confidence: 0.99, note });

export async function runAllowlist(targets: string[], o: AllowlistFlags, version: string): Promise<string> {
  const by = (o.by ?? 'pool') as GroupBy;
  if (!GROUP_BYS.includes(by)) throw new UsageError(`--by: ${quoted(o.by ?? '')} is not ${GROUP_BYS.join(', ')}`);
  const nodeSubnets = cidrs('--node-subnet', o.nodeSubnet);
  const vpcCidrs = cidrs('--vpc-cidr', o.vpcCidr);
  const [containerCidr] = cidrs('--container-cidr', o.containerCidr !== undefined ? [o.containerCidr] : []);
  if (o.networkModel !== undefined && !(NETWORK_MODELS as readonly string[]).includes(o.networkModel)) {
    throw new UsageError(`--network-model: ${quoted(o.networkModel)} is not ${NETWORK_MODELS.join(', ')}`);
  }
  const destinations = targets.length ? targets.map((t) => parseDestination(t, vpcCidrs)) : DESTINATION_CLASSES.map((c) => ({ class: c }));

  const { readCluster } = await import('../kube/cluster.ts');
  const view = await readCluster({ kubeconfig: o.kubeconfig, context: o.context, env: process.env, nodeSubnets, timeoutMs: o.timeout });
  // Flags beat what the API suggested.
  const net: ClusterNet = { ...view.net };
  if (o.networkModel) net.model = flag(o.networkModel as NetworkModel, '--network-model');
  if (containerCidr && net.model?.value === 'eni') net.eniSubnets = flag([containerCidr], '--container-cidr');
  else if (containerCidr) net.containerCidr = flag(containerCidr, '--container-cidr');
  if (vpcCidrs.length) net.vpcCidrs = flag(vpcCidrs, '--vpc-cidr');
  const notes = [...view.notes];
  if (!net.model) notes.push('network model unknown from the API: pass --network-model tunnel|vpc|eni for exact lists');

  const { buildAllowlist, renderAllowlistText } = await import('../render/allowlist.ts');
  const report = buildAllowlist({ version, server: view.server, user: view.user, nodes: view.nodes, net, by, destinations, notes });
  if (o.output === 'json') return `${JSON.stringify(report, null, 2)}\n`;
  const { COLOR, PLAIN } = await import('../render/text.ts');
  return renderAllowlistText(report, o.color ? COLOR : PLAIN);
}
