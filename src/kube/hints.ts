// For each fact the API did not give: the flag that supplies it, and the RBAC rule that would let podreach read it.
import type { FactName, MissingFact, PodContext } from '../context/types.ts';
import type { KubeAccess } from './index.ts';

interface Source {
  flag: string;
  /** Where the API keeps it, and the rule that reads it (manifests/rbac.yaml). */
  rbac?: string;
}

const SOURCES: Partial<Record<FactName, Source>> = {
  podIp: { flag: '--pod-ip', rbac: 'get pods in the pod\'s namespace' },
  nodeIp: { flag: '--node-ip', rbac: 'get pods in the pod\'s namespace (status.hostIP)' },
  nodeName: { flag: '--pod NAME (podreach reads spec.nodeName)', rbac: 'get pods in the pod\'s namespace' },
  networkModel: {
    flag: '--network-model tunnel|vpc|eni',
    rbac: 'get pods + get nodes (ClusterRole), list daemonsets and networkattachmentdefinitions in kube-system',
  },
  containerCidr: { flag: '--container-cidr', rbac: 'get configmaps kube-proxy / cilium-config / kube-flannel-cfg, list ippools' },
  vpcCidrs: { flag: '--vpc-cidr (the Kubernetes API does not publish the VPC CIDR)' },
  serviceCidr: { flag: '--service-cidr', rbac: 'get services "kubernetes" in default' },
};

/** Facts that matter for the verdict, in the order a user should supply them. */
// (The node's own pod CIDR is informative only: no verdict needs it, so it is not asked for.)
const WANTED: FactName[] = ['networkModel', 'nodeIp', 'containerCidr', 'vpcCidrs', 'serviceCidr'];

/** `refused`: some read was answered 401/403, so the hint asks for the grant. */
export function missingHints(facts: PodContext, access: KubeAccess, refused = false): MissingFact[] {
  const out: MissingFact[] = [];
  for (const fact of WANTED) {
    if (facts[fact]) continue;
    const src = SOURCES[fact];
    if (!src) continue;
    const parts = [`pass ${src.flag}`];
    if (src.rbac) parts.push(refused || access === 'forbidden' ? `or grant ${src.rbac}` : `or let podreach read it (${src.rbac})`);
    if (access === 'no-credentials') parts.push('(no API credentials: --kubeconfig, or the service account of manifests/rbac.yaml)');
    if (access === 'unreachable') parts.push('(API unreachable)');
    out.push({ fact, hint: parts.join(' ') });
  }
  return out;
}
