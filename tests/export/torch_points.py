"""Value and gradient of exported packages at given points, in one Python process (the tests'
side of the comparison with Proxima's ref backend; tests/export/torch_values.test.ts).

stdin: [{"dir": package folder, "points": [[...theta...], ...]}, ...]
stdout: [[{"f": value, "g": gradient}, ...], ...] (non-finite numbers as strings)
"""
import importlib.util
import json
import math
import sys

import torch

DTYPES = {"float64": torch.float64, "int32": torch.int32, "bool": torch.bool}


def num(v):
    return v if math.isfinite(v) else str(v)


def main():
    jobs = json.load(sys.stdin)
    out = []
    for i, job in enumerate(jobs):
        spec = importlib.util.spec_from_file_location("exported_%d" % i, job["dir"] + "/model.py")
        model = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(model)
        with open(job["dir"] + "/data.json") as f:
            raw = json.load(f)
        with open(job["dir"] + "/program.json") as f:
            prog = json.load(f)
        data = {
            k: torch.tensor([float(v) if isinstance(v, str) else v for v in a["data"]], dtype=DTYPES[a["dtype"]]).reshape(a["shape"])
            for k, a in raw.items()
        }
        n = prog["rows"]["size"] if prog["rows"] else 0
        res = []
        for p in job["points"]:
            t = torch.tensor(p, dtype=torch.float64, requires_grad=True)
            v = model.value(t, data, n)
            (g,) = torch.autograd.grad(v, t)
            res.append({"f": num(v.item()), "g": [num(x) for x in g.tolist()]})
        out.append(res)
    json.dump(out, sys.stdout)


main()
