"""Health probes: liveness, readiness and a full dependency check, answered by middleware."""
