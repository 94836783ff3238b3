data { int<lower=0> N; int<lower=1> D; matrix[N, D] X; int<lower=0, upper=1> y[N]; }
parameters { vector[D] w; }
model { w ~ normal(0, 1); y ~ bernoulli_logit(X * w); }
