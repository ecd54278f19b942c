"""pulumi-azure-native, loaded one resource module at a time.

Each namespace package of the SDK (`pulumi_azure_native.network`, `.app`, ...) imports every
resource of its Azure namespace in its `__init__`: `network` alone is 290 modules and 0.77 s of
the plan (`python -X importtime`, docs/azure.md), for the 4 classes this target declares. This
module registers a namespace as a bare package (its directory on `__path__`, `__init__` not run)
and imports just the resource modules asked for, with the shared `_enums`, `_inputs` and
`outputs` they import themselves. A namespace someone already loaded in full is used as it is.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from pathlib import Path

import pulumi_azure_native

ROOT = "pulumi_azure_native"


def namespace(name: str, *modules: str) -> types.ModuleType:
    """`pulumi_azure_native.<name>` holding at least the public names of `modules` (resource or
    function module names, such as `virtual_network`, `list_database_keys`)."""
    full = f"{ROOT}.{name}"
    package = sys.modules.get(full)
    if package is None or type(package).__name__ == "_LazyModule":
        package = types.ModuleType(full)
        package.__path__ = [str(Path(pulumi_azure_native.__file__).parent / name)]
        package.__package__ = full
        sys.modules[full] = package
        setattr(pulumi_azure_native, name, package)
    for module in modules:
        loaded = importlib.import_module(f"{full}.{module}")
        public = getattr(loaded, "__all__", None) or [
            n for n in vars(loaded) if not n.startswith("_")
        ]
        for attr in public:
            if not hasattr(package, attr):
                setattr(package, attr, getattr(loaded, attr))
    return package
