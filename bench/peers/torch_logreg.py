# PyTorch CPU peer for bench/logreg.ts and bench/mlp.ts: full-batch SGD steps, median of
# repetitions, printed as one JSON line {"steps_per_s": ..., "threads": ...}.
#   python3 torch_logreg.py logreg N D reps   |   python3 torch_logreg.py mlp B reps
import json, sys, time
import torch

torch.manual_seed(0)
kind = sys.argv[1]

def median(xs):
    s = sorted(xs); m = len(s) // 2
    return s[m] if len(s) % 2 else (s[m - 1] + s[m]) / 2

if kind == 'logreg':
    n, d, reps = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    X = torch.randn(n, d); y = (torch.rand(n, 1) < 0.5).float()
    w = torch.zeros(d, 1, requires_grad=True)
    def step():
        z = X @ w
        loss = (torch.nn.functional.softplus(z) - y * z).mean()
        loss.backward()
        with torch.no_grad():
            w.sub_(0.1 * w.grad)
            w.grad = None
else:
    b, reps = int(sys.argv[2]), int(sys.argv[3])
    X = torch.randn(b, 784); Y = torch.nn.functional.one_hot(torch.randint(0, 10, (b,)), 10).float()
    ps = [torch.randn(784, 256) * 0.05, torch.zeros(256), torch.randn(256, 10) * 0.05, torch.zeros(10)]
    for p in ps: p.requires_grad_(True)
    def step():
        h = torch.relu(X @ ps[0] + ps[1])
        logits = h @ ps[2] + ps[3]
        loss = -(Y * torch.log_softmax(logits, dim=1)).sum(dim=1).mean()
        loss.backward()
        with torch.no_grad():
            for p in ps:
                p.sub_(0.1 * p.grad)
                p.grad = None

for _ in range(20): step()
t0 = time.perf_counter(); k = 0
while time.perf_counter() - t0 < 0.05: step(); k += 1
inner = max(1, int(0.25 / ((time.perf_counter() - t0) / k)))
samples = []
for _ in range(reps):
    t0 = time.perf_counter()
    for _ in range(inner): step()
    samples.append((time.perf_counter() - t0) / inner)
print(json.dumps({"steps_per_s": 1 / median(samples), "threads": torch.get_num_threads(), "version": torch.__version__}))
