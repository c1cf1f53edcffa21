// Which of a dual-stack name's addresses a typical client tries first. "Typical" is glibc's getaddrinfo (what
// most C, Python, Ruby and PHP clients and curl's resolver call): it sorts by RFC 6724 destination rules with
// its built-in default policy. Rule 1 puts a destination last when no source address can reach it (the
// kernel's route lookup); with both usable, precedence puts IPv6 (::/0, 40) before IPv4 (::ffff:0:0/96, 10).
// Others differ: Node >= 17 keeps DNS order (`verbatim`), Go sorts by RFC 6724's own table (ULA fc00::/7 below
// IPv4), Java prefers IPv4 unless java.net.preferIPv6Addresses is set.
import { type Family, familyOf } from '../net/ip.ts';

/** What this namespace has in one family: a usable source address (not link-local) and a default route. */
export interface FamilyPath {
  source?: string;
  route: boolean;
}

export type FamilyPaths = Record<Family, FamilyPath>;

/** The pod's paths from its addresses (localAddresses: link-local left out) and default routes. */
export function familyPaths(addresses: readonly string[], gateway: string | undefined, gateway6: string | undefined): FamilyPaths {
  const source = (f: Family) => addresses.find((a) => familyOf(a) === f && !/^fe[89ab]/i.test(a));
  return { IPv4: { source: source('IPv4'), route: !!gateway }, IPv6: { source: source('IPv6'), route: !!gateway6 } };
}

const usable = (p: FamilyPath): boolean => !!p.source && p.route;

export interface ClientOrder {
  /** Every address, the family tried first leading; DNS order within a family. */
  addresses: string[];
  family: Family;
  why: string;
}

/** Pure: the order a glibc client tries a name's A and AAAA records in from a namespace with these paths. */
export function clientOrder(a: readonly string[], aaaa: readonly string[], paths: FamilyPaths): ClientOrder | undefined {
  if (!a.length && !aaaa.length) return undefined;
  if (!aaaa.length) return { addresses: [...a], family: 'IPv4', why: 'only A records came back: IPv4' };
  if (!a.length) return { addresses: [...aaaa], family: 'IPv6', why: 'only AAAA records came back: IPv6' };
  const v6 = paths.IPv6;
  const glibc = 'glibc getaddrinfo, RFC 6724 default policy';
  if (usable(v6)) {
    return {
      addresses: [...aaaa, ...a],
      family: 'IPv6',
      why: `A and AAAA: a typical client (${glibc}) tries IPv6 first: this pod has IPv6 source ${v6.source} and an IPv6 default route (Node >= 17 keeps DNS order, Java prefers IPv4)`,
    };
  }
  const lacks = !v6.source ? 'no IPv6 address other than link-local' : 'no IPv6 default route';
  return {
    addresses: [...a, ...aaaa],
    family: 'IPv4',
    why: `A and AAAA: a typical client (${glibc}) tries IPv4 first: this pod has ${lacks}, so the IPv6 addresses are unusable from here (rule 1)`,
  };
}
