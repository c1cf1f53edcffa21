import type { FactSource } from '../context/types.ts';

/** Plain words for each cause: each cause module's title. */
export { CAUSE_TITLES } from '../diagnose/index.ts';

export const FACT_LABELS: Record<string, string> = {
  podIp: 'pod IP',
  podIps: 'pod IPs',
  nodeIp: 'node IP',
  nodeIps: 'node IPs',
  ipFamilies: 'IP families',
  nodeName: 'node',
  podName: 'pod',
  namespace: 'namespace',
  gateway: 'gateway',
  gateway6: 'IPv6 gateway',
  interface: 'interface',
  mtu: 'MTU',
  networkModel: 'network model',
  containerCidr: 'container CIDR',
  containerCidrs: 'container CIDRs',
  nodePodCidr: 'node pod CIDR',
  vpcCidrs: 'VPC CIDR',
  serviceCidr: 'service CIDR',
  nonMasqueradeCidrs: 'no-SNAT CIDRs',
  snat: 'SNAT to node',
  dnsServers: 'DNS servers',
  searchDomains: 'DNS search',
  cni: 'CNI',
  cloud: 'cloud',
  podLabels: 'pod labels',
  egressPolicies: 'egress policies',
};

export const SOURCE_LABELS: Record<FactSource, string> = {
  flag: 'flag',
  env: 'env',
  'downward-api': 'downward API',
  api: 'API',
  interface: 'interface',
  'resolv.conf': 'resolv.conf',
  'node-report': 'node report',
  measured: 'measured',
  heuristic: 'guess',
  default: 'default',
};

/** Facts below this confidence are shown as uncertain. */
export const UNCERTAIN = 0.7;

export function factValue(v: unknown): string {
  if (Array.isArray(v)) return v.map((x) => (x && typeof x === 'object' && 'name' in x ? String(x.name) : String(x))).join(', ') || 'none';
  if (v && typeof v === 'object') return Object.entries(v).map(([k, x]) => `${k}=${String(x)}`).join(', ') || 'none';
  return String(v);
}

/** Facts in the order a network engineer reads them (FACT_LABELS order), unknown keys last. */
export function orderedFacts<F>(context: Record<string, F>): [string, F][] {
  const rank = (k: string) => {
    const i = Object.keys(FACT_LABELS).indexOf(k);
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  return Object.entries(context).sort(([a], [b]) => rank(a) - rank(b));
}
