// Property tests are deterministic: every fast-check run starts from one fixed seed, so a test run
// is reproducible and CI cannot fail on a draw no one can replay. FC_SEED=<int> explores other
// draws (a failure prints its seed and path; set FC_SEED to that seed to replay it).

import fc from 'fast-check';

fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261207) });
