"""`trudeploy dev`: run the bundled service locally on its embedded default."""

from __future__ import annotations

import errno
import os
import socket
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
    taken = port_taken(host, port)
    if taken:
        Console(stderr=True).print(f"[bold red]error:[/] {taken}", highlight=False)
        raise typer.Exit(code=2)
    env = {**os.environ, "ENV": os.environ.get("ENV", "development")}
    manage = [sys.executable, str(APP_DIR / "manage.py")]
    if migrate:
        subprocess.run([*manage, "migrate", "--noinput"], env=env, check=True)
    console.print(f"[bold green]Serving the bundled service at http://{host}:{port}/[/]")
    os.execve(sys.executable, [*manage, "runserver", f"{host}:{port}", "--noreload"], env)


def port_taken(host: str, port: int) -> str | None:
    """Why `host:port` cannot be served on, or None. Checked before migrating, so the first thing
    a newcomer reads is the real problem, not "Serving" followed by runserver's own error."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return f"port {port} on {host} is taken; stop what serves it or pass --port"
            return f"cannot serve on {host}:{port}: {exc.strerror}"
    return None
