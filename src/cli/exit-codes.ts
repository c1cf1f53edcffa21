/** Documented in the README; scripts and Jobs rely on them. */
export const EXIT = {
  reachable: 0,
  notReachable: 1,
  usage: 2,
  failed: 3,
} as const;
