"""The versioned REST API: routes under /api/v1/, JWT endpoints and throttles."""
