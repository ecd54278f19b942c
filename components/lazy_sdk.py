"""Pulumi provider SDK namespaces loaded one resource module at a time, with each input and output
type defined only when something names it.

Why: a pulumi-generated provider SDK (pulumi-aws, pulumi-gcp, pulumi-azure-native) is one package
per cloud namespace (`pulumi_gcp.compute`, `pulumi_aws.ec2`, ...). Importing any resource module
of one runs the namespace's `__init__`, which imports every resource module of the namespace
(compute: 290) and its `_inputs` and `outputs` modules, one class per input or output type
(compute: 93,000 and 96,000 lines, 1,950 and 1,360 classes, each class body building its typing
annotations). The offline plans spent most of their time there, on classes they never use
(docs/benchmarks.md, "Offline plan").

How, and why what runs is still the SDK's own code:
- An opened namespace is a package made from its real spec (`__path__`, `__file__`) whose
  `__init__` is not run. That `__init__` only re-exports (`from .network import *`, ...):
  `_reexports_only` checks the installed file, and a namespace whose `__init__` does anything
  else is imported the ordinary way.
- Its `_inputs` and `outputs` modules run their own header (the imports) as written, and define
  each class from the module's compiled bytecode (the class body's code object, decorator and
  bases as the source writes them) when it is first needed: before a resource module of the
  namespace runs, every type its source names, and the types those name, transitively. A word
  that only looks like a type name defines a class too many, never one too few. A module whose
  layout is not the generator's (a header, then only classes) is run whole.
- These rules sit in an import hook (`sys.meta_path`), so they hold however a module of an opened
  namespace is imported: by a target, by the SDK rehydrating a resource reference, by a test.
- Anything else asked of the package (the class of a resource module not loaded) defines every
  type and runs the package's real `__init__`: slower, and then the same package as a plain import.
  A resource module without source to read names from gets every type of its namespace.

Targets declare what they use per component module (components/gcp/sdk.py, components/aws_sdk.py,
components/azure/sdk.py) through a `Deferred` handle, loaded when a resource first reads it.
"""

from __future__ import annotations

import builtins
import functools
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import re
import sys
import types
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

TYPE_MODULES = ("_inputs", "outputs")
_IMPORTS = {"_inputs": "from ._inputs import *", "outputs": "from . import outputs"}
"""How a generated module imports each type module of its namespace."""
_STAR_IMPORTS = ("from ._inputs import *", "from .outputs import *")
_REEXPORT = re.compile(
    r"(?:import [\w.]+(?: as \w+)?|from \.*[\w.]* import (?:\*|\w+(?: as \w+)?)"
    r"|if typing\.TYPE_CHECKING:|    .*|#.*|)"
)
"""The lines a generated namespace `__init__` holds: imports, and imports for type checkers."""
_CLASS = re.compile(r"\n(?:@([\w.]+)\n)?class (\w+)(?:\(([\w., ]*)\))?:")
"""A class statement under at most one decorator (searched from a newline: fast, and no class
statement is a module's first line)."""
_TOP_LEVEL = re.compile(r"\n[^\s#]")
_TYPE_NAME = re.compile(r"[A-Z][A-Za-z0-9_]*")
"""A generated type's name, and what finds every word of a text that could be one: any
identifier starting with an upper-case ASCII letter is matched whole (ASCII classes: 3x faster
than `\\w`); checked against each module's class names when it is indexed."""

_opened: dict[str, _Namespace] = {}


class Deferred:
    """A module a component declares at import time and loads when a resource first reads it:
    importing a target (as `trudeploy validate` does for every stack) then costs no SDK loading,
    as `import pulumi_gcp as gcp` cost none before it (the SDK loads its namespaces lazily too)."""

    def __init__(self, load: Callable[[], types.ModuleType]) -> None:
        self._load = load
        self._module: types.ModuleType | None = None

    def __getattr__(self, attr: str) -> Any:
        if self._module is None:
            self._module = self._load()
        return getattr(self._module, attr)


def package(root: str, namespaces: Mapping[str, Iterable[str]]) -> types.ModuleType:
    """The SDK's root package (`pulumi_gcp`, ...), with each of `namespaces` opened holding at
    least the public names of the modules listed for it, so `<root>.<namespace>.<Name>` reads as
    after a plain import."""
    for name, modules in namespaces.items():
        namespace(root, name, *modules)
    return sys.modules[root]


def namespace(root: str, name: str, *modules: str) -> types.ModuleType:
    """`<root>.<name>` (e.g. `pulumi_gcp.compute`) holding at least the public names of `modules`
    (resource or function module names, such as `network`, `get_project`). A namespace someone
    already imported whole is used as it is."""
    full = f"{root}.{name}"
    package = sys.modules.get(full)
    if full not in _opened and (package is None or type(package).__name__ == "_LazyModule"):
        package = _open(root, name)
    for module in modules:
        importlib.import_module(f"{full}.{module}")
    return sys.modules[full]


def _open(root: str, name: str) -> types.ModuleType:
    """Register `<root>.<name>` as a package whose `__init__` has not run (or import it whole if
    its `__init__` does more than re-export)."""
    full = f"{root}.{name}"
    parent = importlib.import_module(root)
    spec = importlib.machinery.PathFinder.find_spec(full, parent.__path__)
    if spec is None or spec.origin is None or not _reexports_only(Path(spec.origin)):
        package = importlib.import_module(full)
        _ = package.__name__  # the SDK's lazy module runs its `__init__` when first touched
        return package
    package = importlib.util.module_from_spec(spec)
    state = _Namespace(package, spec)
    package.__getattr__ = state.getattr  # type: ignore[attr-defined]
    _install_hook()
    _opened[full] = state
    sys.modules[full] = package
    setattr(parent, name, package)
    return package


def _reexports_only(init: Path) -> bool:
    """Whether a namespace `__init__` is only the generator's re-exports, so skipping it leaves
    nothing undone but names the loader exports itself."""
    return all(_REEXPORT.fullmatch(line) for line in init.read_text().splitlines())


def _install_hook() -> None:
    """Put `_Finder` first on `sys.meta_path`, once per process."""
    if not any(isinstance(finder, _Finder) for finder in sys.meta_path):
        sys.meta_path.insert(0, _Finder())


class _Namespace:
    """One opened namespace: its package, and what of its types has been defined."""

    def __init__(self, package: types.ModuleType, spec: importlib.machinery.ModuleSpec) -> None:
        self.package = package
        self.spec = spec
        self.complete = False

    @property
    def name(self) -> str:
        return self.package.__name__

    def types(self, leaf: str) -> _Types | None:
        """The lazily defined classes of `_inputs` or `outputs` (imported here if not yet); None
        if the namespace has no such module or it ran whole."""
        if not Path(self.package.__path__[0], f"{leaf}.py").is_file():
            return None
        module = importlib.import_module(f"{self.name}.{leaf}")
        return module.__dict__.get("__types__")

    def type_modules(self, source: str) -> list[_Types]:
        """The type modules a resource module's source imports."""
        wanted = [self.types(leaf) for leaf in TYPE_MODULES if _IMPORTS[leaf] in source]
        return [types_ for types_ in wanted if types_ is not None]

    def define_for(self, source: str) -> None:
        """Define every type `source` names in this namespace's type modules, transitively."""
        words = set(_TYPE_NAME.findall(source))
        for module in self.type_modules(source):
            module.define(words)

    def export(self, module: types.ModuleType) -> None:
        """What the skipped `from .<module> import *` would have put on the package."""
        for attr in getattr(module, "__all__", ()):
            if attr not in self.package.__dict__:
                setattr(self.package, attr, getattr(module, attr))

    def getattr(self, attr: str) -> Any:
        """The package's `__getattr__`: an input type (as `from ._inputs import *` would have
        exported it), else the whole package."""
        if attr.startswith("__") or self.complete:
            raise AttributeError(f"module {self.name!r} has no attribute {attr!r}")
        if attr in TYPE_MODULES and Path(self.package.__path__[0], f"{attr}.py").is_file():
            return importlib.import_module(f"{self.name}.{attr}")
        inputs = self.types("_inputs")
        if inputs is not None and attr in inputs.index:
            inputs.define({attr})
            return inputs.module.__dict__[attr]
        self.finish()
        return getattr(self.package, attr)

    def define_all(self) -> None:
        """Define every type of the namespace."""
        for leaf in TYPE_MODULES:
            types_ = self.types(leaf)
            if types_ is not None:
                types_.define(set(types_.index))

    def finish(self) -> None:
        """Define every type, then run the real `__init__`: the package a plain import gives."""
        self.define_all()
        self.complete = True
        assert self.spec.loader is not None
        self.spec.loader.exec_module(self.package)


class _Types:
    """The class statements of one `_inputs` or `outputs` module, run when first named."""

    def __init__(
        self,
        module: types.ModuleType,
        source: str,
        classes: list[re.Match[str]],
        bodies: dict[str, types.CodeType],
    ) -> None:
        self.module = module
        self.source = source
        self.bodies = bodies
        ends = [m.start() for m in classes[1:]] + [len(source)]
        self.index = {m.group(2): (m, end) for m, end in zip(classes, ends, strict=True)}
        self.defined: set[str] = set()

    def define(self, words: Iterable[str]) -> None:
        """Define the classes among `words` and every class of this module they name, in the
        module's order. (A class can name a type of the other type module only through that
        module, `outputs.X`, whose `__getattr__` defines it when read.)"""
        pending = [w for w in words if w in self.index and w not in self.defined]
        new: list[str] = []
        while pending:
            name = pending.pop()
            if name in self.defined:
                continue
            self.defined.add(name)
            new.append(name)
            match, end = self.index[name]
            named = _TYPE_NAME.findall(self.source, match.start(), end)
            pending.extend(w for w in named if w in self.index and w not in self.defined)
        for name in sorted(new, key=lambda n: self.index[n][0].start()):
            self._run(name)
        self.module.__dict__["__all__"].extend(sorted(new))

    def _run(self, name: str) -> None:
        """The class statement `class <name>(<bases>):` under its decorator, as the module's
        own bytecode runs it: the body's code object, the bases, then the decorator."""
        match = self.index[name][0]
        namespace = self.module.__dict__
        bases = eval(_expression(f"({match.group(3)},)"), namespace) if match.group(3) else ()
        body = types.FunctionType(self.bodies[name], namespace, name)
        cls = builtins.__build_class__(body, name, *bases)
        if match.group(1):
            cls = eval(_expression(match.group(1)), namespace)(cls)
        namespace[name] = cls


@functools.cache
def _expression(text: str) -> types.CodeType:
    """A decorator or bases expression, compiled once: a module has thousands of classes and
    two or three distinct ones (`pulumi.input_type`, `TypedDict`, `dict`)."""
    return compile(text, "<class statement>", "eval")


class _TypesLoader(importlib.abc.Loader):
    """Runs an `_inputs` or `outputs` module's header, leaving its classes to `_Types`."""

    def __init__(self, loader: importlib.machinery.SourceFileLoader) -> None:
        self.loader = loader

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> None:
        return None

    def exec_module(self, module: types.ModuleType) -> None:
        name = module.__name__
        source = self.loader.get_source(name) or ""
        code = self.loader.get_code(name)
        classes = list(_CLASS.finditer(source))
        bodies = {c.co_name: c for c in code.co_consts if isinstance(c, types.CodeType)}
        if not _generated_layout(source, classes, bodies):
            self.loader.exec_module(module)
            return
        header = compile(source[: classes[0].start()], self.loader.path, "exec")
        exec(header, module.__dict__)
        module.__dict__["__all__"] = []
        state = _Types(module, source, classes, bodies)
        module.__dict__["__types__"] = state

        def __getattr__(attr: str) -> Any:
            if attr in state.index:
                state.define({attr})
                return module.__dict__[attr]
            raise AttributeError(f"module {name!r} has no attribute {attr!r}")

        module.__dict__["__getattr__"] = __getattr__


def _generated_layout(
    source: str, classes: list[re.Match[str]], bodies: dict[str, types.CodeType]
) -> bool:
    """Whether a type module is laid out as the generator writes it, which `_Types` relies on:
    a header that does not star-import the other type module (it would copy only the names
    defined so far), then only class statements under at most one decorator, each class's body
    among the module's compiled code objects, and every class name one `_TYPE_NAME` finds
    whole."""
    if not classes or any(star in source[: classes[0].start()] for star in _STAR_IMPORTS):
        return False
    tops = len(_TOP_LEVEL.findall(source, classes[0].start()))
    decorated = sum(1 for m in classes if m.group(1))
    names = {m.group(2) for m in classes}
    return (
        tops == len(classes) + decorated
        and len(names) == len(classes)
        and names <= bodies.keys()
        and all(_TYPE_NAME.fullmatch(name) for name in names)
    )


class _ResourceLoader(importlib.abc.Loader):
    """Runs a resource module of an opened namespace once the types it names are defined (every
    type, for a module without source to read names from: bytecode only, an extension)."""

    def __init__(self, loader: importlib.abc.Loader, state: _Namespace) -> None:
        self.loader = loader
        self.state = state

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType | None:
        return self.loader.create_module(spec)

    def exec_module(self, module: types.ModuleType) -> None:
        if isinstance(self.loader, importlib.machinery.SourceFileLoader):
            self.state.define_for(self.loader.get_source(module.__name__) or "")
        else:
            self.state.define_all()
        self.loader.exec_module(module)
        self.state.export(module)


class _Finder(importlib.abc.MetaPathFinder):
    """Gives the modules of opened namespaces the loaders above."""

    def find_spec(
        self, fullname: str, path: Any = None, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        parent, _, leaf = fullname.rpartition(".")
        state = _opened.get(parent)
        if state is None or state.complete:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return spec
        source = isinstance(spec.loader, importlib.machinery.SourceFileLoader)
        if leaf in TYPE_MODULES and source:
            spec.loader = _TypesLoader(spec.loader)
        elif leaf not in TYPE_MODULES:
            spec.loader = _ResourceLoader(spec.loader, state)
        return spec
