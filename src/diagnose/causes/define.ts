import type { CauseCheck } from '../types.ts';

/** A cause module: keeps its id as a literal type, so CauseId derives from the list in index.ts. */
export function defineCause<const Id extends string>(check: CauseCheck<Id>): CauseCheck<Id> {
  return check;
}
