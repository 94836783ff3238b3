# The PyTorch CPU peer as a long-lived process, so its rounds interleave with the JavaScript
# contenders on the same data: one JSON command per line on stdin, one JSON answer per line on
# stdout. Data arrive as raw little-endian float64 files written by the benchmark.
#   {"op": "info"}                                   version, threads, the BLAS library loaded and
#                                                    a 1000x1000 float32 matmul's GFLOP/s
#   {"op": "logreg", "X": path, "y": path, "n": N, "d": D, "steps": K, "lr": lr}
#        K full-batch gradient steps of mean(softplus(Xw) - y Xw) from w = 0 (float32, as users
#        write it), timed after two warm-up steps; answers seconds (wall), cpu seconds, final loss
#   {"op": "vi", "X": path, "y": path, "n": N, "d": D, "steps": K, "lr": lr, "seed": s}
#        mean-field Gaussian VI for Bayesian logistic regression (float64): one reparameterized
#        draw per step, closed-form entropy, Adam; answers seconds, cpu seconds, means and sds
#   {"op": "mlp", "b": B, "steps": K}                a 784-256-10 network's SGD steps (float32)
import json, math, sys, time
import torch

torch.manual_seed(0)


def blas_library():
    try:
        with open('/proc/self/maps') as f:
            libs = {line.split()[-1] for line in f if 'blas' in line.lower() and '/' in line}
        return sorted(libs)
    except OSError:
        return []


def matmul_gflops():
    a = torch.randn(1000, 1000)
    b = torch.randn(1000, 1000)
    for _ in range(3):
        a @ b
    best = float('inf')
    for _ in range(5):
        t = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - t)
    return 2e9 / best / 1e9


def load(path, shape, dtype):
    with open(path, 'rb') as f:
        data = f.read()
    return torch.frombuffer(bytearray(data), dtype=torch.float64).reshape(shape).to(dtype)


def timed(fn, steps):
    w0, c0 = time.perf_counter(), time.process_time()
    out = fn(steps)
    return time.perf_counter() - w0, time.process_time() - c0, out


def logreg(cmd):
    n, d = cmd['n'], cmd['d']
    X = load(cmd['X'], (n, d), torch.float32)
    y = load(cmd['y'], (n, 1), torch.float32)
    lr = cmd['lr']
    w = torch.zeros(d, 1, requires_grad=True)

    def run(k):
        loss = None
        for _ in range(k):
            z = X @ w
            loss = (torch.nn.functional.softplus(z) - y * z).mean()
            loss.backward()
            with torch.no_grad():
                w.sub_(lr * w.grad)
                w.grad = None
        return float(loss)

    run(2)
    with torch.no_grad():
        w.zero_()
    wall, cpu, loss = timed(run, cmd['steps'])
    return {'seconds': wall, 'cpu': cpu, 'loss': loss}


def vi(cmd):
    n, d = cmd['n'], cmd['d']
    X = load(cmd['X'], (n, d), torch.float64)
    y = load(cmd['y'], (n,), torch.float64)
    torch.manual_seed(cmd.get('seed', 0))
    m = torch.zeros(d, dtype=torch.float64, requires_grad=True)
    s = torch.zeros(d, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([m, s], lr=cmd['lr'])

    def run(k):
        for _ in range(k):
            opt.zero_grad()
            w = m + torch.exp(s) * torch.randn(d, dtype=torch.float64)
            z = X @ w
            loglik = (y * z - torch.nn.functional.softplus(z)).sum()
            logprior = (-0.5 * w * w).sum() - 0.5 * d * math.log(2 * math.pi)
            entropy = s.sum() + 0.5 * d * (1 + math.log(2 * math.pi))
            (-(loglik + logprior + entropy)).backward()
            opt.step()

    wall, cpu, _ = timed(run, cmd['steps'])
    return {'seconds': wall, 'cpu': cpu, 'm': m.tolist(), 'sd': torch.exp(s).tolist()}


def mlp(cmd):
    b = cmd['b']
    X = torch.randn(b, 784)
    Y = torch.nn.functional.one_hot(torch.randint(0, 10, (b,)), 10).float()
    ps = [torch.randn(784, 256) * 0.05, torch.zeros(256), torch.randn(256, 10) * 0.05, torch.zeros(10)]
    for p in ps:
        p.requires_grad_(True)

    def run(k):
        for _ in range(k):
            h = torch.relu(X @ ps[0] + ps[1])
            logits = h @ ps[2] + ps[3]
            loss = -(Y * torch.log_softmax(logits, dim=1)).sum(dim=1).mean()
            loss.backward()
            with torch.no_grad():
                for p in ps:
                    p.sub_(0.1 * p.grad)
                    p.grad = None

    run(3)
    wall, cpu, _ = timed(run, cmd['steps'])
    return {'seconds': wall, 'cpu': cpu}


OPS = {
    'info': lambda c: {
        'version': torch.__version__,
        'threads': torch.get_num_threads(),
        'blas': blas_library(),
        'matmul_gflops': matmul_gflops(),
    },
    'logreg': logreg,
    'vi': vi,
    'mlp': mlp,
}

# readline, not `for line in sys.stdin`: iteration reads ahead and would wait for more commands.
while True:
    line = sys.stdin.readline()
    if not line:
        break
    line = line.strip()
    if not line:
        continue
    try:
        cmd = json.loads(line)
        out = OPS[cmd['op']](cmd)
    except Exception as e:  # answer with the error; the benchmark reports it and goes on
        out = {'error': f'{type(e).__name__}: {e}'}
    sys.stdout.write(json.dumps(out) + '\n')
    sys.stdout.flush()
