"""REST endpoints under /api/v1/submissions/: CRUD, state transitions, file upload."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from rest_framework import mixins, parsers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from .models import IllegalTransition, ManuscriptFile, Submission
from .permissions import IsOwnerOrReviewer
from .serializers import ManuscriptFileSerializer, SubmissionSerializer, TransitionSerializer
from .tasks import checksum_file


class SubmissionViewSet(viewsets.ModelViewSet):
    """An author's submissions (staff reviewers see every submission)."""

    serializer_class = SubmissionSerializer
    permission_classes = [IsAuthenticated, IsOwnerOrReviewer]

    def get_queryset(self) -> QuerySet[Submission]:
        queryset = Submission.objects.prefetch_related("files")
        if self.request.user.is_staff:
            return queryset
        return queryset.filter(owner=self.request.user)

    def perform_create(self, serializer: SubmissionSerializer) -> None:
        serializer.save(owner=self.request.user)

    def perform_update(self, serializer: SubmissionSerializer) -> None:
        if serializer.instance.state not in Submission.EDITABLE:
            raise ValidationError(
                {"state": f"a {serializer.instance.state} submission can no longer be edited"}
            )
        serializer.save()

    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str | None = None) -> Response:
        """Move the submission to ``to``; 409 when the workflow does not allow it."""
        submission = self.get_object()
        body = TransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        target = body.validated_data["to"]
        is_owner = submission.owner_id == request.user.pk
        if is_owner and target not in Submission.AUTHOR_TARGETS and not request.user.is_staff:
            raise PermissionDenied(f"moving to {target!r} is a reviewer's decision")
        if not is_owner and target in Submission.AUTHOR_TARGETS:
            raise PermissionDenied(f"only the author moves a submission to {target!r}")
        try:
            submission.transition(target)
        except IllegalTransition as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        return Response(SubmissionSerializer(submission, context={"request": request}).data)


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
        return ManuscriptFile.objects.filter(submission=self._submission())

    def perform_create(self, serializer: ManuscriptFileSerializer) -> None:
        submission = self._submission()
        if submission.owner_id != self.request.user.pk:
            raise PermissionDenied("only the author adds files")
        if submission.state not in Submission.EDITABLE:
            raise ValidationError({"file": f"a {submission.state} submission takes no new files"})
        upload = serializer.validated_data["file"]
        record = serializer.save(submission=submission, original_name=upload.name[:255])
        # The worker must see the committed row, so the task is queued only after commit.
        transaction.on_commit(lambda: checksum_file.delay(record.pk))

    def perform_destroy(self, instance: ManuscriptFile) -> None:
        if instance.submission.owner_id != self.request.user.pk:
            raise PermissionDenied("only the author removes files")
        instance.file.delete(save=False)
        instance.delete()
