"""MinIO's bucket set-up, shared by the targets that run MinIO themselves (docker, and kubernetes
in development): the app user's bucket-scoped policy and the one-shot `mc` script. Plain strings,
no provider SDK, so neither target loads the other's."""

from __future__ import annotations

import json


def bucket_policy(bucket: str) -> str:
    """IAM-style policy MinIO attaches to the app user: this bucket's objects, nothing else."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": ["s3:ListBucket", "s3:GetBucketLocation"],
                    "Resource": [f"arn:aws:s3:::{bucket}"],
                },
                {
                    "Effect": "Allow",
                    "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                    "Resource": [f"arn:aws:s3:::{bucket}/*"],
                },
            ],
        },
        sort_keys=True,
    )


def init_script(endpoint: str, bucket: str, versioning: bool) -> str:
    """The `mc` commands run once per deploy against MinIO at `endpoint`; every step is
    idempotent, and any failing step fails the script (`set -e`), hence the one-shot's exit code
    and the deployment."""
    steps = [
        f'mc alias set local {endpoint} "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD"',
        f"mc mb --ignore-existing local/{bucket}",
        f"mc anonymous set none local/{bucket}",
        f"mc version {'enable' if versioning else 'suspend'} local/{bucket}",
        f"printf '%s' '{bucket_policy(bucket)}' > /tmp/policy.json",
        "mc admin policy create local app-bucket /tmp/policy.json",
        'mc admin user add local "$APP_ACCESS_KEY" "$APP_SECRET_KEY"',
        # Idempotent without `|| true` since mc RELEASE.2024-10-08 (minio/mc#5058: an attach
        # already in effect exits 0), so a real failure here still fails the deployment.
        'mc admin policy attach local app-bucket --user "$APP_ACCESS_KEY"',
    ]
    return "set -e; " + "; ".join(steps)
