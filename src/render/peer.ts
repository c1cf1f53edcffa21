// `podreach peer -o text`: the host's facts per source, each with the line that says what it means.
import { readSource } from '../probe/peer/reading.ts';
import type { PeerReport, PeerSource } from '../probe/peer/types.ts';
import type { Paint } from './text.ts';

const state = (c: PeerSource['covering'][number]) =>
  [c.bridge ? (c.docker ? 'Docker bridge' : 'bridge') : 'interface', c.state, c.linkdown ? 'route linkdown' : '', c.via === 'route' ? 'route only' : ''].filter(Boolean).join(', ');

export function renderPeerText(r: PeerReport, st: Paint): string {
  const out: string[] = [];
  out.push(`${st.bold('podreach peer')}  on ${r.host.hostname} (${r.host.addresses.join(', ') || 'no address'})${r.port ? ` · TCP port ${r.port}` : ''} · uid ${r.host.uid}`);
  if (r.listener) out.push(`listener       TCP ${r.listener.port}: ${r.listener.listening ? `listening on ${r.listener.on.join(', ')}` : 'nothing listens'}`);
  for (const s of r.sources) {
    out.push('', st.bold(`source ${s.ip}`));
    out.push(`  reply route  ${s.route.line}${s.route.defaultDev ? ' (the default route\'s interface)' : ''}`);
    for (const c of s.covering) out.push(`  covered by   ${c.dev} ${c.cidr} (${state(c)})${c.dev === s.route.dev ? ' ← replies go here' : ''}`);
    if (s.firewall) {
      const fw = s.firewall;
      out.push(`  firewall     ${fw.verdict}${fw.rule ? `: ${fw.rule}` : fw.why ? `: ${fw.why}` : ''} (${fw.tool})`);
      for (const u of fw.unsure ?? []) out.push(`               not evaluated: ${u}`);
    }
    if (s.arrived) {
      out.push(`  arrived      ${s.arrived.seen ? 'yes' : 'no'} in a ${Math.round(s.arrived.windowMs / 100) / 10} s window`);
      for (const m of s.arrived.methods) out.push(`               ${m.method} [needs ${m.needs}]: ${m.available ? m.detail : `not used — ${m.detail}`}`);
    }
    const { line } = readSource(s, r.listener);
    out.push(`  ${st.bold('→')} ${line}`);
  }
  for (const n of r.notes) out.push(`note ${n}`);
  return `${out.join('\n')}\n`;
}
