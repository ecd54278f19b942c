"""Computed outputs the AWS provider would return, for the offline plan (components/simulated.py).

Every value is derived from the resource's URN (`SimArgs.digest`) and the stack's `aws:region`, in
the shapes AWS uses (`vpc-0...`, `arn:aws:...:123456789012:...`, RDS and ElastiCache endpoint host
names, the ALB's DNS name), so plans are deterministic and a golden file diffs only on real change.
Resources whose name Pulumi would auto-generate get `<logical name>-<7 hex>`, as the provider does.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from typing import Any

from components.simulated import SimArgs, SimRule, secret

ACCOUNT = "123456789012"
"""The account every simulated ARN names; a real deploy gets its ARNs from AWS."""
DEFAULT_REGION = "us-east-1"


def region(a: SimArgs) -> str:
    """The resource's region: its own `region` input, else the stack's `aws:region`."""
    return str(a.inputs.get("region") or a.config.get("aws:region") or DEFAULT_REGION)


def autoname(a: SimArgs, key: str = "name", limit: int = 255) -> str:
    """The physical name: the input when given, else Pulumi's `<logical>-<7 hex>`."""
    given = a.inputs.get(key)
    if given:
        return str(given)
    return f"{a.name[: limit - 8]}-{a.digest('autoname', 7)}"


def arn(a: SimArgs, service: str, resource: str, *, regional: bool = True) -> str:
    """`arn:aws:<service>:<region>:<account>:<resource>`."""
    return f"arn:aws:{service}:{region(a) if regional else ''}:{ACCOUNT}:{resource}"


def _ec2(prefix: str, kind: str) -> SimRule:
    def rule(a: SimArgs) -> dict[str, Any]:
        rid = f"{prefix}-0{a.digest(prefix, 16)}"
        return {"id": rid, "arn": arn(a, "ec2", f"{kind}/{rid}"), "ownerId": ACCOUNT}

    return rule


def _vpc(a: SimArgs) -> dict[str, Any]:
    rid = f"vpc-0{a.digest('vpc', 16)}"
    return {
        "id": rid,
        "arn": arn(a, "ec2", f"vpc/{rid}"),
        "ownerId": ACCOUNT,
        "defaultSecurityGroupId": f"sg-0{a.digest('default-sg', 16)}",
        "mainRouteTableId": f"rtb-0{a.digest('main-rtb', 16)}",
        "defaultNetworkAclId": f"acl-0{a.digest('acl', 16)}",
    }


def _eip(a: SimArgs) -> dict[str, Any]:
    octet = int(a.digest("ip", 2), 16) % 254 + 1
    alloc = f"eipalloc-0{a.digest('eip', 16)}"
    return {"id": alloc, "allocationId": alloc, "publicIp": f"203.0.113.{octet}"}


def _nat(a: SimArgs) -> dict[str, Any]:
    octet = int(a.digest("private-ip", 2), 16) % 250 + 4
    return {"id": f"nat-0{a.digest('nat', 16)}", "privateIp": f"10.0.0.{octet}"}


def _route(a: SimArgs) -> dict[str, Any]:
    return {"id": f"r-{a.inputs.get('routeTableId', 'rtb')}1080289494", "state": "active"}


def _rule(a: SimArgs) -> dict[str, Any]:
    rid = f"sgr-0{a.digest('sgr', 16)}"
    return {
        "id": rid,
        "arn": arn(a, "ec2", f"security-group-rule/{rid}"),
        "securityGroupRuleId": rid,
    }


def _security_group(a: SimArgs) -> dict[str, Any]:
    rid = f"sg-0{a.digest('sg', 16)}"
    return {
        "id": rid,
        "arn": arn(a, "ec2", f"security-group/{rid}"),
        "ownerId": ACCOUNT,
        "name": autoname(a),
    }


def _default_security_group(a: SimArgs) -> dict[str, Any]:
    """The VPC's own group, adopted: AWS named it `default` when it created the VPC."""
    return {**_security_group(a), "name": "default", "description": "default VPC security group"}


def _named(service: str, kind: str, key: str = "name") -> SimRule:
    def rule(a: SimArgs) -> dict[str, Any]:
        name = autoname(a, key)
        return {"id": name, key: name, "arn": arn(a, service, f"{kind}:{name}")}

    return rule


def _rds_instance(a: SimArgs) -> dict[str, Any]:
    ident = autoname(a, "identifier", 63)
    address = f"{ident}.c{a.digest('rds', 11)}.{region(a)}.rds.amazonaws.com"
    port = int(a.inputs.get("port") or 5432)
    return {
        "id": f"db-{a.chars(26, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 'dbi')}",
        "identifier": ident,
        "resourceId": f"db-{a.chars(26, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 'dbi')}",
        "arn": arn(a, "rds", f"db:{ident}"),
        "address": address,
        "endpoint": f"{address}:{port}",
        "port": port,
        "hostedZoneId": "Z29XKXDKYMONMX",
        "status": "available",
        "latestRestorableTime": "2026-01-01T00:00:00Z",
        "masterUserSecrets": [],
    }


def _replication_group(a: SimArgs) -> dict[str, Any]:
    gid = autoname(a, "replicationGroupId", 40)
    short = {"eu-west-1": "euw1", "us-east-1": "use1"}.get(region(a), region(a).replace("-", ""))
    suffix = f"{a.digest('cache', 6)}.{short}.cache.amazonaws.com"
    count = int(a.inputs.get("numCacheClusters") or 1)
    return {
        "id": gid,
        "replicationGroupId": gid,
        "arn": arn(a, "elasticache", f"replicationgroup:{gid}"),
        "primaryEndpointAddress": f"master.{gid}.{suffix}",
        "readerEndpointAddress": f"replica.{gid}.{suffix}",
        "port": int(a.inputs.get("port") or 6379),
        "memberClusters": [f"{gid}-{i + 1:03d}" for i in range(count)],
        "clusterEnabled": False,
        "engineVersionActual": f"{a.inputs.get('engineVersion', '7.2')}.4",
    }


def _bucket(a: SimArgs) -> dict[str, Any]:
    name = autoname(a, "bucket", 63)
    reg = region(a)
    return {
        "id": name,
        "bucket": name,
        "arn": f"arn:aws:s3:::{name}",
        "bucketDomainName": f"{name}.s3.amazonaws.com",
        "bucketRegionalDomainName": f"{name}.s3.{reg}.amazonaws.com",
        "hostedZoneId": "Z1BKCTXD74EZPE",
        "region": reg,
    }


def _bucket_part(a: SimArgs) -> dict[str, Any]:
    return {"id": str(a.inputs.get("bucket", a.name))}


def _repository(a: SimArgs) -> dict[str, Any]:
    name = autoname(a)
    return {
        "id": name,
        "name": name,
        "arn": arn(a, "ecr", f"repository/{name}"),
        "registryId": ACCOUNT,
        "repositoryUrl": f"{ACCOUNT}.dkr.ecr.{region(a)}.amazonaws.com/{name}",
    }


def _lifecycle(a: SimArgs) -> dict[str, Any]:
    return {"id": str(a.inputs.get("repository", a.name)), "registryId": ACCOUNT}


def _ecr_token(a: SimArgs) -> dict[str, Any]:
    return {
        "id": region(a),
        "userName": "AWS",
        "password": secret(f"offline-ecr-token-{a.digest('pw', 32)}"),
        "authorizationToken": secret(f"offline-ecr-auth-{a.digest('auth', 32)}"),
        "proxyEndpoint": f"https://{ACCOUNT}.dkr.ecr.{region(a)}.amazonaws.com",
        "expiresAt": "2026-01-01T12:00:00Z",
        "registryId": ACCOUNT,
    }


def _zones(a: SimArgs) -> dict[str, Any]:
    reg = region(a)
    return {
        "id": reg,
        "names": [f"{reg}{z}" for z in "abc"],
        "zoneIds": [f"{reg.replace('-', '')[:4]}-az{i}" for i in (1, 2, 3)],
        "groupNames": [reg] * 3,
    }


def _image(a: SimArgs) -> dict[str, Any]:
    name = str(a.inputs.get("imageName", a.name))
    repo = name.rsplit(":", 1)[0] if ":" in name.rsplit("/", 1)[-1] else name
    return {
        "id": f"sha256:{a.digest('image', 64)}",
        "imageName": name,
        "repoDigest": f"{repo}@sha256:{a.digest('digest', 64)}",
        "baseImageName": name,
        "registryServer": repo.split("/", 1)[0],
    }


def _cluster(a: SimArgs) -> dict[str, Any]:
    name = autoname(a)
    cluster_arn = arn(a, "ecs", f"cluster/{name}")
    return {"id": cluster_arn, "arn": cluster_arn, "name": name}


def _task_definition(a: SimArgs) -> dict[str, Any]:
    family = str(a.inputs.get("family", a.name))
    base = arn(a, "ecs", f"task-definition/{family}")
    return {"id": family, "arn": f"{base}:1", "arnWithoutRevision": base, "revision": 1}


def _service(a: SimArgs) -> dict[str, Any]:
    name = autoname(a)
    cluster = str(a.inputs.get("cluster", "")).rsplit("/", 1)[-1]
    service_arn = arn(a, "ecs", f"service/{cluster}/{name}")
    return {"id": service_arn, "arn": service_arn, "name": name}


def _load_balancer(a: SimArgs) -> dict[str, Any]:
    name = autoname(a, limit=32)
    suffix = f"app/{name}/{a.digest('alb', 16)}"
    number = int(a.digest("dns", 8), 16) % 10**10
    return {
        "id": arn(a, "elasticloadbalancing", f"loadbalancer/{suffix}"),
        "arn": arn(a, "elasticloadbalancing", f"loadbalancer/{suffix}"),
        "arnSuffix": suffix,
        "name": name,
        "dnsName": f"{name}-{number}.{region(a)}.elb.amazonaws.com",
        "zoneId": "Z32O12XQLNTSW2",
        "vpcId": f"vpc-0{a.digest('vpc', 16)}",
    }


def _target_group(a: SimArgs) -> dict[str, Any]:
    name = autoname(a, limit=32)
    suffix = f"targetgroup/{name}/{a.digest('tg', 16)}"
    tg_arn = arn(a, "elasticloadbalancing", suffix)
    return {"id": tg_arn, "arn": tg_arn, "arnSuffix": suffix, "name": name}


def _listener(a: SimArgs) -> dict[str, Any]:
    lb = str(a.inputs.get("loadBalancerArn", "")).split("loadbalancer/", 1)[-1]
    listener_arn = arn(a, "elasticloadbalancing", f"listener/{lb}/{a.digest('listener', 16)}")
    return {"id": listener_arn, "arn": listener_arn}


def _certificate(a: SimArgs) -> dict[str, Any]:
    domain = str(a.inputs.get("domainName", "example.com"))
    d = a.digest("cert", 32)
    uuid = f"{d[:8]}-{d[8:12]}-{d[12:16]}-{d[16:20]}-{d[20:32]}"
    cert_arn = arn(a, "acm", f"certificate/{uuid}")
    return {
        "id": cert_arn,
        "arn": cert_arn,
        "status": "PENDING_VALIDATION",
        "domainValidationOptions": [
            {
                "domainName": domain,
                "resourceRecordName": f"_{a.digest('rr', 32)}.{domain}.",
                "resourceRecordType": "CNAME",
                "resourceRecordValue": f"_{a.digest('rv', 32)}.xlfgrmvvlj.acm-validations.aws.",
            }
        ],
    }


def _certificate_validation(a: SimArgs) -> dict[str, Any]:
    return {"id": "2026-01-01 00:00:00 +0000 UTC"}


def _log_group(a: SimArgs) -> dict[str, Any]:
    name = autoname(a)
    return {"id": name, "name": name, "arn": arn(a, "logs", f"log-group:{name}")}


def _secret(a: SimArgs) -> dict[str, Any]:
    name = autoname(a, limit=256)
    secret_arn = arn(a, "secretsmanager", f"secret:{name}-{a.chars(6, 'abcdefABCDEF0123456789')}")
    return {"id": secret_arn, "arn": secret_arn, "name": name}


def _secret_version(a: SimArgs) -> dict[str, Any]:
    d = a.digest("version", 32)
    version = f"{d[:8]}-{d[8:12]}-{d[12:16]}-{d[16:20]}-{d[20:32]}"
    secret_id = str(a.inputs.get("secretId", ""))
    return {
        "id": f"{secret_id}|{version}",
        "arn": secret_id,
        "versionId": version,
        "versionStages": ["AWSCURRENT"],
    }


def _role(a: SimArgs) -> dict[str, Any]:
    name = autoname(a, limit=64)
    return {
        "id": name,
        "name": name,
        "arn": f"arn:aws:iam::{ACCOUNT}:role/{name}",
        "uniqueId": f"AROA{a.chars(17, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 'role')}",
    }


def _role_policy(a: SimArgs) -> dict[str, Any]:
    name = autoname(a, limit=128)
    return {"id": f"{a.inputs.get('role', '')}:{name}", "name": name}


def _scaling_target(a: SimArgs) -> dict[str, Any]:
    resource = str(a.inputs.get("resourceId", ""))
    return {
        "id": resource,
        "arn": arn(a, "application-autoscaling", f"scalable-target/{a.digest('ast', 20)}"),
    }


def _scaling_policy(a: SimArgs) -> dict[str, Any]:
    name = autoname(a)
    return {
        "id": name,
        "name": name,
        "arn": arn(a, "autoscaling", f"scalingPolicy:{a.digest('asp', 32)}:resource/{name}"),
        "alarmArns": [],
    }


def _random_id(a: SimArgs) -> dict[str, Any]:
    """pulumi-random's RandomId (a final snapshot's suffix): `byte_length` random bytes."""
    raw = bytes.fromhex(a.digest("random-id", 2 * int(a.inputs.get("byteLength") or 8)))
    b64 = base64.b64encode(raw).decode()
    url = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    return {
        "id": url,
        "hex": raw.hex(),
        "b64Std": b64,
        "b64Url": url,
        "dec": str(int(raw.hex(), 16)),
    }


def _caller_identity(a: SimArgs) -> dict[str, Any]:
    return {
        "id": ACCOUNT,
        "accountId": ACCOUNT,
        "arn": f"arn:aws:iam::{ACCOUNT}:user/offline-plan",
        "userId": "AIDAOFFLINEPLAN0000000",
    }


def _hosted_zone(a: SimArgs) -> dict[str, Any]:
    """route53.get_zone by name: a public zone whose id is derived from the name."""
    name = str(a.inputs.get("name") or "example.com").rstrip(".")
    zone_id = "Z" + "".join(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"[b % 36]
        for b in hashlib.sha256(name.encode()).digest()[:20]
    )
    return {
        "id": zone_id,
        "zoneId": zone_id,
        "name": name,
        "arn": f"arn:aws:route53:::hostedzone/{zone_id}",
        "privateZone": False,
        "resourceRecordSetCount": 2,
        "nameServers": [f"ns-{i}.awsdns-0{i}.org" for i in (1, 2, 3, 4)],
        "callerReference": "offline",
        "comment": "",
        "tags": {},
    }


def _record(a: SimArgs) -> dict[str, Any]:
    name = str(a.inputs.get("name", "")).rstrip(".")
    zone = str(a.inputs.get("zoneId", ""))
    kind = str(a.inputs.get("type", "A"))
    return {"id": f"{zone}_{name}_{kind}", "fqdn": name}


def _vpc_endpoint(a: SimArgs) -> dict[str, Any]:
    rid = f"vpce-0{a.digest('vpce', 16)}"
    out: dict[str, Any] = {
        "id": rid,
        "arn": arn(a, "ec2", f"vpc-endpoint/{rid}"),
        "ownerId": ACCOUNT,
        "state": "available",
        "requesterManaged": False,
    }
    if a.inputs.get("vpcEndpointType") == "Gateway":
        out["prefixListId"] = f"pl-{a.digest('pl', 8)}"
    else:
        out["networkInterfaceIds"] = [f"eni-0{a.digest(f'eni{i}', 16)}" for i in (0, 1)]
        out["dnsEntries"] = [
            {
                "dnsName": f"{rid}-{a.digest('dns', 8)}.{a.inputs.get('serviceName', '')}",
                "hostedZoneId": "Z7HUB22UULQXV",
            }
        ]
    return out


def _flow_log(a: SimArgs) -> dict[str, Any]:
    rid = f"fl-0{a.digest('fl', 16)}"
    return {"id": rid, "arn": arn(a, "ec2", f"vpc-flow-log/{rid}")}


def _web_acl(a: SimArgs) -> dict[str, Any]:
    name = autoname(a, limit=128)
    d = a.digest("waf", 32)
    uuid = f"{d[:8]}-{d[8:12]}-{d[12:16]}-{d[16:20]}-{d[20:32]}"
    return {
        "id": uuid,
        "name": name,
        "arn": arn(a, "wafv2", f"regional/webacl/{name}/{uuid}"),
        "capacity": 1000,
        "lockToken": a.digest("lock", 32),
    }


def _waf_attachment(a: SimArgs) -> dict[str, Any]:
    return {"id": f"{a.inputs.get('webAclArn', a.name)},{a.inputs.get('resourceArn', '')}"}


def _waf_logging(a: SimArgs) -> dict[str, Any]:
    return {"id": str(a.inputs.get("resourceArn", a.name))}


RULES: dict[str, Callable[[SimArgs], dict[str, Any]]] = {
    "random:index/randomId:RandomId": _random_id,
    "aws:index/getCallerIdentity:getCallerIdentity": _caller_identity,
    "aws:route53/getZone:getZone": _hosted_zone,
    "aws:route53/record:Record": _record,
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": _default_security_group,
    "aws:ec2/vpcEndpoint:VpcEndpoint": _vpc_endpoint,
    "aws:ec2/flowLog:FlowLog": _flow_log,
    "aws:s3/bucketLogging:BucketLogging": _bucket_part,
    "aws:wafv2/webAcl:WebAcl": _web_acl,
    "aws:wafv2/webAclAssociation:WebAclAssociation": _waf_attachment,
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": _waf_logging,
    "aws:index/getAvailabilityZones:getAvailabilityZones": _zones,
    "aws:ec2/vpc:Vpc": _vpc,
    "aws:ec2/subnet:Subnet": _ec2("subnet", "subnet"),
    "aws:ec2/internetGateway:InternetGateway": _ec2("igw", "internet-gateway"),
    "aws:ec2/eip:Eip": _eip,
    "aws:ec2/natGateway:NatGateway": _nat,
    "aws:ec2/routeTable:RouteTable": _ec2("rtb", "route-table"),
    "aws:ec2/route:Route": _route,
    "aws:ec2/routeTableAssociation:RouteTableAssociation": lambda a: {
        "id": f"rtbassoc-0{a.digest('assoc', 16)}"
    },
    "aws:ec2/securityGroup:SecurityGroup": _security_group,
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": _rule,
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": _rule,
    "aws:rds/subnetGroup:SubnetGroup": _named("rds", "subgrp"),
    "aws:rds/parameterGroup:ParameterGroup": _named("rds", "pg"),
    "aws:rds/instance:Instance": _rds_instance,
    "aws:elasticache/subnetGroup:SubnetGroup": _named("elasticache", "subnetgroup"),
    "aws:elasticache/replicationGroup:ReplicationGroup": _replication_group,
    "aws:s3/bucket:Bucket": _bucket,
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": _bucket_part,
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": _bucket_part,
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (
        _bucket_part
    ),
    "aws:s3/bucketVersioning:BucketVersioning": _bucket_part,
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": _bucket_part,
    "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration": _bucket_part,
    "aws:s3/bucketPolicy:BucketPolicy": _bucket_part,
    "aws:ecr/repository:Repository": _repository,
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": _lifecycle,
    "aws:ecr/getAuthorizationToken:getAuthorizationToken": _ecr_token,
    "docker:index/image:Image": _image,
    "aws:ecs/cluster:Cluster": _cluster,
    "aws:ecs/taskDefinition:TaskDefinition": _task_definition,
    "aws:ecs/service:Service": _service,
    "aws:lb/loadBalancer:LoadBalancer": _load_balancer,
    "aws:lb/targetGroup:TargetGroup": _target_group,
    "aws:lb/listener:Listener": _listener,
    "aws:acm/certificate:Certificate": _certificate,
    "aws:acm/certificateValidation:CertificateValidation": _certificate_validation,
    "aws:cloudwatch/logGroup:LogGroup": _log_group,
    "aws:secretsmanager/secret:Secret": _secret,
    "aws:secretsmanager/secretVersion:SecretVersion": _secret_version,
    "aws:iam/role:Role": _role,
    "aws:iam/rolePolicy:RolePolicy": _role_policy,
    "aws:appautoscaling/target:Target": _scaling_target,
    "aws:appautoscaling/policy:Policy": _scaling_policy,
}
