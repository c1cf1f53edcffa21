// Dual-stack: a pod has an address per family, and a peer sees the one of the family it is reached in.
// The causes read one address, one container CIDR, one node IP: the family view gives them the target's.
import { type Family, familyOf } from '../net/ip.ts';
import type { Fact, PodContext } from './types.ts';

/** A fact's value of one family from a single fact and a per-family list (the single one first). */
function pick(one: Fact<string> | undefined, all: Fact<string[]> | undefined, family: Family): Fact<string> | undefined {
  if (one && familyOf(one.value) === family) return one;
  const v = all?.value.find((x) => familyOf(x) === family);
  return v && all ? { ...all, value: v } : undefined;
}

/** The list's entries of one family; the fact itself when all are. */
function only(all: Fact<string[]> | undefined, family: Family): Fact<string[]> | undefined {
  if (!all) return undefined;
  const v = all.value.filter((x) => familyOf(x) === family);
  return v.length === all.value.length ? all : v.length ? { ...all, value: v } : undefined;
}

/** The primary family: the cluster's, else the pod's primary address's. */
export function primaryFamily(ctx: PodContext): Family | undefined {
  return ctx.ipFamilies?.value[0] ?? (ctx.podIp ? familyOf(ctx.podIp.value) : undefined);
}

/**
 * The context as seen in one family: podIp, nodeIp, containerCidr, serviceCidr and vpcCidrs of that family
 * (absent when the cluster has none there), provenance kept. Everything else unchanged.
 */
export function familyView(ctx: PodContext, family: Family | undefined): PodContext {
  if (!family) return ctx;
  const out: PodContext = { ...ctx };
  // Kept whole: whether the pod has an address in this family at all decides who the peer sees, and a
  // container CIDR of the other family tells what to ask for.
  if (!out.podIps && ctx.podIp) out.podIps = { ...ctx.podIp, value: [ctx.podIp.value] };
  if (!out.containerCidrs && ctx.containerCidr) out.containerCidrs = { ...ctx.containerCidr, value: [ctx.containerCidr.value] };
  const set = <K extends 'podIp' | 'nodeIp' | 'containerCidr' | 'serviceCidr'>(k: K, f: Fact<string> | undefined) => {
    if (f) out[k] = f;
    else delete out[k];
  };
  set('podIp', pick(ctx.podIp, ctx.podIps, family));
  set('nodeIp', pick(ctx.nodeIp, ctx.nodeIps, family));
  set('containerCidr', pick(ctx.containerCidr, ctx.containerCidrs, family));
  set('serviceCidr', ctx.serviceCidr && familyOf(ctx.serviceCidr.value) === family ? ctx.serviceCidr : undefined);
  const vpc = only(ctx.vpcCidrs, family);
  if (vpc) out.vpcCidrs = vpc;
  else delete out.vpcCidrs;
  return out;
}

/** The view for a target address: its family, or the context unchanged for a name or nothing. */
export const viewFor = (ctx: PodContext, targetIp: string | undefined): PodContext => familyView(ctx, targetIp ? familyOf(targetIp) : undefined);

/** Does the pod hold an address of this family? undefined when no address is known at all. */
export function podHasFamily(ctx: PodContext, family: Family): boolean | undefined {
  const all = [...(ctx.podIp ? [ctx.podIp.value] : []), ...(ctx.podIps?.value ?? [])];
  return all.length ? all.some((a) => familyOf(a) === family) : undefined;
}

/**
 * The cluster's families from the pod's own addresses, primary first, when nothing stronger said. Only when
 * IPv6 is in play: IPv4 alone is what every other fact already assumes, and says nothing new.
 */
export function familiesFrom(ctx: PodContext): Fact<Family[]> | undefined {
  const src = ctx.podIps ?? (ctx.podIp ? { ...ctx.podIp, value: [ctx.podIp.value] } : undefined);
  if (!src) return undefined;
  const fams = [...new Set(src.value.map(familyOf).filter((f) => f !== undefined))];
  if (!fams.includes('IPv6')) return undefined;
  const mode = fams.length > 1 ? 'dual-stack' : `${fams[0]} only`;
  return { value: fams, source: src.source, confidence: Math.min(src.confidence, 0.9), note: `${mode}: the pod's addresses (${src.note ?? src.source})` };
}

type Pair = readonly ['podIp', 'podIps'] | readonly ['nodeIp', 'nodeIps'] | readonly ['containerCidr', 'containerCidrs'];
export const FAMILY_PAIRS: readonly Pair[] = [['podIp', 'podIps'], ['nodeIp', 'nodeIps'], ['containerCidr', 'containerCidrs']];

/**
 * One list across layers (strongest first), one entry per family: a flag naming the IPv4 pod address does
 * not hide the IPv6 one the interface holds. The primary comes first; the note names each entry's source.
 * Only for a dual-stack pod (two families): with one, the single fact says it all.
 */
export function unionByFamily(layers: readonly PodContext[], [one, list]: Pair, primary: string | undefined): Fact<string[]> | undefined {
  const got = new Map<Family, { value: string; f: Fact<unknown>; layer: number }>();
  layers.forEach((l, layer) => {
    // The list first: its note speaks for both families of one source.
    for (const [v, f] of [...(l[list]?.value.map((v) => [v, l[list]!] as const) ?? []), ...(l[one] ? [[l[one]!.value, l[one]!] as const] : [])]) {
      const fam = familyOf(v);
      if (fam && !got.has(fam)) got.set(fam, { value: v, f, layer });
    }
  });
  if (got.size < 2) return undefined;
  const all = [...got.values()].sort((a, b) => Number(b.value === primary) - Number(a.value === primary));
  const head = all[0]!.f;
  const mixed = all.some((x) => x.layer !== all[0]!.layer);
  return {
    value: all.map((x) => x.value),
    source: head.source,
    confidence: Math.min(...all.map((x) => x.f.confidence)),
    note: mixed ? all.map((x) => `${x.value}: ${x.f.note ?? x.f.source}`).join('; ') : (head.note ?? head.source),
  };
}
