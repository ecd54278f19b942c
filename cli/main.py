"""The `trudeploy` command: wiring only; the work lives in stacks/, components/ and migrate/."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="trudeploy",
    help="Deploy the bundled Django service to any target, and move its data between providers.",
    no_args_is_help=True,
    add_completion=False,
)


def _register() -> None:
    """Attach each command group; each module owns its own sub-app so this file stays wiring."""
    from cli import dev, live, plan, plan_all, validate
    from cli.maintenance import maintenance_app
    from cli.migrate import migrate_app

    app.command("dev", help=dev.dev.__doc__)(dev.dev)
    # A group whose callback is the single-stack command: `plan -s STACK` works as before, and
    # `plan diff` compares two `plan --all --json` documents.
    plan_app = typer.Typer(invoke_without_command=True)
    plan_app.callback(help=plan.plan.__doc__)(plan.plan)
    plan_app.command("diff", help=plan_all.diff.__doc__)(plan_all.diff)
    app.add_typer(plan_app, name="plan")
    app.command("validate", help=validate.validate.__doc__)(validate.validate)
    for command in (live.preview, live.up, live.destroy, live.outputs):
        app.command(command.__name__, help=command.__doc__)(command)
    app.add_typer(migrate_app, name="migrate")
    app.add_typer(maintenance_app, name="maintenance")


_register()

if __name__ == "__main__":
    app()
