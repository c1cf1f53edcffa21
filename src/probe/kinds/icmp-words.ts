// How an echo's result reads: shared by the target's ping and the gateway's.
import { fmtMs } from '../../net/format.ts';
import type { RowOutcome, Tone } from '../kind.ts';
import type { IcmpResult } from '../types.ts';

/** `quiet`: the tone of a silent ping — worth a look at a target, nothing at a gateway. */
export function icmpRow(r: IcmpResult, quiet: Tone): RowOutcome {
  switch (r.status) {
    case 'reply':
      return { outcome: 'reply', detail: `${r.received}/${r.sent}${r.rttMs !== undefined ? `, rtt ${fmtMs(r.rttMs)}` : ''}`, tone: 'good' };
    case 'no-reply':
      // Many hosts never answer ping: a silent ping is worth a look, not the verdict.
      return { outcome: 'timeout', detail: `0/${r.sent} replies`, tone: quiet };
    case 'unreachable':
      return { outcome: 'unreachable', detail: r.detail, tone: 'bad' };
    case 'not-run':
      return { outcome: 'not run', detail: r.detail, tone: 'warn' };
    default:
      // Not sent, or no longer waited for once TCP had answered.
      return { outcome: r.detail?.startsWith('not waited') ? 'not waited' : 'skipped', detail: r.detail?.replace(/^not waited for: /, ''), tone: 'dim' };
  }
}

export const icmpText = (r: IcmpResult): string =>
  `${r.status}${r.sent ? ` ${r.received}/${r.sent}` : ''}${r.rttMs !== undefined ? ` rtt ${fmtMs(r.rttMs)}` : ''} ${fmtMs(r.ms)}`;
