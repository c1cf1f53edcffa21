import type { ProbeReport } from '../probe/types.ts';
import { type ContextFlags, envFacts, flagFacts } from './flags.ts';
import { heuristicFacts } from './heuristics.ts';
import { type LocalFacts, localFacts } from './local.ts';
import { nodeReportFacts } from './measure.ts';
import { mergeFacts } from './merge.ts';
import type { ContextReport, FactName, MissingFact, PodContext } from './types.ts';

export interface ContextInput {
  flags: ContextFlags;
  env: NodeJS.ProcessEnv;
  /** Facts from the Kubernetes API, when it was reachable. */
  api?: PodContext;
  apiNotes?: string[];
  apiMissing?: MissingFact[];
  nodeReport?: ProbeReport;
  /** For tests: what the namespace would say about itself. */
  local?: LocalFacts;
}

const HINTS: Partial<Record<FactName, string>> = {
  nodeIp: '--node-ip, or env NODE_IP from the downward API (fieldRef: status.hostIP), or a --node-report',
  networkModel: '--network-model tunnel|vpc|eni (CCE console: cluster > Networking)',
  containerCidr: '--container-cidr (the cluster\'s container CIDR)',
  vpcCidrs: '--vpc-cidr (the CIDR of the node\'s VPC; repeatable)',
  serviceCidr: '--service-cidr',
};

/** Builds the context from every source, strongest first. Synchronous and cheap: a few file reads. */
export function gatherContext(input: ContextInput): ContextReport {
  const local = input.local ?? localFacts();
  const { env, downward } = envFacts(input.env);
  const stated = mergeFacts(flagFacts(input.flags), env, downward, input.api ?? {}, local.facts);
  const withNode = mergeFacts(stated, nodeReportFacts(stated, input.nodeReport));
  const facts = mergeFacts(withNode, heuristicFacts(withNode, local));

  const missing: MissingFact[] = (input.apiMissing ?? []).filter((m) => !facts[m.fact]);
  for (const [fact, hint] of Object.entries(HINTS) as [FactName, string][]) {
    if (!facts[fact] && !missing.some((m) => m.fact === fact)) missing.push({ fact, hint });
  }
  const notes = [...(input.apiNotes ?? [])];
  const flagModel = facts.networkModel?.source === 'flag' ? facts.networkModel.value : undefined;
  const evidenceModel = heuristicFacts({ ...facts, networkModel: undefined }, local).networkModel;
  if (flagModel && evidenceModel && evidenceModel.value !== flagModel && evidenceModel.confidence >= 0.7) {
    notes.push(`--network-model ${flagModel}, but ${evidenceModel.note} suggests ${evidenceModel.value}`);
  }
  return { facts, missing, notes };
}

export { localFacts } from './local.ts';
export type { ContextFlags } from './flags.ts';
