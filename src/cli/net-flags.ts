// fleet's and allowlist's context flags over the cluster view the API gave: flags win.
import type { flagFacts } from '../context/flags.ts';
import type { Fact } from '../context/types.ts';
import type { ClusterNet } from '../diagnose/index.ts';
import { familyOf } from '../net/ip.ts';

/**
 * Flags beat what the API suggested: --network-model, --container-cidr (one per family; the container
 * subnets in the ENI model) and --vpc-cidr. A CIDR of each family names the pods' families too.
 */
export function withFlags(api: ClusterNet, flags: ReturnType<typeof flagFacts>): ClusterNet {
  const net: ClusterNet = { ...api };
  if (flags.networkModel) {
    net.model = flags.networkModel;
    delete net.modelByFamily;
  }
  const cc = flags.containerCidrs;
  if (cc && net.model?.value === 'eni') net.eniSubnets = cc;
  else if (cc) {
    net.containerCidr = flags.containerCidr as Fact<string>;
    // One family given: the API's CIDR of the other family stays.
    const other = net.containerCidrs?.value.filter((c) => !cc.value.some((x) => familyOf(x) === familyOf(c))) ?? [];
    net.containerCidrs = { ...cc, value: [...cc.value, ...other] };
  }
  const fams = cc ? [...new Set(cc.value.map(familyOf))].filter((f) => f !== undefined) : [];
  if (cc && (fams.length > 1 || fams[0] === 'IPv6')) net.families = { ...cc, value: fams };
  if (flags.vpcCidrs) net.vpcCidrs = flags.vpcCidrs;
  return net;
}
