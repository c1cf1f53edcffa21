import type { ProbeReport } from '../probe/types.ts';
import { type ContextFlags, envFacts, flagFacts } from './flags.ts';
import { heuristicFacts } from './heuristics.ts';
import { type LocalFacts, localFacts } from './local.ts';
import { nodeReportFacts } from './measure.ts';
import { mergeFacts } from './merge.ts';
import { FLAG_HINTS } from './hints.ts';
import { debugProfileNote, readGroupRange } from './debug-profile.ts';
import type { ContextReport, MissingFact, PodContext } from './types.ts';

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

/** Builds the context from every source, strongest first. Synchronous and cheap: a few file reads. */
export function gatherContext(input: ContextInput): ContextReport {
  const local = input.local ?? localFacts();
  const { env, downward } = envFacts(input.env);
  const stated = mergeFacts(flagFacts(input.flags), env, downward, input.api ?? {}, local.facts);
  const withNode = mergeFacts(stated, nodeReportFacts(stated, input.nodeReport));
  const facts = mergeFacts(withNode, heuristicFacts(withNode, local));

  const missing: MissingFact[] = (input.apiMissing ?? []).filter((m) => !facts[m.fact]);
  for (const [fact, flag] of FLAG_HINTS) {
    if (!facts[fact] && !missing.some((m) => m.fact === fact)) missing.push({ fact, hint: `pass ${flag}` });
  }
  const notes = [...(input.apiNotes ?? [])];
  const profileNote = debugProfileNote(input.env, process.getgid?.(), input.env.PODREACH_DEBUG_PROFILE ? readGroupRange() : undefined);
  if (profileNote) notes.push(profileNote);
  const flagModel = facts.networkModel?.source === 'flag' ? facts.networkModel.value : undefined;
  const evidenceModel = heuristicFacts({ ...facts, networkModel: undefined }, local).networkModel;
  if (flagModel && evidenceModel && evidenceModel.value !== flagModel && evidenceModel.confidence >= 0.7) {
    notes.push(`--network-model ${flagModel}, but ${evidenceModel.note} suggests ${evidenceModel.value}`);
  }
  return { facts, missing, notes };
}

export { localFacts } from './local.ts';
export type { ContextFlags } from './flags.ts';
