// The guide's picture in box characters: where the pod, the node and the target sit relative to the
// VPC, the container CIDR, peered space and Docker's pools, and which source address the peer sees.
// Pure: returns lines of toned segments; cidr-map.tsx only paints them.
import type { NetworkModel, PodContext } from '../../context/types.ts';
import type { CidrFacts, SourceSeen } from '../../diagnose/types.ts';
import { clip, type Tone } from './rows.ts';

export interface Segment {
  text: string;
  tone?: Tone;
}
export type MapLine = Segment[];

export interface MapInput {
  model?: NetworkModel;
  podIp?: string;
  nodeIp?: string;
  containerCidr?: string;
  vpcCidrs: string[];
  serviceCidr?: string;
  /** "192.168.10.52:80", or the name when it did not resolve. */
  target: string;
  targetResolved: boolean;
  cidr: CidrFacts;
  seen?: SourceSeen;
  /** Tone of the target and the arrow: the verdict's (good / bad / warn), or none while probing. */
  tone?: Tone;
  /** Paint the Docker mark red rather than yellow: the verdict is the Docker bridge. */
  dockerIsCause?: boolean;
}

export function mapInput(ctx: PodContext, target: string, targetResolved: boolean, cidr: CidrFacts, seen?: SourceSeen): MapInput {
  return {
    model: ctx.networkModel?.value,
    podIp: ctx.podIp?.value,
    nodeIp: ctx.nodeIp?.value,
    containerCidr: ctx.containerCidr?.value,
    vpcCidrs: ctx.vpcCidrs?.value ?? [],
    serviceCidr: ctx.serviceCidr?.value,
    target,
    targetResolved,
    cidr,
    seen,
  };
}

type Key = 'pod' | 'node' | 'target';
interface Row {
  key?: Key;
  label: string;
  value: string;
  note?: string;
  tone?: Tone;
}
interface BoxSpec {
  title: string;
  items: (Row | BoxSpec)[];
}
const isBox = (x: Row | BoxSpec): x is BoxSpec => 'items' in x;

interface Cell {
  ch: string;
  tone?: Tone;
}

/** Zones that get their own box below the cluster's boxes, when the target sits there. */
const OUTSIDE: Partial<Record<CidrFacts['targetZone'], string>> = {
  peer: 'peered / outside the VPC',
  private: 'private, VPC CIDR unknown',
  'cloud-service': 'cloud services 100.64.0.0/10',
  'link-local': 'link-local 169.254.0.0/16',
  public: 'public internet',
};

const MIN_MAP_WIDTH = 40;

export function cidrMapLines(m: MapInput, width: number): MapLine[] {
  const W = Math.max(MIN_MAP_WIDTH, width);
  const zone = m.cidr.targetZone;
  const snat = m.seen?.kind === 'node';
  const targetRow: Row = {
    key: 'target',
    label: 'target',
    value: m.target,
    tone: m.tone,
  };
  const podRow: Row = {
    key: 'pod',
    label: 'pod',
    value: m.podIp ?? '?',
    note: snat ? 'SNAT → node IP' : undefined,
  };
  const nodeRow: Row = { key: 'node', label: 'node', value: m.nodeIp ?? '?' };

  const cluster: BoxSpec = {
    title: `container ${m.model === 'eni' ? 'subnet' : 'CIDR'} ${m.containerCidr ?? '?'}`,
    items: [podRow],
  };
  if (zone === 'container' || zone === 'loopback') cluster.items.push(targetRow);
  const dockerTone: Tone = m.dockerIsCause ? 'bad' : 'warn';
  const pd = m.cidr.podDocker;
  if (pd) {
    const note =
      pd.likelihood === 'high' ? 'docker0 on any Docker host' : pd.likelihood === 'medium' ? 'a Docker address pool' : "Docker's last /20 pool (unlikely)";
    cluster.items.push({
      label: 'docker',
      value: `pod IP in ${pd.range}`,
      note,
      tone: pd.likelihood === 'low' ? 'dim' : dockerTone,
    });
  } else {
    for (const d of m.cidr.containerCidrDocker.slice(0, 2))
      cluster.items.push({
        label: 'docker',
        value: `overlaps ${d.range}`,
        note: 'Docker pool',
        tone: dockerTone,
      });
  }

  const vpc: BoxSpec = {
    title: `VPC ${m.vpcCidrs.length ? m.vpcCidrs.join(', ') : '(CIDR unknown)'}`,
    items: [nodeRow],
  };
  if (m.model === 'eni') vpc.items.push(cluster);
  if (zone === 'vpc') vpc.items.push(targetRow);

  const boxes: BoxSpec[] = [vpc];
  if (m.model !== 'eni') boxes.push(cluster);
  if (zone === 'service')
    boxes.push({
      title: `service CIDR ${m.serviceCidr ?? '?'}`,
      items: [targetRow],
    });
  const outside = OUTSIDE[zone];
  if (outside) boxes.push({ title: outside, items: [targetRow] });

  const cells: Cell[][] = [];
  const at: Partial<Record<Key, { line: number; end: number }>> = {};
  const X = W - 5; // the arrow's column: inside every box's content, nested ones included
  for (const b of boxes) drawBox(b, 0, W - 1);

  function blank(): Cell[] {
    return Array.from({ length: W }, () => ({ ch: ' ' }));
  }
  function put(line: Cell[], col: number, text: string, tone?: Tone): number {
    for (const ch of text) {
      if (col >= W) break;
      line[col++] = { ch, tone };
    }
    return col;
  }
  function drawBox(b: BoxSpec, left: number, right: number): void {
    const top = blank();
    put(top, left, '┌─');
    const end = put(top, left + 2, ` ${clip(b.title, right - left - 5)} `);
    put(top, end, '─'.repeat(Math.max(0, right - end)));
    put(top, right, '┐');
    cells.push(top);
    for (const item of b.items) {
      if (isBox(item)) {
        const first = cells.length;
        drawBox(item, left + 2, right - 2);
        for (let i = first; i < cells.length; i++) {
          put(cells[i]!, left, '│');
          put(cells[i]!, right, '│');
        }
        continue;
      }
      const line = blank();
      put(line, left, '│');
      put(line, right, '│');
      // Leave room for the arrow's horizontal run: at least "◀━━" before column X.
      const room = X - 3 - (left + 2);
      let col = put(line, left + 2, `${item.label.padEnd(7)} `);
      col = put(line, col, clip(item.value, room - 8), item.tone);
      const fits = item.note !== undefined && col + 2 + item.note.length <= X - 3;
      if (item.note && fits) col = put(line, col + 2, item.note, item.tone ?? 'dim');
      if (item.key) at[item.key] = { line: cells.length, end: col };
      cells.push(line);
      if (item.note && !fits) {
        // No room beside the value: the note goes on its own line, under the value.
        const more = blank();
        put(more, left, '│');
        put(more, right, '│');
        put(more, left + 10, clip(item.note, room - 8), item.tone ?? 'dim');
        cells.push(more);
      }
    }
    const bottom = blank();
    put(bottom, left, `└${'─'.repeat(right - left - 1)}┘`);
    cells.push(bottom);
  }

  // The arrow: from the address the peer sees to the target, arrowhead at the target.
  const from = m.seen?.kind === 'node' ? at.node : m.seen?.kind === 'pod' ? at.pod : undefined;
  const to = at.target;
  if (from && to && from.line !== to.line) {
    const tone = m.tone;
    const upper = Math.min(from.line, to.line);
    const lower = Math.max(from.line, to.line);
    for (const [end, head] of [
      [to, '◀'],
      [from, '━'],
    ] as const) {
      const line = cells[end.line]!;
      put(line, end.end + 1, head + '━'.repeat(Math.max(0, X - end.end - 2)), tone);
      put(line, X, end.line === upper ? '┓' : '┛', tone);
    }
    for (let i = upper + 1; i < lower; i++) put(cells[i]!, X, '┃', tone);
  }

  const lines = cells.map(toSegments);
  if (!m.targetResolved) lines.push([{ text: `target ${m.target} did not resolve: not placed`, tone: 'warn' }]);
  if (m.seen && m.seen.kind !== 'unknown' && m.seen.ip) {
    const who = m.seen.kind === 'node' ? 'node IP, SNAT' : 'pod IP, no SNAT';
    lines.push([{ text: 'peer sees ' }, { text: m.seen.ip, tone: m.tone }, { text: ` (${who})`, tone: 'dim' }]);
    if (m.seen.allow) lines.push([{ text: '  → it must allow ' }, { text: m.seen.allow, tone: m.tone }]);
  } else if (m.seen) {
    lines.push([
      {
        text: 'source the peer sees: unknown (pass --network-model)',
        tone: 'warn',
      },
    ]);
  }
  if (!m.cidr.podDocker && m.podIp && m.cidr.containerCidrDocker.length === 0) {
    lines.push([{ text: 'pod IP clear of Docker pools (172.17–31/16)', tone: 'dim' }]);
  }
  return lines;
}

function toSegments(line: Cell[]): MapLine {
  const out: MapLine = [];
  for (const c of line) {
    const last = out.at(-1);
    if (last && last.tone === c.tone) last.text += c.ch;
    else out.push({ text: c.ch, tone: c.tone });
  }
  // Trailing blanks only cost width.
  const last = out.at(-1);
  if (last && last.tone === undefined) last.text = last.text.trimEnd();
  return out.filter((s) => s.text !== '');
}

/** Plain text of a map, for tests and logs. */
export function mapText(lines: MapLine[]): string {
  return lines.map((l) => l.map((s) => s.text).join('')).join('\n');
}
