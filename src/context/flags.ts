import { UsageError } from '../cli/errors.ts';
import { isIp, normalizeCidr } from '../net/ip.ts';
import { type Fact, type FactSource, NETWORK_MODELS, type NetworkModel, type PodContext } from './types.ts';

/** Context overrides as given on the command line (already split; undefined = not given). */
export interface ContextFlags {
  podIp?: string;
  nodeIp?: string;
  containerCidr?: string;
  vpcCidr?: readonly string[];
  serviceCidr?: string;
  networkModel?: string;
}

function ip(value: string, what: string): string {
  if (!isIp(value.trim())) throw new UsageError(`${what}: "${value}" is not an IP address`);
  return value.trim();
}

function cidr(value: string, what: string): string {
  const n = normalizeCidr(value);
  if (!n || !value.includes('/')) throw new UsageError(`${what}: "${value}" is not a CIDR (expected e.g. 172.16.0.0/16)`);
  return n;
}

function model(value: string, what: string): NetworkModel | undefined {
  const v = value.trim().toLowerCase();
  if (v === 'auto' || v === '') return undefined;
  if (!(NETWORK_MODELS as readonly string[]).includes(v)) {
    throw new UsageError(`${what}: "${value}" is not a network model (tunnel, vpc, eni or auto)`);
  }
  return v as NetworkModel;
}

function layer(f: ContextFlags, source: FactSource, name: (k: string) => string, note: (k: string) => string): PodContext {
  const mk = <T>(value: T, k: string): Fact<T> => ({ value, source, confidence: 1, note: note(k) });
  const out: PodContext = {};
  if (f.podIp) out.podIp = mk(ip(f.podIp, name('pod-ip')), 'pod-ip');
  if (f.nodeIp) out.nodeIp = mk(ip(f.nodeIp, name('node-ip')), 'node-ip');
  if (f.containerCidr) out.containerCidr = mk(cidr(f.containerCidr, name('container-cidr')), 'container-cidr');
  if (f.vpcCidr?.length) out.vpcCidrs = mk(f.vpcCidr.map((c) => cidr(c, name('vpc-cidr'))), 'vpc-cidr');
  if (f.serviceCidr) out.serviceCidr = mk(cidr(f.serviceCidr, name('service-cidr')), 'service-cidr');
  if (f.networkModel) {
    const m = model(f.networkModel, name('network-model'));
    if (m) out.networkModel = mk(m, 'network-model');
  }
  return out;
}

export function flagFacts(f: ContextFlags): PodContext {
  return layer(f, 'flag', (k) => `--${k}`, (k) => `--${k}`);
}

const envName = (k: string) => `PODREACH_${k.toUpperCase().replaceAll('-', '_')}`;

/** PODREACH_* variables, then the downward-API conventions POD_IP / NODE_IP / HOST_IP. */
export function envFacts(env: NodeJS.ProcessEnv): { env: PodContext; downward: PodContext } {
  const list = (v?: string) => v?.split(',').map((s) => s.trim()).filter(Boolean);
  const fromEnv = layer(
    {
      podIp: env.PODREACH_POD_IP,
      nodeIp: env.PODREACH_NODE_IP,
      containerCidr: env.PODREACH_CONTAINER_CIDR,
      vpcCidr: list(env.PODREACH_VPC_CIDR),
      serviceCidr: env.PODREACH_SERVICE_CIDR,
      networkModel: env.PODREACH_NETWORK_MODEL,
    },
    'env',
    envName,
    envName,
  );
  const downward = layer(
    { podIp: env.POD_IP, nodeIp: env.NODE_IP || env.HOST_IP },
    'downward-api',
    (k) => (k === 'pod-ip' ? 'POD_IP' : env.NODE_IP ? 'NODE_IP' : 'HOST_IP'),
    (k) => (k === 'pod-ip' ? 'POD_IP (status.podIP)' : `${env.NODE_IP ? 'NODE_IP' : 'HOST_IP'} (status.hostIP)`),
  );
  for (const f of Object.values(downward)) f.confidence = 0.95;
  return { env: fromEnv, downward };
}
