// Distributions: the registry the compiler and the VI engine use by name, plus the specs.
export * from './types.js';
export {
  distributions,
  distributionAliases,
  families,
  lookupDistribution,
  resolveDistribution,
  logProb,
  sample,
  dist,
  DistributionError,
} from './registry.js';
export { Mixture, logMix, logMixVec, bind, type BoundDist } from './mixture.js';
export { logStdGamma, poissonDraw, binomialDraw } from './samplers.js';
export { mvnCholLogProb, lkjLogNormalizer } from './multivariate.js';
