// Exact variational objectives of small discrete programs, by enumerating every joint state:
// the ELBO and the IWAE(2) bound, for checking compiled gradient estimators for bias.

export interface DiscreteProgram<Z> {
  states: readonly Z[];
  /** Guide probability of a state under guide parameters l. */
  q(z: Z, l: number[]): number;
  /** log p(x, z) - log q(z) under guide parameters l. */
  logW(z: Z, l: number[]): number;
}

export function exactElbo<Z>(p: DiscreteProgram<Z>): (l: number[]) => number {
  return (l) => p.states.reduce((a, z) => a + p.q(z, l) * p.logW(z, l), 0);
}

export function exactIwae2<Z>(p: DiscreteProgram<Z>): (l: number[]) => number {
  return (l) => {
    let s = 0;
    for (const a of p.states)
      for (const b of p.states) {
        const wa = p.logW(a, l),
          wb = p.logW(b, l);
        const m = Math.max(wa, wb);
        s += p.q(a, l) * p.q(b, l) * (m + Math.log((Math.exp(wa - m) + Math.exp(wb - m)) / 2));
      }
    return s;
  };
}
