"""The vocabulary `stacks/` and `components/` share, below both.

`stacks/` knows stack files and the engine; `components/` knows clouds. Both speak of envs, sizes,
profiles and plans, so those words live here and neither package imports the other's internals:
a target package imports only `components.contract`, this package and its provider SDKs.
"""
