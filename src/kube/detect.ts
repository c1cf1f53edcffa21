// From what the API answered to PodContext facts (source 'api'). Pure: no I/O, so every recorded cluster
// flavour can be checked without a server. Signals and what they mean: /work/shared/notes/domain.md.
import type { EgressPolicy, Fact, NetworkModel, PodContext } from '../context/types.ts';
import { familyOf, inCidr, isIp, normalizeCidr, RFC1918, subnetOf } from '../net/ip.ts';
import type {
  ClusterReads,
  ConfigMapObject,
  DaemonSetObject,
  IpPoolObject,
  NadObject,
  NetworkPolicyObject,
  NodeObject,
  Outcome,
  PodObject,
} from './objects.ts';

export interface Detection {
  facts: PodContext;
  /** One line per conclusion: which object said what. */
  notes: string[];
}


/** Valid addresses (or CIDRs), first of each family, in the order given (primary first). */
function onePerFamily(ips: readonly (string | undefined)[]): string[] {
  const out: string[] = [];
  for (const ip of ips) if (ip && familyOf(ip) && !out.some((o) => familyOf(o) === familyOf(ip))) out.push(ip);
  return out;
}

export function detect(r: ClusterReads): Detection {
  const facts: PodContext = {};
  const notes: string[] = [];
  const pod = value(r.pod);
  const node = value(r.node);
  const dsList = value(r.daemonSets) ?? [];
  const ds = new Map(dsList.map((d) => [d.metadata?.name ?? '', d]));
  const cm = (name: string): ConfigMapObject | undefined => value(r.configMaps[name]);
  const podAnn = pod?.metadata?.annotations ?? {};

  // Where the pod sits.
  if (pod) {
    const name = pod.metadata?.name;
    if (name) facts.podName = api(name, 0.99, `pod ${name}`);
    facts.namespace = api(pod.metadata?.namespace ?? r.namespace, 0.99, `pod ${name} metadata.namespace`);
    const podIp = pod.status?.podIP ?? pod.status?.podIPs?.[0]?.ip;
    if (podIp) facts.podIp = api(podIp, 0.95, `pod ${name} status.podIP`);
    const podIps = onePerFamily([podIp, ...(pod.status?.podIPs ?? []).map((p) => p.ip)]);
    if (podIps.length) facts.podIps = api(podIps, 0.95, `pod ${name} status.podIPs`);
    if (pod.status?.hostIP) facts.nodeIp = api(pod.status.hostIP, 0.95, `pod ${name} status.hostIP`);
    const hostIps = onePerFamily([pod.status?.hostIP, ...(pod.status?.hostIPs ?? []).map((p) => p.ip)]);
    if (hostIps.length) facts.nodeIps = api(hostIps, 0.95, `pod ${name} status.hostIPs`);
    if (pod.spec?.nodeName) facts.nodeName = api(pod.spec.nodeName, 0.99, `pod ${name} spec.nodeName`);
  }
  const policies = value(r.networkPolicies);
  if (pod && policies) {
    const name = pod.metadata?.name;
    facts.podLabels = api(pod.metadata?.labels ?? {}, 0.99, `pod ${name} metadata.labels`);
    facts.egressPolicies = api(egressPolicies(policies), 0.99, `networkpolicies in ${r.namespace}`);
  }
  if (node) {
    const name = node.metadata?.name ?? '?';
    const internals = onePerFamily(node.status?.addresses?.filter((a) => a.type === 'InternalIP').map((a) => a.address) ?? []);
    if (internals[0]) put(facts, 'nodeIp', api(internals[0], 0.9, `node ${name} status.addresses InternalIP`));
    if (internals.length) put(facts, 'nodeIps', api(internals, 0.9, `node ${name} status.addresses InternalIP (${internals.map(familyOf).join(', ')})`));
    const podCidr = normalizeCidr(node.spec?.podCIDR ?? node.spec?.podCIDRs?.[0] ?? '');
    if (podCidr) facts.nodePodCidr = api(podCidr, 0.95, `node ${name} spec.podCIDR`);
  }

  const cloud = detectCloud(node, ds, podAnn);
  if (cloud) {
    facts.cloud = api(cloud.value, cloud.confidence, cloud.note);
  }

  const podIp = facts.podIp?.value;
  const flavour =
    cceTurbo(pod, value(r.nads), ds) ??
    eks(pod, ds) ??
    aks(node) ??
    cilium(ds, cm('cilium-config')) ??
    calico(ds, value(r.ipPools), cm('calico-config'), podIp) ??
    flannel(ds, cm('kube-flannel-cfg')) ??
    gke(cloud?.value) ??
    cceStandard(cloud?.value, facts.nodePodCidr?.value, podIp);
  if (flavour) {
    facts.networkModel = api(flavour.model, flavour.confidence, flavour.why);
    facts.cni = api(flavour.cni, flavour.confidence, flavour.why);
    if (flavour.containerCidr) put(facts, 'containerCidr', flavour.containerCidr);
    if (flavour.nonMasq) put(facts, 'nonMasqueradeCidrs', flavour.nonMasq);
    notes.push(`API: ${flavour.name} → ${flavour.model} model (${flavour.why})`);
    notes.push(...flavour.notes);
  }

  // Cluster-wide CIDR hints that do not depend on the flavour.
  const proxy = kubeProxyClusterCidr(cm('kube-proxy'), cm('kube-proxy-config'));
  if (proxy) {
    put(facts, 'containerCidr', { ...proxy, value: proxy.value[0]! });
    if (proxy.value.length > 1) put(facts, 'containerCidrs', proxy);
  }
  const masq = ipMasqAgent(cm('ip-masq-agent'), ds.get('ip-masq-agent'));
  if (masq) {
    put(facts, 'nonMasqueradeCidrs', masq);
    notes.push(`API: ip-masq-agent keeps the pod IP towards ${masq.value.join(', ')}; elsewhere the peer sees the node IP`);
  }
  if (!facts.containerCidr && cloud?.value === 'cce' && flavour?.model !== 'eni') {
    // CCE picks container CIDRs as /16 blocks by default and publishes the cluster CIDR in no object a pod
    // can read: the /16 around the node's pod CIDR (or the pod IP) is a guess, flagged as such.
    const around = facts.nodePodCidr?.value ?? podIp;
    const ip = around?.split('/')[0];
    // An IPv4 habit: nothing says how CCE would size an IPv6 container CIDR.
    if (ip && isIp(ip) && familyOf(ip) === 'IPv4') {
      facts.containerCidr = api(subnetOf(ip, 16), 0.5, `guess: the CCE-default /16 around ${around}; --container-cidr to be sure`);
    }
  }
  const svc = value(r.kubernetesService)?.spec?.clusterIP;
  if (svc && familyOf(svc) === 'IPv6') {
    // The widest IPv6 service range the API server's bitmap allocator accepts is a /108.
    facts.serviceCidr = api(subnetOf(svc, 108), 0.3, `guess: the /108 around service default/kubernetes ClusterIP ${svc} (the widest IPv6 service CIDR Kubernetes allocates from)`);
  } else if (svc && isIp(svc)) {
    const cce = cloud?.value === 'cce' && inCidr(svc, '10.247.0.0/16');
    facts.serviceCidr = api(
      subnetOf(svc, 16),
      cce ? 0.6 : 0.3,
      cce
        ? `service default/kubernetes ClusterIP ${svc} (CCE default service CIDR)`
        : `guess: the /16 around service default/kubernetes ClusterIP ${svc}`,
    );
  }
  return { facts, notes };
}

interface Flavour {
  name: string;
  model: NetworkModel;
  cni: string;
  confidence: number;
  why: string;
  containerCidr?: Fact<string>;
  nonMasq?: Fact<string[]>;
  notes: string[];
}

function cceTurbo(pod: PodObject | undefined, nads: NadObject[] | undefined, ds: Map<string, DaemonSetObject>): Flavour | undefined {
  const ann = pod?.metadata?.annotations ?? {};
  const notes: string[] = [];
  const dpv2 = ds.has('yangtse-cilium');
  if (dpv2) notes.push('API: DaemonSet kube-system/yangtse-cilium → CCE Turbo DataPlane V2');
  const status = ann['cni.yangtse.io/network-status'];
  const subnet = status ? networkStatusSubnet(status) : undefined;
  const nad = (nads ?? []).find((n) => cniConfig(n)?.type === 'eni-neutron');
  const nadCidr = nad ? eniCidr(nad) : undefined;
  const yangtseAnn = Object.keys(ann).filter((k) => k.startsWith('yangtse.io/') || k.startsWith('cni.yangtse.io/'));
  let why: string | undefined;
  let confidence = 0;
  if (status) {
    why = 'pod annotation cni.yangtse.io/network-status';
    confidence = 0.95;
  } else if (nad) {
    why = `NetworkAttachmentDefinition ${nad.metadata?.namespace}/${nad.metadata?.name} type eni-neutron`;
    confidence = 0.9;
  } else if (yangtseAnn.length > 0) {
    why = `pod annotation ${yangtseAnn[0]}`;
    confidence = 0.8;
  } else if (dpv2) {
    why = 'DaemonSet kube-system/yangtse-cilium';
    confidence = 0.75;
  }
  if (!why) return undefined;
  const cidr = subnet
    ? api(subnet, 0.9, 'pod annotation cni.yangtse.io/network-status ipv4Info.subnet (container subnet)')
    : nadCidr && normalizeCidr(nadCidr)
      ? api(normalizeCidr(nadCidr) as string, 0.8, `NetworkAttachmentDefinition ${nad?.metadata?.name} args.cidr (container subnet)`)
      : undefined;
  if (ann['yangtse.io/security-group-ids']) notes.push(`API: pod security groups (yangtse.io/security-group-ids): ${ann['yangtse.io/security-group-ids']}`);
  if (ann['yangtse.io/pod-with-eip']) notes.push('API: pod has its own EIP (yangtse.io/pod-with-eip)');
  return { name: 'CCE Turbo (Cloud Native Network 2.0)', model: 'eni', cni: 'yangtse', confidence, why, containerCidr: cidr, notes };
}

function eks(pod: PodObject | undefined, ds: Map<string, DaemonSetObject>): Flavour | undefined {
  const node = ds.get('aws-node');
  if (!node) return undefined;
  const env = containerEnv(node, 'aws-node');
  const notes: string[] = [];
  const branch = pod?.metadata?.annotations?.['vpc.amazonaws.com/pod-eni'];
  if (branch) notes.push('API: security groups for pods: the pod has its own branch ENI (vpc.amazonaws.com/pod-eni); its SGs, not the node\'s, apply');
  let nonMasq: Fact<string[]> | undefined;
  if (env.AWS_VPC_K8S_CNI_EXTERNALSNAT === 'true') {
    nonMasq = api(['0.0.0.0/0'], 0.8, 'aws-node AWS_VPC_K8S_CNI_EXTERNALSNAT=true (no SNAT on the node)');
  } else if (env.AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS) {
    const list = cidrList(env.AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS.split(','));
    if (list.length) notes.push(`API: aws-node excludes ${list.join(', ')} from SNAT (besides the VPC CIDR)`);
  }
  return {
    name: 'EKS VPC CNI (DaemonSet kube-system/aws-node)',
    model: 'eni',
    cni: 'aws-vpc-cni',
    confidence: branch ? 0.9 : 0.85,
    why: branch ? 'DaemonSet aws-node, pod annotation vpc.amazonaws.com/pod-eni' : 'DaemonSet kube-system/aws-node',
    nonMasq,
    notes: [...notes, 'API: EKS SNATs pod traffic leaving the VPC to the node\'s primary IP unless AWS_VPC_K8S_CNI_EXTERNALSNAT=true'],
  };
}

function aks(node: NodeObject | undefined): Flavour | undefined {
  const labels = node?.metadata?.labels ?? {};
  if (labels['kubernetes.azure.com/podnetwork-type'] === 'overlay') {
    return {
      name: 'AKS Azure CNI Overlay',
      model: 'tunnel',
      cni: 'azure-cni-overlay',
      confidence: 0.85,
      why: 'node label kubernetes.azure.com/podnetwork-type=overlay',
      notes: ['API: Azure CNI Overlay SNATs to the node IP for anything outside the pod CIDR'],
    };
  }
  return undefined;
}

function cilium(ds: Map<string, DaemonSetObject>, cfg: ConfigMapObject | undefined): Flavour | undefined {
  if (!ds.has('cilium')) return undefined;
  const d = cfg?.data ?? {};
  const tunnel = d['routing-mode'] ? d['routing-mode'] === 'tunnel' : d.tunnel ? d.tunnel !== 'disabled' : true;
  const masq = (d['enable-ipv4-masquerade'] ?? 'true') === 'true';
  const native = d['ipv4-native-routing-cidr'] ? normalizeCidr(d['ipv4-native-routing-cidr']) : null;
  const pool = d['cluster-pool-ipv4-cidr'] ? normalizeCidr(d['cluster-pool-ipv4-cidr'].split(/[\s,]+/)[0] ?? '') : null;
  const why = cfg ? `ConfigMap cilium-config routing-mode=${d['routing-mode'] ?? d.tunnel ?? 'default'}, masquerade=${masq}` : 'DaemonSet kube-system/cilium (no cilium-config readable)';
  return {
    name: 'Cilium',
    model: masq && (tunnel || !native) ? 'tunnel' : 'vpc',
    cni: 'cilium',
    confidence: cfg ? 0.8 : 0.5,
    why,
    containerCidr: pool ? api(pool, 0.85, 'ConfigMap cilium-config cluster-pool-ipv4-cidr') : undefined,
    nonMasq: masq && native ? api([native], 0.85, 'ConfigMap cilium-config ipv4-native-routing-cidr') : undefined,
    notes: [],
  };
}

function calico(
  ds: Map<string, DaemonSetObject>,
  pools: IpPoolObject[] | undefined,
  cfg: ConfigMapObject | undefined,
  podIp: string | undefined,
): Flavour | undefined {
  if (!ds.has('calico-node')) return undefined;
  const enabled = (pools ?? []).filter((p) => !p.spec?.disabled && p.spec?.cidr);
  const pool = enabled.find((p) => podIp && inCidr(podIp, p.spec?.cidr ?? '')) ?? enabled[0];
  const notes: string[] = [];
  if (cfg?.data?.calico_backend) notes.push(`API: ConfigMap calico-config calico_backend=${cfg.data.calico_backend}`);
  if (!pool) {
    return {
      name: 'Calico (no IPPool readable)',
      model: 'tunnel',
      cni: 'calico',
      confidence: 0.5,
      why: 'DaemonSet kube-system/calico-node; IPPool natOutgoing unknown, Calico\'s default is true',
      notes,
    };
  }
  const s = pool.spec ?? {};
  const encap = s.vxlanMode && s.vxlanMode !== 'Never' ? `VXLAN ${s.vxlanMode}` : s.ipipMode && s.ipipMode !== 'Never' ? `IPIP ${s.ipipMode}` : 'no encapsulation (BGP)';
  // What the peer sees is decided by natOutgoing, not by the encapsulation between nodes.
  const nat = s.natOutgoing === true;
  return {
    name: 'Calico',
    model: nat ? 'tunnel' : 'vpc',
    cni: 'calico',
    confidence: 0.85,
    why: `IPPool ${pool.metadata?.name} natOutgoing=${nat}, ${encap}`,
    containerCidr: api(normalizeCidr(s.cidr ?? '') ?? (s.cidr as string), 0.9, `IPPool ${pool.metadata?.name} spec.cidr`),
    notes,
  };
}

function flannel(ds: Map<string, DaemonSetObject>, cfg: ConfigMapObject | undefined): Flavour | undefined {
  const name = [...ds.keys()].find((n) => n.startsWith('kube-flannel'));
  if (!name) return undefined;
  let net: string | undefined;
  let backend: string | undefined;
  try {
    const conf = JSON.parse(cfg?.data?.['net-conf.json'] ?? '{}') as { Network?: string; Backend?: { Type?: string } };
    net = conf.Network ? (normalizeCidr(conf.Network) ?? undefined) : undefined;
    backend = conf.Backend?.Type;
  } catch {
    // unreadable net-conf.json: the DaemonSet alone still names the CNI
  }
  return {
    name: 'Flannel',
    model: 'tunnel',
    cni: 'flannel',
    confidence: 0.7,
    why: `DaemonSet kube-system/${name}${backend ? `, backend ${backend}` : ''} (flannel masquerades pod egress by default)`,
    containerCidr: net ? api(net, 0.9, 'ConfigMap kube-flannel-cfg net-conf.json Network') : undefined,
    notes: [],
  };
}

function gke(cloud: string | undefined): Flavour | undefined {
  if (cloud !== 'gke') return undefined;
  return {
    name: 'GKE',
    model: 'vpc',
    cni: 'gke',
    confidence: 0.6,
    why: 'GKE node; pod ranges are routed in the VPC and SNAT follows ip-masq-agent',
    notes: [],
  };
}

function cceStandard(cloud: string | undefined, nodePodCidr: string | undefined, podIp: string | undefined): Flavour | undefined {
  if (cloud !== 'cce') return undefined;
  if (nodePodCidr && podIp && inCidr(podIp, nodePodCidr)) {
    return {
      name: 'CCE VPC network',
      model: 'vpc',
      cni: 'yangtse',
      confidence: 0.7,
      why: `node spec.podCIDR ${nodePodCidr} holds the pod IP: a per-node pod CIDR routed by the VPC route table`,
      notes: [],
    };
  }
  if (nodePodCidr && !podIp) {
    // No pod to check against (allowlist reads nodes only): the VPC network gives nodes a pod CIDR, the tunnel network does not.
    return {
      name: 'CCE VPC network',
      model: 'vpc',
      cni: 'yangtse',
      confidence: 0.6,
      why: `node spec.podCIDR ${nodePodCidr}: a per-node pod CIDR routed by the VPC route table (the tunnel network sets none)`,
      notes: [],
    };
  }
  return {
    name: 'CCE container tunnel network',
    model: 'tunnel',
    cni: 'canal',
    confidence: 0.6,
    why: nodePodCidr ? `pod IP outside node spec.podCIDR ${nodePodCidr}` : 'CCE node without spec.podCIDR (the tunnel network allocates pod IPs in blocks)',
    notes: [],
  };
}

function detectCloud(
  node: NodeObject | undefined,
  ds: Map<string, DaemonSetObject>,
  podAnn: Record<string, string>,
): { value: string; confidence: number; note: string } | undefined {
  const labels = node?.metadata?.labels ?? {};
  const provider = node?.spec?.providerID ?? '';
  const kubelet = node?.status?.nodeInfo?.kubeletVersion ?? '';
  const label = (k: string) => (k in labels ? `node label ${k}` : undefined);
  const cce =
    label('cce.cloud.com/cce-nodepool') ??
    label('node.kubernetes.io/subnetid') ??
    (/-CCE/.test(kubelet) ? `kubelet ${kubelet}` : undefined) ??
    (Object.keys(podAnn).some((k) => k.includes('yangtse.io/')) ? 'pod annotation yangtse.io/*' : undefined);
  if (cce) return { value: 'cce', confidence: 0.9, note: cce };
  const eks = label('eks.amazonaws.com/nodegroup') ?? (provider.startsWith('aws://') ? `node providerID ${provider}` : undefined) ?? (ds.has('aws-node') ? 'DaemonSet aws-node' : undefined);
  if (eks) return { value: 'eks', confidence: 0.85, note: eks };
  const gke = label('cloud.google.com/gke-nodepool') ?? (provider.startsWith('gce://') ? `node providerID ${provider}` : undefined);
  if (gke) return { value: 'gke', confidence: 0.9, note: gke };
  const aks = label('kubernetes.azure.com/agentpool') ?? (provider.startsWith('azure://') ? `node providerID ${provider}` : undefined);
  if (aks) return { value: 'aks', confidence: 0.9, note: aks };
  return undefined;
}

/**
 * kube-proxy's clusterCIDR: kubeadm/GKE ConfigMap kube-proxy data["config.conf"], EKS kube-proxy-config data["config"].
 * Dual-stack clusters list one per family ("10.244.0.0/16,fd00:10:244::/56"): all of them, primary first.
 */
function kubeProxyClusterCidr(a: ConfigMapObject | undefined, b: ConfigMapObject | undefined): Fact<string[]> | undefined {
  for (const [cm, key] of [
    [a, 'config.conf'],
    [b, 'config'],
  ] as const) {
    const text = cm?.data?.[key];
    const m = text?.match(/^\s*"?clusterCIDR"?\s*:\s*"?([0-9a-fA-F.:/,]+)"?/m);
    const cidrs = onePerFamily((m?.[1]?.split(',') ?? []).map((c) => normalizeCidr(c) ?? undefined));
    if (cidrs.length) return api(cidrs, 0.8, `ConfigMap kube-system/${cm?.metadata?.name} ${key} clusterCIDR`);
  }
  return undefined;
}

function ipMasqAgent(cm: ConfigMapObject | undefined, ds: DaemonSetObject | undefined): Fact<string[]> | undefined {
  const text = cm?.data?.config ?? cm?.data?.['ip-masq-agent'];
  if (text) {
    const list = nonMasqueradeList(text);
    if (list) return api(list, 0.9, `ConfigMap kube-system/ip-masq-agent nonMasqueradeCIDRs`);
  }
  if (ds) {
    return api([...RFC1918], 0.6, 'DaemonSet ip-masq-agent without a readable ConfigMap: its default RFC 1918 list');
  }
  return undefined;
}

/** nonMasqueradeCIDRs from the agent's YAML or JSON config. */
function nonMasqueradeList(text: string): string[] | undefined {
  try {
    const j = JSON.parse(text) as { nonMasqueradeCIDRs?: string[] };
    if (Array.isArray(j.nonMasqueradeCIDRs)) return cidrList(j.nonMasqueradeCIDRs);
  } catch {
    // YAML, below
  }
  const lines = text.split('\n');
  const i = lines.findIndex((l) => /^\s*nonMasqueradeCIDRs\s*:/.test(l));
  if (i < 0) return undefined;
  const inline = lines[i]?.split(':').slice(1).join(':').trim() ?? '';
  if (inline.startsWith('[')) return cidrList(inline.replace(/[[\]"']/g, '').split(','));
  const out: string[] = [];
  for (const l of lines.slice(i + 1)) {
    const m = l.match(/^\s*-\s*"?([^"\s#]+)"?/);
    if (!m) break;
    out.push(m[1] as string);
  }
  return cidrList(out);
}

/** Subnet of the first interface in CCE's cni.yangtse.io/network-status annotation (a JSON list). */
function networkStatusSubnet(text: string): string | undefined {
  try {
    const list = JSON.parse(text) as { ipv4Info?: { subnet?: string } }[];
    const s = Array.isArray(list) ? list.find((e) => e.ipv4Info?.subnet)?.ipv4Info?.subnet : undefined;
    return s ? (normalizeCidr(s) ?? undefined) : undefined;
  } catch {
    return undefined;
  }
}

/** args.cidr of a CCE Turbo eni-neutron NetworkAttachmentDefinition: a container subnet. */
function eniCidr(n: NadObject): string | undefined {
  const c = cniConfig(n);
  return c?.type === 'eni-neutron' ? stringArg(c.args, 'cidr') : undefined;
}

/** Every container subnet the cluster's eni-neutron NetworkAttachmentDefinitions name (CCE Turbo). */
export function eniSubnets(nads: readonly NadObject[]): { cidr: string; note: string }[] {
  return nads.flatMap((n) => {
    const cidr = normalizeCidr(eniCidr(n) ?? '');
    return cidr ? [{ cidr, note: `NetworkAttachmentDefinition ${n.metadata?.namespace}/${n.metadata?.name} args.cidr` }] : [];
  });
}

function cniConfig(n: NadObject): { type?: string; args?: unknown } | undefined {
  try {
    return JSON.parse(n.spec?.config ?? '') as { type?: string; args?: unknown };
  } catch {
    return undefined;
  }
}

function stringArg(args: unknown, key: string): string | undefined {
  const v = args && typeof args === 'object' ? (args as Record<string, unknown>)[key] : undefined;
  return typeof v === 'string' ? v : undefined;
}

/** An EKS IPv6 cluster: aws-node runs with ENABLE_IPv6=true, pods hold IPv6 addresses only. */
export function eksIpv6(r: Pick<ClusterReads, 'daemonSets'>): boolean {
  const node = value(r.daemonSets)?.find((d) => d.metadata?.name === 'aws-node');
  return node !== undefined && containerEnv(node, 'aws-node').ENABLE_IPv6 === 'true';
}

function containerEnv(d: DaemonSetObject, name: string): Record<string, string> {
  const c = d.spec?.template?.spec?.containers?.find((x) => x.name === name) ?? d.spec?.template?.spec?.containers?.[0];
  return Object.fromEntries((c?.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value as string]));
}

function cidrList(items: string[]): string[] {
  return items.map((s) => normalizeCidr(s.trim())).filter((s): s is string => !!s);
}

function value<T>(o: Outcome<T> | undefined): T | undefined {
  return o?.ok ? o.value : undefined;
}

function api<T>(v: T, confidence: number, note: string): Fact<T> {
  return { value: v, source: 'api', confidence, note };
}

/** Keeps the more confident of two facts for the same field. */
function put<K extends keyof PodContext>(facts: PodContext, key: K, fact: NonNullable<PodContext[K]>): void {
  const old = facts[key];
  if (!old || old.confidence < fact.confidence) facts[key] = fact;
}

/** The policies that restrict egress: policyTypes has Egress, or (without policyTypes) egress rules exist. */
function egressPolicies(list: NetworkPolicyObject[]): EgressPolicy[] {
  return list
    .filter((p) => (p.spec?.policyTypes ? p.spec.policyTypes.includes('Egress') : (p.spec?.egress ?? []).length > 0))
    .map((p) => ({ name: p.metadata?.name ?? '?', podSelector: p.spec?.podSelector ?? {}, egress: p.spec?.egress ?? [] }));
}
