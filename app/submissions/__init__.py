"""Submissions: manuscripts moving through review, with their files kept in object storage."""
