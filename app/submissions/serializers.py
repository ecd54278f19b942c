"""REST representations of submissions and manuscript files."""

from __future__ import annotations

from rest_framework import serializers

from .models import ManuscriptFile, Submission


class ManuscriptFileSerializer(serializers.ModelSerializer):
    """A file as the API shows it; size and sha256 stay null/empty until the task has run."""

    class Meta:
        model = ManuscriptFile
        fields = ["id", "file", "original_name", "size", "sha256", "uploaded_at", "checksummed_at"]
        read_only_fields = ["original_name", "size", "sha256", "uploaded_at", "checksummed_at"]


class SubmissionSerializer(serializers.ModelSerializer):
    """A submission; ``state`` only changes through the transition endpoint."""

    files = ManuscriptFileSerializer(many=True, read_only=True)

    class Meta:
        model = Submission
        fields = ["id", "title", "abstract", "state", "created_at", "submitted_at", "files"]
        read_only_fields = ["state", "created_at", "submitted_at", "files"]


class TransitionSerializer(serializers.Serializer):
    """The body of ``POST .../transition/``: the state to move to."""

    to = serializers.ChoiceField(choices=Submission.State.choices)
