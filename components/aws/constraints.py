"""What the AWS APIs refuse, per resource type this target declares (see components/constraints.py).

Each rule cites the API reference (or, where the limit comes from the Pulumi provider itself, its
registry page). Names are checked as AWS receives them: lowercase where the Terraform-bridged
provider enforces lowercase, and the Pulumi autoname `<logical>-<7 hex>` where the program gives
none. Add a rule here when the program starts setting an input the API constrains; add the type
when the target declares a new one (the plan lists types without constraints).
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from components.constraints import (
    Combination,
    Constraints,
    Length,
    OneOf,
    Pattern,
    Range,
    Rule,
)

API = "https://docs.aws.amazon.com"
REGISTRY = "https://www.pulumi.com/registry/packages/aws/api-docs"

EC2_SG = f"{API}/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html"
EC2_RULE = f"{API}/AWSEC2/latest/APIReference/API_SecurityGroupRuleRequest.html"
EC2_IP_RANGE = f"{API}/AWSEC2/latest/APIReference/API_IpRange.html"
EC2_ROUTE = f"{API}/AWSEC2/latest/APIReference/API_CreateRoute.html"
EC2_ADDRESS = f"{API}/AWSEC2/latest/APIReference/API_AllocateAddress.html"
EC2_NAT = f"{API}/AWSEC2/latest/APIReference/API_CreateNatGateway.html"
EC2_ASSOC = f"{API}/AWSEC2/latest/APIReference/API_AssociateRouteTable.html"
VPC_CIDR = f"{API}/vpc/latest/userguide/vpc-cidr-blocks.html"
EC2_FLOW = f"{API}/AWSEC2/latest/APIReference/API_CreateFlowLogs.html"
EC2_ENDPOINT = f"{API}/AWSEC2/latest/APIReference/API_CreateVpcEndpoint.html"
ROUTE53_RECORD = f"{API}/Route53/latest/APIReference/API_ResourceRecordSet.html"
WAF_ACL = f"{API}/waf/latest/APIReference/API_CreateWebACL.html"
WAF_RULE = f"{API}/waf/latest/APIReference/API_Rule.html"
WAF_VISIBILITY = f"{API}/waf/latest/APIReference/API_VisibilityConfig.html"
WAF_RATE = f"{API}/waf/latest/APIReference/API_RateBasedStatement.html"
WAF_ASSOCIATE = f"{API}/waf/latest/APIReference/API_AssociateWebACL.html"
WAF_LOGGING = f"{API}/waf/latest/APIReference/API_LoggingConfiguration.html"
WAF_LOG_NAMES = f"{API}/waf/latest/developerguide/logging-destinations.html"
S3_LOGGING = f"{API}/AmazonS3/latest/API/API_LoggingEnabled.html"
ELB_ACCESS_LOGS = f"{API}/elasticloadbalancing/latest/application/load-balancer-access-logs.html"
TAGS = f"{API}/tag-editor/latest/userguide/tagging.html"
RDS_CREATE = f"{API}/AmazonRDS/latest/APIReference/API_CreateDBInstance.html"
RDS_DELETE = f"{API}/AmazonRDS/latest/APIReference/API_DeleteDBInstance.html"
RDS_CLASSES = f"{API}/AmazonRDS/latest/UserGuide/Concepts.DBInstanceClass.Support.html"
RDS_SUBNETS = f"{API}/AmazonRDS/latest/APIReference/API_CreateDBSubnetGroup.html"
RDS_PARAMS = f"{API}/AmazonRDS/latest/APIReference/API_CreateDBParameterGroup.html"
RDS_PARAM = f"{API}/AmazonRDS/latest/APIReference/API_Parameter.html"
PULUMI_RDS = f"{REGISTRY}/rds/instance/"
CACHE_GROUP = f"{API}/AmazonElastiCache/latest/APIReference/API_CreateReplicationGroup.html"
CACHE_SUBNETS = f"{API}/AmazonElastiCache/latest/APIReference/API_CreateCacheSubnetGroup.html"
CACHE_NODES = f"{API}/AmazonElastiCache/latest/dg/CacheNodes.SupportedTypes.html"
CACHE_SNAPSHOTS = f"{API}/AmazonElastiCache/latest/APIReference/API_CreateServerlessCache.html"
"""SnapshotRetentionLimit: "The maximum value allowed is 35 days" (ElastiCache's one limit; the
CreateReplicationGroup page gives no maximum)."""
PULUMI_CACHE = f"{REGISTRY}/elasticache/replicationgroup/"
S3_NAMES = f"{API}/AmazonS3/latest/userguide/bucketnamingrules.html"
S3_VERSIONING = f"{REGISTRY}/s3/bucketversioning/"
S3_LIFECYCLE = f"{API}/AmazonS3/latest/API/API_LifecycleRule.html"
S3_NONCURRENT = f"{API}/AmazonS3/latest/API/API_NoncurrentVersionExpiration.html"
S3_ABORT = f"{API}/AmazonS3/latest/API/API_AbortIncompleteMultipartUpload.html"
S3_OWNERSHIP = f"{API}/AmazonS3/latest/API/API_OwnershipControlsRule.html"
S3_SSE = f"{API}/AmazonS3/latest/API/API_ServerSideEncryptionByDefault.html"
S3_POLICY = f"{API}/AmazonS3/latest/userguide/bucket-policies.html"
S3_CORS = f"{API}/AmazonS3/latest/API/API_CORSRule.html"
ECR_REPO = f"{API}/AmazonECR/latest/APIReference/API_CreateRepository.html"
ECR_ENCRYPTION = f"{API}/AmazonECR/latest/APIReference/API_EncryptionConfiguration.html"
ECR_LIFECYCLE = f"{API}/AmazonECR/latest/userguide/lifecycle_policy_parameters.html"
ECS_CLUSTER = f"{API}/AmazonECS/latest/APIReference/API_CreateCluster.html"
ECS_SETTING = f"{API}/AmazonECS/latest/APIReference/API_ClusterSetting.html"
ECS_SERVICE = f"{API}/AmazonECS/latest/APIReference/API_CreateService.html"
ECS_DEPLOYMENT = f"{API}/AmazonECS/latest/APIReference/API_DeploymentConfiguration.html"
ECS_AWSVPC = f"{API}/AmazonECS/latest/APIReference/API_AwsVpcConfiguration.html"
ECS_TASK = f"{API}/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html"
ECS_CONTAINER = f"{API}/AmazonECS/latest/APIReference/API_ContainerDefinition.html"
ECS_MOUNT = f"{API}/AmazonECS/latest/APIReference/API_MountPoint.html"
ECS_VOLUME = f"{API}/AmazonECS/latest/APIReference/API_Volume.html"
ECS_HEALTH = f"{API}/AmazonECS/latest/APIReference/API_HealthCheck.html"
ECS_PLATFORM = f"{API}/AmazonECS/latest/APIReference/API_RuntimePlatform.html"
FARGATE_SIZES_DOC = f"{API}/AmazonECS/latest/developerguide/fargate-tasks-services.html"
ELB_LB = f"{API}/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html"
ELB_IDLE = f"{API}/elasticloadbalancing/latest/application/edit-load-balancer-attributes.html"
ELB_TG = f"{API}/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html"
ELB_TG_ATTRS = f"{API}/elasticloadbalancing/latest/application/edit-target-group-attributes.html"
ELB_MATCHER = f"{API}/elasticloadbalancing/latest/APIReference/API_Matcher.html"
ELB_LISTENER = f"{API}/elasticloadbalancing/latest/APIReference/API_CreateListener.html"
ELB_ACTION = f"{API}/elasticloadbalancing/latest/APIReference/API_Action.html"
ELB_REDIRECT = f"{API}/elasticloadbalancing/latest/APIReference/API_RedirectActionConfig.html"
ACM_REQUEST = f"{API}/acm/latest/APIReference/API_RequestCertificate.html"
ACM_DESCRIBE = f"{API}/acm/latest/APIReference/API_DescribeCertificate.html"
LOGS_GROUP = f"{API}/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html"
LOGS_RETENTION = f"{API}/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html"
SECRET_CREATE = f"{API}/secretsmanager/latest/apireference/API_CreateSecret.html"
SECRET_PUT = f"{API}/secretsmanager/latest/apireference/API_PutSecretValue.html"
PULUMI_SECRET = f"{REGISTRY}/secretsmanager/secret/"
IAM_ROLE = f"{API}/IAM/latest/APIReference/API_CreateRole.html"
IAM_PUT_POLICY = f"{API}/IAM/latest/APIReference/API_PutRolePolicy.html"
IAM_QUOTAS = f"{API}/IAM/latest/UserGuide/reference_iam-quotas.html"
SCALING_TARGET = f"{API}/autoscaling/application/APIReference/API_RegisterScalableTarget.html"
SCALING_POLICY = f"{API}/autoscaling/application/APIReference/API_PutScalingPolicy.html"
SCALING_METRIC = (
    f"{API}/autoscaling/application/APIReference/API_PredefinedMetricSpecification.html"
)

# --- shared vocabulary -----------------------------------------------------------------------

EC2_TEXT = r"[a-zA-Z0-9 ._\-:/()#,@\[\]+=&;{}!$*]*"
EC2_TEXT_WHAT = "only a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$*"
LOWER_ID = r"[a-z][a-z0-9]*(-[a-z0-9]+)*"
"""A letter first, then lowercase letters, digits and single hyphens, no trailing hyphen: RDS
identifiers and ElastiCache ids (the bridged provider refuses upper case)."""
LOWER_ID_WHAT = (
    "a lowercase letter, then lowercase letters, digits and single hyphens, not ending in -"
)
ELB_NAME = r"(?!internal-)[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?"
ELB_NAME_WHAT = "alphanumerics and hyphens, not beginning or ending with -, not internal-..."
ECS_NAME = r"[a-zA-Z0-9_-]+"
ECS_NAME_WHAT = "letters, numbers, underscores and hyphens"
IAM_NAME = r"[\w+=,.@-]+"
IAM_NAME_WHAT = "alphanumerics and +=,.@_-"
PORT = Range(1, 65535)
CIDR_16_28 = Pattern(
    r"(\d{1,3}\.){3}\d{1,3}/(1[6-9]|2[0-8])", "an IPv4 CIDR block between /16 and /28"
)
LOG_RETENTION = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192,
                 2557, 2922, 3288, 3653)  # fmt: skip
FARGATE = {
    256: range(512, 2049, 512),
    512: range(1024, 4097, 1024),
    1024: range(2048, 8193, 1024),
    2048: range(4096, 16385, 1024),
    4096: range(8192, 30721, 1024),
    8192: range(16384, 61441, 4096),
    16384: range(32768, 122881, 8192),
}
"""Fargate's task sizes: CPU units -> the memory (MiB) each allows (256 CPU: 512, 1024, 2048)."""


Test = Callable[[Mapping[str, Any]], str | None]


def _tags(inputs: Mapping[str, Any]) -> str | None:
    tags = inputs.get("tags") or {}
    if len(tags) > 50:
        return f"{len(tags)} tags; at most 50"
    for key, value in tags.items():
        if not 1 <= len(key) <= 128 or key.lower().startswith("aws:"):
            return f"tag key {key!r} must be 1-128 characters and not start with aws:"
        if len(str(value)) > 256:
            return f"tag {key!r} value is {len(str(value))} characters; at most 256"
    return None


TAG_RULE = Combination("tags", "at most 50 tags, keys 1-128 not aws:*, values <= 256", _tags, TAGS)


def _exactly_one(keys: tuple[str, ...]) -> Test:
    def test(inputs: Mapping[str, Any]) -> str | None:
        given = [k for k in keys if inputs.get(k)]
        if len(given) != 1:
            return f"sets {', '.join(given) or 'none'}; exactly one of {', '.join(keys)} is needed"
        return None

    return test


def _requires(flag: str, needed: str, value: Any = True) -> Test:
    """When `flag` is truthy, `needed` must equal `value` (or be set, for value None)."""

    def test(inputs: Mapping[str, Any]) -> str | None:
        if not inputs.get(flag):
            return None
        got = inputs.get(needed)
        if (value is None and not got) or (value is not None and got != value):
            return f"{flag} is set but {needed} is {got!r}"
        return None

    return test


def _json_policy(limit: int, strip_whitespace: bool = False) -> Test:
    def test(inputs: Mapping[str, Any]) -> str | None:
        text = inputs.get("policy")
        if text is None:
            return None
        try:
            doc = json.loads(text)
        except (TypeError, ValueError) as exc:
            return f"is not a JSON document ({exc})"
        if not isinstance(doc, dict) or "Statement" not in doc:
            return "has no Statement"
        size = len(re.sub(r"\s", "", text)) if strip_whitespace else len(text.encode())
        if size > limit:
            return f"is {size} characters; at most {limit}"
        return None

    return test


# --- EC2 / VPC ----------------------------------------------------------------------------------


def _network_address(key: str) -> Test:
    def test(inputs: Mapping[str, Any]) -> str | None:
        value = inputs.get(key)
        if value is None:
            return None
        try:
            ipaddress.ip_network(str(value), strict=True)
        except ValueError as exc:
            return f"{value!r} is not a network address ({exc})"
        return None

    return test


def cidr_rule(key: str) -> Combination:
    """`key` holds a network address: no host bits set (10.0.0.0/16, not 10.0.0.1/16)."""
    return Combination(key, "a network address (no host bits set)", _network_address(key),
                       VPC_CIDR)  # fmt: skip


def _ports(inputs: Mapping[str, Any]) -> str | None:
    low, high = inputs.get("fromPort"), inputs.get("toPort")
    if inputs.get("ipProtocol") in ("-1", -1):
        return None
    if low is None or high is None:
        return "fromPort and toPort are required for a tcp/udp/icmp rule"
    if low > high:
        return f"fromPort {low} is above toPort {high}"
    return None


SG_RULE = Constraints(
    rules=(
        cidr_rule("cidrIpv4"),
        Rule("description", Pattern(EC2_TEXT, EC2_TEXT_WHAT), EC2_IP_RANGE),
        Rule("description", Length(0, 255), EC2_IP_RANGE),
        Rule("fromPort", Range(-1, 65535), EC2_RULE),
        Rule("toPort", Range(-1, 65535), EC2_RULE),
        Rule("ipProtocol", OneOf(("tcp", "udp", "icmp", "icmpv6", "-1")), EC2_RULE),
        Combination(
            "fromPort", "fromPort <= toPort, both set unless all protocols", _ports, EC2_RULE
        ),
        Combination(
            "cidrIpv4",
            "exactly one peer",
            _exactly_one(("cidrIpv4", "cidrIpv6", "prefixListId", "referencedSecurityGroupId")),
            EC2_RULE,
        ),
        TAG_RULE,
    )
)

SECURITY_GROUP = Constraints(
    autoname="name",
    rules=(
        Rule("name", Pattern(EC2_TEXT, EC2_TEXT_WHAT), EC2_SG),
        Rule("name", Pattern(r"(?!sg-).*", "a name not starting with sg-"), EC2_SG),
        Rule("name", Length(1, 255), EC2_SG),
        Rule("description", Pattern(EC2_TEXT, EC2_TEXT_WHAT), EC2_SG),
        Rule("description", Length(0, 255), EC2_SG),
        TAG_RULE,
    ),
)


ROUTE_TARGETS = (
    "gatewayId", "natGatewayId", "networkInterfaceId", "transitGatewayId", "vpcEndpointId",
    "vpcPeeringConnectionId", "egressOnlyGatewayId", "carrierGatewayId", "localGatewayId",
    "coreNetworkArn",
)  # fmt: skip


def _nat_allocation(inputs: Mapping[str, Any]) -> str | None:
    if inputs.get("connectivityType", "public") == "public" and not inputs.get("allocationId"):
        return "a public NAT gateway needs allocationId (an Elastic IP)"
    return None


EC2: dict[str, Constraints] = {
    "aws:ec2/vpc:Vpc": Constraints(
        rules=(Rule("cidrBlock", CIDR_16_28, VPC_CIDR), cidr_rule("cidrBlock"), TAG_RULE)
    ),
    "aws:ec2/subnet:Subnet": Constraints(
        rules=(Rule("cidrBlock", CIDR_16_28, VPC_CIDR), cidr_rule("cidrBlock"), TAG_RULE)
    ),
    "aws:ec2/internetGateway:InternetGateway": Constraints(rules=(TAG_RULE,)),
    "aws:ec2/eip:Eip": Constraints(
        rules=(Rule("domain", OneOf(("vpc", "standard")), EC2_ADDRESS), TAG_RULE)
    ),
    "aws:ec2/natGateway:NatGateway": Constraints(
        rules=(
            Rule("connectivityType", OneOf(("public", "private")), EC2_NAT),
            Combination("allocationId", "public NAT needs an Elastic IP", _nat_allocation, EC2_NAT),
            TAG_RULE,
        )
    ),
    "aws:ec2/routeTable:RouteTable": Constraints(rules=(TAG_RULE,)),
    "aws:ec2/route:Route": Constraints(
        rules=(
            Combination(
                "destinationCidrBlock", "exactly one target", _exactly_one(ROUTE_TARGETS), EC2_ROUTE
            ),
            cidr_rule("destinationCidrBlock"),
        )
    ),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": Constraints(
        rules=(
            Combination(
                "subnetId",
                "exactly one of subnetId, gatewayId",
                _exactly_one(("subnetId", "gatewayId")),
                EC2_ASSOC,
            ),
        )
    ),
    "aws:ec2/securityGroup:SecurityGroup": SECURITY_GROUP,
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": SG_RULE,
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": SG_RULE,
}

# --- RDS ----------------------------------------------------------------------------------------

RDS_ENGINES = (
    "postgres", "mysql", "mariadb", "oracle-ee", "oracle-ee-cdb", "oracle-se2", "oracle-se2-cdb",
    "sqlserver-ee", "sqlserver-se", "sqlserver-ex", "sqlserver-web", "db2-se", "db2-ae",
)  # fmt: skip
RDS_CLASS = (
    r"db\.(t3|t4g|m5|m5d|m6g|m6gd|m6i|m6id|m6in|m7g|m7i|m8g|r5|r5b|r5d|r6g|r6gd|r6i|r6id|r7g|"
    r"r7i|r8g|x2g|x2iedn)\.(micro|small|medium|large|xlarge|[0-9]+xlarge)"
)
STORAGE_RANGES = {"gp2": (20, 65536), "gp3": (20, 65536), "io1": (100, 65536),
                  "io2": (100, 65536), "standard": (5, 3072)}  # fmt: skip
PG_PASSWORD = r"[\x21\x23-\x2e\x30-\x3f\x41-\x7e]{8,128}"


def _storage(inputs: Mapping[str, Any]) -> str | None:
    kind = inputs.get("storageType") or "gp2"
    size = inputs.get("allocatedStorage")
    if size is None or kind not in STORAGE_RANGES:
        return None
    low, high = STORAGE_RANGES[kind]
    if not low <= float(size) <= high:
        return f"{size} GiB of {kind} storage; {kind} takes {low}-{high} GiB"
    return None


def _autoscaling_ceiling(inputs: Mapping[str, Any]) -> str | None:
    ceiling, size = inputs.get("maxAllocatedStorage"), inputs.get("allocatedStorage")
    if ceiling and size is not None and float(ceiling) < float(size):
        return f"maxAllocatedStorage {ceiling} is below allocatedStorage {size}"
    return None


def _final_snapshot(inputs: Mapping[str, Any]) -> str | None:
    if inputs.get("skipFinalSnapshot") is False and not inputs.get("finalSnapshotIdentifier"):
        return "skipFinalSnapshot is false but no finalSnapshotIdentifier is given"
    return None


RDS: dict[str, Constraints] = {
    "aws:rds/instance:Instance": Constraints(
        autoname="identifier",
        rules=(
            Rule("identifier", Pattern(LOWER_ID, LOWER_ID_WHAT), RDS_CREATE),
            Rule("identifier", Length(1, 63), RDS_CREATE),
            Rule("engine", OneOf(RDS_ENGINES), RDS_CREATE),
            Rule(
                "instanceClass",
                Pattern(RDS_CLASS, "a db.<family>.<size> class RDS sells"),
                RDS_CLASSES,
            ),
            Rule("storageType", OneOf(tuple(STORAGE_RANGES)), RDS_CREATE),
            Combination(
                "allocatedStorage",
                "gp2/gp3 20-65536 GiB, io1/io2 100-65536, standard 5-3072",
                _storage,
                RDS_CREATE,
            ),
            Rule("maxAllocatedStorage", Range(0, 65536), RDS_CREATE),
            Combination(
                "maxAllocatedStorage",
                "maxAllocatedStorage >= allocatedStorage",
                _autoscaling_ceiling,
                PULUMI_RDS,
            ),
            Rule("backupRetentionPeriod", Range(0, 35), RDS_CREATE),
            Rule("port", Range(1150, 65535), RDS_CREATE),
            Rule(
                "dbName",
                Pattern(
                    r"[A-Za-z][A-Za-z0-9_]{0,62}",
                    "a letter, then up to 62 letters, digits or underscores",
                ),
                RDS_CREATE,
            ),
            Rule(
                "username",
                Pattern(
                    r"[A-Za-z][A-Za-z0-9_]{0,15}", "a letter, then up to 15 letters, digits or _"
                ),
                RDS_CREATE,
            ),
            Rule(
                "password",
                Pattern(PG_PASSWORD, '8-128 printable ASCII characters except / " @ and space'),
                RDS_CREATE,
            ),
            Rule(
                "finalSnapshotIdentifier",
                Pattern(
                    r"[A-Za-z][A-Za-z0-9]*(-[A-Za-z0-9]+)*",
                    "a letter, then letters, digits and single hyphens, not ending in -",
                ),
                RDS_DELETE,
            ),
            Rule("finalSnapshotIdentifier", Length(1, 255), RDS_DELETE),
            Combination(
                "finalSnapshotIdentifier",
                "required unless skipFinalSnapshot",
                _final_snapshot,
                PULUMI_RDS,
            ),
            TAG_RULE,
        ),
    ),
    "aws:rds/subnetGroup:SubnetGroup": Constraints(
        autoname="name",
        rules=(
            Rule(
                "name",
                Pattern(
                    r"(?!default$)[a-z0-9 ._-]+",
                    "lowercase letters, digits, spaces and ._- (not default)",
                ),
                RDS_SUBNETS,
            ),
            Rule("name", Length(1, 255), RDS_SUBNETS),
            Rule("subnetIds", Length(2, 20, "items"), RDS_SUBNETS),
            TAG_RULE,
        ),
    ),
    "aws:rds/parameterGroup:ParameterGroup": Constraints(
        autoname="name",
        rules=(
            Rule("name", Pattern(LOWER_ID, LOWER_ID_WHAT), RDS_PARAMS),
            Rule("name", Length(1, 255), RDS_PARAMS),
            Rule(
                "family",
                Pattern(
                    r"postgres1[1-7]|mysql8\.[04]|mariadb1[01]\.[0-9]+",
                    "an engine family such as postgres16",
                ),
                RDS_PARAMS,
            ),
            Rule("parameters[].applyMethod", OneOf(("immediate", "pending-reboot")), RDS_PARAM),
            TAG_RULE,
        ),
    ),
}

# --- ElastiCache --------------------------------------------------------------------------------

CACHE_CLASS = (
    r"cache\.(t3|t4g|m5|m6g|m7g|r5|r6g|r6gd|r7g|c7gn)\.(micro|small|medium|large|xlarge|"
    r"[0-9]+xlarge)"
)
AUTH_TOKEN = r"[A-Za-z0-9!&#$^<>-]{16,128}"


def _failover_nodes(inputs: Mapping[str, Any]) -> str | None:
    if inputs.get("automaticFailoverEnabled") and int(inputs.get("numCacheClusters") or 1) < 2:
        return "automatic failover needs numCacheClusters >= 2 (a replica to fail over to)"
    return None


CACHE: dict[str, Constraints] = {
    "aws:elasticache/replicationGroup:ReplicationGroup": Constraints(
        autoname="replicationGroupId",
        rules=(
            Rule("replicationGroupId", Pattern(LOWER_ID, LOWER_ID_WHAT), CACHE_GROUP),
            Rule("replicationGroupId", Length(1, 40), CACHE_GROUP),
            Rule("description", Pattern(r".+", "a non-empty description (required)"), CACHE_GROUP),
            Rule("engine", OneOf(("redis", "valkey")), CACHE_GROUP),
            Rule(
                "nodeType", Pattern(CACHE_CLASS, "a cache.<family>.<size> node type"), CACHE_NODES
            ),
            Rule("numCacheClusters", Range(1, 6), CACHE_GROUP),
            Rule("port", PORT, CACHE_GROUP),
            Rule(
                "authToken",
                Pattern(
                    AUTH_TOKEN, "16-128 printable ASCII characters, the only special ones !&#$^<>-"
                ),
                CACHE_GROUP,
            ),
            Combination(
                "authToken",
                "an AUTH token needs transitEncryptionEnabled",
                _requires("authToken", "transitEncryptionEnabled"),
                CACHE_GROUP,
            ),
            Combination(
                "multiAzEnabled",
                "Multi-AZ needs automaticFailoverEnabled",
                _requires("multiAzEnabled", "automaticFailoverEnabled"),
                PULUMI_CACHE,
            ),
            Combination(
                "automaticFailoverEnabled",
                "automatic failover needs >= 2 nodes",
                _failover_nodes,
                PULUMI_CACHE,
            ),
            Rule("snapshotRetentionLimit", Range(0, 35), CACHE_SNAPSHOTS),
            Rule(
                "snapshotWindow",
                Pattern(
                    r"([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d", "hh24:mi-hh24:mi (UTC)"
                ),
                CACHE_GROUP,
            ),
            Rule(
                "maintenanceWindow",
                Pattern(
                    r"(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d-"
                    r"(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d",
                    "ddd:hh24:mi-ddd:hh24:mi (UTC), days mon..sun",
                ),
                CACHE_GROUP,
            ),
            TAG_RULE,
        ),
    ),
    "aws:elasticache/subnetGroup:SubnetGroup": Constraints(
        autoname="name",
        rules=(
            Rule(
                "name", Pattern(r"[a-z0-9-]+", "lowercase alphanumerics and hyphens"), CACHE_SUBNETS
            ),
            Rule("name", Length(1, 255), CACHE_SUBNETS),
            TAG_RULE,
        ),
    ),
}

# --- S3 -----------------------------------------------------------------------------------------

BUCKET_NAME = (
    r"(?!xn--|sthree-|amzn-s3-demo-)(?!.*(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$)"
    r"(?!(\d{1,3}\.){3}\d{1,3}$)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]"
)
BUCKET_WHAT = (
    "3-63 lowercase letters, digits, dots and hyphens, a letter or digit at each end, no '..', "
    "not an IP address, no reserved prefix (xn--, sthree-) or suffix (-s3alias, --ol-s3)"
)
BUCKET_REF = Rule("bucket", Pattern(BUCKET_NAME, BUCKET_WHAT), S3_NAMES)


def _bucket_part(*rules: Rule | Combination) -> Constraints:
    return Constraints(rules=(BUCKET_REF, *rules))


S3: dict[str, Constraints] = {
    "aws:s3/bucket:Bucket": Constraints(autoname="bucket", rules=(BUCKET_REF, TAG_RULE)),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": _bucket_part(),
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": _bucket_part(
        Rule(
            "rule.objectOwnership",
            OneOf(("BucketOwnerPreferred", "ObjectWriter", "BucketOwnerEnforced")),
            S3_OWNERSHIP,
        ),
    ),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (
        _bucket_part(
            Rule(
                "rules[].applyServerSideEncryptionByDefault.sseAlgorithm",
                OneOf(("AES256", "aws:kms", "aws:kms:dsse")),
                S3_SSE,
            ),
        )
    ),
    "aws:s3/bucketVersioning:BucketVersioning": _bucket_part(
        Rule(
            "versioningConfiguration.status",
            OneOf(("Enabled", "Suspended", "Disabled")),
            S3_VERSIONING,
        ),
    ),
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": _bucket_part(
        Rule("rules", Length(1, 1000, "items"), S3_LIFECYCLE),
        Rule("rules[].id", Length(1, 255), S3_LIFECYCLE),
        Rule("rules[].status", OneOf(("Enabled", "Disabled")), S3_LIFECYCLE),
        Rule(
            "rules[].noncurrentVersionExpiration.noncurrentDays", Range(1, 2**31 - 1), S3_NONCURRENT
        ),
        Rule(
            "rules[].abortIncompleteMultipartUpload.daysAfterInitiation",
            Range(1, 2**31 - 1),
            S3_ABORT,
        ),
    ),
    "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration": _bucket_part(
        Rule("corsRules", Length(1, 100, "items"), S3_CORS),
        Rule(
            "corsRules[].allowedMethods[]", OneOf(("GET", "PUT", "HEAD", "POST", "DELETE")), S3_CORS
        ),
    ),
    "aws:s3/bucketPolicy:BucketPolicy": _bucket_part(
        Combination("policy", "a JSON policy of at most 20 KB", _json_policy(20 * 1024), S3_POLICY),
    ),
}

# --- ECR ----------------------------------------------------------------------------------------

ECR_NAME = r"(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*"


def _lifecycle_rules(inputs: Mapping[str, Any]) -> str | None:
    try:
        rules = json.loads(inputs.get("policy") or "")["rules"]
    except (TypeError, ValueError, KeyError) as exc:
        return f"is not a lifecycle policy document ({exc})"
    priorities = [r.get("rulePriority") for r in rules]
    if len(set(priorities)) != len(priorities) or any(
        not isinstance(p, int) or p < 1 for p in priorities
    ):
        return f"rulePriority values {priorities} must be unique integers >= 1"
    for rule in rules:
        selection = rule.get("selection", {})
        if selection.get("tagStatus") not in ("tagged", "untagged", "any"):
            return f"tagStatus {selection.get('tagStatus')!r} is not tagged, untagged or any"
        if selection.get("countType") not in ("imageCountMoreThan", "sinceImagePushed"):
            return f"countType {selection.get('countType')!r} is not a known count type"
        if not isinstance(selection.get("countNumber"), int) or selection["countNumber"] < 1:
            return f"countNumber {selection.get('countNumber')!r} must be an integer >= 1"
    return None


ECR: dict[str, Constraints] = {
    "aws:ecr/repository:Repository": Constraints(
        autoname="name",
        rules=(
            Rule(
                "name",
                Pattern(ECR_NAME, "lowercase path components joined by . _ - or /"),
                ECR_REPO,
            ),
            Rule("name", Length(2, 256), ECR_REPO),
            Rule(
                "imageTagMutability",
                OneOf(
                    ("MUTABLE", "IMMUTABLE", "MUTABLE_WITH_EXCLUSION", "IMMUTABLE_WITH_EXCLUSION")
                ),
                ECR_REPO,
            ),
            Rule(
                "encryptionConfigurations[].encryptionType",
                OneOf(("AES256", "KMS", "KMS_DSSE")),
                ECR_ENCRYPTION,
            ),
            TAG_RULE,
        ),
    ),
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": Constraints(
        rules=(
            Rule("repository", Pattern(ECR_NAME, "an ECR repository name"), ECR_REPO),
            Rule("policy", Length(100, 30720), ECR_LIFECYCLE),
            Combination(
                "policy",
                "unique rulePriority >= 1, known tagStatus/countType, countNumber >= 1",
                _lifecycle_rules,
                ECR_LIFECYCLE,
            ),
        )
    ),
}

# --- ECS ----------------------------------------------------------------------------------------


def _fargate_size(inputs: Mapping[str, Any]) -> str | None:
    if "FARGATE" not in (inputs.get("requiresCompatibilities") or []):
        return None
    try:
        cpu, memory = int(inputs.get("cpu") or 0), int(inputs.get("memory") or 0)
    except ValueError:
        return f"cpu {inputs.get('cpu')!r} / memory {inputs.get('memory')!r} are not numbers"
    if memory not in FARGATE.get(cpu, ()):
        return f"cpu {cpu} with memory {memory} MiB is not a Fargate task size"
    return None


def _fargate_network(inputs: Mapping[str, Any]) -> str | None:
    if "FARGATE" in (inputs.get("requiresCompatibilities") or []) and (
        inputs.get("networkMode") != "awsvpc"
    ):
        return f"Fargate needs networkMode awsvpc, not {inputs.get('networkMode')!r}"
    return None


HEALTH_RANGES = {"interval": (5, 300), "timeout": (2, 60), "retries": (1, 10),
                 "startPeriod": (0, 300)}  # fmt: skip


def _container_problem(c: Mapping[str, Any], fargate: bool) -> str | None:
    name = c.get("name", "")
    if not re.fullmatch(ECS_NAME, name) or len(name) > 255:
        return f"container name {name!r}: up to 255 {ECS_NAME_WHAT}"
    for key, (low, high) in HEALTH_RANGES.items():
        value = (c.get("healthCheck") or {}).get(key)
        if value is not None and not low <= value <= high:
            return f"container {name!r} healthCheck.{key} {value} is outside {low}..{high}"
    if fargate and (c.get("stopTimeout") or 0) > 120:
        return f"container {name!r} stopTimeout {c['stopTimeout']} is above Fargate's 120"
    for dep in c.get("dependsOn") or []:
        if dep.get("condition") not in ("START", "COMPLETE", "SUCCESS", "HEALTHY"):
            return f"container {name!r} dependsOn condition {dep.get('condition')!r} is unknown"
    for mapping in c.get("portMappings") or []:
        if mapping.get("protocol", "tcp") not in ("tcp", "udp"):
            return f"container {name!r} port protocol {mapping.get('protocol')!r}: tcp or udp"
        if mapping.get("appProtocol", "http") not in ("http", "http2", "grpc"):
            return f"container {name!r} appProtocol {mapping.get('appProtocol')!r} is unknown"
    return None


def _mounts(inputs: Mapping[str, Any]) -> str | None:
    """Every container mount names a volume the task definition declares."""
    try:
        containers = json.loads(inputs.get("containerDefinitions") or "")
    except ValueError:
        return None  # _containers reports it
    declared = {v.get("name") for v in inputs.get("volumes") or []}
    for c in containers:
        for mount in c.get("mountPoints") or []:
            if mount.get("sourceVolume") not in declared:
                return (
                    f"container {c.get('name')!r} mounts {mount.get('sourceVolume')!r}, "
                    f"not a volume of the task (declared: {sorted(declared)})"
                )
    return None


def _containers(inputs: Mapping[str, Any]) -> str | None:
    try:
        containers = json.loads(inputs.get("containerDefinitions") or "")
    except ValueError as exc:
        return f"is not JSON ({exc})"
    fargate = "FARGATE" in (inputs.get("requiresCompatibilities") or [])
    names = [c.get("name") for c in containers]
    if len(set(names)) != len(names):
        return f"container names {names} are not unique"
    for container in containers:
        if problem := _container_problem(container, fargate):
            return problem
    return None


ECS: dict[str, Constraints] = {
    "aws:ecs/cluster:Cluster": Constraints(
        autoname="name",
        rules=(
            Rule("name", Pattern(ECS_NAME, ECS_NAME_WHAT), ECS_CLUSTER),
            Rule("name", Length(1, 255), ECS_CLUSTER),
            Rule("settings[].name", OneOf(("containerInsights",)), ECS_SETTING),
            Rule("settings[].value", OneOf(("enabled", "disabled", "enhanced")), ECS_SETTING),
            TAG_RULE,
        ),
    ),
    "aws:ecs/service:Service": Constraints(
        autoname="name",
        rules=(
            Rule("name", Pattern(ECS_NAME, ECS_NAME_WHAT), ECS_SERVICE),
            Rule("name", Length(1, 255), ECS_SERVICE),
            Rule("launchType", OneOf(("EC2", "FARGATE", "EXTERNAL")), ECS_SERVICE),
            Rule("propagateTags", OneOf(("TASK_DEFINITION", "SERVICE", "NONE")), ECS_SERVICE),
            Rule("desiredCount", Range(0, 2**31 - 1), ECS_SERVICE),
            Rule("healthCheckGracePeriodSeconds", Range(0, 2**31 - 1), ECS_SERVICE),
            Rule("deploymentMinimumHealthyPercent", Range(0, 100), ECS_DEPLOYMENT),
            Rule(
                "platformVersion", Pattern(r"LATEST|\d+\.\d+\.\d+", "LATEST or x.y.z"), ECS_SERVICE
            ),
            Rule("loadBalancers[].containerPort", PORT, ECS_SERVICE),
            Rule("networkConfiguration.subnets", Length(1, 16, "items"), ECS_AWSVPC),
            Rule("networkConfiguration.securityGroups", Length(0, 5, "items"), ECS_AWSVPC),
            TAG_RULE,
        ),
    ),
    "aws:ecs/taskDefinition:TaskDefinition": Constraints(
        rules=(
            Rule("family", Pattern(ECS_NAME, ECS_NAME_WHAT), ECS_TASK),
            Rule("family", Length(1, 255), ECS_TASK),
            Rule("networkMode", OneOf(("bridge", "host", "awsvpc", "none")), ECS_TASK),
            Rule(
                "requiresCompatibilities[]",
                OneOf(("EC2", "FARGATE", "EXTERNAL", "MANAGED_INSTANCES")),
                ECS_TASK,
            ),
            Rule("runtimePlatform.cpuArchitecture", OneOf(("X86_64", "ARM64")), ECS_PLATFORM),
            Rule(
                "runtimePlatform.operatingSystemFamily",
                OneOf(
                    (
                        "LINUX",
                        "WINDOWS_SERVER_2019_FULL",
                        "WINDOWS_SERVER_2019_CORE",
                        "WINDOWS_SERVER_2022_FULL",
                        "WINDOWS_SERVER_2022_CORE",
                        "WINDOWS_SERVER_2025_FULL",
                        "WINDOWS_SERVER_2025_CORE",
                    )
                ),
                ECS_PLATFORM,
            ),
            Combination("cpu", "a Fargate cpu/memory pair", _fargate_size, FARGATE_SIZES_DOC),
            Combination("networkMode", "Fargate needs awsvpc", _fargate_network, ECS_TASK),
            Rule("volumes[].name", Pattern(ECS_NAME, ECS_NAME_WHAT), ECS_VOLUME),
            Rule("volumes[].name", Length(1, 255), ECS_VOLUME),
            Combination(
                "containerDefinitions",
                "mountPoints[].sourceVolume names a volume of the task definition",
                _mounts,
                ECS_MOUNT,
            ),
            Combination(
                "containerDefinitions",
                "unique container names of letters, digits, _ "
                "and -; health check interval 5-300, timeout 2-60, retries 1-10, "
                "startPeriod 0-300; Fargate stopTimeout <= 120; known dependsOn "
                "conditions and port protocols",
                _containers,
                ECS_CONTAINER,
            ),
            TAG_RULE,
        )
    ),
}

# --- Elastic Load Balancing, ACM ---------------------------------------------------------------


def _alb_zones(inputs: Mapping[str, Any]) -> str | None:
    if inputs.get("loadBalancerType", "application") == "application" and (
        len(inputs.get("subnets") or []) < 2
    ):
        return "an Application Load Balancer needs subnets in at least two Availability Zones"
    return None


def _tg_timeout(inputs: Mapping[str, Any]) -> str | None:
    check = inputs.get("healthCheck") or {}
    timeout, interval = check.get("timeout"), check.get("interval")
    if timeout is not None and interval is not None and timeout >= interval:
        return f"health check timeout {timeout} is not below its interval {interval}"
    return None


def _https_certificate(inputs: Mapping[str, Any]) -> str | None:
    if inputs.get("protocol") in ("HTTPS", "TLS") and not inputs.get("certificateArn"):
        return f"a {inputs.get('protocol')} listener needs certificateArn"
    return None


def _actions(inputs: Mapping[str, Any]) -> str | None:
    for action in inputs.get("defaultActions") or []:
        kind = action.get("type")
        if kind == "forward" and not (action.get("targetGroupArn") or action.get("forward")):
            return "a forward action needs targetGroupArn or forward"
        if kind == "redirect" and not action.get("redirect"):
            return "a redirect action needs redirect"
    return None


ELB: dict[str, Constraints] = {
    "aws:lb/loadBalancer:LoadBalancer": Constraints(
        autoname="name",
        rules=(
            Rule("name", Pattern(ELB_NAME, ELB_NAME_WHAT), ELB_LB),
            Rule("name", Length(1, 32), ELB_LB),
            Rule("loadBalancerType", OneOf(("application", "network", "gateway")), ELB_LB),
            Rule("idleTimeout", Range(1, 4000), ELB_IDLE),
            Rule("securityGroups", Length(0, 5, "items"), ELB_LB),
            Combination("subnets", "two Availability Zones", _alb_zones, ELB_LB),
            TAG_RULE,
        ),
    ),
    "aws:lb/targetGroup:TargetGroup": Constraints(
        autoname="name",
        rules=(
            Rule("name", Pattern(ELB_NAME, ELB_NAME_WHAT), ELB_TG),
            Rule("name", Length(1, 32), ELB_TG),
            Rule("port", PORT, ELB_TG),
            Rule(
                "protocol",
                OneOf(("HTTP", "HTTPS", "TCP", "TLS", "UDP", "TCP_UDP", "GENEVE")),
                ELB_TG,
            ),
            Rule("targetType", OneOf(("instance", "ip", "lambda", "alb")), ELB_TG),
            Rule("deregistrationDelay", Range(0, 3600), ELB_TG_ATTRS),
            Rule("healthCheck.interval", Range(5, 300), ELB_TG),
            Rule("healthCheck.timeout", Range(2, 120), ELB_TG),
            Rule("healthCheck.healthyThreshold", Range(2, 10), ELB_TG),
            Rule("healthCheck.unhealthyThreshold", Range(2, 10), ELB_TG),
            Rule("healthCheck.protocol", OneOf(("HTTP", "HTTPS", "TCP")), ELB_TG),
            Rule("healthCheck.path", Pattern(r"/\S{0,1023}", "a path starting with /"), ELB_TG),
            Rule(
                "healthCheck.matcher",
                Pattern(
                    r"([2-4]\d\d)(-[2-4]\d\d)?(,[2-4]\d\d(-[2-4]\d\d)?)*",
                    "HTTP codes 200-499: 200, 200,202 or 200-299",
                ),
                ELB_MATCHER,
            ),
            Combination("healthCheck", "health check timeout < interval", _tg_timeout, ELB_TG),
            TAG_RULE,
        ),
    ),
    "aws:lb/listener:Listener": Constraints(
        rules=(
            Rule("port", PORT, ELB_LISTENER),
            Rule(
                "protocol",
                OneOf(("HTTP", "HTTPS", "TCP", "TLS", "UDP", "TCP_UDP", "GENEVE")),
                ELB_LISTENER,
            ),
            Rule(
                "sslPolicy",
                Pattern(r"ELBSecurityPolicy-[A-Za-z0-9-]+", "an ELBSecurityPolicy-... name"),
                ELB_LISTENER,
            ),
            Rule(
                "defaultActions[].type",
                OneOf(
                    (
                        "forward",
                        "authenticate-oidc",
                        "authenticate-cognito",
                        "redirect",
                        "fixed-response",
                    )
                ),
                ELB_ACTION,
            ),
            Rule(
                "defaultActions[].redirect.statusCode",
                OneOf(("HTTP_301", "HTTP_302")),
                ELB_REDIRECT,
            ),
            Rule(
                "defaultActions[].redirect.protocol",
                OneOf(("HTTP", "HTTPS", "#{protocol}")),
                ELB_REDIRECT,
            ),
            Combination(
                "certificateArn",
                "an HTTPS/TLS listener needs a certificate",
                _https_certificate,
                ELB_LISTENER,
            ),
            Combination("defaultActions", "each action carries its target", _actions, ELB_ACTION),
            TAG_RULE,
        )
    ),
    "aws:acm/certificate:Certificate": Constraints(
        rules=(
            Rule(
                "domainName",
                Pattern(
                    r"(\*\.)?(((?!-)[A-Za-z0-9-]{0,62}[A-Za-z0-9])\.)+"
                    r"((?!-)[A-Za-z0-9-]{1,62}[A-Za-z0-9])",
                    "a fully qualified domain",
                ),
                ACM_REQUEST,
            ),
            Rule("domainName", Length(1, 253), ACM_REQUEST),
            Rule("validationMethod", OneOf(("DNS", "EMAIL", "HTTP")), ACM_REQUEST),
            TAG_RULE,
        )
    ),
    "aws:acm/certificateValidation:CertificateValidation": Constraints(
        rules=(
            Rule(
                "certificateArn",
                Pattern(
                    r"arn:[\w+=/,.@-]+:acm:[\w+=/,.@-]*:[0-9]+:[\w+=,.@-]+(/[\w+=,.@-]+)*",
                    "an ACM certificate ARN",
                ),
                ACM_DESCRIBE,
            ),
        )
    ),
}

# --- CloudWatch Logs, Secrets Manager, IAM, Application Auto Scaling ---------------------------

IAM_TEXT = r"[\t\n\r\x20-\x7e\xa1-\xff]*"

MISC: dict[str, Constraints] = {
    "aws:cloudwatch/logGroup:LogGroup": Constraints(
        autoname="name",
        rules=(
            Rule("name", Pattern(r"[.\-_/#A-Za-z0-9]+", "letters, digits and ._-/#"), LOGS_GROUP),
            Rule("name", Length(1, 512), LOGS_GROUP),
            Rule("retentionInDays", OneOf((0, *LOG_RETENTION)), LOGS_RETENTION),
            TAG_RULE,
        ),
    ),
    "aws:secretsmanager/secret:Secret": Constraints(
        autoname="name",
        rules=(
            Rule(
                "name",
                Pattern(r"[A-Za-z0-9/_+=.@-]+", "letters, digits and /_+=.@-"),
                SECRET_CREATE,
            ),
            Rule("name", Length(1, 512), SECRET_CREATE),
            Rule("description", Length(0, 2048), SECRET_CREATE),
            Rule("recoveryWindowInDays", OneOf((0, *range(7, 31))), PULUMI_SECRET),
            TAG_RULE,
        ),
    ),
    "aws:secretsmanager/secretVersion:SecretVersion": Constraints(
        rules=(Rule("secretString", Length(1, 65536), SECRET_PUT),)
    ),
    "aws:iam/role:Role": Constraints(
        autoname="name",
        rules=(
            Rule("name", Pattern(IAM_NAME, IAM_NAME_WHAT), IAM_ROLE),
            Rule("name", Length(1, 64), IAM_ROLE),
            Rule("description", Pattern(IAM_TEXT, "printable characters"), IAM_ROLE),
            Rule("description", Length(0, 1000), IAM_ROLE),
            Rule("path", Pattern(r"/([\x21-\x7e]*/)?", "/ or /path/"), IAM_ROLE),
            Rule("assumeRolePolicy", Length(1, 2048), IAM_QUOTAS),
            TAG_RULE,
        ),
    ),
    "aws:iam/rolePolicy:RolePolicy": Constraints(
        autoname="name",
        rules=(
            Rule("name", Pattern(IAM_NAME, IAM_NAME_WHAT), IAM_PUT_POLICY),
            Rule("name", Length(1, 128), IAM_PUT_POLICY),
            Combination(
                "policy",
                "a JSON policy of at most 10,240 characters (whitespace excluded)",
                _json_policy(10240, strip_whitespace=True),
                IAM_QUOTAS,
            ),
        ),
    ),
    "aws:appautoscaling/target:Target": Constraints(
        rules=(
            Rule(
                "serviceNamespace",
                OneOf(
                    (
                        "ecs",
                        "elasticmapreduce",
                        "ec2",
                        "appstream",
                        "dynamodb",
                        "rds",
                        "sagemaker",
                        "custom-resource",
                        "comprehend",
                        "lambda",
                        "cassandra",
                        "kafka",
                        "elasticache",
                        "neptune",
                        "workspaces",
                    )
                ),
                SCALING_TARGET,
            ),
            Rule("resourceId", Length(1, 1600), SCALING_TARGET),
            Rule("minCapacity", Range(0, 2**31 - 1), SCALING_TARGET),
            Combination(
                "maxCapacity",
                "minCapacity <= maxCapacity",
                lambda i: (
                    f"minCapacity {i['minCapacity']} is above maxCapacity {i['maxCapacity']}"
                    if int(i.get("minCapacity") or 0) > int(i.get("maxCapacity") or 0)
                    else None
                ),
                SCALING_TARGET,
            ),
            TAG_RULE,
        )
    ),
    "aws:appautoscaling/policy:Policy": Constraints(
        autoname="name",
        rules=(
            Rule("name", Pattern(r"[\x20-\x7e]+", "printable characters"), SCALING_POLICY),
            Rule("name", Length(1, 256), SCALING_POLICY),
            Rule(
                "policyType",
                OneOf(("StepScaling", "TargetTrackingScaling", "PredictiveScaling")),
                SCALING_POLICY,
            ),
            Rule(
                "targetTrackingScalingPolicyConfiguration.predefinedMetricSpecification."
                "predefinedMetricType",
                OneOf(
                    (
                        "ECSServiceAverageCPUUtilization",
                        "ECSServiceAverageMemoryUtilization",
                        "ALBRequestCountPerTarget",
                    )
                ),
                SCALING_METRIC,
            ),
            Rule(
                "targetTrackingScalingPolicyConfiguration.scaleInCooldown",
                Range(0, 2**31 - 1),
                SCALING_POLICY,
            ),
            Rule(
                "targetTrackingScalingPolicyConfiguration.scaleOutCooldown",
                Range(0, 2**31 - 1),
                SCALING_POLICY,
            ),
        ),
    ),
}

# --- Network extras, Route 53, WAF ------------------------------------------------------------


def _flow_log_role(inputs: Mapping[str, Any]) -> str | None:
    kind = inputs.get("logDestinationType") or "cloud-watch-logs"
    if kind == "cloud-watch-logs" and not inputs.get("iamRoleArn"):
        return "a flow log to CloudWatch Logs needs iamRoleArn (permission to deliver)"
    return None


def _endpoint_shape(inputs: Mapping[str, Any]) -> str | None:
    kind = inputs.get("vpcEndpointType") or "Gateway"
    if kind == "Gateway":
        extra = [k for k in ("subnetIds", "securityGroupIds", "privateDnsEnabled") if
                 inputs.get(k)]  # fmt: skip
        if extra:
            return f"a Gateway endpoint takes routeTableIds, not {', '.join(extra)}"
    elif kind == "Interface":
        if inputs.get("routeTableIds"):
            return "an Interface endpoint takes subnetIds, not routeTableIds"
        if not inputs.get("subnetIds"):
            return "an Interface endpoint needs subnetIds"
    return None


def _record_values(inputs: Mapping[str, Any]) -> str | None:
    records, aliases = inputs.get("records"), inputs.get("aliases")
    if bool(records) == bool(aliases):
        return "exactly one of records or aliases is needed"
    if aliases and inputs.get("ttl") is not None:
        return "an alias record takes no ttl (Route 53 uses the target's)"
    if records and inputs.get("ttl") is None:
        return "a non-alias record needs ttl"
    return None


def _waf_rules(inputs: Mapping[str, Any]) -> str | None:
    rules = inputs.get("rules") or []
    priorities = [r.get("priority") for r in rules]
    if len(set(priorities)) != len(priorities):
        return f"rule priorities {priorities} are not unique"
    for rule in rules:
        group = (rule.get("statement") or {}).get("managedRuleGroupStatement")
        if group and (rule.get("action") or not rule.get("overrideAction")):
            return f"rule {rule.get('name')!r} uses a rule group: it takes overrideAction only"
        if not group and (rule.get("overrideAction") or not rule.get("action")):
            return f"rule {rule.get('name')!r} takes action only (no rule group)"
    return None


def _waf_log_names(inputs: Mapping[str, Any]) -> str | None:
    for arn in inputs.get("logDestinationConfigs") or []:
        name = re.split(r"log-group:|:::|deliverystream/", str(arn))[-1]
        if not name.startswith("aws-waf-logs-"):
            return f"destination {arn!r} is not named aws-waf-logs-..."
    return None


def _access_log_prefix(inputs: Mapping[str, Any]) -> str | None:
    prefix = str((inputs.get("accessLogs") or {}).get("prefix") or "")
    if "AWSLogs" in prefix:
        return f"access log prefix {prefix!r} contains AWSLogs (ELB adds /AWSLogs/ itself)"
    return None


WAF_NAME = Pattern(r"[\w-]+", "letters, digits, _ and -")
WAF_METRIC = Pattern(
    r"(?!All$|Default_Action$)[\w#:.\-/]+",
    "letters, digits and #:._-/ (no spaces; not All or Default_Action)",
)
WAF_TEXT = Pattern(
    r"[\w+=:#@/\-,.][\w+=:#@/\-,.\s]+[\w+=:#@/\-,.]",
    "letters, digits, spaces and +=:#@/-,. (no trailing space)",
)

EXTRAS: dict[str, Constraints] = {
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": Constraints(
        rules=(
            *(
                Rule(f"{way}[].description", Pattern(EC2_TEXT, EC2_TEXT_WHAT), EC2_IP_RANGE)
                for way in ("ingress", "egress")
            ),
            *(
                Rule(f"{way}[].{end}", Range(-1, 65535), EC2_RULE)
                for way in ("ingress", "egress")
                for end in ("fromPort", "toPort")
            ),
            TAG_RULE,
        )
    ),
    "aws:ec2/flowLog:FlowLog": Constraints(
        rules=(
            Rule("trafficType", OneOf(("ACCEPT", "REJECT", "ALL")), EC2_FLOW),
            Rule(
                "logDestinationType",
                OneOf(("cloud-watch-logs", "s3", "kinesis-data-firehose")),
                EC2_FLOW,
            ),
            Rule("maxAggregationInterval", OneOf((60, 600)), EC2_FLOW),
            Combination(
                "iamRoleArn", "CloudWatch Logs delivery needs a role", _flow_log_role, EC2_FLOW
            ),
            Combination(
                "vpcId",
                "exactly one source",
                _exactly_one(
                    ("vpcId", "subnetId", "eniId", "transitGatewayId", "transitGatewayAttachmentId")
                ),
                EC2_FLOW,
            ),
            TAG_RULE,
        )
    ),
    "aws:ec2/vpcEndpoint:VpcEndpoint": Constraints(
        rules=(
            Rule(
                "vpcEndpointType",
                OneOf(
                    ("Interface", "Gateway", "GatewayLoadBalancer", "Resource", "ServiceNetwork")
                ),
                EC2_ENDPOINT,
            ),
            Rule(
                "serviceName",
                Pattern(
                    r"(com|aws)\.amazonaws\.[a-z0-9.-]+|"
                    r"com\.amazonaws\.vpce\.[a-z0-9-]+\.vpce-svc-[0-9a-f]+",
                    "com.amazonaws.<region>.<service>",
                ),
                EC2_ENDPOINT,
            ),
            Combination(
                "vpcEndpointType",
                "Gateway: route tables only; Interface: subnets",
                _endpoint_shape,
                EC2_ENDPOINT,
            ),
            TAG_RULE,
        )
    ),
    "aws:route53/record:Record": Constraints(
        rules=(
            Rule(
                "type",
                OneOf(
                    (
                        "A",
                        "AAAA",
                        "CAA",
                        "CNAME",
                        "DS",
                        "HTTPS",
                        "MX",
                        "NAPTR",
                        "NS",
                        "PTR",
                        "SOA",
                        "SPF",
                        "SRV",
                        "SSHFP",
                        "SVCB",
                        "TLSA",
                        "TXT",
                    )
                ),
                ROUTE53_RECORD,
            ),
            Rule(
                "name",
                Pattern(
                    r"(\*\.)?([A-Za-z0-9_-]{1,63}\.)*[A-Za-z0-9_-]{1,63}\.?",
                    "a domain name (labels of 1-63 letters, digits, _ and -)",
                ),
                ROUTE53_RECORD,
            ),
            Rule("name", Length(1, 255), ROUTE53_RECORD),
            Rule("ttl", Range(0, 2147483647), ROUTE53_RECORD),
            Combination(
                "records",
                "records with a ttl, or an alias without one",
                _record_values,
                ROUTE53_RECORD,
            ),
        )
    ),
    "aws:s3/bucketLogging:BucketLogging": Constraints(
        rules=(
            BUCKET_REF,
            Rule("targetBucket", Pattern(BUCKET_NAME, BUCKET_WHAT), S3_LOGGING),
            Rule("targetPrefix", Length(0, 1024), S3_LOGGING),
        )
    ),
    "aws:wafv2/webAcl:WebAcl": Constraints(
        autoname="name",
        rules=(
            Rule("name", WAF_NAME, WAF_ACL),
            Rule("name", Length(1, 128), WAF_ACL),
            Rule("description", WAF_TEXT, WAF_ACL),
            Rule("description", Length(1, 256), WAF_ACL),
            Rule("scope", OneOf(("REGIONAL", "CLOUDFRONT")), WAF_ACL),
            Rule("visibilityConfig.metricName", WAF_METRIC, WAF_VISIBILITY),
            Rule("visibilityConfig.metricName", Length(1, 255), WAF_VISIBILITY),
            Rule("rules[].name", WAF_NAME, WAF_RULE),
            Rule("rules[].name", Length(1, 128), WAF_RULE),
            Rule("rules[].priority", Range(0, 2**31 - 1), WAF_RULE),
            Rule("rules[].visibilityConfig.metricName", WAF_METRIC, WAF_VISIBILITY),
            Rule("rules[].statement.rateBasedStatement.limit", Range(10, 2_000_000_000), WAF_RATE),
            Rule(
                "rules[].statement.rateBasedStatement.evaluationWindowSec",
                OneOf((60, 120, 300, 600)),
                WAF_RATE,
            ),
            Rule(
                "rules[].statement.rateBasedStatement.aggregateKeyType",
                OneOf(("IP", "FORWARDED_IP", "CUSTOM_KEYS", "CONSTANT")),
                WAF_RATE,
            ),
            Combination(
                "rules",
                "unique priorities; rule groups take overrideAction, other rules action",
                _waf_rules,
                WAF_RULE,
            ),
            TAG_RULE,
        ),
    ),
    "aws:wafv2/webAclAssociation:WebAclAssociation": Constraints(
        rules=(
            Rule(
                "webAclArn",
                Pattern(
                    r"arn:aws[\w-]*:wafv2:[a-z0-9-]+:\d{12}:regional/webacl/"
                    r"[\w-]+/[0-9a-f-]+",
                    "a REGIONAL web ACL ARN (a CLOUDFRONT one is attached on the distribution)",
                ),
                WAF_ASSOCIATE,
            ),
            Rule("resourceArn", Length(20, 2048), WAF_ASSOCIATE),
        )
    ),
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": Constraints(
        rules=(
            Rule("logDestinationConfigs", Length(1, 1, "items"), WAF_LOGGING),
            Combination(
                "logDestinationConfigs",
                "destinations named aws-waf-logs-...",
                _waf_log_names,
                WAF_LOG_NAMES,
            ),
        )
    ),
}

ELB["aws:lb/loadBalancer:LoadBalancer"] = Constraints(
    autoname="name",
    rules=(
        *ELB["aws:lb/loadBalancer:LoadBalancer"].rules,
        Rule("accessLogs.bucket", Pattern(BUCKET_NAME, BUCKET_WHAT), ELB_ACCESS_LOGS),
        Combination(
            "accessLogs.prefix",
            "no AWSLogs in the prefix",
            _access_log_prefix,
            ELB_ACCESS_LOGS,
        ),
    ),
)

CONSTRAINTS: dict[str, Constraints] = {
    **EC2, **RDS, **CACHE, **S3, **ECR, **ECS, **ELB, **MISC, **EXTRAS,
}  # fmt: skip
