"""The base of every trudeploy ComponentResource: Pulumi's component conventions in one place.

- every child is declared through `self.child(...)`, which sets `parent=self` and runs the
  component's transform hook (see `components.contract.ChildTransform`) on its props and options;
- `self.done(outputs)` registers the component's outputs (`register_outputs`).
"""

from __future__ import annotations

from typing import Any, TypeVar

import pulumi

from components.contract import ChildTransform

R = TypeVar("R", bound=pulumi.Resource)


class Component(pulumi.ComponentResource):
    """A ComponentResource with a transform hook over its direct children."""

    def __init__(
        self,
        type_token: str,
        name: str,
        transform: ChildTransform | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(type_token, name, None, opts)
        self._transform = transform

    def child(
        self,
        cls: type[R],
        resource_name: str,
        /,
        opts: pulumi.ResourceOptions | None = None,
        **props: Any,
    ) -> R:
        """Declare a child resource with `parent=self`, after the transform hook had its say."""
        merged = pulumi.ResourceOptions.merge(
            pulumi.ResourceOptions(parent=self), opts or pulumi.ResourceOptions()
        )
        if self._transform is not None:
            changed = self._transform(resource_name, cls, dict(props), merged)
            if changed is not None:
                props, merged = changed
        return cls(resource_name, opts=merged, **props)

    def done(self, outputs: dict[str, Any]) -> None:
        """Register outputs so `pulumi stack` and the plan see what this component produced."""
        self.register_outputs(outputs)
