"""Render target: web service, worker and beat on Render; Render Postgres or Neon, Render Key Value
or Upstash; Cloudflare R2 or AWS S3 for media (docs/render.md)."""

from components.render.target import RenderTarget as Target

__all__ = ["Target"]
