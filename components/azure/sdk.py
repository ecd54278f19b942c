"""pulumi-azure-native, loaded one resource module at a time.

Each namespace package of the SDK (`pulumi_azure_native.network`, `.app`, ...) imports every
resource of its Azure namespace in its `__init__`: `network` alone is 290 modules and 0.77 s of
the plan (`python -X importtime`, docs/azure.md), for the 4 classes this target declares; and its
`_inputs` and `outputs` define every input and output type of the namespace. The namespaces are
opened by components/lazy_sdk.py instead (how, and why what runs is still the SDK's own code, is
said there): only the resource modules asked for run, and only the types they name are defined.
A namespace someone already loaded in full is used as it is.
"""

from __future__ import annotations

from components import lazy_sdk


def namespace(name: str, *modules: str) -> lazy_sdk.Deferred:
    """`pulumi_azure_native.<name>` holding at least the public names of `modules` (resource or
    function module names, such as `virtual_network`, `list_database_keys`), loaded when first
    read."""
    return lazy_sdk.Deferred(lambda: lazy_sdk.namespace("pulumi_azure_native", name, *modules))
