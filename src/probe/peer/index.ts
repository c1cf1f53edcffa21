// `podreach peer` on the target host: for each source, where a reply would go, which interfaces and routes
// cover it, the host firewall's verdict, and with a listening window whether its packets arrive. Read-only:
// it runs `ip` (show / route get), `iptables-save` and reads /proc; it changes nothing.
import { hostname } from 'node:os';
import { covering, addresses, hostNet, routeTo } from './ip.ts';
import { readRules, ruleCount, verdictFor, type Rules } from './firewall.ts';
import { sockets, type Socket } from './sockets.ts';
import type { Arrival, ArrivalMethod, Listener, PeerFirewall, PeerReport, PeerSource } from './types.ts';
import { read } from './exec.ts';

export interface PeerOptions {
  sources: string[];
  port?: number;
  /** Watch for the sources' packets this long, ms (0: no window). */
  listenMs: number;
  version: string;
  signal?: AbortSignal;
  /** Poll period of the socket table during the window, ms. */
  pollMs?: number;
}

const SOCKETS = 'none (any user reads /proc/net/tcp of its own network namespace)';
const COUNTERS = 'root or CAP_NET_ADMIN (iptables-save -c)';
const CAPTURE = 'tcpdump and CAP_NET_RAW';

export async function gatherPeer(o: PeerOptions): Promise<PeerReport> {
  const net = await hostNet();
  const local = addresses(net);
  const [fw, socks] = await Promise.all([readRules(), sockets()]);
  const notes: string[] = [];
  const listener = o.port === undefined ? null : listenerOn(socks, o.port);
  if (listener && !listener.listening) notes.push(`nothing listens on TCP port ${o.port}: a SYN gets a RST (or no socket state to watch)`);
  const sources: PeerSource[] = await Promise.all(
    o.sources.map(async (ip) => {
      const route = await routeTo(net, ip);
      const firewall: PeerFirewall | undefined =
        o.port === undefined ? undefined : fw.rules ? { tool: 'iptables-save', ...verdictFor(fw.rules, { src: ip, port: o.port, inDev: route.dev, local }) } : { tool: 'iptables-save', verdict: 'not-readable', why: fw.why };
      return { ip, route, covering: covering(net, ip), ...(firewall ? { firewall } : {}) };
    }),
  );
  if (o.listenMs > 0 && o.port !== undefined) {
    const arrivals = await watch(o, fw.rules, sources);
    sources.forEach((s, i) => (s.arrived = arrivals[i]));
  } else if (o.listenMs > 0) notes.push('--listen needs --port: the socket table shows TCP only');
  return {
    kind: 'podreach.peer',
    schemaVersion: 1,
    tool: { name: 'podreach', version: o.version },
    generatedAt: new Date().toISOString(),
    host: { hostname: hostname(), addresses: local, uid: process.getuid?.() ?? -1 },
    port: o.port ?? null,
    listener,
    sources,
    notes,
  };
}

function listenerOn(socks: Socket[], port: number): Listener {
  const on = [...new Set(socks.filter((s) => s.state === 'LISTEN' && s.localPort === port).map((s) => s.local))];
  return { port, listening: on.length > 0, on };
}

/**
 * The window: polls the socket table (no privilege) for connections from each source on the port, and, when
 * the rules are readable, diffs the counter of the rule that decides for that source. A capture would need
 * tcpdump and NET_RAW: said so, not attempted without them.
 */
async function watch(o: PeerOptions, before: Rules | undefined, sources: PeerSource[]): Promise<Arrival[]> {
  const port = o.port as number;
  const states = sources.map(() => new Set<string>());
  const keys = sources.map(() => new Set<string>());
  const t0 = performance.now();
  const poll = o.pollMs ?? 100;
  while (performance.now() - t0 < o.listenMs && !o.signal?.aborted) {
    for (const s of await sockets()) {
      const i = sources.findIndex((src) => src.ip === s.remote);
      if (i < 0 || s.localPort !== port) continue;
      states[i]?.add(s.state);
      keys[i]?.add(`${s.remote}:${s.remotePort}`);
    }
    await new Promise((r) => setTimeout(r, Math.min(poll, Math.max(0, o.listenMs - (performance.now() - t0)))));
  }
  const windowMs = Math.round(performance.now() - t0);
  const after = before ? await readRules() : undefined;
  const tcpdump = await read('tcpdump', ['--version'], 1000);
  return sources.map((src, i) => {
    const seenSockets = keys[i]?.size ?? 0;
    const methods: ArrivalMethod[] = [
      {
        method: 'socket-states',
        needs: SOCKETS,
        available: true,
        seen: seenSockets,
        detail: seenSockets ? `${seenSockets} connection(s) from ${src.ip} to port ${port}: ${[...(states[i] ?? [])].join(', ')}` : `no socket from ${src.ip} on port ${port} (a SYN dropped before the socket, or to a port nobody listens on, leaves none)`,
      },
      counters(src, before, after?.rules),
      { method: 'capture', needs: CAPTURE, available: false, detail: tcpdump.ok ? 'not attempted: podreach peer does not start captures' : 'tcpdump is not installed' },
    ];
    return { seen: methods.some((m) => (m.seen ?? 0) > 0), windowMs, states: [...(states[i] ?? [])], methods };
  });
}

/** The deciding rule's packet counter before and after the window: packets from the source hit it. */
function counters(src: PeerSource, before: Rules | undefined, after: Rules | undefined): ArrivalMethod {
  const rule = src.firewall?.rule;
  if (!before || !after) return { method: 'firewall-counters', needs: COUNTERS, available: false, detail: src.firewall?.why ?? 'the rules are not readable' };
  // An ACCEPT rule counts everyone it lets in: only a drop names this source's packets.
  if (!rule || rule.startsWith(':') || src.firewall?.verdict === 'accept') return { method: 'firewall-counters', needs: COUNTERS, available: false, detail: 'no DROP or REJECT rule of the host firewall decides for this source: nothing to count' };
  const n = Math.max(0, (ruleCount(after, rule) ?? 0) - (ruleCount(before, rule) ?? 0));
  return { method: 'firewall-counters', needs: COUNTERS, available: true, seen: n, detail: `${n} packet(s) hit ${rule}` };
}
