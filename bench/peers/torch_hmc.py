# The PyTorch per-gradient-cost peer of bench/mcmc.ts: static HMC hand-written in PyTorch (float64,
# CPU, one thread), with a fixed step size and path length (no adaptation, no NUTS: PyTorch has no
# sampler of its own and Pyro is not installed here). It measures what one log-density gradient
# costs there, leapfrog bookkeeping included, on the same model and data as the .opt program
# (same unconstrained parameterization: log for the positive scales, with the log-Jacobian).
# It is not an ESS comparison: its step size and path length are not tuned.
# Usage: torch_hmc.py MODEL DATA.json ITERS STEPSIZE STEPS   (MODEL: eight_schools | kidiq | logreg)
# Prints one JSON line: gradients, seconds (wall, after 5 warm-up iterations), grads_per_s, accept.
import json, math, sys, time
import torch

torch.set_num_threads(1)
torch.manual_seed(1)
model, data_file = sys.argv[1], sys.argv[2]
iters, eps, L = int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
d = json.load(open(data_file))
f64 = torch.float64


def normal_lp(x, m, s):
    return (-0.5 * ((x - m) / s) ** 2 - torch.log(torch.as_tensor(s, dtype=f64))).sum()


def cauchy_lp(x, s):
    return -torch.log1p((x / s) ** 2).sum()


if model == 'eight_schools':
    y, sigma = torch.tensor(d['y'], dtype=f64), torch.tensor(d['sigma'], dtype=f64)
    J = y.shape[0]
    dim = 2 + J

    def logp(q):
        mu, log_tau, eta = q[0], q[1], q[2:]
        tau = torch.exp(log_tau)
        return normal_lp(mu, 0.0, 5.0) + cauchy_lp(tau, 5.0) + log_tau + normal_lp(eta, 0.0, 1.0) + normal_lp(
            y, mu + tau * eta, sigma)
elif model == 'kidiq':
    ks, iq = torch.tensor(d['kid_score'], dtype=f64), torch.tensor(d['mom_iq'], dtype=f64)
    dim = 3

    def logp(q):
        sigma = torch.exp(q[2])
        return cauchy_lp(sigma, 2.5) + q[2] + normal_lp(ks, q[0] + q[1] * iq, sigma)
elif model == 'logreg':
    X, yb = torch.tensor(d['X'], dtype=f64), torch.tensor(d['y'], dtype=f64)
    dim = X.shape[1]

    def logp(q):
        z = X @ q
        return -0.5 * (q * q).sum() + (yb * z - torch.nn.functional.softplus(z)).sum()
else:
    raise SystemExit(f'unknown model {model}')

grads = 0


def value_and_grad(q):
    global grads
    grads += 1
    q = q.detach().requires_grad_(True)
    lp = logp(q)
    (g,) = torch.autograd.grad(lp, q)
    return lp.detach(), g


def hmc(n):
    q = torch.zeros(dim, dtype=f64)
    lp, g = value_and_grad(q)
    acc = 0
    for _ in range(n):
        p0 = torch.randn(dim, dtype=f64)
        qn, p, gn, lpn = q.clone(), p0 + 0.5 * eps * g, g, lp
        for k in range(L):
            qn = qn + eps * p
            lpn, gn = value_and_grad(qn)
            p = p + (eps if k < L - 1 else 0.5 * eps) * gn
        h0 = -lp + 0.5 * (p0 * p0).sum()
        h1 = -lpn + 0.5 * (p * p).sum()
        if math.log(1 - torch.rand(1).item()) < float(h0 - h1):
            q, lp, g = qn, lpn, gn
            acc += 1
    return acc


hmc(5)
grads = 0
t0 = time.perf_counter()
acc = hmc(iters)
dt = time.perf_counter() - t0
print(json.dumps({'gradients': grads, 'seconds': dt, 'grads_per_s': grads / dt, 'accept': acc / iters,
                  'version': torch.__version__}))
