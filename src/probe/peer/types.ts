// `podreach peer`: what the target host itself shows about one or more sources, read-only. The document it
// prints (kind "podreach.peer", schema/peer.schema.json) is what `podreach diagnose --peer-report` reads.

/** Where the host would send a reply to the source (`ip route get SOURCE`). */
export interface PeerRoute {
  /** gateway: via a next hop; connected: straight onto a local network; local: the host's own address; unreachable: no route. */
  kind: 'gateway' | 'connected' | 'local' | 'unreachable';
  dev?: string;
  via?: string;
  src?: string;
  /** The interface is the one the default route uses: the ordinary way out. */
  defaultDev: boolean;
  /** The interface is a bridge (Docker's docker0 and br-…, libvirt's virbr0, ...). */
  bridge: boolean;
  /** The interface is named as Docker names its networks (docker0, br- and 12 hex digits). */
  docker: boolean;
  /** What `ip route get` printed, one line. */
  line: string;
}

/** An interface address or route on the host whose range holds the source. */
export interface Covering {
  dev: string;
  cidr: string;
  /** address: the interface holds an address in the range; route: a route names the range. */
  via: 'address' | 'route';
  bridge: boolean;
  docker: boolean;
  /** up; no-carrier (up, no port: an idle Docker bridge); down (administratively). */
  state: 'up' | 'no-carrier' | 'down';
  /** The route is flagged linkdown (kept by net.ipv4.conf.*.ignore_routes_with_linkdown=0). */
  linkdown?: boolean;
}

export type FirewallVerdict = 'accept' | 'drop' | 'reject' | 'no-rules' | 'not-readable';

/** The host's own firewall (filter INPUT) for a new TCP connection from the source to the port. */
export interface PeerFirewall {
  verdict: FirewallVerdict;
  /** How it was read: iptables-save (covers iptables-nft too). */
  tool: string;
  /** The rule that decides, as iptables-save prints it; absent when the chain policy does. */
  rule?: string;
  chain?: string;
  /** Rules podreach could not evaluate on the way (unknown matches): the verdict assumes they did not match. */
  unsure?: string[];
  /** Why it could not be read (not root, no iptables-save). */
  why?: string;
}

/** One way of seeing whether the source's packets arrived during --listen. */
export interface ArrivalMethod {
  method: 'socket-states' | 'firewall-counters' | 'capture';
  /** What the method needs. */
  needs: string;
  available: boolean;
  /** Packets or sockets from the source it saw (absent when not available). */
  seen?: number;
  detail: string;
}

export interface Arrival {
  /** The source's packets reached this host during the window (by any available method). */
  seen: boolean;
  windowMs: number;
  /** Socket states seen from the source on the port: SYN-RECV, ESTABLISHED, ... */
  states: string[];
  methods: ArrivalMethod[];
}

export interface PeerSource {
  ip: string;
  route: PeerRoute;
  covering: Covering[];
  firewall?: PeerFirewall;
  /** With --listen only. */
  arrived?: Arrival;
}

export interface Listener {
  port: number;
  listening: boolean;
  /** Local addresses it listens on (0.0.0.0 / :: = every address). */
  on: string[];
}

export interface PeerReport {
  kind: 'podreach.peer';
  schemaVersion: 1;
  tool: { name: 'podreach'; version: string };
  generatedAt: string;
  host: { hostname: string; addresses: string[]; uid: number };
  port: number | null;
  listener: Listener | null;
  sources: PeerSource[];
  notes: string[];
}
