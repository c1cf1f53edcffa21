import { quoted, UsageError } from '../cli/errors.ts';
import { familyOf, isIp, normalizeCidr } from '../net/ip.ts';
import { type Fact, type FactSource, MAX_VPC_CIDRS, NETWORK_MODELS, type NetworkModel, type PodContext } from './types.ts';

/** Context overrides as given on the command line (already split; undefined = not given). */
export interface ContextFlags {
  podIp?: string;
  nodeIp?: string;
  containerCidr?: string;
  vpcCidr?: readonly string[];
  serviceCidr?: string;
  networkModel?: string;
}


const EXPECTED = {
  ip: 'an IP address, e.g. 172.16.1.10',
  cidr: 'a CIDR, e.g. 172.16.0.0/16',
  model: 'tunnel, vpc, eni or auto',
} as const;

function ip(value: string, what: string): string {
  if (!isIp(value)) throw new UsageError(`${what}: ${quoted(value)} is not an IP address`);
  return value;
}

function cidr(value: string, what: string): string {
  const n = normalizeCidr(value);
  if (!n || !value.includes('/')) throw new UsageError(`${what}: ${quoted(value)} is not a CIDR (expected e.g. 172.16.0.0/16)`);
  return n;
}

/** Normalised and deduplicated, in the order given; linear, and capped before the list can cost anything. */
function cidrList(items: readonly string[], what: string, tooMany = "give the node's VPC CIDRs"): string[] {
  const seen = new Set<string>();
  for (const item of items) {
    if (item.trim() === '') throw new UsageError(`${what}: an empty entry in the list (a stray comma?)`);
    seen.add(cidr(item.trim(), what));
    if (seen.size > MAX_VPC_CIDRS) throw new UsageError(`${what}: more than ${MAX_VPC_CIDRS} CIDRs; ${tooMany}`);
  }
  return [...seen];
}

/**
 * One value, or one per family as Kubernetes writes dual-stack settings ("172.16.0.0/16,fd00:172:16::/56",
 * kubelet --node-ip, --cluster-cidr): primary first, at most one of each family.
 */
function perFamily<T extends string>(value: string, what: string, parse: (v: string, what: string) => T): T[] {
  const items = value.split(',').map((v) => v.trim());
  if (items.length > 2 || items.some((v) => v === '')) throw new UsageError(`${what}: ${quoted(value)}: give one value, or one per family (IPv4,IPv6)`);
  const out = items.map((v) => parse(v, what));
  if (out.length === 2 && familyOf(out[0]!) === familyOf(out[1]!)) throw new UsageError(`${what}: ${quoted(value)}: two ${familyOf(out[0]!)} values; give at most one per family`);
  return out;
}

function model(value: string, what: string): NetworkModel | undefined {
  const v = value.toLowerCase();
  if (v === 'auto') return undefined;
  if (!(NETWORK_MODELS as readonly string[]).includes(v)) {
    throw new UsageError(`${what}: ${quoted(value)} is not a network model (${EXPECTED.model})`);
  }
  return v as NetworkModel;
}

/**
 * One source's overrides as facts. `emptyIsUnset`: an empty environment variable means "not set" (a
 * template left it blank); a flag given an empty value is a mistake worth a usage error.
 */
function layer(f: ContextFlags, source: FactSource, name: (k: string) => string, note: (k: string) => string, emptyIsUnset: boolean): PodContext {
  const mk = <T>(value: T, k: string): Fact<T> => ({ value, source, confidence: 1, note: note(k) });
  const given = (v: string | undefined, k: string, expected: string): string | undefined => {
    const t = v?.trim();
    if (t !== '') return t;
    if (emptyIsUnset) return undefined;
    throw new UsageError(`${name(k)}: the value is empty (expected ${expected})`);
  };
  const out: PodContext = {};
  const podIp = given(f.podIp, 'pod-ip', EXPECTED.ip);
  if (podIp !== undefined) {
    const all = perFamily(podIp, name('pod-ip'), ip);
    out.podIp = mk(all[0]!, 'pod-ip');
    out.podIps = mk(all, 'pod-ip');
  }
  const nodeIp = given(f.nodeIp, 'node-ip', EXPECTED.ip);
  if (nodeIp !== undefined) {
    const all = perFamily(nodeIp, name('node-ip'), ip);
    out.nodeIp = mk(all[0]!, 'node-ip');
    out.nodeIps = mk(all, 'node-ip');
  }
  const containerCidr = given(f.containerCidr, 'container-cidr', EXPECTED.cidr);
  if (containerCidr !== undefined) {
    const all = perFamily(containerCidr, name('container-cidr'), cidr);
    out.containerCidr = mk(all[0]!, 'container-cidr');
    out.containerCidrs = mk(all, 'container-cidr');
  }
  // One empty piece is an empty value (`--vpc-cidr ''`); empty pieces among others are stray commas.
  const vpc = f.vpcCidr ?? [];
  const vpcGiven = vpc.length === 1 ? given(vpc[0], 'vpc-cidr', EXPECTED.cidr) !== undefined : vpc.length > 0;
  if (vpcGiven) out.vpcCidrs = mk(cidrList(vpc, name('vpc-cidr')), 'vpc-cidr');
  const serviceCidr = given(f.serviceCidr, 'service-cidr', EXPECTED.cidr);
  if (serviceCidr !== undefined) out.serviceCidr = mk(cidr(serviceCidr, name('service-cidr')), 'service-cidr');
  const networkModel = given(f.networkModel, 'network-model', EXPECTED.model);
  const m = networkModel === undefined ? undefined : model(networkModel, name('network-model'));
  if (m) out.networkModel = mk(m, 'network-model');
  return out;
}

/** fleet's and allowlist's --node-subnet: CIDRs of either family (repeatable, comma-separated), normalised. */
export function nodeSubnetFlag(items: readonly string[] | undefined): string[] {
  return cidrList(items ?? [], '--node-subnet', 'give the node subnets, not each node');
}

export function flagFacts(f: ContextFlags): PodContext {
  return layer(f, 'flag', (k) => `--${k}`, (k) => `--${k}`, false);
}

const envName = (k: string) => `PODREACH_${k.toUpperCase().replaceAll('-', '_')}`;

/** PODREACH_* variables, then the downward-API conventions POD_IP / NODE_IP / HOST_IP. Empty = unset. */
export function envFacts(env: NodeJS.ProcessEnv): { env: PodContext; downward: PodContext } {
  const fromEnv = layer(
    {
      podIp: env.PODREACH_POD_IP,
      nodeIp: env.PODREACH_NODE_IP,
      containerCidr: env.PODREACH_CONTAINER_CIDR,
      vpcCidr: env.PODREACH_VPC_CIDR?.split(','),
      serviceCidr: env.PODREACH_SERVICE_CIDR,
      networkModel: env.PODREACH_NETWORK_MODEL,
    },
    'env',
    envName,
    envName,
    true,
  );
  const nodeVar = env.NODE_IP?.trim() ? 'NODE_IP' : 'HOST_IP';
  // status.podIPs (both families, "a,b") when the manifest exposes it, else status.podIP.
  const podVar = env.POD_IPS?.trim() ? 'POD_IPS' : 'POD_IP';
  const downward = layer(
    { podIp: env[podVar], nodeIp: env[nodeVar] },
    'downward-api',
    (k) => (k === 'pod-ip' ? podVar : nodeVar),
    (k) => (k === 'pod-ip' ? `${podVar} (status.${podVar === 'POD_IPS' ? 'podIPs' : 'podIP'})` : `${nodeVar} (status.hostIP)`),
    true,
  );
  for (const f of Object.values(downward)) f.confidence = 0.95;
  return { env: fromEnv, downward };
}
