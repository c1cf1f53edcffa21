import type { AnyProbeKind } from '../kind.ts';
import { app } from './app.ts';
import { dns } from './dns.ts';
import { gateway } from './gateway.ts';
import { icmp } from './icmp.ts';
import { otherFamily } from './other-family.ts';
import { pmtu } from './pmtu.ts';
import { tcp } from './tcp.ts';

/**
 * Every probe podreach sends, the single list, in the order views show them: a new probe is a new file,
 * listed here. The run schedules them by their `after`; views read their results through them.
 */
export const PROBES: readonly AnyProbeKind[] = [dns, icmp, pmtu, tcp, app, otherFamily, gateway];
