"""Admin registration for submissions and their files.

The admin follows the API's rules: ``state`` moves only through the workflow (never typed into a
form, which would let a staff user accept their own submission), and only what the API lets an
author delete can be deleted here.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from .models import ManuscriptFile, Submission


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    """Submissions by state and owner."""

    list_display = ["title", "owner", "state", "created_at"]
    list_filter = ["state"]
    readonly_fields = ["state", "submitted_at"]
    # The bulk "delete selected" action asks no object whether it may be deleted.
    actions = None

    def has_delete_permission(self, request: Any, obj: Submission | None = None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or obj.deletable)


@admin.register(ManuscriptFile)
class ManuscriptFileAdmin(admin.ModelAdmin):
    """Files with their recorded checksum."""

    list_display = ["original_name", "submission", "size", "sha256", "checksum_error"]
    readonly_fields = ["file", "size", "sha256", "checksummed_at", "checksum_error"]
    actions = None

    def has_delete_permission(self, request: Any, obj: ManuscriptFile | None = None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or obj.deletable)
