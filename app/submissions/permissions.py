"""Object permissions: authors own their submissions; staff act as reviewers."""

from __future__ import annotations

from rest_framework import permissions


class IsOwnerOrReviewer(permissions.BasePermission):
    """The owner may do anything to their submission; staff may read it and review it.

    Changing a submission's content (or its files) stays with its owner alone.
    """

    def has_object_permission(self, request, view, obj) -> bool:
        submission = getattr(obj, "submission", obj)
        if submission.owner_id == request.user.pk:
            return True
        return request.user.is_staff and (
            request.method in permissions.SAFE_METHODS or view.action == "transition"
        )
