import type { CauseCheck } from '../types.ts';
import { dns } from './dns.ts';
import { dockerBridge } from './docker-bridge.ts';
import { hostUnreachable } from './host-unreachable.ts';
import { mtu } from './mtu.ts';
import { networkPolicy } from './network-policy.ts';
import { portClosed } from './port-closed.ts';
import { reachable } from './reachable.ts';
import { route } from './route.ts';
import { securityGroup } from './security-group.ts';
import { unknown } from './unknown.ts';
import { whitelist } from './whitelist.ts';

/** Every cause podreach knows. A new cause is a new file, listed here. */
export const CAUSES: readonly CauseCheck[] = [
  reachable,
  dns,
  portClosed,
  route,
  hostUnreachable,
  securityGroup,
  whitelist,
  dockerBridge,
  mtu,
  networkPolicy,
  unknown,
];
