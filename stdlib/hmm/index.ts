// Hidden Markov models: the exact marginal likelihood and the posterior state probabilities.
export { hmmMarginal, hmmHiddenStateProb } from './forward.js';
