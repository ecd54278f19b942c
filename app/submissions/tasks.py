"""Celery tasks: checksum an uploaded file, and a periodic sweep for files still unchecked."""

from __future__ import annotations

import hashlib
import logging

from celery import shared_task
from django.utils import timezone

from .models import ManuscriptFile

logger = logging.getLogger(__name__)

_CHUNK = 1024 * 1024
_SWEEP_LIMIT = 200


@shared_task(name="submissions.tasks.checksum_file")
def checksum_file(file_id: int) -> dict[str, object]:
    """Read the stored object back (streamed, 1 MiB at a time) and record its size and SHA-256.

    Reading what storage actually holds, rather than the upload, is the point: it is the checksum a
    later storage migration verifies against.
    """
    record = ManuscriptFile.objects.get(pk=file_id)
    digest = hashlib.sha256()
    size = 0
    try:
        with record.file.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
                size += len(chunk)
    except FileNotFoundError as exc:
        # Retrying cannot bring the object back: record why, so the sweep stops queueing it (and
        # an operator can find it), instead of re-queueing it every run ahead of the others.
        record.checksum_error = f"stored object missing: {record.file.name}"[:300]
        record.save(update_fields=["checksum_error"])
        logger.warning(
            "stored object missing; not checksummed",
            extra={"file_id": file_id, "stored_name": record.file.name, "error": str(exc)},
        )
        return {"id": file_id, "error": record.checksum_error}
    record.size = size
    record.sha256 = digest.hexdigest()
    record.checksummed_at = timezone.now()
    record.save(update_fields=["size", "sha256", "checksummed_at"])
    logger.info("checksummed", extra={"file_id": file_id, "size": size, "sha256": record.sha256})
    return {"id": file_id, "size": size, "sha256": record.sha256}


# It only reads and queues checksum_file (which waits out maintenance): it may run during one.
@shared_task(name="submissions.tasks.checksum_pending_files", defer_in_maintenance=False)
def checksum_pending_files() -> int:
    """Beat's periodic task: queue a checksum for files whose task was lost (worker crash).
    Files whose failure is recorded (``checksum_error``) are not retried."""
    pending = list(
        ManuscriptFile.objects.filter(sha256="", checksum_error="")
        .order_by("pk")
        .values_list("pk", flat=True)[:_SWEEP_LIMIT]
    )
    for file_id in pending:
        checksum_file.delay(file_id)
    logger.info("queued pending checksums", extra={"count": len(pending)})
    return len(pending)
