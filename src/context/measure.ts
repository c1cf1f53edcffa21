import { firstMatch, inCidr } from '../net/ip.ts';
import type { ProbeReport } from '../probe/types.ts';
import type { Fact, PodContext } from './types.ts';

/** Facts a node report supplies when nothing stronger did: the node's own address. */
export function nodeReportFacts(known: PodContext, node: ProbeReport | undefined): PodContext {
  if (!node || known.nodeIp) return {};
  const vpc = known.vpcCidrs?.value ?? [];
  const cc = known.containerCidr?.value;
  const candidates = node.from.addresses.filter((a) => !a.includes(':'));
  const pick =
    firstMatchAny(candidates, vpc) ??
    candidates.find((a) => !(cc && inCidr(a, cc)) && a !== known.gateway?.value);
  if (!pick) return {};
  const fact: Fact<string> = {
    value: pick,
    source: 'node-report',
    confidence: vpc.length ? 0.85 : 0.6,
    note: `address of ${node.from.hostname} in the node report`,
  };
  return { nodeIp: fact };
}

function firstMatchAny(addrs: string[], cidrs: string[]): string | undefined {
  return cidrs.length ? addrs.find((a) => firstMatch(a, cidrs)) : undefined;
}
