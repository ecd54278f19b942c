"""Computed outputs Google Cloud would return, for the offline plan (components/simulated.py).

Values are derived from the URN (`SimArgs.digest` / `chars`) in the provider's shapes: self links
and `projects/<p>/...` ids, private addresses inside the reserved Private Service Access range,
service account emails `<id>@<project>.iam.gserviceaccount.com`, Cloud Run URIs
`https://<name>-<hash>-<region code>.a.run.app`, a PEM-shaped Memorystore CA. The project and
region come from the stack's `gcp:project` and `gcp:region`. The AUTH string is a secret output,
as the provider marks it.
"""

from __future__ import annotations

import string
from typing import Any

from components.simulated import SimArgs, SimRule, secret

PROJECT_NUMBER = "123456789012"
API = "https://www.googleapis.com/compute/v1"
LOWER = string.ascii_lowercase + string.digits
LOGGING_AGENTS = "gcp-sa-logging.iam.gserviceaccount.com"
SQL_AGENTS = "gcp-sa-cloud-sql.iam.gserviceaccount.com"


def project(a: SimArgs) -> str:
    """The stack's `gcp:project` (or the input the program passed)."""
    return str(a.inputs.get("project") or a.config.get("gcp:project", "offline-project"))


def region(a: SimArgs) -> str:
    """The resource's region or location input, else the stack's `gcp:region`."""
    given = a.inputs.get("region") or a.inputs.get("location")
    return str(given or a.config.get("gcp:region", "europe-west1")).lower()


def name(a: SimArgs) -> str:
    """The `name` input, or the provider's autoname `<logical>-<7 hex>`."""
    return str(a.inputs.get("name") or f"{a.name}-{a.digest('name', 7)}")


def _global(a: SimArgs, kind: str) -> dict[str, Any]:
    path = f"projects/{project(a)}/global/{kind}/{name(a)}"
    return {"id": path, "name": name(a), "selfLink": f"{API}/{path}", "project": project(a)}


def _regional(a: SimArgs, kind: str) -> dict[str, Any]:
    path = f"projects/{project(a)}/regions/{region(a)}/{kind}/{name(a)}"
    return {"id": path, "name": name(a), "selfLink": f"{API}/{path}", "project": project(a)}


def _address(a: SimArgs) -> dict[str, Any]:
    out = _global(a, "addresses")
    if a.inputs.get("purpose") == "VPC_PEERING":
        out["address"] = "10.100.0.0"
    else:
        out["address"] = f"34.{int(a.digest('a', 2), 16) % 250}.{int(a.digest('b', 2), 16)}.10"
    return out


def _connection(a: SimArgs) -> dict[str, Any]:
    return {"id": f"{a.inputs.get('network')}:{a.inputs.get('service')}", "peering": "sn-peering"}


def _sql_instance(a: SimArgs) -> dict[str, Any]:
    reg = region(a)
    host = f"10.100.{int(a.digest('h', 2), 16) % 250}.3"
    return {
        "id": name(a),
        "name": name(a),
        "connectionName": f"{project(a)}:{reg}:{name(a)}",
        "privateIpAddress": host,
        "publicIpAddress": "",
        "firstIpAddress": host,
        "selfLink": f"https://sqladmin.googleapis.com/sql/v1beta4/projects/{project(a)}/instances/{name(a)}",
        "serviceAccountEmailAddress": f"p{PROJECT_NUMBER}-{a.digest('sa', 6)}@{SQL_AGENTS}",
        "dnsName": "",
    }


def _sql_child(a: SimArgs) -> dict[str, Any]:
    return {"id": f"{a.inputs.get('instance')}/{a.inputs.get('name')}"}


def _redis(a: SimArgs) -> dict[str, Any]:
    body = "".join(
        a.chars(64, string.ascii_letters + string.digits, f"ca{i}") + "\n" for i in range(3)
    )
    pem = f"-----BEGIN CERTIFICATE-----\n{body}-----END CERTIFICATE-----"
    return {
        "id": f"projects/{project(a)}/locations/{region(a)}/instances/{name(a)}",
        "host": f"10.100.{int(a.digest('h', 2), 16) % 250}.4",
        "port": 6378,
        "authString": secret(a.chars(36, LOWER + "-", "auth")),
        "serverCaCerts": [
            {
                "cert": pem,
                "serialNumber": a.digest("serial", 8),
                "createTime": "2026-01-01T00:00:00Z",
                "expireTime": "2036-01-01T00:00:00Z",
                "sha1Fingerprint": a.digest("sha1", 40),
            }
        ],
        "currentLocationId": f"{region(a)}-b",
    }


def _bucket(a: SimArgs) -> dict[str, Any]:
    bucket = name(a)
    return {
        "id": bucket,
        "name": bucket,
        "url": f"gs://{bucket}",
        "selfLink": f"https://www.googleapis.com/storage/v1/b/{bucket}",
        "project": project(a),
    }


def _iam(a: SimArgs) -> dict[str, Any]:
    return {"id": f"{a.name}/{a.inputs.get('role')}/{a.inputs.get('member')}", "etag": "BwY"}


def _account(a: SimArgs) -> dict[str, Any]:
    email = f"{a.inputs.get('accountId')}@{project(a)}.iam.gserviceaccount.com"
    return {
        "id": f"projects/{project(a)}/serviceAccounts/{email}",
        "name": f"projects/{project(a)}/serviceAccounts/{email}",
        "email": email,
        "member": f"serviceAccount:{email}",
        "uniqueId": str(int(a.digest("uid", 15), 16))[:21],
    }


def _secret(a: SimArgs) -> dict[str, Any]:
    path = f"projects/{PROJECT_NUMBER}/secrets/{a.inputs.get('secretId')}"
    return {"id": path, "name": path}


def _secret_version(a: SimArgs) -> dict[str, Any]:
    path = f"{a.inputs.get('secret')}/versions/1"
    return {"id": path, "name": path, "version": "1"}


def _repository(a: SimArgs) -> dict[str, Any]:
    repo = str(a.inputs.get("repositoryId"))
    path = f"projects/{project(a)}/locations/{region(a)}/repositories/{repo}"
    return {
        "id": path,
        "name": repo,
        "registryUri": f"{region(a)}-docker.pkg.dev/{project(a)}/{repo}",
    }


def _image(a: SimArgs) -> dict[str, Any]:
    image = str(a.inputs.get("imageName", a.name))
    repo = image.rsplit(":", 1)[0]
    return {
        "id": f"sha256:{a.digest('image', 64)}",
        "imageName": image,
        "repoDigest": f"{repo}@sha256:{a.digest('digest', 64)}",
        "baseImageName": image,
        "registryServer": repo.split("/", 1)[0],
    }


def _run(a: SimArgs, kind: str) -> dict[str, Any]:
    path = f"projects/{project(a)}/locations/{region(a)}/{kind}/{name(a)}"
    return {"id": path, "name": name(a), "uid": a.digest("uid", 32), "generation": "1"}


def _run_service(a: SimArgs) -> dict[str, Any]:
    out = _run(a, "services")
    out["uri"] = f"https://{name(a)}-{a.chars(10, string.ascii_lowercase, 'uri')}-ew.a.run.app"
    out["urls"] = [out["uri"]]
    return out


def _client_config(a: SimArgs) -> dict[str, Any]:
    return {
        "id": "offline",
        "project": a.config.get("gcp:project", "offline-project"),
        "region": a.config.get("gcp:region", "europe-west1"),
        "zone": "",
        "accessToken": secret(f"ya29.offline-{a.digest('token', 40)}"),
    }


def _project(a: SimArgs) -> dict[str, Any]:
    pid = str(a.inputs.get("projectId") or a.config.get("gcp:project"))
    return {"id": f"projects/{pid}", "projectId": pid, "number": PROJECT_NUMBER, "name": pid}


def _log_bucket(a: SimArgs) -> dict[str, Any]:
    where = f"projects/{project(a)}/locations/{a.inputs.get('location')}"
    path = f"{where}/buckets/{a.inputs.get('bucketId')}"
    return {"id": path, "name": path, "lifecycleState": "ACTIVE"}


def _sink(a: SimArgs) -> dict[str, Any]:
    sink = name(a)
    return {
        "id": f"projects/{project(a)}/sinks/{sink}",
        "writerIdentity": f"serviceAccount:service-{PROJECT_NUMBER}@{LOGGING_AGENTS}",
    }


RULES: dict[str, SimRule] = {
    "gcp:compute/network:Network": lambda a: _global(a, "networks"),
    "gcp:compute/subnetwork:Subnetwork": lambda a: {
        **_regional(a, "subnetworks"),
        "gatewayAddress": "10.8.0.1",
    },
    "gcp:compute/globalAddress:GlobalAddress": _address,
    "gcp:servicenetworking/connection:Connection": _connection,
    "gcp:sql/databaseInstance:DatabaseInstance": _sql_instance,
    "gcp:sql/database:Database": _sql_child,
    "gcp:sql/user:User": _sql_child,
    "gcp:redis/instance:Instance": _redis,
    "gcp:storage/bucket:Bucket": _bucket,
    "gcp:storage/bucketIAMMember:BucketIAMMember": _iam,
    "gcp:serviceaccount/account:Account": _account,
    "gcp:serviceaccount/iAMMember:IAMMember": _iam,
    "gcp:projects/iAMMember:IAMMember": _iam,
    "gcp:secretmanager/secret:Secret": _secret,
    "gcp:secretmanager/secretVersion:SecretVersion": _secret_version,
    "gcp:secretmanager/secretIamMember:SecretIamMember": _iam,
    "gcp:artifactregistry/repository:Repository": _repository,
    "docker:index/image:Image": _image,
    "gcp:cloudrunv2/job:Job": lambda a: _run(a, "jobs"),
    "gcp:cloudrunv2/service:Service": _run_service,
    "gcp:cloudrunv2/workerPool:WorkerPool": lambda a: _run(a, "workerPools"),
    "gcp:compute/regionNetworkEndpointGroup:RegionNetworkEndpointGroup": lambda a: _regional(
        a, "networkEndpointGroups"
    ),
    "gcp:compute/backendService:BackendService": lambda a: _global(a, "backendServices"),
    "gcp:compute/uRLMap:URLMap": lambda a: _global(a, "urlMaps"),
    "gcp:compute/managedSslCertificate:ManagedSslCertificate": lambda a: _global(
        a, "sslCertificates"
    ),
    "gcp:compute/targetHttpsProxy:TargetHttpsProxy": lambda a: _global(a, "targetHttpsProxies"),
    "gcp:compute/targetHttpProxy:TargetHttpProxy": lambda a: _global(a, "targetHttpProxies"),
    "gcp:compute/globalForwardingRule:GlobalForwardingRule": lambda a: _global(
        a, "forwardingRules"
    ),
    "gcp:logging/projectBucketConfig:ProjectBucketConfig": _log_bucket,
    "gcp:logging/projectSink:ProjectSink": _sink,
    "gcp:organizations/getClientConfig:getClientConfig": _client_config,
    "gcp:organizations/getProject:getProject": _project,
}
