// The diagnosis from outside: render/ and cli/ import this module and the types in types.ts, nothing else
// under src/diagnose (test/unit/diagnose/boundary.test.ts holds them to it). What they show, the engine computed.
import { viewFor } from '../context/family.ts';
import type { Fact, PodContext } from '../context/types.ts';
import type { ProbeReport, Target } from '../probe/types.ts';
import { CAUSES, FALLBACK } from './causes/index.ts';
import { cidrFacts } from './cidr.ts';
import { diagnose } from './engine.ts';
import { measuredSnat, sourceSeen } from './signals.ts';
import type { CauseCheck, CauseId, CidrFacts, Diagnosis, Observation, SourceSeen } from './types.ts';
import { nodeVantage, observation, unusable } from './vantage.ts';

export { peerObservation } from './vantage.ts';

export { CAUSE_IDS, CAUSE_TITLES, CAUSES } from './causes/index.ts';
export { diagnose } from './engine.ts';
// The same rule for a group of nodes (allowlist, fleet): the source each destination sees, and where it goes.
export { allowRules, DESTINATION_CLASSES, destinationFamilies, groupSource, ipClass, usesNodePodCidrs } from './sources.ts';
export type { AllowRule, ClusterNet, Destination, DestinationClass, GroupSource } from './sources.ts';

/** This pod's report and its node's (when there is one), keyed by vantage point: the node by its name when known. */
export function podAndNode(pod: ProbeReport, node: ProbeReport | undefined, nodeName: string | undefined): Observation[] {
  return [observation('pod', pod), ...(node ? [observation(nodeVantage(nodeName), node)] : [])];
}

/** What was observed for one target: the context and the probe reports by vantage point (the pod's always). */
export interface Observed {
  /** The target, with the address the pod's probe resolved. */
  target: Target;
  context: PodContext;
  observations: readonly Observation[];
}

/** The engine's answer for one target: the verdict, where the addresses sit, and SNAT if the probes measured it. */
export interface Judgement<Id extends string = CauseId> {
  diagnosis: Diagnosis<Id>;
  cidr: CidrFacts;
  /** The pod-vs-node comparison showed the peer tells pod and node apart (no SNAT): a context fact. */
  snat?: Fact<boolean>;
}

/** Observations in, the verdict and its shared facts out; pure. */
export function judge(o: Observed): Judgement;
export function judge<Id extends string>(o: Observed, causes: readonly CauseCheck<Id>[]): Judgement<Id | typeof FALLBACK.id>;
export function judge(o: Observed, causes: readonly CauseCheck[] = CAUSES): Judgement<string> {
  const why = unusable(o.observations);
  if (why) throw new Error(`judge: ${why}`);
  // The causes see the context in the target's family: a dual-stack pod's IPv6 address towards an IPv6 peer.
  const context = viewFor(o.context, o.target.ip);
  const cidr = cidrFacts(o.target.ip, context);
  const evidence = { ...o, context, cidr };
  const snat = measuredSnat(evidence);
  return { diagnosis: diagnose(evidence, causes), cidr, ...(snat ? { snat } : {}) };
}

/**
 * The verdict from the pod's own probes and what was known before probing: final for a reachable target (no
 * other vantage point can change it), a first answer for the others while the node and the API are awaited.
 */
export function podOnly(target: Target & { ip?: string }, pod: ProbeReport, context: PodContext): Diagnosis {
  return judge({ target: { ...target, ip: pod.target.ip ?? target.ip }, context, observations: podAndNode(pod, undefined, undefined) }).diagnosis;
}

/**
 * Before any probe has answered: where the target sits and which source the model says the peer will see
 * (no node comparison, no address named by the service yet). The live view draws its map from this.
 */
export function predict(target: Target & { ip: string }, context: PodContext): { cidr: CidrFacts; sourceSeen: SourceSeen } {
  const view = viewFor(context, target.ip);
  return { cidr: cidrFacts(target.ip, view), sourceSeen: sourceSeen({ target, context: view }, view.networkModel?.value, 'no-node-report') };
}

// podreach fleet: the cross-group diagnosis (fleet.ts) over the source each node group shows (sources.ts).
export { diagnoseFleet, outcomeOf } from './fleet.ts';
export type { FleetCause, FleetDiagnosis, FleetVantage, GroupObserved, GroupOutcome, TargetVerdict } from './fleet.ts';
