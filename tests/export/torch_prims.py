"""Runs emitted torch functions on given inputs (tests/export/torch_prims.test.ts).

stdin: [{"source": Python defining f(<inputs>, n), "inputs": [{"data", "shape", "dtype"}]}, ...]
stdout: [[flat output values, ...], ...] (bools as 0/1; non-finite numbers as strings)
"""
import json
import math
import sys

import torch

DTYPES = {"float64": torch.float64, "int32": torch.int32, "bool": torch.bool}
PRELUDE = open(sys.argv[1]).read()


def num(v):
    v = float(v)
    return v if math.isfinite(v) else str(v)


out = []
for case in json.load(sys.stdin):
    scope = {}
    exec(PRELUDE + "\n" + case["source"], scope)
    args = [torch.tensor(a["data"], dtype=DTYPES[a["dtype"]]).reshape(a["shape"]) for a in case["inputs"]]
    res = scope["f"](*args, 0)
    out.append([[num(v) for v in r.reshape(-1).tolist()] for r in res])
json.dump(out, sys.stdout)
