"""`pulumi up` entry point (Pulumi.yaml: `main: stacks/`)."""

import sys
from pathlib import Path

# Pulumi runs this file as a script; make the repository root importable for `stacks`/`components`.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from stacks.program import run

run()
