// The diagnosis's types: what render/ and cli/ may import from src/diagnose besides the entry point (index.ts).
import type { PodContext } from '../context/types.ts';
import type { PeerReport } from '../probe/peer/types.ts';
import type { ProbeReport, Target } from '../probe/types.ts';
import type { CAUSES } from './causes/index.ts';
import type { CidrFacts } from './cidr.ts';

export type { CidrFacts, DockerRange, TargetZone } from './cidr.ts';

/** Cause ids: part of the JSON contract. One per module in causes/, derived from the list there. */
export type CauseId = (typeof CAUSES)[number]['id'];

/**
 * Where a probe report was made: this pod; a node, by its name when known (`node:<name>`); later the peer.
 * The JSON report names it in each probe report's `from.vantage`.
 */
export type Vantage = 'pod' | 'node' | `node:${string}` | 'peer' | `peer:${string}`;

/** One probe report and the vantage point it was made from; or, from the target host, what `podreach peer` read there. */
export type Observation = { vantage: Vantage; report: ProbeReport; peer?: undefined } | { vantage: 'peer' | `peer:${string}`; peer: PeerReport; report?: undefined };

/**
 * Everything the diagnosis reads. Built at the edges; the diagnosis itself has no side effects.
 * `observations` holds one report per vantage point, the pod's always; causes read it through vantage.ts
 * (podSide, nodeSide), never by position, so a new vantage point changes no cause.
 */
export interface Evidence {
  target: Target;
  context: PodContext;
  observations: readonly Observation[];
  cidr: CidrFacts;
}

/** What one cause module concludes about the evidence (the cause is the module's id). */
export interface Finding {
  confidence: number;
  summary: string;
  evidence: string[];
  fix: string[];
  /** One command on the peer that would settle an ambiguity. */
  settle?: string;
}

/** One module per cause: its id, its name in plain words, what it needs, and how it judges. */
export interface CauseCheck<Id extends string = string> {
  id: Id;
  /** The cause in plain words, for the verdict line ("Security group blocks the source"). */
  title: string;
  /** Evidence fields it reads (documentation and the TUI's "why"). */
  needs: readonly string[];
  evaluate(ev: Evidence): Finding | null;
}

/** Which source address the peer sees for this pod's traffic, and which CIDR it must therefore allow. */
export interface SourceSeen {
  kind: 'pod' | 'node' | 'unknown';
  ip?: string;
  /** CIDR to put in the SG / whitelist / peer route table. */
  allow?: string;
  /** What that CIDR is, in the guide's words. */
  allowWhat: string;
  confidence: number;
  why: string;
}

/** The pod's probe against the node's: which side failed. */
export type Differential = 'no-node-report' | 'same' | 'pod-only-fails' | 'node-only-fails' | 'both-fail';

export interface Diagnosis<Id extends string = CauseId> {
  cause: Id;
  /** The cause in plain words (the cause module's title). */
  title: string;
  reachable: boolean;
  confidence: number;
  summary: string;
  evidence: string[];
  fix: string[];
  settle?: string;
  /** The runner-up is too close to tell apart from here: both are ranked. */
  ambiguous: boolean;
  /** The source address the peer sees, and the CIDR it must allow. */
  sourceSeen: SourceSeen;
  /** The pod's result against the node's. */
  comparison: Differential;
  alternatives: { cause: Id; confidence: number; summary: string; fix: string[] }[];
}
