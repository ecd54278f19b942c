"""`trudeploy dev`: run the bundled service locally on its embedded default."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import typer
from rich.console import Console

APP_DIR = Path(__file__).resolve().parent.parent / "app"
console = Console()


def dev(
    host: str = typer.Option("127.0.0.1", help="Interface to bind."),
    port: int = typer.Option(8000, help="Port to serve on."),
    migrate: bool = typer.Option(True, help="Apply database migrations before serving."),
) -> None:
    """Serve the bundled service on its embedded default (SQLite, local cache, eager tasks)."""
    env = {**os.environ, "ENV": os.environ.get("ENV", "development")}
    manage = [sys.executable, str(APP_DIR / "manage.py")]
    if migrate:
        subprocess.run([*manage, "migrate", "--noinput"], env=env, check=True)
    console.print(f"[bold green]Serving the bundled service at http://{host}:{port}/[/]")
    os.execve(sys.executable, [*manage, "runserver", f"{host}:{port}", "--noreload"], env)
