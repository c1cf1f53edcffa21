// The whole cluster as the allowlist (and fleet) sees it: every node, and the network signals detect.ts
// reads, with no pod of our own. Read-only; bounded by a deadline. The list of nodes is the one read that
// must succeed: anything else refused is a note, and the model may come from flags instead.
import { type NodeFacts, nodeFamilies } from '../context/groups.ts';
import type { Fact, NetworkModel } from '../context/types.ts';
import type { ClusterNet } from '../diagnose/sources.ts';
import { findCredentials } from './credentials.ts';
import { familyOf, type Family, normalizeCidr } from '../net/ip.ts';
import { detect, eksIpv6, eniSubnets } from './detect.ts';
import { nodeFacts } from './nodes.ts';
import type { IpPoolObject, NodeObject, Outcome } from './objects.ts';
import { call } from './rest.ts';
import { connect, networkNotes, networkReads } from './session.ts';

export interface ClusterOptions {
  kubeconfig?: string;
  context?: string;
  env: NodeJS.ProcessEnv;
  /** --node-subnet: node subnets that beat the /24 guess. */
  nodeSubnets?: readonly string[];
  timeoutMs: number;
  signal?: AbortSignal;
  /** Only the nodes with these labels (fleet --selector). */
  labelSelector?: string;
}

export interface ClusterView {
  server: string;
  user: string;
  nodes: NodeFacts[];
  net: ClusterNet;
  /** How the model was decided, and each read that failed with the grant that would allow it. */
  notes: string[];
}

/** A fault that stops the command: no credentials, or the nodes could not be listed. One line. */
export class ClusterError extends Error {
  override name = 'ClusterError';
}

/** Nodes per page: what kubectl asks for (--chunk-size 500). */
const PAGE = 500;

type NodeList = { items?: NodeObject[]; metadata?: { continue?: string } };

async function listNodes(get: <T>(path: string) => Promise<Outcome<T>>, selector?: string): Promise<Outcome<NodeObject[]>> {
  const all: NodeObject[] = [];
  let cont = '';
  for (;;) {
    const r = await get<NodeList>(`/api/v1/nodes?limit=${PAGE}${selector ? `&labelSelector=${encodeURIComponent(selector)}` : ''}${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`);
    if (!r.ok) return r;
    all.push(...(r.value.items ?? []));
    cont = r.value.metadata?.continue ?? '';
    if (!cont) return { ok: true, value: all };
  }
}

export async function readCluster(o: ClusterOptions): Promise<ClusterView> {
  const cred = findCredentials({ kubeconfig: o.kubeconfig, context: o.context, env: o.env });
  if (!cred) throw new ClusterError('no API credentials (no service-account token, no $KUBECONFIG or ~/.kube/config): pass --kubeconfig');
  const api = await connect(cred, o.context).catch((err: unknown) => {
    throw new ClusterError(`${cred.describe}: ${(err as Error).message}`);
  });
  const deadline = Date.now() + o.timeoutMs;
  const get = <T>(path: string) => call<T>(api.rest, path, { ms: Math.max(50, deadline - Date.now()), signal: o.signal });
  try {
    const [nodes, network] = await Promise.all([listNodes(get, o.labelSelector), networkReads(get)]);
    if (!nodes.ok) {
      const fix = nodes.status === 'forbidden' ? ' (grant list nodes: manifests/rbac-fleet.yaml, ClusterRole podreach-allowlist)' : nodes.status === 'unauthorized' ? ` (credentials from ${cred.describe} rejected)` : '';
      const said = nodes.message === nodes.words ? '' : `: ${nodes.message}`;
      throw new ClusterError(`listing nodes at ${api.server} as ${api.user}: ${nodes.words ?? nodes.status}${fix}${said}`);
    }
    if (nodes.value.length === 0) throw new ClusterError(`listing nodes at ${api.server}: ${o.labelSelector ? `no node has the labels ${o.labelSelector}` : 'the cluster has no nodes'}`);
    const subnets = o.nodeSubnets ?? [];
    const facts = nodes.value.map((n) => nodeFacts(n, subnets));
    // detect() reads one node for its labels and podCIDR: one with a pod CIDR stands for the cluster, if any has one.
    const sample = nodes.value.find((n) => n.spec?.podCIDR || n.spec?.podCIDRs?.length) ?? nodes.value[0];
    const { facts: ctx, notes } = detect({ namespace: 'kube-system', node: sample ? { ok: true, value: sample } : undefined, ...network });
    const net: ClusterNet = {};
    if (ctx.networkModel) net.model = ctx.networkModel;
    if (ctx.cni) net.cni = ctx.cni;
    if (ctx.containerCidr) net.containerCidr = ctx.containerCidr;
    if (ctx.containerCidrs) net.containerCidrs = ctx.containerCidrs;
    if (net.cni?.value === 'calico' && network.ipPools?.ok) calicoPerFamily(net, network.ipPools.value);
    const families = podFamilies(net, facts, eksIpv6(network));
    if (families) net.families = families;
    if (ctx.nonMasqueradeCidrs) net.nonMasqueradeCidrs = ctx.nonMasqueradeCidrs;
    const eni = network.nads?.ok ? eniSubnets(network.nads.value) : [];
    if (eni.length) net.eniSubnets = fact([...new Set(eni.map((e) => e.cidr))], 0.85, eni.map((e) => e.note).join('; '));
    const sampleNote = sample && nodes.value.length > 1 ? [`API: cloud and CNI labels read from node ${sample.metadata?.name} (one of ${nodes.value.length})`] : [];
    return { server: api.server, user: api.user, nodes: facts, net, notes: [...notes, ...sampleNote, ...networkNotes(network, cred)] };
  } finally {
    api.rest.close();
  }
}

/**
 * Calico per family: each family's enabled IPPool is its container CIDR, and its natOutgoing decides SNAT for
 * that family alone (the IPv6 pool commonly has it off while the IPv4 one has it on).
 */
function calicoPerFamily(net: ClusterNet, pools: readonly IpPoolObject[]): void {
  const byFamily = (['IPv4', 'IPv6'] as const).flatMap((family) => {
    const pool = pools.find((p) => !p.spec?.disabled && p.spec?.cidr && familyOf(p.spec.cidr) === family);
    return pool ? [{ family, pool, cidr: normalizeCidr(pool.spec?.cidr ?? '') ?? (pool.spec?.cidr as string) }] : [];
  });
  if (byFamily.length < 2) return;
  const name = (p: IpPoolObject) => `IPPool ${p.metadata?.name}`;
  net.containerCidrs = fact(byFamily.map((x) => x.cidr), 0.9, `spec.cidr of ${byFamily.map((x) => `${name(x.pool)} (${x.family})`).join(' and ')}`);
  const models = byFamily.map((x) => ({ ...x, model: (x.pool.spec?.natOutgoing === true ? 'tunnel' : 'vpc') as NetworkModel }));
  if (models[0]?.model === models[1]?.model) return;
  net.modelByFamily = Object.fromEntries(models.map((x) => [x.family, fact(x.model, 0.85, `${name(x.pool)} natOutgoing=${x.pool.spec?.natOutgoing === true}`)]));
}

/**
 * The pods' families, only when IPv6 is in play (IPv4 alone is what every table assumed before): EKS with
 * ENABLE_IPv6, else kube-proxy's clusterCIDR per family, else the nodes' InternalIPs (pods usually follow them).
 */
function podFamilies(net: ClusterNet, nodes: readonly NodeFacts[], eks6: boolean): Fact<Family[]> | undefined {
  if (eks6) return fact(['IPv6'], 0.9, 'DaemonSet kube-system/aws-node ENABLE_IPv6=true: an EKS IPv6 cluster, pods hold IPv6 addresses only');
  const cc = net.containerCidrs ?? (net.containerCidr ? { ...net.containerCidr, value: [net.containerCidr.value] } : undefined);
  const fromCc = [...new Set(cc?.value.map(familyOf).filter((f) => f !== undefined) ?? [])];
  if (cc && fromCc.includes('IPv6')) return { ...cc, value: fromCc, note: `the container CIDR of each family (${cc.note ?? cc.source})` };
  const fromNodes = nodeFamilies(nodes);
  if (!fromNodes.includes('IPv6')) return undefined;
  const primary = nodes.find((n) => n.internalIp)?.internalIp;
  const ordered = primary && familyOf(primary) === 'IPv6' ? [...fromNodes].reverse() : fromNodes;
  return fact(ordered, 0.6, `guess: the families of the nodes' InternalIPs (pods usually have the same); --container-cidr per family to be sure`);
}

function fact<T>(value: T, confidence: number, note: string): Fact<T> {
  return { value, source: 'api', confidence, note };
}
