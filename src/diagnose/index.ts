// The diagnosis from outside: render/ and cli/ import this module and the types in types.ts, nothing else
// under src/diagnose (test/unit/diagnose/boundary.test.ts holds them to it). What they show, the engine computed.
import type { Fact, PodContext } from '../context/types.ts';
import type { ProbeReport, Target } from '../probe/types.ts';
import { CAUSES, FALLBACK } from './causes/index.ts';
import { cidrFacts } from './cidr.ts';
import { diagnose } from './engine.ts';
import { measuredSnat, sourceSeen } from './signals.ts';
import type { CauseCheck, CauseId, CidrFacts, Diagnosis, SourceSeen } from './types.ts';

export { CAUSE_IDS, CAUSE_TITLES, CAUSES } from './causes/index.ts';
export { diagnose } from './engine.ts';

/** What was observed for one target: the context and the probes from the pod (and the node). */
export interface Observations {
  /** The target, with the address the pod's probe resolved. */
  target: Target;
  context: PodContext;
  pod: ProbeReport;
  node?: ProbeReport;
}

/** The engine's answer for one target: the verdict, where the addresses sit, and SNAT if the probes measured it. */
export interface Judgement<Id extends string = CauseId> {
  diagnosis: Diagnosis<Id>;
  cidr: CidrFacts;
  /** The pod-vs-node comparison showed the peer tells pod and node apart (no SNAT): a context fact. */
  snat?: Fact<boolean>;
}

/** Observations in, the verdict and its shared facts out; pure. */
export function judge(o: Observations): Judgement;
export function judge<Id extends string>(o: Observations, causes: readonly CauseCheck<Id>[]): Judgement<Id | typeof FALLBACK.id>;
export function judge(o: Observations, causes: readonly CauseCheck[] = CAUSES): Judgement<string> {
  const cidr = cidrFacts(o.target.ip, o.context);
  const evidence = { ...o, cidr };
  const snat = measuredSnat(evidence);
  return { diagnosis: diagnose(evidence, causes), cidr, ...(snat ? { snat } : {}) };
}

/**
 * Before any probe has answered: where the target sits and which source the model says the peer will see
 * (no node comparison, no address named by the service yet). The live view draws its map from this.
 */
export function predict(target: Target & { ip: string }, context: PodContext): { cidr: CidrFacts; sourceSeen: SourceSeen } {
  return { cidr: cidrFacts(target.ip, context), sourceSeen: sourceSeen({ target, context }, context.networkModel?.value, 'no-node-report') };
}
