"""Accounts: the project's own User model, so it can grow fields without a painful swap later."""
