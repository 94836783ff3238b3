// The driver.py of an exported package (torch_package.ts writes it verbatim): runs the program's
// method on model.py in one process, or data-parallel under torchrun. Each process holds a
// contiguous shard of the rows; the objective is taken as sum-over-rows + the rest, so each
// process adds its shard's value minus (W-1)/W of the empty shard's (the rest), and an all-reduce
// sums values and gradients: every process then takes the same step. The driver checks that
// decomposition on the data before it runs (a dimension that only equals the row count by
// coincidence, or a term that is not a row sum, fails the check with a clear error).
// Kept as a string so the bundled CLI carries it; it is Python, not TypeScript.

export const TORCH_DRIVER = String.raw`"""Runs an exported Proxima program (proxima export --to torch) with PyTorch.

  python driver.py [--out result.json]                       one process
  torchrun --nproc_per_node 2 driver.py --out result.json    data-parallel (gloo on CPU, nccl on GPU)
  python driver.py --check point.json                        value and gradient at points (tests)

Writes the result JSON of proxima run --json (docs/result.schema.json), backend "torch".
"""
import argparse
import json
import math
import os
import signal
import sys
import time

import torch
import torch.distributed as dist

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import model  # noqa: E402

DTYPES = {"float64": torch.float64, "int32": torch.int32, "bool": torch.bool}


def load_program():
    with open(os.path.join(HERE, "program.json")) as f:
        return json.load(f)


def load_data():
    with open(os.path.join(HERE, "data.json")) as f:
        raw = json.load(f)
    out = {}
    for name, a in raw.items():
        vals = [float(v) if isinstance(v, str) else v for v in a["data"]]
        out[name] = torch.tensor(vals, dtype=DTYPES[a["dtype"]]).reshape(a["shape"])
    return out


class Problem:
    """The exported scalar on this process's rows; summed over processes it is the whole data's."""

    def __init__(self, prog, data, rank, world):
        self.prog, self.full, self.rank, self.world = prog, data, rank, world
        rows = prog["rows"]
        self.rows = rows
        self.sign = -1.0 if prog["value"] == "log_density" else 1.0  # the driver minimizes
        self.sharded = world > 1 and rows is not None
        self.n_full = rows["size"] if rows else 0
        if rows is not None:
            self.empty = self.take(slice(0, 0))
        if self.sharded:
            lo, hi = self.n_full * rank // world, self.n_full * (rank + 1) // world
            self.local, self.n_local = self.take(slice(lo, hi)), hi - lo
        else:
            self.local, self.n_local = data, self.n_full

    def take(self, rows):
        d = dict(self.full)
        for k in self.rows["arrays"]:
            d[k] = self.full[k][rows]
        return d

    def rest(self, theta):
        """The value without rows (the terms that are not a sum over them)."""
        return self.sign * model.value(theta, self.empty, 0)

    def local_value(self, theta, data, n, scale=1.0, share=None):
        """This process's share: scale * (rows' value - rest) + rest / W (the whole value in one process)."""
        v = self.sign * model.value(theta, data, n)
        share = (1.0 / self.world if self.sharded else 1.0) if share is None else share
        if scale == 1.0 and share == 1.0:
            return v
        rest = self.rest(theta)
        return scale * (v - rest) + rest * share

    def value_grad(self, theta):
        """The summed value and gradient at theta (every process gets the same numbers)."""
        t = theta.detach().clone().requires_grad_(True)
        v = self.local_value(t, self.local, self.n_local)
        (g,) = torch.autograd.grad(v, t)
        buf = torch.cat([v.detach().reshape(1), g])
        if self.sharded:
            dist.all_reduce(buf)
        return buf[0].item(), buf[1:]

    def check_rows(self, points, parts):
        """The value on the whole data equals the sum of its values on parts contiguous row blocks
        minus (parts - 1) times the value without rows (and so do the gradients), or the run stops:
        sharding and minibatches rest on this split."""
        for x in points:
            t = x.detach().clone().requires_grad_(True)
            full = self.sign * model.value(t, self.full, self.n_full)
            (gf,) = torch.autograd.grad(full, t)
            err = None
            try:
                t2 = x.detach().clone().requires_grad_(True)
                total = -(parts - 1) * self.rest(t2)
                for k in range(parts):
                    lo, hi = self.n_full * k // parts, self.n_full * (k + 1) // parts
                    total = total + self.sign * model.value(t2, self.take(slice(lo, hi)), hi - lo)
                (g,) = torch.autograd.grad(total, t2)
                f = total.item()
            except Exception as e:  # a shape that is not the row count: the code cannot split the rows
                err = str(e).splitlines()[0]
            ok = err is None and abs(f - full.item()) <= 1e-9 * max(1.0, abs(full.item()))
            ok = ok and bool(torch.all((g - gf).abs() <= 1e-9 * torch.clamp(gf.abs(), min=1.0)))
            if not ok:
                arrays = ", ".join(self.rows["arrays"])
                why = err or "the blocks sum to %r, the whole data gives %r" % (f, full.item())
                fail(
                    "cannot split the rows: the %s is not a sum over the rows of %s plus terms without them (%s). "
                    "Run one process without --batch, or export with --rows naming the row data"
                    % (self.prog["value"], arrays, why)
                )


def fail(msg):
    sys.stderr.write("driver.py: error: " + msg + "\n")
    sys.exit(1)


def nested(flat, shape):
    if not shape:
        return flat[0]
    inner = 1
    for d in shape[1:]:
        inner *= d
    return [nested(flat[i * inner:(i + 1) * inner], shape[1:]) for i in range(shape[0])]


def finite(v):
    return v if isinstance(v, (int, float)) and math.isfinite(v) else None


def values_at(prob, theta):
    with torch.no_grad():
        outs = model.constrained(theta, prob.full, prob.n_full)
    return {e["name"]: nested([finite(v) for v in o.reshape(-1).tolist()], e["shape"]) for e, o in zip(prob.prog["layout"], outs)}


class Checkpoint:
    """Atomic saves (write, then rename) of the whole state every k steps; rank 0 writes, every rank reads."""

    def __init__(self, path, every, rank):
        self.path, self.every, self.rank = path, every, rank

    def load(self):
        if not self.path or not os.path.exists(self.path):
            return None
        return torch.load(self.path)

    def save(self, step, state):
        if not self.path or step % self.every != 0 or self.rank != 0:
            return
        tmp = self.path + ".tmp"
        torch.save(dict(state, step=step), tmp)
        os.replace(tmp, self.path)


def maybe_die(step, rank):
    """Fault injection for the elastic-restart test: SIGKILL this process once, at a given step."""
    at = os.environ.get("PROXIMA_EXPORT_KILL_AT")
    if at and int(at) == step and rank == int(os.environ.get("PROXIMA_EXPORT_KILL_RANK", "1")):
        if os.environ.get("TORCHELASTIC_RESTART_COUNT", "0") == "0":
            os.kill(os.getpid(), signal.SIGKILL)


def make_optimizer(name, o, params):
    if name == "lbfgs":
        return torch.optim.LBFGS(params, lr=1, max_iter=1, history_size=int(o.get("history", 10)),
                                 tolerance_grad=0.0, tolerance_change=0.0, line_search_fn="strong_wolfe")
    if name == "sgd":
        return torch.optim.SGD(params, lr=o["lr"], momentum=o.get("momentum", 0), nesterov=bool(o.get("nesterov", False)))
    if name == "adam":
        return torch.optim.Adam(params, lr=o["lr"], betas=(o["beta1"], o["beta2"]), eps=o["eps"])
    if name == "adamw":
        return torch.optim.AdamW(params, lr=o["lr"], betas=(o["beta1"], o["beta2"]), eps=o["eps"], weight_decay=o["weight_decay"])
    if name == "adagrad":
        return torch.optim.Adagrad(params, lr=o["lr"], eps=o["eps"])
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=o["lr"], alpha=o["rho"], eps=o["eps"])
    fail("method %s has no torch driver" % name)


def solve(prob, args, ckpt):
    prog, o = prob.prog, dict(prob.prog["method"]["options"])
    name = prog["method"]["name"]
    if args.steps is not None:
        o["steps"] = args.steps
    steps, tol = int(o["steps"]), float(o.get("tol", 0))
    theta = torch.tensor(prog["theta0"], dtype=torch.float64, requires_grad=True)
    opt = make_optimizer(name, o, [theta])
    start, f0, evals, trace = 0, None, 0, []
    saved = ckpt.load()
    if saved is not None:
        with torch.no_grad():
            theta.copy_(saved["theta"])
        opt.load_state_dict(saved["optimizer"])
        start, f0, evals, trace = saved["step"], saved["f0"], saved["evals"], saved["trace"]

    def closure():
        nonlocal evals
        opt.zero_grad()
        f, g = prob.value_grad(theta)
        evals += 1
        theta.grad = g.clone()
        return torch.tensor(f, dtype=torch.float64)

    status, reason, step = "max_steps", "ran the step budget (%d)" % steps, start
    t_loop, evals_before = time.time(), evals
    f, g = prob.value_grad(theta)
    evals += 1
    if f0 is None:
        f0 = f
    while True:
        gnorm = g.abs().max().item() if g.numel() else 0.0
        if not math.isfinite(f):
            status, reason = "diverged", "the objective is not finite (%r)" % f
            break
        scale = max(1.0, min(abs(f), abs(f0)))
        if tol > 0 and gnorm <= tol * scale:
            status, reason = "converged", "gradient norm %.3g <= %.3g (tol %.3g x scale %.3g)" % (gnorm, tol * scale, tol, scale)
            break
        if step >= steps:
            break
        if name == "lbfgs":
            opt.step(closure)
        else:
            opt.zero_grad()
            theta.grad = g.clone()
            opt.step()
        step += 1
        f, g = prob.value_grad(theta)
        evals += 1
        trace.append(f)
        ckpt.save(step, {"theta": theta.detach().clone(), "optimizer": opt.state_dict(), "f0": f0, "evals": evals, "trace": trace})
        maybe_die(step, prob.rank)
    loop_ms = (time.time() - t_loop) * 1000
    user = -f if prog["sense"] == "maximize" else f
    return {
        "status": status, "objective": finite(user), "steps": step, "options": dict(o, method=name),
        "values": values_at(prob, theta.detach()), "posterior": None,
        "diagnostics": {"gradient_norm": finite(g.abs().max().item() if g.numel() else 0.0), "evaluations": evals,
                        "stop_reason": reason, "loop_ms": loop_ms, "loop_evaluations": evals - evals_before, "trace": [finite(-v if prog["sense"] == "maximize" else v) for v in trace]},
    }


class Guide:
    """A Gaussian on the unconstrained scale: mean_field (diagonal) or full_rank (Cholesky factor)."""

    def __init__(self, kind, theta0):
        d = theta0.numel()
        self.kind, self.d = kind, d
        self.mu = theta0.clone().requires_grad_(True)
        self.omega = torch.zeros(d, dtype=torch.float64, requires_grad=True)  # log sd (diagonal)
        self.params = [self.mu, self.omega]
        if kind == "full_rank":
            self.lower = torch.zeros(d, d, dtype=torch.float64, requires_grad=True)
            self.params.append(self.lower)

    def factor(self):
        L = torch.diag(torch.exp(self.omega))
        if self.kind == "full_rank":
            L = L + torch.tril(self.lower, -1)
        return L

    def draw(self, eps):  # eps [S, d] -> theta [S, d]
        return self.mu + eps @ self.factor().mT

    def entropy(self):
        return self.omega.sum() + 0.5 * self.d * (1.0 + math.log(2 * math.pi))


def vi(prob, args, ckpt):
    prog, o = prob.prog, dict(prob.prog["method"]["options"])
    if args.steps is not None:
        o["steps"] = args.steps
    steps, samples = int(o["steps"]), int(o.get("samples", 1))
    opt_o = o.get("optimizer")
    lr = opt_o.get("lr", 0.05) if isinstance(opt_o, dict) else 0.05
    if args.lr is not None:
        lr = o["lr"] = args.lr
    batch = args.batch
    theta0 = torch.tensor(prog["theta0"], dtype=torch.float64)
    q = Guide(o["guide"], theta0)
    opt = torch.optim.Adam(q.params, lr=lr)
    gen = torch.Generator().manual_seed(int(prog["seed"]) if args.seed is None else args.seed)
    start, trace = 0, []
    saved = ckpt.load()
    if saved is not None:
        with torch.no_grad():
            for p, v in zip(q.params, saved["params"]):
                p.copy_(v)
        opt.load_state_dict(saved["optimizer"])
        gen.set_state(saved["rng"])
        start, trace = saved["step"], saved["trace"]
    sampler_seed = int(prog["seed"]) if args.seed is None else args.seed

    epochs = {}

    def minibatch(step):
        """Rows of this process for a step: a DistributedSampler epoch over the rows, chunked."""
        per_epoch = prob.n_full // batch
        epoch = step // per_epoch
        if epoch not in epochs:
            sampler = torch.utils.data.DistributedSampler(range(prob.n_full), num_replicas=prob.world, rank=prob.rank,
                                                          shuffle=True, seed=sampler_seed, drop_last=True)
            sampler.set_epoch(epoch)
            epochs.clear()
            epochs[epoch] = torch.tensor(list(sampler), dtype=torch.long)
        local = batch // prob.world
        k = step % per_epoch
        return epochs[epoch][k * local:(k + 1) * local]

    reduce = prob.world > 1 and (prob.sharded or bool(batch))
    share = 1.0 / prob.world if reduce else 1.0

    def neg_elbo_local(theta_draws, rows_idx):
        total = 0.0
        for s in range(theta_draws.shape[0]):
            if rows_idx is None:
                total = total + prob.local_value(theta_draws[s], prob.local, prob.n_local, share=share)
            else:
                data = prob.take(rows_idx)
                total = total + prob.local_value(theta_draws[s], data, rows_idx.numel(), scale=prob.n_full / batch, share=share)
        return total / theta_draws.shape[0] - q.entropy() * share

    # The reported guide: the average of the iterates over the last window steps (Adam at a
    # constant step size on noisy gradients ends anywhere in a cloud; its average is the estimate).
    window = min(args.average, steps)
    avg = saved["avg"] if saved is not None else [torch.zeros_like(p) for p in q.params]
    for step in range(start, steps):
        eps = torch.randn(samples, q.d, dtype=torch.float64, generator=gen)
        rows_idx = minibatch(step) if batch else None
        opt.zero_grad()
        loss = neg_elbo_local(q.draw(eps), rows_idx)
        grads = torch.autograd.grad(loss, q.params)
        buf = torch.cat([loss.detach().reshape(1)] + [g.reshape(-1) for g in grads])
        if reduce:
            dist.all_reduce(buf)
        k = 1
        for p, g in zip(q.params, grads):
            p.grad = buf[k:k + g.numel()].reshape(g.shape).clone()
            k += g.numel()
        opt.step()
        if step >= steps - window:
            for a, p in zip(avg, q.params):
                a += p.detach() / window
        trace.append(-buf[0].item())
        ckpt.save(step + 1, {"params": [p.detach().clone() for p in q.params], "optimizer": opt.state_dict(),
                             "rng": gen.get_state(), "trace": trace, "avg": [a.clone() for a in avg]})
        maybe_die(step + 1, prob.rank)

    # The ELBO on fixed draws (its Monte Carlo standard error beside it) and the posterior of the values.
    if window > 0:
        with torch.no_grad():
            for a, p in zip(avg, q.params):
                p.copy_(a)
    draws = args.draws
    eval_gen = torch.Generator().manual_seed(12345)
    with torch.no_grad():
        eps = torch.randn(draws, q.d, dtype=torch.float64, generator=eval_gen)
        th = q.draw(eps)
        terms = torch.stack([-prob.sign * model.value(th[s], prob.full, prob.n_full) for s in range(draws)]) + q.entropy()
        elbo, se = terms.mean().item(), (terms.std() / math.sqrt(draws)).item()
        vals = [model.constrained(th[s], prob.full, prob.n_full) for s in range(draws)]
    posterior, values = {}, {}
    for j, e in enumerate(prog["layout"]):
        x = torch.stack([v[j].reshape(-1) for v in vals])  # [draws, size]
        qs = torch.quantile(x, torch.tensor([0.05, 0.5, 0.95], dtype=torch.float64), dim=0)
        summ = {"mean": x.mean(0), "sd": x.std(0), "q05": qs[0], "q50": qs[1], "q95": qs[2]}
        posterior[e["name"]] = {k: nested([finite(v) for v in t.tolist()], e["shape"]) for k, t in summ.items()}
        values[e["name"]] = posterior[e["name"]]["mean"]
    return {
        "status": "max_steps", "objective": finite(elbo), "steps": steps,
        "options": dict(o, method="vi", draws=draws, **({"batch": batch} if batch else {})),
        "values": values, "posterior": posterior,
        "diagnostics": {"stop_reason": "ran the step budget (%d)" % steps, "averaged_steps": window, "elbo_draws": draws, "elbo_se": finite(se),
                        "elbo_trace": [finite(v) for v in trace[-100:]]},
    }


def check(prob, path):
    """Value and gradient of the exported scalar at each point of a JSON list (one process)."""
    with open(path) as f:
        points = json.load(f)
    out = []
    for p in points:
        t = torch.tensor(p, dtype=torch.float64, requires_grad=True)
        v = model.value(t, prob.full, prob.n_full)
        (g,) = torch.autograd.grad(v, t) if t.numel() else (torch.zeros(0),)
        out.append({"f": finite(v.item()), "g": [finite(x) for x in g.tolist()]})
    print(json.dumps(out))


def main():
    ap = argparse.ArgumentParser(description="Run an exported Proxima program with PyTorch.")
    ap.add_argument("--out", help="write the result JSON here (default: stdout)")
    ap.add_argument("--steps", type=int, help="override the step budget")
    ap.add_argument("--seed", type=int, help="override the program's seed (VI draws)")
    ap.add_argument("--batch", type=int, default=None, help="VI: rows per step over all processes (default: the program's plate; 0: all rows)")
    ap.add_argument("--lr", type=float, help="VI: override Adam's step size")
    ap.add_argument("--average", type=int, default=100, help="VI: report the guide averaged over the last this many steps")
    ap.add_argument("--draws", type=int, default=1000, help="VI: draws for the final ELBO and the posterior")
    ap.add_argument("--checkpoint", help="a checkpoint file: saved every --checkpoint-every steps, resumed from when present")
    ap.add_argument("--checkpoint-every", type=int, default=10)
    ap.add_argument("--dist-backend", default=None, help="gloo (default on CPU) or nccl")
    ap.add_argument("--threads", type=int, default=0, help="torch intra-op threads per process (0: torch's default)")
    ap.add_argument("--check", help="print value and gradient at the points in this JSON file, then exit")
    args = ap.parse_args()
    torch.set_default_dtype(torch.float64)
    if args.threads:
        torch.set_num_threads(args.threads)
    prog = load_program()
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    if world > 1:
        dist.init_process_group(args.dist_backend or ("nccl" if torch.cuda.is_available() else "gloo"))
    t0 = time.time()
    prob = Problem(prog, load_data(), rank, world)
    if args.batch is None:
        args.batch = prog.get("batch") or 0
    if args.check:
        check(prob, args.check)
        return
    m = prog["method"]
    if m["driver"] == "none":
        fail("method %s: %s; model.py has the exported %s for use from Python" % (m["name"], m.get("reason", "no torch driver"), prog["value"]))
    if args.batch:
        if m["driver"] != "vi" or prog["rows"] is None:
            fail("--batch needs a VI program with rows to subsample")
        if args.batch % world or args.batch > prog["rows"]["size"]:
            fail("--batch must be a multiple of the process count and at most the rows (%d)" % prog["rows"]["size"])
    theta0 = torch.tensor(prog["theta0"], dtype=torch.float64)
    gen = torch.Generator().manual_seed(1)
    if prob.sharded or args.batch:
        prob.check_rows([theta0, theta0 + torch.rand(theta0.shape, generator=gen, dtype=torch.float64) - 0.5], max(world, 2))
    ckpt = Checkpoint(args.checkpoint, args.checkpoint_every, rank)
    r = vi(prob, args, ckpt) if m["driver"] == "vi" else solve(prob, args, ckpt)
    result = {"schema": prog["schema"], "proxima": prog["proxima"], "status": r["status"], "objective": r["objective"],
              "steps": r["steps"], "time_ms": (time.time() - t0) * 1000, "compile_ms": 0, "backend": "torch",
              "seed": prog["seed"], "options": r["options"], "values": r["values"], "posterior": r["posterior"],
              "messages": [], "diagnostics": dict(r["diagnostics"], world_size=world)}
    if rank == 0:
        text = json.dumps(result)
        if args.out:
            with open(args.out, "w") as f:
                f.write(text + "\n")
        else:
            print(text)
    if world > 1:
        dist.barrier()
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
`;
