import { type Family, familyOf, firstMatch, inCidr } from '../net/ip.ts';
import type { ProbeReport } from '../probe/types.ts';
import { primaryFamily } from './family.ts';
import type { Fact, PodContext } from './types.ts';

/** Facts a node report supplies when nothing stronger did: the node's own address, one per family. */
export function nodeReportFacts(known: PodContext, node: ProbeReport | undefined): PodContext {
  if (!node || known.nodeIp) return {};
  const vpc = known.vpcCidrs?.value ?? [];
  const ccs = known.containerCidrs?.value ?? (known.containerCidr ? [known.containerCidr.value] : []);
  const gateways = [known.gateway?.value, known.gateway6?.value];
  const pickIn = (family: Family): string | undefined => {
    const candidates = node.from.addresses.filter((a) => familyOf(a) === family);
    return firstMatchAny(candidates, vpc) ?? candidates.find((a) => !ccs.some((c) => inCidr(a, c)) && !gateways.includes(a));
  };
  const primary = primaryFamily(known) ?? 'IPv4';
  const picks = [pickIn(primary), pickIn(primary === 'IPv4' ? 'IPv6' : 'IPv4')].filter((a) => a !== undefined);
  if (!picks.length) return {};
  const fact = <T>(value: T): Fact<T> => ({
    value,
    source: 'node-report',
    confidence: vpc.length ? 0.85 : 0.6,
    note: `address of ${node.from.hostname} in the node report`,
  });
  return { nodeIp: fact(picks[0]!), ...(picks.length > 1 ? { nodeIps: fact(picks) } : {}) };
}

function firstMatchAny(addrs: string[], cidrs: string[]): string | undefined {
  return cidrs.length ? addrs.find((a) => firstMatch(a, cidrs)) : undefined;
}
