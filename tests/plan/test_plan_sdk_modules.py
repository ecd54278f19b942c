"""A plan loads only the SDK modules and types its target declares (components/lazy_sdk.py).

Importing one resource of a pulumi-aws, pulumi-gcp or pulumi-azure-native namespace the ordinary
way runs the namespace's `__init__`, which loads every resource of it and all its input and
output types: most of what the offline plan used to spend (docs/benchmarks.md). Each stack is
planned in a fresh interpreter and what it loaded is read from `sys.modules`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

PROBE = """
import json, sys
from stacks.offline.runner import build_plan
from components import lazy_sdk
build_plan(sys.argv[1])
report = {}
for name, module in sorted(sys.modules.items()):
    root, _, rest = name.partition(".")
    if root != sys.argv[2] or not rest or "." in rest or type(module).__name__ == "_LazyModule":
        continue
    if not hasattr(module, "__path__"):
        continue  # the SDK's own top-level modules (_utilities, provider, config)
    state = lazy_sdk._opened.get(name)
    types = {}
    for leaf in lazy_sdk.TYPE_MODULES:
        loaded = sys.modules.get(f"{name}.{leaf}")
        held = loaded.__dict__.get("__types__") if loaded is not None else None
        types[leaf] = None if held is None else [len(held.defined), len(held.index)]
    report[rest] = {
        "opened": state is not None,
        "complete": bool(state and state.complete),
        "modules": sorted(m for m in sys.modules if m.startswith(name + ".")),
        "types": types,
    }
print(json.dumps(report))
"""

STACKS = [
    ("prod", "pulumi_aws", "ec2"),
    ("staging", "pulumi_aws", "s3"),
    ("prod-gcp", "pulumi_gcp", "compute"),
    ("prod-azure", "pulumi_azure_native", "network"),
]
"""Each stack, its SDK, and the largest namespace it declares resources of."""


def loaded_namespaces(stack: str, root: str) -> dict[str, dict]:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, stack, root],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(("stack", "root", "largest"), STACKS, ids=[s[0] for s in STACKS])
def test_plan_loads_only_the_declared_parts_of_each_namespace(
    stack: str, root: str, largest: str
) -> None:
    seen = loaded_namespaces(stack, root)
    assert largest in seen  # positive control: the probe sees the namespaces the plan used
    for name, namespace in seen.items():
        assert namespace["opened"], f"{root}.{name} was imported whole"
        assert not namespace["complete"], f"{root}.{name} was completed (an undeclared module)"
        for leaf, counts in namespace["types"].items():
            loaded = f"{root}.{name}.{leaf}" in namespace["modules"]
            assert counts is not None or not loaded, f"{root}.{name}.{leaf} ran whole"
    for leaf, counts in seen[largest]["types"].items():
        defined, available = counts
        assert defined < available / 2, f"most types of {root}.{largest}.{leaf} were defined"


def test_validate_and_help_load_no_cloud_sdk() -> None:
    """`validate` imports every target to see it is available; the targets' SDK handles load on
    first use, so checking six stack files loads no cloud SDK. `--help` loads no Pulumi at all."""
    probe = (
        "import sys\nfrom typer.testing import CliRunner\nfrom cli.main import app\n"
        "result = CliRunner().invoke(app, sys.argv[1:])\n"
        "print(result.exit_code, sorted({m.split('.')[0] for m in sys.modules\n"
        "    if m.split('.')[0].startswith('pulumi')}))"
    )
    seen = {}
    for argv in (["validate"], ["--help"]):
        proc = subprocess.run(
            [sys.executable, "-c", probe, *argv],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stderr
        seen[argv[0]] = proc.stdout.strip().splitlines()[-1]
    # positive control: validate did import the targets (the docker target's SDK, and pulumi)
    assert seen["validate"] == "0 ['pulumi', 'pulumi_docker', 'pulumi_random']"
    assert seen["--help"] == "0 []"
