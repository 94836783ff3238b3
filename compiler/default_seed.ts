// The seed used when the caller gives none: `compile`, `run`, a result made before the run (an
// error result) and the CLI's `run` and REPL all fall back to this one value, so a result's
// `seed` always names the seed that drew it.

export const DEFAULT_SEED = 1;
