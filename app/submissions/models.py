"""Submission (an explicit state machine) and ManuscriptFile (a file in object storage)."""

from __future__ import annotations

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone


class IllegalTransition(ValueError):
    """A state change the review workflow does not allow."""


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

    def transition(self, target: str) -> None:
        """Move to ``target`` or raise IllegalTransition; the row is locked so racing requests
        cannot both move the same submission from the same state."""
        if target not in self.State.values:
            raise IllegalTransition(f"unknown state {target!r}; valid: {self.State.values}")
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


class ManuscriptFile(models.Model):
    """A file attached to a submission; size and SHA-256 are filled in by a Celery task."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to="manuscripts/%Y/%m/")
    original_name = models.CharField(max_length=255)
    size = models.BigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    checksummed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name
