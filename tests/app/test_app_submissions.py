"""The submission state machine, on the model and through the owner-only REST endpoints."""

from __future__ import annotations

import pytest

SUBMISSIONS = "/api/v1/submissions/"


@pytest.fixture
def submission(user):
    from submissions.models import Submission

    return Submission.objects.create(owner=user, title="On probes", abstract="...")


def test_the_whole_legal_path_and_a_resubmission(submission):
    from submissions.models import Submission

    for target in ["submitted", "under_review", "revision_requested", "submitted"]:
        submission.transition(target)
        assert Submission.objects.get(pk=submission.pk).state == target
    assert submission.submitted_at is not None
    submission.transition("under_review")
    submission.transition("accepted")
    assert Submission.objects.get(pk=submission.pk).state == "accepted"


@pytest.mark.parametrize(
    ("path", "illegal"),
    [
        ([], "accepted"),
        ([], "under_review"),
        (["submitted"], "accepted"),
        (["submitted"], "draft"),
        (["submitted", "under_review", "rejected"], "submitted"),
        (["submitted", "under_review", "accepted"], "rejected"),
    ],
)
def test_illegal_transitions_are_refused_and_change_nothing(submission, path, illegal):
    from submissions.models import IllegalTransition, Submission

    for target in path:
        submission.transition(target)
    before = Submission.objects.get(pk=submission.pk).state
    with pytest.raises(IllegalTransition, match="cannot move"):
        submission.transition(illegal)
    assert Submission.objects.get(pk=submission.pk).state == before


def test_unknown_state_is_refused(submission):
    from submissions.models import IllegalTransition

    with pytest.raises(IllegalTransition, match="unknown state"):
        submission.transition("published")


def test_authors_see_and_touch_only_their_own(author_api, api, user, other_user):
    created = author_api.post(SUBMISSIONS, {"title": "Mine"}, format="json")
    assert created.status_code == 201
    assert created.json()["state"] == "draft"
    url = f"{SUBMISSIONS}{created.json()['id']}/"

    api.force_authenticate(other_user)
    assert api.get(SUBMISSIONS).json()["count"] == 0
    assert api.get(url).status_code == 404
    assert api.patch(url, {"title": "Theirs"}, format="json").status_code == 404
    assert api.post(f"{url}transition/", {"to": "submitted"}, format="json").status_code == 404

    api.force_authenticate(user)
    assert api.get(SUBMISSIONS).json()["count"] == 1


def test_workflow_through_the_api(author_api, api, user, reviewer):
    created = author_api.post(SUBMISSIONS, {"title": "Paper", "state": "accepted"}, format="json")
    assert created.json()["state"] == "draft"  # state is read-only outside transitions
    url = f"{SUBMISSIONS}{created.json()['id']}/"

    assert author_api.post(f"{url}transition/", {"to": "accepted"}, format="json").status_code == (
        403
    )
    submitted = author_api.post(f"{url}transition/", {"to": "submitted"}, format="json")
    assert submitted.status_code == 200
    assert submitted.json()["state"] == "submitted"
    assert author_api.patch(url, {"title": "Late edit"}, format="json").status_code == 400

    api.force_authenticate(reviewer)
    assert api.get(url).status_code == 200
    assert api.patch(url, {"title": "Reviewer edit"}, format="json").status_code == 403
    illegal = api.post(f"{url}transition/", {"to": "accepted"}, format="json")
    assert illegal.status_code == 409
    assert "allowed: ['under_review']" in illegal.json()["detail"]
    assert api.post(f"{url}transition/", {"to": "under_review"}, format="json").status_code == 200
    accepted = api.post(f"{url}transition/", {"to": "accepted"}, format="json")
    assert accepted.json()["state"] == "accepted"
    unknown = api.post(f"{url}transition/", {"to": "published"}, format="json")
    assert unknown.status_code == 400


def test_listing_is_three_queries_however_many_submissions_and_files(
    author_api, user, django_assert_num_queries
):
    from submissions.models import ManuscriptFile, Submission

    submissions = Submission.objects.bulk_create(
        Submission(owner=user, title=f"Paper {i}") for i in range(20)
    )
    ManuscriptFile.objects.bulk_create(
        ManuscriptFile(submission=s, file=f"manuscripts/{s.pk}-{n}.pdf", original_name=f"{n}.pdf")
        for s in submissions
        for n in range(2)
    )
    with django_assert_num_queries(3):  # count, page, files prefetch
        response = author_api.get(SUBMISSIONS)
    assert response.status_code == 200
    assert response.json()["count"] == 20
    assert all(len(item["files"]) == 2 for item in response.json()["results"])


@pytest.fixture
def media(settings, tmp_path):
    """Files on disk under the test's own directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def pdf(name: str = "paper.pdf", body: bytes = b"body"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, b"%PDF-1.7\n" + body, "application/pdf")


def docx(name: str = "paper.docx"):
    import io
    import zipfile

    from django.core.files.uploadedfile import SimpleUploadedFile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return SimpleUploadedFile(name, buffer.getvalue())


def odt(name: str = "paper.odt"):
    import io
    import zipfile

    from django.core.files.uploadedfile import SimpleUploadedFile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return SimpleUploadedFile(name, buffer.getvalue())


def test_a_staff_author_cannot_review_their_own_submission(api, reviewer, db_vendor):
    from accounts.models import User

    api.force_authenticate(reviewer)
    url = f"{SUBMISSIONS}{api.post(SUBMISSIONS, {'title': 'Mine'}, format='json').json()['id']}/"
    assert api.post(f"{url}transition/", {"to": "submitted"}, format="json").status_code == 200
    own = api.post(f"{url}transition/", {"to": "under_review"}, format="json")
    assert own.status_code == 403
    assert "own submission" in own.json()["detail"]

    second = User.objects.create_user("second", "second@example.com", "pw-x-123456", is_staff=True)
    api.force_authenticate(second)
    assert api.post(f"{url}transition/", {"to": "under_review"}, format="json").status_code == 200
    api.force_authenticate(reviewer)
    assert api.post(f"{url}transition/", {"to": "accepted"}, format="json").status_code == 403
    api.force_authenticate(second)
    assert api.post(f"{url}transition/", {"to": "accepted"}, format="json").status_code == 200


def test_the_model_enforces_the_review_rules_too(user, reviewer):
    from submissions.models import NotAllowed, Submission

    submission = Submission.objects.create(owner=reviewer, title="Staff paper")
    with pytest.raises(NotAllowed, match="only the author"):
        submission.transition("submitted", by=user)
    submission.transition("submitted", by=reviewer)
    with pytest.raises(NotAllowed, match="own submission"):
        submission.transition("under_review", by=reviewer)
    with pytest.raises(NotAllowed, match="reviewer's decision"):
        submission.transition("under_review", by=user)
    assert Submission.objects.get(pk=submission.pk).state == "submitted"


def test_the_admin_cannot_set_a_state_nor_delete_the_record(reviewer, user, rf):
    from django.contrib import admin
    from submissions.models import ManuscriptFile, Submission

    reviewer.is_superuser = True
    submission = Submission.objects.create(owner=reviewer, title="Via admin")
    submission.transition("submitted")
    request = rf.get("/admin/")
    request.user = reviewer
    model_admin = admin.site._registry[Submission]
    assert "state" in model_admin.get_readonly_fields(request, submission)
    assert not model_admin.has_delete_permission(request, submission)
    assert model_admin.get_actions(request) == {}
    draft = Submission.objects.create(owner=user, title="Draft")
    assert model_admin.has_delete_permission(request, draft)
    file_admin = admin.site._registry[ManuscriptFile]
    kept = ManuscriptFile.objects.create(submission=submission, file="k.pdf", original_name="k")
    assert not file_admin.has_delete_permission(request, kept)


def test_submitted_files_and_submissions_are_immutable(author_api, user, reviewer, media):
    from pathlib import Path

    from rest_framework.test import APIClient

    created = author_api.post(SUBMISSIONS, {"title": "Paper"}, format="json").json()
    url = f"{SUBMISSIONS}{created['id']}/"
    first = author_api.post(f"{url}files/", {"file": pdf()}, format="multipart")
    assert first.status_code == 201, first.content
    stored = Path(media) / first.json()["file"].removeprefix("http://testserver/media/")
    assert stored.is_file()
    assert author_api.post(f"{url}transition/", {"to": "submitted"}, format="json").status_code == (
        200
    )

    refused = author_api.delete(f"{url}files/{first.json()['id']}/")
    assert refused.status_code == 409
    assert "submitted" in refused.json()["detail"]
    assert stored.is_file()
    assert author_api.delete(url).status_code == 409

    api = APIClient()
    api.force_authenticate(reviewer)
    for target in ["under_review", "revision_requested"]:
        assert api.post(f"{url}transition/", {"to": target}, format="json").status_code == 200
    # Back with the author: what was submitted stays, what is added since may be removed.
    assert author_api.delete(f"{url}files/{first.json()['id']}/").status_code == 409
    second = author_api.post(f"{url}files/", {"file": pdf("v2.pdf")}, format="multipart").json()
    assert author_api.delete(f"{url}files/{second['id']}/").status_code == 204
    assert author_api.delete(url).status_code == 409

    for actor, target in [(author_api, "submitted"), (api, "under_review"), (api, "accepted")]:
        assert actor.post(f"{url}transition/", {"to": target}, format="json").status_code == 200
    accepted = author_api.delete(url)
    assert accepted.status_code == 409
    assert "cannot be deleted" in accepted.json()["detail"]
    assert author_api.get(url).json()["state"] == "accepted"


def test_deleting_a_draft_or_a_file_deletes_the_stored_objects(
    author_api, user, media, django_capture_on_commit_callbacks
):
    from pathlib import Path

    created = author_api.post(SUBMISSIONS, {"title": "Draft"}, format="json").json()
    url = f"{SUBMISSIONS}{created['id']}/"
    paths = []
    for upload in [pdf("a.pdf"), pdf("b.pdf")]:
        body = author_api.post(f"{url}files/", {"file": upload}, format="multipart").json()
        paths.append(Path(media) / body["file"].removeprefix("http://testserver/media/"))
    assert all(path.is_file() for path in paths)

    with django_capture_on_commit_callbacks(execute=True):
        files = author_api.get(f"{url}files/").json()["results"]
        assert author_api.delete(f"{url}files/{files[0]['id']}/").status_code == 204
    assert not paths[0].exists() and paths[1].is_file()
    with django_capture_on_commit_callbacks(execute=True):
        assert author_api.delete(url).status_code == 204
    assert not paths[1].exists()


@pytest.mark.parametrize("upload", [pdf, docx, odt])
def test_accepted_manuscript_types_upload(author_api, media, upload):
    created = author_api.post(SUBMISSIONS, {"title": "Typed"}, format="json").json()
    response = author_api.post(
        f"{SUBMISSIONS}{created['id']}/files/", {"file": upload()}, format="multipart"
    )
    assert response.status_code == 201, response.content


def test_uploads_are_checked_by_content_size_and_name_length(author_api, settings, media):
    from django.core.files.uploadedfile import SimpleUploadedFile

    created = author_api.post(SUBMISSIONS, {"title": "Checked"}, format="json").json()
    files = f"{SUBMISSIONS}{created['id']}/files/"

    def upload(file):
        return author_api.post(files, {"file": file}, format="multipart")

    disguised = upload(SimpleUploadedFile("paper.pdf", b"MZ\x90\x00 an executable"))
    assert disguised.status_code == 400
    assert "content is not a .pdf" in disguised.json()["file"][0]
    renamed_zip = upload(SimpleUploadedFile("paper.docx", b"PK\x03\x04 not a document"))
    assert renamed_zip.status_code == 400
    wrong_type = upload(SimpleUploadedFile("tool.exe", b"%PDF-1.7 but named .exe"))
    assert wrong_type.status_code == 400
    assert "accepted: .docx, .odt, .pdf" in wrong_type.json()["file"][0]

    longest = "n" * 251 + ".pdf"
    accepted = upload(pdf(longest))
    assert accepted.status_code == 201, accepted.content
    assert accepted.json()["original_name"] == longest
    # Django's upload handling shortens longer names to 255 characters, keeping the extension.
    too_long = upload(pdf("n" * 300 + ".pdf"))
    assert too_long.status_code == 201
    assert too_long.json()["original_name"] == longest

    settings.UPLOAD_MAX_BYTES = 1000
    big = upload(pdf(body=b"x" * 1000))
    assert big.status_code == 400
    assert "UPLOAD_MAX_BYTES" in big.json()["file"][0]
    assert upload(pdf(body=b"x" * 900)).status_code == 201
    huge = upload(pdf(body=b"x" * 100_000))
    assert huge.status_code == 413
