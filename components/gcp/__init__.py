"""The GCP target: VPC, Cloud SQL, Memorystore, Cloud Storage, Artifact Registry and Cloud Run."""

from components.gcp.target import GcpTarget as Target

__all__ = ["Target"]
