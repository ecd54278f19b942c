"""components/lazy_sdk.py gives the components the same classes a plain import of the SDK gives.

The loader skips a namespace's `__init__` and defines input and output types only when named;
what must hold is that nothing Pulumi reads from those classes goes missing, and that anything it
cannot vouch for falls back to the SDK's own import. Each case runs in a fresh interpreter: the
loader changes `sys.modules` and `sys.meta_path` for the life of the process.
"""

from __future__ import annotations

import json
import os
import py_compile
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PROBE = Path(__file__).with_name("lazy_sdk_probe.py")

HEADER = """\
import builtins as _builtins
import pulumi
from typing import Any, Mapping, Optional, Sequence
from typing import NotRequired, TypedDict
# end of header
"""
FAKE_SDK = {
    "fakesdk/__init__.py": "",
    "fakesdk/bare/__init__.py": "from .item import *\nfrom .spare import *\n",
    "fakesdk/bare/item.py": "__all__ = ['Item']\n\nclass Item:\n    pass\n",
    "fakesdk/bare/spare.py": "__all__ = ['Spare']\n\nclass Spare:\n    pass\n",
    "fakesdk/ns/__init__.py": """\
import builtins as _builtins
import typing
from .thing import *
from .other import *
from ._inputs import *
from . import outputs
""",
    "fakesdk/ns/_inputs.py": HEADER
    + """
__all__ = ['ThingSpecArgs', 'ThingSpecArgsDict', 'ThingPartArgs', 'OtherArgs']

class ThingSpecArgsDict(TypedDict):
    part: NotRequired[pulumi.Input['ThingPartArgs']]

@pulumi.input_type
class ThingSpecArgs:
    def __init__(__self__, *, part: Optional[pulumi.Input['ThingPartArgs']] = None):
        if part is not None:
            pulumi.set(__self__, "part", part)

    @property
    @pulumi.getter
    def part(self) -> Optional[pulumi.Input['ThingPartArgs']]:
        return pulumi.get(self, "part")

@pulumi.input_type
class ThingPartArgs:
    def __init__(__self__, *, size: Optional[pulumi.Input[int]] = None):
        if size is not None:
            pulumi.set(__self__, "size", size)

    @property
    @pulumi.getter
    def size(self) -> Optional[pulumi.Input[int]]:
        return pulumi.get(self, "size")

@pulumi.input_type
class OtherArgs:
    def __init__(__self__, *, flag: Optional[pulumi.Input[bool]] = None):
        if flag is not None:
            pulumi.set(__self__, "flag", flag)

    @property
    @pulumi.getter
    def flag(self) -> Optional[pulumi.Input[bool]]:
        return pulumi.get(self, "flag")
""",
    "fakesdk/ns/outputs.py": HEADER
    + """from . import outputs

__all__ = ['ThingStatus', 'OtherStatus']

@pulumi.output_type
class ThingStatus(dict):
    def __init__(__self__, *, phase: Optional[str] = None):
        if phase is not None:
            pulumi.set(__self__, "phase", phase)

    @property
    @pulumi.getter
    def phase(self) -> Optional[str]:
        return pulumi.get(self, "phase")

@pulumi.output_type
class OtherStatus(dict):
    pass
""",
    "fakesdk/ns/thing.py": HEADER
    + """from . import outputs
from ._inputs import *

__all__ = ['ThingResourceArgs', 'Thing']

@pulumi.input_type
class ThingResourceArgs:
    def __init__(__self__, *, spec: Optional[pulumi.Input['ThingSpecArgs']] = None):
        if spec is not None:
            pulumi.set(__self__, "spec", spec)

    @property
    @pulumi.getter
    def spec(self) -> Optional[pulumi.Input['ThingSpecArgs']]:
        return pulumi.get(self, "spec")

class Thing(pulumi.CustomResource):
    @property
    @pulumi.getter
    def status(self) -> pulumi.Output['outputs.ThingStatus']:
        return pulumi.get(self, "status")
""",
    "fakesdk/ns/other.py": HEADER
    + """from . import outputs
from ._inputs import *

__all__ = ['OtherResourceArgs', 'Other']

@pulumi.input_type
class OtherResourceArgs:
    def __init__(__self__, *, other: Optional[pulumi.Input['OtherArgs']] = None):
        if other is not None:
            pulumi.set(__self__, "other", other)

    @property
    @pulumi.getter
    def other(self) -> Optional[pulumi.Input['OtherArgs']]:
        return pulumi.get(self, "other")

class Other(pulumi.CustomResource):
    @property
    @pulumi.getter
    def status(self) -> pulumi.Output['outputs.OtherStatus']:
        return pulumi.get(self, "status")
""",
}


def fake_sdk(root: Path, changes: dict[str, str] | None = None) -> Path:
    """The generated layout in miniature: a namespace of two resources sharing `_inputs` and
    `outputs`; `changes` appends text to files of the namespace (`{"_inputs": ...}`), or adds it
    to the end of their header (`{"outputs header": ...}`)."""
    for rel, text in FAKE_SDK.items():
        key = rel.removeprefix("fakesdk/ns/").removesuffix(".py")
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        header = (changes or {}).get(f"{key} header", "")
        text = text.replace("# end of header\n", f"# end of header\n{header}")
        path.write_text(text + (changes or {}).get(key, ""))
    return root


def run(sdk: Path, code: str) -> dict:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(sdk), str(REPO)])}
    prelude = "import json, sys\nfrom pulumi import _types\nfrom components import lazy_sdk\n"
    proc = subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_a_resource_gets_the_types_it_names_transitively_and_no_others(tmp_path: Path) -> None:
    seen = run(
        fake_sdk(tmp_path),
        """
        ns = lazy_sdk.namespace("fakesdk", "ns", "thing")
        inputs = sys.modules["fakesdk.ns._inputs"]
        spec = _types.input_type_types(ns.ThingResourceArgs)["spec"]
        part = _types.input_type_types(_types.input_type_types(spec)["part"])
        print(json.dumps({
            "loaded": sorted(m for m in sys.modules if m.startswith("fakesdk.ns.")),
            "defined": sorted(inputs.__types__.defined),
            "part": str(part),
            "status": _types.resource_types(ns.Thing)["status"].__name__,
        }))
        """,
    )
    # the other resource module never ran, nor the package's `__init__` that imports it
    assert "fakesdk.ns.other" not in seen["loaded"]
    # ThingPartArgs is named only by ThingSpecArgs: defined because the closure is transitive;
    # OtherArgs and ThingSpecArgsDict are named by nothing the resource reaches
    assert seen["defined"] == ["ThingPartArgs", "ThingSpecArgs"]
    assert seen["part"] == "{'size': <class 'int'>}"
    assert seen["status"] == "ThingStatus"


def test_an_undeclared_class_completes_the_package_as_a_plain_import(tmp_path: Path) -> None:
    seen = run(
        fake_sdk(tmp_path),
        """
        ns = lazy_sdk.namespace("fakesdk", "ns", "thing")
        other = ns.Other  # not declared: the package runs its real `__init__`
        public = sorted(n for n in vars(ns) if not n.startswith("_"))
        print(json.dumps({
            "public": public,
            "complete": lazy_sdk._opened["fakesdk.ns"].complete,
            "other": _types.input_type_types(ns.OtherResourceArgs)["other"].__name__,
            "same": other is sys.modules["fakesdk.ns.other"].Other,
        }))
        """,
    )
    assert seen["complete"] and seen["same"]
    assert seen["other"] == "OtherArgs"
    # what `from .x import *` of every module and `from . import outputs` would have bound
    assert seen["public"] == sorted(
        [
            "OtherArgs",
            "Other",
            "OtherResourceArgs",
            "Thing",
            "ThingPartArgs",
            "ThingResourceArgs",
            "ThingSpecArgs",
            "ThingSpecArgsDict",
            "other",
            "outputs",
            "thing",
            "typing",
        ]
    )


def test_a_namespace_without_type_modules_completes_and_answers_hasattr(tmp_path: Path) -> None:
    seen = run(
        fake_sdk(tmp_path),
        """
        bare = lazy_sdk.namespace("fakesdk", "bare", "item")
        before = "fakesdk.bare.spare" in sys.modules
        print(json.dumps({"before": before, "inputs": hasattr(bare, "_inputs"),
                          "spare": bare.Spare.__name__, "nope": hasattr(bare, "Nope")}))
        """,
    )
    assert seen == {"before": False, "inputs": False, "spare": "Spare", "nope": False}


def test_importing_a_resource_module_directly_defines_its_types_first(tmp_path: Path) -> None:
    seen = run(
        fake_sdk(tmp_path),
        """
        lazy_sdk.namespace("fakesdk", "ns", "thing")
        import fakesdk.ns.other as other  # not through the loader: its import hook
        hints = _types.input_type_types(other.OtherResourceArgs)
        print(json.dumps({"other": hints["other"].__name__,
                          "exported": hasattr(sys.modules["fakesdk.ns"], "Other")}))
        """,
    )
    assert seen == {"other": "OtherArgs", "exported": True}


def test_a_resource_module_without_source_gets_every_type(tmp_path: Path) -> None:
    """Nothing to read names from (a bytecode-only install): the loader defines every type."""
    sdk = fake_sdk(tmp_path)
    source = sdk / "fakesdk/ns/other.py"
    py_compile.compile(str(source), cfile=str(source.with_suffix(".pyc")), doraise=True)
    source.unlink()
    seen = run(
        sdk,
        """
        lazy_sdk.namespace("fakesdk", "ns", "thing")
        import fakesdk.ns.other as other
        hints = _types.input_type_types(other.OtherResourceArgs)
        print(json.dumps({"other": hints["other"].__name__, "source": other.__file__[-3:]}))
        """,
    )
    assert seen == {"other": "OtherArgs", "source": "pyc"}


def test_a_namespace_init_that_does_more_than_reexport_is_imported_whole(tmp_path: Path) -> None:
    seen = run(
        fake_sdk(tmp_path, {"__init__": "SETTING = 1\n"}),
        """
        ns = lazy_sdk.namespace("fakesdk", "ns", "thing")
        print(json.dumps({"opened": "fakesdk.ns" in lazy_sdk._opened,
                          "setting": ns.SETTING,
                          "other": "fakesdk.ns.other" in sys.modules}))
        """,
    )
    assert seen == {"opened": False, "setting": 1, "other": True}


@pytest.mark.parametrize(
    "change",
    [
        {"_inputs": "\nALIAS = ThingPartArgs\n"},  # a statement that is not a class
        {"_inputs": "\n@(lambda cls: cls)\nclass Later:\n    pass\n"},  # not a bare name
        {"outputs header": "from ._inputs import *\n"},  # copies only the names defined so far
    ],
    ids=["assignment", "decorator-expression", "star-import"],
)
def test_a_type_module_not_in_the_generated_layout_runs_whole(
    tmp_path: Path, change: dict[str, str]
) -> None:
    leaf = next(iter(change)).removesuffix(" header")
    seen = run(
        fake_sdk(tmp_path, change),
        f"""
        lazy_sdk.namespace("fakesdk", "ns", "thing")
        module = sys.modules["fakesdk.ns.{leaf}"]
        print(json.dumps({{"lazy": "__types__" in vars(module),
                          "all": sorted(n for n in vars(module) if n[0].isupper())}}))
        """,
    )
    assert not seen["lazy"]
    everything = {"_inputs": "OtherArgs", "outputs": "OtherStatus"}[leaf]
    assert everything in seen["all"]


def probe(args: list[str], stdin: str | None = None) -> dict:
    proc = subprocess.run(
        [sys.executable, str(PROBE), *args],
        cwd=REPO,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    ("stack", "root"),
    [("prod", "pulumi_aws"), ("prod-gcp", "pulumi_gcp"), ("prod-azure", "pulumi_azure_native")],
)
def test_every_type_pulumi_reaches_resolves_as_with_a_plain_import(stack: str, root: str) -> None:
    """From each resource class (and Args class) the stack's plan loaded, every input, output
    and TypedDict type Pulumi's own type readers reach resolves, to the same types a plain
    import of the SDK gives."""
    lazy = probe(["lazy", stack, root])
    assert len(lazy["classes"]) > 20  # positive control: the plan's classes were found
    plain = probe(["plain"], json.dumps(lazy["classes"]))
    assert lazy["types"] == plain["types"]
    assert len(plain["types"]) > 500
