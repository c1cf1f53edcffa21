// For each fact the API did not give: the flag that supplies it, and the RBAC rule that would let podreach read it.
import { FLAG_HINTS } from '../context/hints.ts';
import type { FactName, MissingFact, PodContext } from '../context/types.ts';
import type { KubeAccess } from './index.ts';

/** Where the API keeps each fact, and the rule that reads it (manifests/rbac.yaml). */
const RBAC: Partial<Record<FactName, string>> = {
  nodeIp: "get pods in the pod's namespace (status.hostIP)",
  networkModel: 'get pods + get nodes (ClusterRole), list daemonsets and networkattachmentdefinitions in kube-system',
  containerCidr: 'get configmaps kube-proxy / cilium-config / kube-flannel-cfg, list ippools',
  serviceCidr: 'get services "kubernetes" in default',
};

/** `refused`: some read was answered 401/403, so the hint asks for the grant. */
export function missingHints(facts: PodContext, access: KubeAccess, refused = false): MissingFact[] {
  const out: MissingFact[] = [];
  for (const [fact, flag] of FLAG_HINTS) {
    if (facts[fact]) continue;
    const rbac = RBAC[fact];
    const parts = [`pass ${flag}`];
    if (rbac) parts.push(refused || access === 'forbidden' ? `or grant ${rbac}` : `or let podreach read it (${rbac})`);
    if (access === 'no-credentials') parts.push('(no API credentials: --kubeconfig, or the service account of manifests/rbac.yaml)');
    if (access === 'unreachable') parts.push('(API unreachable)');
    out.push({ fact, hint: parts.join(' ') });
  }
  return out;
}
