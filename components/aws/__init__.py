"""AWS target: VPC, RDS for PostgreSQL, ElastiCache, S3, ECR and ECS Fargate behind an ALB."""

from components.aws.target import AwsTarget as Target

__all__ = ["Target"]
