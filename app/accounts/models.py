"""The custom User model (``AUTH_USER_MODEL = "accounts.User"``)."""

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A user of the service; e-mail is unique because authors are reached by it."""

    email = models.EmailField("email address", unique=True)
