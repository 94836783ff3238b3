# Mean-field Gaussian VI for Bayesian logistic regression, hand-written in PyTorch (float64, CPU):
# w ~ Normal(0, 1)^D, y_i ~ Bernoulli(logits = x_i . w); the ELBO with one reparameterized draw
# per step and the closed-form entropy; Adam. Prints steps/s and the fitted guide (means, sds).
# Usage: torch_vi.py DATA.json STEPS LR
import json, math, sys, time
import torch

torch.set_num_threads(1)
torch.manual_seed(0)
d = json.load(open(sys.argv[1]))
steps, lr = int(sys.argv[2]), float(sys.argv[3])
X = torch.tensor(d["X"], dtype=torch.float64)
y = torch.tensor(d["y"], dtype=torch.float64)
D = X.shape[1]
m = torch.zeros(D, dtype=torch.float64, requires_grad=True)
s = torch.zeros(D, dtype=torch.float64, requires_grad=True)
opt = torch.optim.Adam([m, s], lr=lr)
t0 = time.perf_counter()
for _ in range(steps):
    opt.zero_grad()
    w = m + torch.exp(s) * torch.randn(D, dtype=torch.float64)
    z = X @ w
    loglik = (y * z - torch.nn.functional.softplus(z)).sum()
    logprior = (-0.5 * w * w).sum() - 0.5 * D * math.log(2 * math.pi)
    entropy = s.sum() + 0.5 * D * (1 + math.log(2 * math.pi))
    (-(loglik + logprior + entropy)).backward()
    opt.step()
dt = time.perf_counter() - t0
print(json.dumps({"steps_per_s": steps / dt, "m": m.tolist(), "sd": torch.exp(s).tolist(), "version": torch.__version__}))
