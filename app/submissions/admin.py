"""Admin registration for submissions and their files."""

from django.contrib import admin

from .models import ManuscriptFile, Submission


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    """Submissions by state and owner."""

    list_display = ["title", "owner", "state", "created_at"]
    list_filter = ["state"]


@admin.register(ManuscriptFile)
class ManuscriptFileAdmin(admin.ModelAdmin):
    """Files with their recorded checksum."""

    list_display = ["original_name", "submission", "size", "sha256"]
