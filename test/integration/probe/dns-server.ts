// A tiny authoritative DNS server on 127.0.0.1 for tests: answers A/AAAA from a table, or an rcode,
// or nothing at all ('drop'). Names not in the table get NXDOMAIN.
import { createSocket, type Socket } from 'node:dgram';

/** `aaaa: 'drop'`: the server answers A and never AAAA (a broken middlebox, an old resolver). */
export type ZoneEntry = { a?: string[]; aaaa?: string[] | 'drop' } | { rcode: 'SERVFAIL' | 'REFUSED' } | 'drop';
const RCODE = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 } as const;

function readName(msg: Buffer, offset: number): { name: string; end: number } {
  const labels: string[] = [];
  let i = offset;
  for (let guard = 0; guard < 128; guard++) {
    const len = msg[i] ?? 0;
    if (len === 0) return { name: labels.join('.').toLowerCase(), end: i + 1 };
    labels.push(msg.subarray(i + 1, i + 1 + len).toString('latin1'));
    i += len + 1;
  }
  throw new Error('bad name');
}

function rdata(type: number, ip: string): Buffer {
  if (type === 1) return Buffer.from(ip.split('.').map(Number));
  const groups = ip.split('::');
  const head = (groups[0] ?? '').split(':').filter(Boolean);
  const tail = (groups[1] ?? '').split(':').filter(Boolean);
  const all = [...head, ...Array(8 - head.length - tail.length).fill('0'), ...tail];
  const b = Buffer.alloc(16);
  for (const [n, g] of all.entries()) b.writeUInt16BE(Number.parseInt(g, 16), n * 2);
  return b;
}

export interface FakeDns {
  address: string;
  /** Every name asked, in arrival order. */
  asked: string[];
  close(): Promise<void>;
}

export function startFakeDns(zone: Record<string, ZoneEntry>): Promise<FakeDns> {
  const sock: Socket = createSocket('udp4');
  const asked: string[] = [];
  sock.on('message', (msg, peer) => {
    const { name, end } = readName(msg, 12);
    const qtype = msg.readUInt16BE(end);
    asked.push(`${name}/${qtype === 1 ? 'A' : qtype === 28 ? 'AAAA' : qtype}`);
    const entry = zone[name];
    if (entry === 'drop' || (qtype === 28 && entry && 'aaaa' in entry && entry.aaaa === 'drop')) return;
    let rcode: number = RCODE.NXDOMAIN;
    let ips: string[] = [];
    if (entry && 'rcode' in entry) rcode = RCODE[entry.rcode];
    else if (entry) {
      rcode = RCODE.NOERROR;
      ips = (qtype === 1 ? entry.a : qtype === 28 ? (entry.aaaa as string[] | undefined) : undefined) ?? [];
    }
    const question = msg.subarray(12, end + 4);
    const header = Buffer.alloc(12);
    msg.copy(header, 0, 0, 2);
    header.writeUInt16BE(0x8180 | (msg.readUInt16BE(2) & 0x0100) | rcode, 2);
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(ips.length, 6);
    const answers = ips.map((ip) => {
      const data = rdata(qtype, ip);
      const rr = Buffer.alloc(12);
      rr.writeUInt16BE(0xc00c, 0);
      rr.writeUInt16BE(qtype, 2);
      rr.writeUInt16BE(1, 4);
      rr.writeUInt32BE(30, 6);
      rr.writeUInt16BE(data.length, 10);
      return Buffer.concat([rr, data]);
    });
    sock.send(Buffer.concat([header, question, ...answers]), peer.port, peer.address);
  });
  return new Promise((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(0, '127.0.0.1', () => {
      const { port } = sock.address();
      resolve({ address: `127.0.0.1:${port}`, asked, close: () => new Promise((r) => sock.close(() => r())) });
    });
  });
}
