"""REST representations of submissions and manuscript files."""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from rest_framework import serializers

from . import filetypes
from .models import ManuscriptFile, Submission

NAME_MAX_LENGTH = 255


class ManuscriptFileSerializer(serializers.ModelSerializer):
    """A file as the API shows it; size and sha256 stay null/empty until the task has run.

    An upload is refused (400, on ``file``) above UPLOAD_MAX_BYTES, with a name longer than 255
    characters, or when its content is not an accepted manuscript type (see filetypes)."""

    class Meta:
        model = ManuscriptFile
        fields = [
            "id",
            "file",
            "original_name",
            "size",
            "sha256",
            "uploaded_at",
            "checksummed_at",
            "checksum_error",
        ]
        read_only_fields = [
            "original_name",
            "size",
            "sha256",
            "uploaded_at",
            "checksummed_at",
            "checksum_error",
        ]
        # The limit on the client's file name; the stored key is generated (manuscript_path).
        extra_kwargs = {"file": {"max_length": NAME_MAX_LENGTH}}

    def validate_file(self, upload: UploadedFile) -> UploadedFile:
        limit = settings.UPLOAD_MAX_BYTES
        if upload.size > limit:
            raise serializers.ValidationError(
                f"the file is {upload.size} bytes; the limit is {limit} (UPLOAD_MAX_BYTES)"
            )
        problem = filetypes.problem(upload.name, upload)
        if problem:
            raise serializers.ValidationError(problem)
        return upload


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
