"""A whole deployment's move between stacks: PostgreSQL online, Redis and storage, one cutover."""
