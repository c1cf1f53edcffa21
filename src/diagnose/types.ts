import type { PodContext } from '../context/types.ts';
import type { ProbeReport, Target } from '../probe/types.ts';
import type { CidrFacts } from './cidr.ts';

/** Cause ids: part of the JSON contract. */
export type CauseId =
  | 'reachable'
  | 'security-group'
  | 'whitelist'
  | 'route'
  | 'docker-bridge-conflict'
  | 'port-closed'
  | 'host-unreachable'
  | 'dns'
  | 'mtu'
  | 'network-policy'
  | 'unknown';

export const CAUSE_IDS: readonly CauseId[] = [
  'reachable',
  'security-group',
  'whitelist',
  'route',
  'docker-bridge-conflict',
  'port-closed',
  'host-unreachable',
  'dns',
  'mtu',
  'network-policy',
  'unknown',
];

/** Everything the diagnosis reads. Built at the edges; the diagnosis itself has no side effects. */
export interface Evidence {
  target: Target;
  context: PodContext;
  pod: ProbeReport;
  node?: ProbeReport;
  cidr: CidrFacts;
}

/** What one cause module concludes about the evidence. */
export interface Finding {
  cause: CauseId;
  confidence: number;
  summary: string;
  evidence: string[];
  fix: string[];
  /** One command on the peer that would settle an ambiguity. */
  settle?: string;
}

/** One module per cause: what it needs, and how it judges. */
export interface CauseCheck {
  id: CauseId;
  /** Evidence fields it reads (documentation and the TUI's "why"). */
  needs: readonly string[];
  evaluate(ev: Evidence): Finding | null;
}

export interface Diagnosis {
  cause: CauseId;
  reachable: boolean;
  confidence: number;
  summary: string;
  evidence: string[];
  fix: string[];
  settle?: string;
  alternatives: { cause: CauseId; confidence: number; summary: string; fix: string[] }[];
}
