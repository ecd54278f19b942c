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
