# The Stan peer of bench/mcmc.ts: rstan (Debian's r-cran-rstan) NUTS on the same model and data,
# 4 chains x (1000 warmup + 1000 draws), one core, default settings. Compilation is cached next to
# the .stan file (auto_write) and excluded; the time is Stan's own per-chain warmup + sampling time.
# Prints one JSON line: seconds, min bulk ESS over the parameters (posterior package), ESS/s.
args <- commandArgs(trailingOnly = TRUE)
suppressMessages({ library(rstan); library(jsonlite); library(posterior) })
rstan_options(auto_write = TRUE)
m <- stan_model(args[1])
d <- fromJSON(args[2])
fit <- sampling(m, data = d, chains = 4, iter = 2000, warmup = 1000, seed = as.integer(args[3]), cores = 1, refresh = 0)
secs <- sum(get_elapsed_time(fit))
dr <- as_draws_array(fit)
dr <- subset_draws(dr, variable = setdiff(variables(dr), "lp__"))
ess <- min(summarise_draws(dr, ess_bulk)$ess_bulk)
cat(toJSON(list(seconds = secs, ess_bulk_min = ess, ess_per_s = ess / secs), auto_unbox = TRUE, digits = I(6)), "\n")
