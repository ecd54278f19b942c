"""REST endpoints under /api/v1/submissions/: CRUD, state transitions, file upload."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, parsers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from .models import IllegalTransition, ManuscriptFile, NotAllowed, Submission
from .permissions import IsOwnerOrReviewer
from .serializers import ManuscriptFileSerializer, SubmissionSerializer, TransitionSerializer
from .tasks import checksum_file


class SubmissionViewSet(viewsets.ModelViewSet):
    """An author's submissions (staff reviewers see every submission)."""

    serializer_class = SubmissionSerializer
    permission_classes = [IsAuthenticated, IsOwnerOrReviewer]

    def get_queryset(self) -> QuerySet[Submission]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request, no user
            return Submission.objects.none()
        queryset = Submission.objects.prefetch_related("files")
        if self.request.user.is_staff:
            return queryset
        return queryset.filter(owner=self.request.user)

    def perform_create(self, serializer: SubmissionSerializer) -> None:
        serializer.save(owner=self.request.user)

    def perform_destroy(self, instance: Submission) -> None:
        if instance.owner_id != self.request.user.pk:
            raise PermissionDenied("only the author deletes a submission")
        if not instance.deletable:
            raise Conflict(
                f"a {instance.state} submission is part of the review record and cannot be "
                "deleted; only a never-submitted draft can"
            )
        instance.delete()

    def perform_update(self, serializer: SubmissionSerializer) -> None:
        if serializer.instance.state not in Submission.EDITABLE:
            raise ValidationError(
                {"state": f"a {serializer.instance.state} submission can no longer be edited"}
            )
        serializer.save()

    # The action's own serializer_class is what OPTIONS and the schema describe as its body;
    # the answer is the moved submission.
    @extend_schema(responses=SubmissionSerializer)
    @action(detail=True, methods=["post"], serializer_class=TransitionSerializer)
    def transition(self, request: Request, pk: str | None = None) -> Response:
        """Move the submission to ``to``: the author submits, a staff reviewer who is not the
        author does the rest; 403 for the wrong person, 409 for a move the workflow lacks."""
        submission = self.get_object()
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        target = body.validated_data["to"]
        try:
            submission.transition(target, by=request.user)
        except NotAllowed as exc:
            raise PermissionDenied(str(exc)) from None
        except IllegalTransition as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        return Response(SubmissionSerializer(submission, context={"request": request}).data)


class Conflict(APIException):
    """409: the request is valid but the submission's state forbids it."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


# Multipart framing around the file (boundaries, headers, the other fields): requests bigger than
# the file limit by more than this are refused before their body is read.
_MULTIPART_OVERHEAD = 64 * 1024


class ManuscriptFileViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Files of one submission: multipart upload to object storage, then a checksum task."""

    serializer_class = ManuscriptFileSerializer
    parser_classes = [parsers.MultiPartParser]

    def _submission(self) -> Submission:
        submission = Submission.objects.filter(pk=self.kwargs["submission_pk"]).first()
        user = self.request.user
        if submission is None or not (submission.owner_id == user.pk or user.is_staff):
            raise Http404("no such submission")
        return submission

    def get_queryset(self) -> QuerySet[ManuscriptFile]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request, no user
            return ManuscriptFile.objects.none()
        return ManuscriptFile.objects.filter(submission=self._submission())

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Who may add a file, and whether the submission takes one, is decided before the body
        is read; a body bigger than the file limit allows is refused on its declared length."""
        submission = self._submission()
        if submission.owner_id != request.user.pk:
            raise PermissionDenied("only the author adds files")
        if submission.state not in Submission.EDITABLE:
            raise ValidationError({"file": f"a {submission.state} submission takes no new files"})
        declared = request.META.get("CONTENT_LENGTH") or "0"
        limit = settings.UPLOAD_MAX_BYTES
        if declared.isdigit() and int(declared) > limit + _MULTIPART_OVERHEAD:
            return Response(
                {"file": [f"the request is {declared} bytes; files are limited to {limit} bytes"]},
                status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            )
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer: ManuscriptFileSerializer) -> None:
        upload = serializer.validated_data["file"]
        record = serializer.save(submission=self._submission(), original_name=upload.name)
        # The worker must see the committed row, so the task is queued only after commit.
        transaction.on_commit(lambda: checksum_file.delay(record.pk))

    def perform_destroy(self, instance: ManuscriptFile) -> None:
        if instance.submission.owner_id != self.request.user.pk:
            raise PermissionDenied("only the author removes files")
        if not instance.deletable:
            raise Conflict(
                f"this file was part of the submission when it was submitted; a "
                f"{instance.submission.state} submission keeps it"
            )
        instance.delete()  # the stored object follows on commit (models._delete_stored_object)
