import { fmtMs, hostPort } from '../../net/format.ts';
// Probe rows for the live view: built from events while probing, from the report once it is there.
import type { AppResult, DnsResult, IcmpResult, PmtuResult, ProbeEvent, ProbeName, ProbeReport, TcpResult } from '../../probe/types.ts';

/** What a colour means here; the palette decides whether it is painted at all. */
export type Tone = 'good' | 'bad' | 'warn' | 'dim';

export interface ProbeRow {
  side: 'pod' | 'node';
  probe: ProbeName;
  /** "ping", "tcp/80", "dns", "gateway". */
  label: string;
  /** What was probed: a name, an IP, IP:port. */
  dest: string;
  running: boolean;
  /** reply / open / refused / timeout / unreachable / ok / nxdomain ... */
  outcome?: string;
  detail?: string;
  tone?: Tone;
  ms?: number;
}

const ORDER: readonly ProbeName[] = ['dns', 'icmp', 'pmtu', 'tcp', 'app', 'gateway'];

/** s cut to n characters, an ellipsis marking the cut. */
export const clip = (s: string, n: number): string => (s.length <= n ? s : `${s.slice(0, Math.max(0, n - 1))}…`);

function icmpOutcome(r: IcmpResult, quiet: Tone): Pick<ProbeRow, 'outcome' | 'detail' | 'tone'> {
  switch (r.status) {
    case 'reply':
      return {
        outcome: 'reply',
        detail: `${r.received}/${r.sent}${r.rttMs !== undefined ? `, rtt ${fmtMs(r.rttMs)}` : ''}`,
        tone: 'good',
      };
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

function tcpOutcome(r: TcpResult): Pick<ProbeRow, 'outcome' | 'detail' | 'tone'> {
  switch (r.status) {
    case 'open':
      return {
        outcome: 'open',
        detail: r.attempts > 1 ? `after ${r.attempts} SYNs` : undefined,
        tone: 'good',
      };
    case 'refused':
      return { outcome: 'refused', detail: r.errno ?? 'RST', tone: 'bad' };
    case 'timeout':
      return {
        outcome: 'timeout',
        detail: `${r.attempts} SYN${r.attempts === 1 ? '' : 's'}, no answer in ${fmtMs(r.waitMs)}`,
        tone: 'bad',
      };
    case 'unreachable':
      return { outcome: 'unreachable', detail: r.errno, tone: 'bad' };
    default:
      return { outcome: 'error', detail: r.errno, tone: 'bad' };
  }
}

function dnsOutcome(r: DnsResult): Pick<ProbeRow, 'outcome' | 'detail' | 'tone'> {
  if (r.status === 'ok')
    return {
      outcome: 'ok',
      detail: `→ ${r.addresses.join(', ')}`,
      tone: 'good',
    };
  return { outcome: r.status, detail: r.errno, tone: 'bad' };
}

function appOutcome(r: AppResult): Pick<ProbeRow, 'outcome' | 'detail' | 'tone'> {
  const tone: Tone = r.status === 'ok' || r.status === 'auth-required' ? 'good' : r.status === 'denied' ? 'bad' : 'warn';
  const outcome = r.status === 'ok' ? 'answered' : r.status === 'auth-required' ? 'wants auth' : r.status;
  return { outcome, detail: r.reply, tone };
}

function pmtuOutcome(r: PmtuResult): Pick<ProbeRow, 'outcome' | 'detail' | 'tone'> {
  switch (r.status) {
    case 'fits':
      return { outcome: 'fits', detail: `${r.mtu} bytes, DF`, tone: 'good' };
    case 'too-big':
      // The router said so: TCP learns the smaller size and carries on.
      return { outcome: `mtu ${r.pathMtu}`, detail: r.detail, tone: 'warn' };
    case 'dropped':
      return { outcome: 'dropped', detail: `${r.mtu} bytes vanish${r.pathMtu ? `; ${r.pathMtu} gets through` : ''}`, tone: 'bad' };
    default:
      return { outcome: 'not run', detail: r.detail, tone: 'warn' };
  }
}

type Finished = Extract<ProbeEvent, { type: 'finished' }>;

function finishedRow(side: ProbeRow['side'], e: Finished, dest: Partial<Record<ProbeName, string>>): ProbeRow {
  const base = { side, probe: e.probe, running: false, ms: e.result.ms };
  switch (e.probe) {
    case 'dns':
      return {
        ...base,
        label: 'dns',
        dest: e.result.name,
        ...dnsOutcome(e.result),
      };
    case 'icmp':
      return {
        ...base,
        label: 'ping',
        dest: dest.icmp ?? '',
        ...icmpOutcome(e.result, 'warn'),
      };
    case 'gateway':
      return {
        ...base,
        label: 'gateway',
        dest: e.result.ip,
        ...icmpOutcome(e.result, 'dim'),
      };
    case 'tcp':
      return {
        ...base,
        label: `tcp/${e.result.port}`,
        dest: dest.tcp ?? '',
        ...tcpOutcome(e.result),
      };
    case 'app':
      return {
        ...base,
        label: e.result.protocol,
        dest: dest.tcp ?? '',
        ...appOutcome(e.result),
      };
    case 'pmtu':
      return {
        ...base,
        label: 'mtu',
        dest: dest.icmp ?? '',
        ...pmtuOutcome(e.result),
      };
  }
}

/** Rows of one side from its finished report. */
export function rowsFromReport(r: ProbeReport): ProbeRow[] {
  const ip = r.target.ip ?? r.target.host;
  const dest = { icmp: ip, tcp: hostPort(ip, r.target.port) };
  const done: Finished[] = [];
  if (r.dns) done.push({ type: 'finished', probe: 'dns', atMs: 0, result: r.dns });
  if (r.icmp.status !== 'skipped' || !r.dns) done.push({ type: 'finished', probe: 'icmp', atMs: 0, result: r.icmp });
  if (r.tcp) done.push({ type: 'finished', probe: 'tcp', atMs: 0, result: r.tcp });
  if (r.app) done.push({ type: 'finished', probe: 'app', atMs: 0, result: r.app });
  if (r.pmtu) done.push({ type: 'finished', probe: 'pmtu', atMs: 0, result: r.pmtu });
  if (r.gateway)
    done.push({
      type: 'finished',
      probe: 'gateway',
      atMs: 0,
      result: r.gateway,
    });
  return done.map((e) => finishedRow(r.from.role, e, dest));
}

/** Pod rows while probing: one per probe started so far, running until its result arrives. */
export function rowsFromEvents(events: readonly ProbeEvent[], target: { host: string; ip?: string; port?: number } | undefined, gateway?: string): ProbeRow[] {
  const rows = new Map<ProbeName, ProbeRow>();
  const dnsDone = events.find((e): e is Extract<ProbeEvent, { probe: 'dns'; type: 'finished' }> => e.type === 'finished' && e.probe === 'dns');
  const ip = dnsDone?.result.addresses[0] ?? target?.ip ?? target?.host ?? '';
  const dest: Partial<Record<ProbeName, string>> = {
    dns: target?.host,
    icmp: ip,
    tcp: hostPort(ip, target?.port),
    app: hostPort(ip, target?.port),
    pmtu: ip,
    gateway: gateway ?? '',
  };
  for (const e of events) {
    if (e.type === 'started') {
      const label = e.probe === 'icmp' ? 'ping' : e.probe === 'tcp' ? `tcp/${target?.port ?? ''}` : e.probe === 'pmtu' ? 'mtu' : e.probe;
      rows.set(e.probe, {
        side: 'pod',
        probe: e.probe,
        label,
        dest: dest[e.probe] ?? '',
        running: true,
      });
    } else {
      rows.set(e.probe, finishedRow('pod', e, dest));
    }
  }
  return ORDER.flatMap((p) => rows.get(p) ?? []);
}
