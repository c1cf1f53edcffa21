import type { Fact, PodContext } from './types.ts';

/** Later layers lose: pass them strongest first (flags, env, downward API, API, interface, heuristics). */
export function mergeFacts(...layers: PodContext[]): PodContext {
  const out: Record<string, Fact<unknown>> = {};
  for (const layer of layers) {
    for (const [k, f] of Object.entries(layer) as [string, Fact<unknown> | undefined][]) {
      if (f && out[k] === undefined) out[k] = f;
    }
  }
  return out as PodContext;
}
