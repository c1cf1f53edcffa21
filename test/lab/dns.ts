// The lab's DNS server logic: parse one query, build one answer. A and AAAA records (RFC 1035 wire format).
import { isIPv4, isIPv6 } from 'node:net';

/** Name → addresses; A queries get the IPv4 ones, AAAA the IPv6 ones (an empty answer, NODATA, for none). */
export const ZONE: Readonly<Record<string, readonly string[]>> = {
  'ecs.lab.internal': ['192.168.10.52'],
  'redis.lab.internal': ['192.168.20.10'],
  'peer.lab.internal': ['10.1.0.20'],
  // The IPv6 lab's ECS (test/lab/ipv6.ts): AAAA only, and dual-stack.
  'ecs-v6only.lab.internal': ['fd00:192:168:20::52'],
  'ecs-dual.lab.internal': ['192.168.20.52', 'fd00:192:168:20::52'],
};

export const RCODE = { NOERROR: 0, FORMERR: 1, NXDOMAIN: 3, REFUSED: 5 } as const;
const TYPE_A = 1;
const TYPE_AAAA = 28;
const CLASS_IN = 1;

export interface Question {
  id: number;
  flags: number;
  name: string;
  qtype: number;
  qclass: number;
  /** Byte offset just past the question. */
  end: number;
}

/** Parses the header and first question; null when the packet is not a parseable query. */
export function parseQuery(msg: Buffer): Question | null {
  if (msg.length < 12) return null;
  const flags = msg.readUInt16BE(2);
  if (flags & 0x8000 || msg.readUInt16BE(4) < 1) return null; // a response, or no question
  const labels: string[] = [];
  let off = 12;
  // At most 128 labels fit in a 255-byte name: the bound keeps a hostile packet from looping.
  for (let i = 0; i < 128; i++) {
    const len = msg[off];
    if (len === undefined || len > 63) return null; // truncated, or a compression pointer (not valid in a query)
    off++;
    if (len === 0) {
      if (off + 4 > msg.length) return null;
      return {
        id: msg.readUInt16BE(0),
        flags,
        name: labels.join('.').toLowerCase(),
        qtype: msg.readUInt16BE(off),
        qclass: msg.readUInt16BE(off + 2),
        end: off + 4,
      };
    }
    if (off + len > msg.length) return null;
    labels.push(msg.toString('latin1', off, off + len));
    off += len;
  }
  return null;
}

/** Which rcode and addresses a name gets. cluster.local names get NXDOMAIN like CoreDNS would give them, so
 * glibc's search list (ndots:5) moves on instead of stopping at a REFUSED. */
export function lookup(name: string): { rcode: number; addresses: readonly string[] } {
  const addresses = ZONE[name];
  if (addresses) return { rcode: RCODE.NOERROR, addresses };
  if (name === 'lab.internal') return { rcode: RCODE.NOERROR, addresses: [] };
  if (name.endsWith('.lab.internal') || name === 'cluster.local' || name.endsWith('.cluster.local')) {
    return { rcode: RCODE.NXDOMAIN, addresses: [] };
  }
  return { rcode: RCODE.REFUSED, addresses: [] };
}

/** The reply to a query packet, or null to stay silent (garbage that is not even a header). */
export function answer(msg: Buffer): Buffer | null {
  const q = parseQuery(msg);
  if (!q) {
    if (msg.length < 12 || msg.readUInt16BE(2) & 0x8000) return null;
    const h = Buffer.alloc(12);
    h.writeUInt16BE(msg.readUInt16BE(0), 0);
    h.writeUInt16BE(0x8000 | (msg.readUInt16BE(2) & 0x7800) | RCODE.FORMERR, 2);
    return h;
  }
  const { rcode, addresses } = lookup(q.name);
  const inClass = q.qclass === CLASS_IN;
  const records = !inClass ? [] : q.qtype === TYPE_A ? addresses.filter((a) => isIPv4(a)) : q.qtype === TYPE_AAAA ? addresses.filter((a) => isIPv6(a)) : [];
  const question = msg.subarray(12, q.end);
  const head = Buffer.alloc(12);
  head.writeUInt16BE(q.id, 0);
  // QR, opcode copied, AA, RD copied, RA.
  head.writeUInt16BE(0x8000 | (q.flags & 0x7800) | 0x0400 | (q.flags & 0x0100) | 0x0080 | rcode, 2);
  head.writeUInt16BE(1, 4);
  head.writeUInt16BE(records.length, 6);
  const answers = records.map((address) => {
    const data = rdata(address);
    const rr = Buffer.alloc(12);
    rr.writeUInt16BE(0xc00c, 0); // pointer to the question's name
    rr.writeUInt16BE(q.qtype, 2);
    rr.writeUInt16BE(CLASS_IN, 4);
    rr.writeUInt32BE(30, 6);
    rr.writeUInt16BE(data.length, 10);
    return Buffer.concat([rr, data]);
  });
  return Buffer.concat([head, question, ...answers]);
}

/** An address's RDATA: 4 bytes for A, 16 for AAAA. */
function rdata(address: string): Buffer {
  if (isIPv4(address)) return Buffer.from(address.split('.').map(Number));
  const [head = '', tail = ''] = address.split('::');
  const h = head.split(':').filter(Boolean);
  const t = tail.split(':').filter(Boolean);
  const groups = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const b = Buffer.alloc(16);
  for (const [i, g] of groups.entries()) b.writeUInt16BE(Number.parseInt(g, 16), i * 2);
  return b;
}
