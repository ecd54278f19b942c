"""Bench: `trudeploy plan --all` against the sum of the per-stack runs, the marginal cost of a
further stack on an already imported target, and where the AWS target's import time goes.

    .venv/bin/python bench/plan_all.py [--repeat 3]

A: each command a fresh subprocess (wall and CPU from `os.wait4`), median of `--repeat` runs.
B: one process plans an aws stack, then a second aws stack (same file under another name), then a
   docker stack and a second docker stack; each `plan_stack` timed (CPU, `time.process_time`).
C: `python -X importtime` of the prod (aws) plan: the pulumi_aws modules that define the resource
   classes the target declares (self time), against everything else pulumi_aws loads with them
   (package `__init__`s import every resource module and the whole `_inputs`/`outputs` of each
   service package).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import typer

REPO = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "cli.main"]


def measure(argv: list[str]) -> tuple[float, float]:
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(proc.pid, 0)
    return time.perf_counter() - start, usage.ru_utime + usage.ru_stime


def median_of(argv: list[str], repeat: int) -> tuple[float, float]:
    runs = [measure(argv) for _ in range(repeat)]
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


MARGINAL = """
import json, sys, time
from pathlib import Path
from stacks.offline.plans import plan_stack
root = Path(sys.argv[1])
out = {}
for stack in sys.argv[2:]:
    t = time.process_time()
    result = plan_stack(stack, root)
    assert result.exit_code == 0, (stack, result.errors, result.broken)
    out[stack] = time.process_time() - t
print(json.dumps(out))
"""


def marginal(repeat: int) -> dict[str, float]:
    root = Path(tempfile.mkdtemp(prefix="bench-plan-all-"))
    try:
        shutil.copy(REPO / "Pulumi.yaml", root)
        for src, names in (("prod", ("prod", "prod2")), ("dev", ("dev", "dev2"))):
            for name in names:
                shutil.copy(REPO / f"Pulumi.{src}.yaml", root / f"Pulumi.{name}.yaml")
        runs = []
        for _ in range(repeat):
            proc = subprocess.run(
                [sys.executable, "-c", MARGINAL, str(root), "prod", "prod2", "dev", "dev2"],
                cwd=REPO,
                capture_output=True,
                text=True,
                check=True,
            )
            runs.append(json.loads(proc.stdout))
        return {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    finally:
        shutil.rmtree(root)


def aws_imports() -> dict[str, float]:
    from stacks.offline.runner import build_plan

    used = {
        f"pulumi_aws.{t.split(':')[1].split('/')[0]}.{_snake(t.split('/')[1].split(':')[0])}"
        for t in {r.type for r in build_plan("prod").resources}
        if t.startswith("aws:")
    }
    proc = subprocess.run(
        [
            sys.executable,
            "-X",
            "importtime",
            "-c",
            "from stacks.offline.runner import build_plan; build_plan('prod')",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    self_us: dict[str, int] = {}
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line or "self [us]" in line:
            continue
        own, _, name = (p.strip() for p in line.removeprefix("import time:").split("|"))
        self_us[name] = int(own)
    aws = {k: v for k, v in self_us.items() if k.split(".")[0] == "pulumi_aws"}
    in_use = sum(v for k, v in aws.items() if k in used)
    inputs = sum(v for k, v in aws.items() if k.endswith(("._inputs", ".outputs")))
    return {
        "pulumi_aws modules loaded": len(aws),
        "pulumi_aws total s": sum(aws.values()) / 1e6,
        "resource modules the target declares s": in_use / 1e6,
        "their packages' _inputs/outputs s": inputs / 1e6,
        "other modules (siblings, functions) s": (sum(aws.values()) - in_use - inputs) / 1e6,
        "resource modules declared": len(used & set(aws)),
    }


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


def main(repeat: int = typer.Option(3, help="runs per subprocess case (median)")) -> None:
    stacks = ("dev", "prod", "staging")
    singles = {s: median_of([*CLI, "plan", "-s", s, "--json"], repeat) for s in stacks}
    every = median_of([*CLI, "plan", "--all", "--json"], repeat)
    print("A. subprocess, median of", repeat)
    for s, (wall, cpu) in singles.items():
        print(f"  plan -s {s} --json: wall {wall:.2f} s, CPU {cpu:.2f} s")
    print(
        f"  sum of the three: wall {sum(w for w, _ in singles.values()):.2f} s, "
        f"CPU {sum(c for _, c in singles.values()):.2f} s"
    )
    print(f"  plan --all --json: wall {every[0]:.2f} s, CPU {every[1]:.2f} s")
    print("B. in one process (CPU s per plan_stack, in order):")
    for stack, cpu in marginal(repeat).items():
        print(f"  {stack}: {cpu:.2f} s")
    print("C. aws target import (python -X importtime, self times):")
    for key, value in aws_imports().items():
        print(f"  {key}: {value:.2f}" if isinstance(value, float) else f"  {key}: {value}")


if __name__ == "__main__":
    typer.run(main)
