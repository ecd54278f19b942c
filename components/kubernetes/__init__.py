"""Kubernetes target: one namespace on any cluster; CloudNativePG PostgreSQL, a Redis StatefulSet,
MinIO or an external S3-compatible store, and the service behind an Ingress
(docs/kubernetes.md)."""

from components.kubernetes.target import KubernetesTarget as Target

__all__ = ["Target"]
