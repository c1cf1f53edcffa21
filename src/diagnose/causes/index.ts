import type { CauseId } from '../types.ts';
import { dns } from './dns.ts';
import { dockerBridge } from './docker-bridge.ts';
import { hostFirewall } from './host-firewall.ts';
import { hostUnreachable } from './host-unreachable.ts';
import { mtu } from './mtu.ts';
import { networkPolicy } from './network-policy.ts';
import { portClosed } from './port-closed.ts';
import { reachable } from './reachable.ts';
import { route } from './route.ts';
import { securityGroup } from './security-group.ts';
import { unknown } from './unknown.ts';
import { whitelist } from './whitelist.ts';

/**
 * Every cause podreach knows, the single list: a new cause is a new file, listed here. CauseId, CAUSE_IDS and
 * the titles derive from it; the JSON schema's cause enum is checked against it (test/unit/schema.test.ts).
 */
export const CAUSES = [
  reachable,
  dns,
  portClosed,
  route,
  hostUnreachable,
  securityGroup,
  whitelist,
  dockerBridge,
  hostFirewall,
  mtu,
  networkPolicy,
  unknown,
] as const;

export const CAUSE_IDS: readonly CauseId[] = CAUSES.map((c) => c.id);

/** Plain words for each cause, shared by the text and the TUI renderers. */
export const CAUSE_TITLES = Object.fromEntries(CAUSES.map((c) => [c.id, c.title])) as Record<CauseId, string>;

/** What the engine names when no cause speaks: the unknown module's words. */
export const FALLBACK = unknown;
