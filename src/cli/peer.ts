// `podreach peer` on the target host (a VM: run it as a Node package, or from the image with --network host):
// read-only facts about how this host treats the sources a pod's traffic arrives from.
import { isIp } from '../net/ip.ts';
import { quoted, UsageError } from './errors.ts';
import { EXIT } from './exit-codes.ts';

export interface PeerFlags {
  source: string;
  port?: number;
  listen?: number;
  output: 'text' | 'json';
}

/** At most this many sources in one run, and this long a window. */
export const MAX_SOURCES = 64;
export const MAX_LISTEN_S = 600;

export function parseSources(v: string): string[] {
  const list = [...new Set(v.split(',').map((s) => s.trim()))];
  if (list.length === 0 || list.some((s) => s === '')) throw new UsageError('--source: an empty address in the list');
  if (list.length > MAX_SOURCES) throw new UsageError(`--source: ${list.length} addresses, at most ${MAX_SOURCES}`);
  const bad = list.find((s) => !isIp(s));
  if (bad !== undefined) throw new UsageError(`--source: ${quoted(bad)} is not an IP address`);
  return list;
}

export async function runPeer(o: PeerFlags, version: string, signal: AbortSignal): Promise<number> {
  const sources = parseSources(o.source);
  if (o.port !== undefined && (o.port < 1 || o.port > 65535)) throw new UsageError(`--port: ${o.port} is outside 1–65535`);
  if (o.listen !== undefined && o.listen > MAX_LISTEN_S) throw new UsageError(`--listen: ${o.listen} s is over ${MAX_LISTEN_S}`);
  if (o.listen && o.port === undefined) throw new UsageError('--listen needs --port (the socket table shows TCP connections to a port)');
  const { gatherPeer } = await import('../probe/peer/index.ts');
  if (o.listen && o.output === 'text') process.stderr.write(`podreach peer: watching for ${sources.join(', ')} on TCP port ${o.port} for ${o.listen} s (run podreach diagnose in the pod now)\n`);
  const report = await gatherPeer({ sources, port: o.port, listenMs: (o.listen ?? 0) * 1000, version, signal });
  if (o.output === 'json') process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else {
    const { renderPeerText } = await import('../render/peer.ts');
    const { PLAIN } = await import('../render/text.ts');
    process.stdout.write(renderPeerText(report, PLAIN));
  }
  return EXIT.reachable;
}
