"""Submission (an explicit state machine) and ManuscriptFile (a file in object storage).

The review rules (docs/service.md): the author submits and resubmits; reviewers (staff) move a
submission under review and decide on it, never on their own; once submitted, a submission and the
files it was submitted with are immutable: only a never-submitted draft can be deleted, and only
files added since the last submission can be removed. Deleting a file record deletes its stored
object, once the deletion commits.
"""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone


class IllegalTransition(ValueError):
    """A state change the review workflow does not allow."""


class NotAllowed(PermissionError):
    """A state change this user may not make (the wrong role, or their own submission)."""


class Submission(models.Model):
    """A manuscript an author submits; its ``state`` only moves along ``TRANSITIONS``."""

    class State(models.TextChoices):
        DRAFT = "draft"
        SUBMITTED = "submitted"
        UNDER_REVIEW = "under_review"
        ACCEPTED = "accepted"
        REJECTED = "rejected"
        REVISION_REQUESTED = "revision_requested"

    # Accepted and rejected are final; a requested revision goes back to the author to resubmit.
    TRANSITIONS: dict[str, frozenset[str]] = {
        State.DRAFT: frozenset({State.SUBMITTED}),
        State.SUBMITTED: frozenset({State.UNDER_REVIEW}),
        State.UNDER_REVIEW: frozenset({State.ACCEPTED, State.REJECTED, State.REVISION_REQUESTED}),
        State.REVISION_REQUESTED: frozenset({State.SUBMITTED}),
        State.ACCEPTED: frozenset(),
        State.REJECTED: frozenset(),
    }
    # States the author moves into; the others are a reviewer's (staff) decision.
    AUTHOR_TARGETS = frozenset({State.SUBMITTED})
    # States in which the author may still edit title and abstract.
    EDITABLE = frozenset({State.DRAFT, State.REVISION_REQUESTED})

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="submissions"
    )
    title = models.CharField(max_length=300)
    abstract = models.TextField(blank=True)
    state = models.CharField(max_length=32, choices=State.choices, default=State.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "state"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.state})"

    def can_transition(self, target: str) -> bool:
        """Whether the workflow allows moving from the current state to ``target``."""
        return target in self.TRANSITIONS.get(self.state, frozenset())

    def authorize(self, user: Any, target: str) -> None:
        """Raise NotAllowed unless ``user`` may move this submission to ``target``: the author
        moves it into AUTHOR_TARGETS, a reviewer (staff) who is not its author everywhere else."""
        is_author = user.pk == self.owner_id
        if target in self.AUTHOR_TARGETS:
            if not is_author:
                raise NotAllowed(f"only the author moves a submission to {target!r}")
        elif not user.is_staff:
            raise NotAllowed(f"moving to {target!r} is a reviewer's decision")
        elif is_author:
            raise NotAllowed("a reviewer cannot review their own submission")

    @property
    def deletable(self) -> bool:
        """Only a draft that was never submitted: anything submitted is part of the record."""
        return self.state == self.State.DRAFT and self.submitted_at is None

    def transition(self, target: str, by: Any = None) -> None:
        """Move to ``target`` or raise IllegalTransition (or NotAllowed for ``by``, the user
        asking; None is the system itself). The row is locked so racing requests cannot both move
        the same submission from the same state."""
        if target not in self.State.values:
            raise IllegalTransition(f"unknown state {target!r}; valid: {self.State.values}")
        if by is not None:
            self.authorize(by, target)
        with transaction.atomic():
            current = Submission.objects.select_for_update().only("state").get(pk=self.pk)
            self.state = current.state
            if not self.can_transition(target):
                allowed = sorted(map(str, self.TRANSITIONS[self.state])) or "none (final state)"
                raise IllegalTransition(
                    f"cannot move from {self.state!r} to {target!r}; allowed: {allowed}"
                )
            self.state = target
            fields = ["state", "updated_at"]
            if target == self.State.SUBMITTED:
                self.submitted_at = timezone.now()
                fields.append("submitted_at")
            self.save(update_fields=fields)


def manuscript_path(instance: ManuscriptFile, filename: str) -> str:
    """The stored object's key: a random name with the upload's extension. The client's name is
    kept in ``original_name``; as a key it could be 255 characters, collide or hold anything."""
    suffix = PurePosixPath(filename).suffix.lower()
    return f"manuscripts/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class ManuscriptFile(models.Model):
    """A file attached to a submission; size and SHA-256 are filled in by a Celery task."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=manuscript_path)
    original_name = models.CharField(max_length=255)
    size = models.BigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    checksummed_at = models.DateTimeField(null=True, blank=True)
    # Why the checksum could not be taken (the stored object is missing); the sweep skips these.
    checksum_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def deletable(self) -> bool:
        """Only while the submission is editable, and only a file added since it was last
        submitted: what a reviewer has seen stays."""
        submission = self.submission
        return submission.state in Submission.EDITABLE and (
            submission.submitted_at is None or self.uploaded_at > submission.submitted_at
        )


@receiver(post_delete, sender=ManuscriptFile)
def _delete_stored_object(sender: type, instance: ManuscriptFile, **kwargs: Any) -> None:
    """A deleted record takes its stored object with it (also when a submission's deletion
    cascades), after the commit, so a rolled-back deletion keeps both."""
    storage, name = instance.file.storage, instance.file.name
    if name:
        transaction.on_commit(lambda: storage.delete(name))
