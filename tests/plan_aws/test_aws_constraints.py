"""The AWS target's provider constraints: every rule refuses a crafted bad input and accepts a good
one (cases built on the real production plan's inputs), the real plans break none of them, and
`trudeploy plan` on a stack whose plan breaks one exits non-zero naming resource, input and rule."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from aws_plans import ENVS, plan_for, plan_with, prod_config

from components.aws.constraints import CONSTRAINTS, TAG_RULE
from components.constraints import ConstraintViolations
from tests.plan.constraint_cases import DELETE, EMPTY, Case, one, run, uncovered

REPO = Path(__file__).resolve().parents[2]

SG_IN = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
SG_OUT = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
SG = "aws:ec2/securityGroup:SecurityGroup"
VPC, SUBNET = "aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet"
EIP, NAT = "aws:ec2/eip:Eip", "aws:ec2/natGateway:NatGateway"
ROUTE, ASSOC = "aws:ec2/route:Route", "aws:ec2/routeTableAssociation:RouteTableAssociation"
DB, DB_SUBNETS = "aws:rds/instance:Instance", "aws:rds/subnetGroup:SubnetGroup"
DB_PARAMS = "aws:rds/parameterGroup:ParameterGroup"
CACHE = "aws:elasticache/replicationGroup:ReplicationGroup"
CACHE_SUBNETS = "aws:elasticache/subnetGroup:SubnetGroup"
BUCKET = "aws:s3/bucket:Bucket"
OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
CORS = "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration"
POLICY = "aws:s3/bucketPolicy:BucketPolicy"
REPO_T, ECR_LIFE = "aws:ecr/repository:Repository", "aws:ecr/lifecyclePolicy:LifecyclePolicy"
CLUSTER, SERVICE = "aws:ecs/cluster:Cluster", "aws:ecs/service:Service"
TASK = "aws:ecs/taskDefinition:TaskDefinition"
ALB, TG = "aws:lb/loadBalancer:LoadBalancer", "aws:lb/targetGroup:TargetGroup"
LISTENER = "aws:lb/listener:Listener"
CERT, CERT_OK = (
    "aws:acm/certificate:Certificate",
    "aws:acm/certificateValidation:CertificateValidation",
)
LOGS = "aws:cloudwatch/logGroup:LogGroup"
SECRET, SECRET_V = (
    "aws:secretsmanager/secret:Secret",
    "aws:secretsmanager/secretVersion:SecretVersion",
)
ROLE, ROLE_POLICY = "aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy"
SCALE_T, SCALE_P = "aws:appautoscaling/target:Target", "aws:appautoscaling/policy:Policy"

DEFAULT_SG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
FLOW, ENDPOINT = "aws:ec2/flowLog:FlowLog", "aws:ec2/vpcEndpoint:VpcEndpoint"
RECORD, LOGGING = "aws:route53/record:Record", "aws:s3/bucketLogging:BucketLogging"
WAF, WAF_ASSOC = "aws:wafv2/webAcl:WebAcl", "aws:wafv2/webAclAssociation:WebAclAssociation"
WAF_LOG = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"

TG_ARN = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/x/1"
FLOW_OK = {
    "vpcId": "vpc-1", "trafficType": "ALL", "logDestinationType": "cloud-watch-logs",
    "logDestination": "arn:aws:logs:eu-west-1:123456789012:log-group:/vpc/flow",
    "iamRoleArn": "arn:aws:iam::123456789012:role/flow", "maxAggregationInterval": 600,
}  # fmt: skip
ENDPOINT_OK = {"vpcId": "vpc-1", "vpcEndpointType": "Gateway", "routeTableIds": ["rtb-1"],
               "serviceName": "com.amazonaws.eu-west-1.s3"}  # fmt: skip
INTERFACE_OK = {
    "vpcId": "vpc-1", "vpcEndpointType": "Interface", "subnetIds": ["subnet-1"],
    "serviceName": "com.amazonaws.eu-west-1.logs", "privateDnsEnabled": True,
}  # fmt: skip
RECORD_OK = {"zoneId": "Z1", "name": "_abc.app.example.com.", "type": "CNAME", "ttl": 300,
             "records": ["_x.acm-validations.aws."]}  # fmt: skip
LOGGING_OK = {"bucket": "app-media", "targetBucket": "app-logs", "targetPrefix": "s3/media/"}
WAF_RATE_RULE = {
    "name": "rate-limit", "priority": 0, "action": {"block": {}},
    "statement": {"rateBasedStatement": {"aggregateKeyType": "IP", "evaluationWindowSec": 300,
                                         "limit": 2000}},
    "visibilityConfig": {"metricName": "rate-limit"},
}  # fmt: skip
WAF_OK = {"name": "app", "description": "app: rate limit", "scope": "REGIONAL",
          "defaultAction": {"allow": {}}, "visibilityConfig": {"metricName": "app"},
          "rules": [WAF_RATE_RULE]}  # fmt: skip
WAF_ARN = "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/app/0a91e337-ba6d-faf1"
WAF_ASSOC_OK = {"webAclArn": WAF_ARN, "resourceArn": TG_ARN}
WAF_LOG_ARN = "arn:aws:logs:eu-west-1:123456789012:log-group:aws-waf-logs-app"
CHARS = "only a-z, A-Z, 0-9"
LOWER = "a lowercase letter"
ELB = "alphanumerics and hyphens"


def _containers(edit: dict) -> str:
    base = {"name": "web", "image": "x", "essential": True}
    return json.dumps([{**base, **edit}])


def _sg_rule_cases(token: str) -> list[Case]:
    peer = "from-service" if token == SG_IN else "service-out"
    return [
        # The review finding: EC2 refuses the apostrophe (InvalidParameterValue).
        one(
            token,
            "description",
            CHARS,
            "from the service's tasks only",
            "from the service tasks only",
        ),
        one(token, "description", "0-255 characters", "a" * 256, "a" * 255),
        one(token, "fromPort", "-1..65535", 70000, 5432),
        one(token, "toPort", "-1..65535", 70000, 5432),
        one(token, "ipProtocol", "icmpv6", "http", "tcp"),
        one(
            token,
            "cidrIpv4",
            "network address",
            "0.0.0.1/0",
            "0.0.0.0/0",
            base="-in-80" if token == SG_IN else "https-out",
        ),
        Case(
            token,
            "fromPort",
            "fromPort <= toPort",
            {"fromPort": 6000, "toPort": 5000},
            {"fromPort": 5000, "toPort": 6000},
        ),
        Case(
            token,
            "cidrIpv4",
            "exactly one peer",
            {"cidrIpv4": "0.0.0.0/0"},
            {"cidrIpv4": DELETE},
            base=peer,
        ),
    ]


CASES: list[Case] = [
    *_sg_rule_cases(SG_IN),
    *_sg_rule_cases(SG_OUT),
    one(SG, "name", CHARS, "db's group", "db group"),
    one(SG, "name", "not starting with sg-", "sg-0123", "db-0123"),
    one(SG, "name", "1-255 characters", "a" * 256, "a" * 255),
    one(SG, "description", CHARS, "PostgreSQL's", "PostgreSQL"),
    one(SG, "description", "0-255 characters", "a" * 256, "a" * 255),
    one(VPC, "cidrBlock", "/16 and /28", "10.0.0.0/8", "10.0.0.0/16"),
    one(VPC, "cidrBlock", "network address", "10.0.0.1/16", "10.0.0.0/16"),
    one(SUBNET, "cidrBlock", "/16 and /28", "10.0.0.0/29", "10.0.0.0/28"),
    one(SUBNET, "cidrBlock", "network address", "10.0.128.1/20", "10.0.128.0/20"),
    one(EIP, "domain", "vpc, standard", "classic", "vpc"),
    one(NAT, "connectivityType", "public, private", "internet", "public"),
    one(NAT, "allocationId", "public NAT needs", DELETE, "eipalloc-0123"),
    Case(
        ROUTE,
        "destinationCidrBlock",
        "exactly one target",
        {"gatewayId": "igw-1"},
        {},
        base="private-0-default",
    ),
    one(ROUTE, "destinationCidrBlock", "network address", "0.0.0.1/0", "0.0.0.0/0"),
    Case(ASSOC, "subnetId", "exactly one of subnetId", {"gatewayId": "igw-1"}, {}),
    # RDS
    one(DB, "identifier", LOWER, "Trudeploy-Prod", "trudeploy-prod"),
    one(DB, "identifier", LOWER, "prod--db", "prod-db"),
    one(DB, "identifier", "1-63 characters", "a" * 64, "a" * 63),
    one(DB, "engine", "postgres, mysql", "postgresql", "postgres"),
    one(DB, "instanceClass", "db.<family>", "db.t2.nano", "db.t4g.micro"),
    one(DB, "storageType", "gp3", "gp4", "gp3"),
    one(DB, "allocatedStorage", "gp2/gp3 20-65536", 10, 20),
    Case(
        DB,
        "allocatedStorage",
        "gp2/gp3 20-65536",
        {"allocatedStorage": 70000},
        {"allocatedStorage": 65536, "maxAllocatedStorage": 65536},
        id="over",
    ),
    one(DB, "maxAllocatedStorage", "0..65536", 70000, 400),
    one(DB, "maxAllocatedStorage", "maxAllocatedStorage >= allocatedStorage", 50, 400),
    one(DB, "backupRetentionPeriod", "0..35", 36, 35),
    one(DB, "port", "1150..65535", 80, 5432),
    one(DB, "dbName", "a letter, then", "_app", "app"),
    one(DB, "username", "a letter, then", "1app", "app"),
    one(DB, "username", "a letter, then", "a" * 17, "a_" * 8),
    one(DB, "password", "printable ASCII", "has/slash-and-more", "Abcdefgh12345678"),
    one(DB, "password", "printable ASCII", "short", "longenough"),
    one(DB, "finalSnapshotIdentifier", "a letter, then", "final--snap", "final-snap"),
    one(DB, "finalSnapshotIdentifier", "1-255 characters", "a" * 256, "a" * 255),
    Case(
        DB,
        "finalSnapshotIdentifier",
        "required unless skipFinalSnapshot",
        {"skipFinalSnapshot": False, "finalSnapshotIdentifier": DELETE},
        {"skipFinalSnapshot": True, "finalSnapshotIdentifier": DELETE},
    ),
    one(DB_SUBNETS, "name", "lowercase letters", "default", "trudeploy-prod-postgres"),
    one(DB_SUBNETS, "name", "lowercase letters", "Trudeploy", "trudeploy"),
    one(DB_SUBNETS, "name", "1-255 characters", "a" * 256, "a" * 255),
    one(DB_SUBNETS, "subnetIds", "2-20", ["subnet-1"], ["subnet-1", "subnet-2"]),
    one(DB_PARAMS, "name", LOWER, "pg--16", "pg-16"),
    one(DB_PARAMS, "name", "1-255 characters", "a" * 256, "a" * 255),
    one(DB_PARAMS, "family", "engine family", "postgres9.6", "postgres16"),
    one(DB_PARAMS, "parameters[].applyMethod", "pending-reboot", "later", "immediate"),
    # ElastiCache
    one(CACHE, "replicationGroupId", LOWER, "Redis_1", "redis-1"),
    one(CACHE, "replicationGroupId", "1-40 characters", "a" * 41, "a" * 40),
    one(CACHE, "description", "non-empty", "", "cache"),
    one(CACHE, "engine", "redis, valkey", "memcached", "valkey"),
    one(CACHE, "nodeType", "cache.<family>", "cache.t2.micro", "cache.t4g.micro"),
    one(CACHE, "numCacheClusters", "1..6", 7, 2),
    one(CACHE, "port", "1..65535", 0, 6379),
    one(CACHE, "authToken", "16-128 printable", "short-token", "A" * 16),
    one(CACHE, "authToken", "16-128 printable", 'has@at"quote/slash-0123', "a!&#$^<>-" * 2),
    Case(
        CACHE,
        "authToken",
        "needs transitEncryptionEnabled",
        {"authToken": "A" * 32, "transitEncryptionEnabled": False},
        {"authToken": "A" * 32, "transitEncryptionEnabled": True},
    ),
    Case(
        CACHE,
        "multiAzEnabled",
        "Multi-AZ needs automaticFailoverEnabled",
        {"automaticFailoverEnabled": False},
        {"automaticFailoverEnabled": True},
    ),
    Case(
        CACHE,
        "automaticFailoverEnabled",
        "automatic failover needs >= 2 nodes",
        {"numCacheClusters": 1},
        {"numCacheClusters": 2},
    ),
    one(CACHE, "snapshotRetentionLimit", "0..35", 36, 35),
    one(CACHE, "snapshotWindow", "hh24:mi-hh24:mi", "3:00-4:00", "03:00-04:00"),
    one(CACHE, "snapshotWindow", "hh24:mi-hh24:mi", "sun:03:00-sun:04:00", "23:00-00:00"),
    one(CACHE, "maintenanceWindow", "ddd:hh24:mi", "05:00-06:00", "sun:05:00-sun:06:00"),
    one(
        CACHE,
        "maintenanceWindow",
        "ddd:hh24:mi",
        "sunday:05:00-sunday:06:00",
        "sat:23:00-sun:00:00",
    ),
    one(CACHE_SUBNETS, "name", "lowercase alphanumerics", "redis_subnets", "redis-subnets"),
    one(CACHE_SUBNETS, "name", "1-255 characters", "a" * 256, "a" * 255),
    # S3
    one(BUCKET, "bucket", "3-63 lowercase", "My_Bucket", "my-bucket"),
    one(BUCKET, "bucket", "3-63 lowercase", "my..bucket", "my.bucket"),
    one(BUCKET, "bucket", "3-63 lowercase", "192.168.1.1", "192-168-1-1"),
    one(BUCKET, "bucket", "3-63 lowercase", "xn--media", "media-xn"),
    one(BUCKET, "bucket", "3-63 lowercase", "media-s3alias", "media-s3"),
    one(BUCKET, "bucket", "3-63 lowercase", "ab", "abc"),
    one(OWNERSHIP, "rule.objectOwnership", "BucketOwnerEnforced", "Owner", "BucketOwnerEnforced"),
    one(SSE, "rules[].applyServerSideEncryptionByDefault.sseAlgorithm", "aws:kms", "DES", "AES256"),
    one(VERSIONING, "versioningConfiguration.status", "Suspended", "On", "Enabled"),
    one(LIFECYCLE, "rules", "1-1000", [], [{"id": "x", "status": "Enabled"}]),
    one(LIFECYCLE, "rules[].id", "1-255 characters", "", "abort"),
    one(LIFECYCLE, "rules[].status", "Enabled, Disabled", "enabled", "Enabled"),
    one(LIFECYCLE, "rules[].noncurrentVersionExpiration.noncurrentDays", "1..", 0, 30),
    one(LIFECYCLE, "rules[].abortIncompleteMultipartUpload.daysAfterInitiation", "1..", 0, 7),
    one(CORS, "corsRules", "1-100", [], [{"allowedMethods": ["GET"]}]),
    one(CORS, "corsRules[].allowedMethods[]", "GET, PUT", "PATCH", "GET"),
    one(POLICY, "policy", "JSON policy of at most 20 KB", "{not json", '{"Statement": []}'),
    one(
        POLICY,
        "policy",
        "JSON policy of at most 20 KB",
        json.dumps({"Statement": ["x" * 21000]}),
        '{"Statement": []}',
    ),
    # ECR
    one(REPO_T, "name", "lowercase path components", "Trudeploy/App", "trudeploy/app"),
    one(REPO_T, "name", "2-256 characters", "a", "ab"),
    one(REPO_T, "imageTagMutability", "IMMUTABLE", "mutable", "MUTABLE"),
    one(REPO_T, "encryptionConfigurations[].encryptionType", "KMS_DSSE", "AES128", "AES256"),
    one(ECR_LIFE, "repository", "an ECR repository name", "Repo", "repo"),
    one(ECR_LIFE, "policy", "100-30720 characters", '{"rules": []}', None),
    one(
        ECR_LIFE,
        "policy",
        "unique rulePriority",
        json.dumps(
            {
                "rules": [
                    {
                        "rulePriority": 1,
                        "selection": {
                            "tagStatus": "any",
                            "countType": "imageCountMoreThan",
                            "countNumber": 0,
                        },
                    }
                ]
            }
        ),
        json.dumps(
            {
                "rules": [
                    {
                        "rulePriority": 1,
                        "selection": {
                            "tagStatus": "any",
                            "countType": "imageCountMoreThan",
                            "countNumber": 30,
                        },
                    }
                ]
            }
        ),
    ),
    # ECS
    one(CLUSTER, "name", "letters, numbers, underscores", "app cluster", "app_cluster"),
    one(CLUSTER, "name", "1-255 characters", "a" * 256, "a" * 255),
    one(CLUSTER, "settings[].name", "containerInsights", "insights", "containerInsights"),
    one(CLUSTER, "settings[].value", "enhanced", "on", "enabled"),
    one(SERVICE, "name", "letters, numbers, underscores", "web.1", "web-1"),
    one(SERVICE, "name", "1-255 characters", "a" * 256, "a" * 255),
    one(SERVICE, "launchType", "FARGATE", "fargate", "FARGATE"),
    one(SERVICE, "propagateTags", "TASK_DEFINITION", "TASK", "SERVICE"),
    one(SERVICE, "desiredCount", "0..", -1, 0),
    one(SERVICE, "healthCheckGracePeriodSeconds", "0..", -1, 0),
    one(SERVICE, "deploymentMinimumHealthyPercent", "0..100", 101, 100),
    one(SERVICE, "platformVersion", "LATEST or x.y.z", "latest", "1.4.0"),
    one(SERVICE, "loadBalancers[].containerPort", "1..65535", 0, 8000, base="app-web"),
    one(SERVICE, "networkConfiguration.subnets", "1-16", [], ["subnet-1"]),
    one(SERVICE, "networkConfiguration.securityGroups", "0-5", ["sg"] * 6, ["sg"] * 5),
    one(TASK, "family", "letters, numbers, underscores", "app.web", "app-web"),
    one(TASK, "family", "1-255 characters", "a" * 256, "a" * 255),
    one(TASK, "networkMode", "awsvpc", "vpc", "awsvpc"),
    one(TASK, "requiresCompatibilities[]", "FARGATE", "LAMBDA", "FARGATE"),
    one(TASK, "runtimePlatform.cpuArchitecture", "ARM64", "AMD64", "ARM64"),
    one(TASK, "runtimePlatform.operatingSystemFamily", "LINUX", "UBUNTU", "LINUX"),
    Case(
        TASK,
        "cpu",
        "Fargate cpu/memory pair",
        {"cpu": "256", "memory": "4096"},
        {"cpu": "1024", "memory": "4096"},
    ),
    one(TASK, "networkMode", "Fargate needs awsvpc", "bridge", "awsvpc"),
    one(
        TASK,
        "containerDefinitions",
        "unique container names",
        _containers({"name": "web.1"}),
        _containers({}),
    ),
    one(
        TASK,
        "containerDefinitions",
        "unique container names",
        _containers({"healthCheck": {"command": ["CMD", "true"], "interval": 2}}),
        _containers({"healthCheck": {"command": ["CMD", "true"], "interval": 5}}),
    ),
    one(
        TASK,
        "containerDefinitions",
        "unique container names",
        _containers({"stopTimeout": 121}),
        _containers({"stopTimeout": 120}),
    ),
    one(
        TASK,
        "containerDefinitions",
        "unique container names",
        _containers({"dependsOn": [{"containerName": "r", "condition": "DONE"}]}),
        _containers({"dependsOn": [{"containerName": "r", "condition": "SUCCESS"}]}),
    ),
    one(TASK, "volumes[].name", "letters, numbers, underscores", "tmp dir", "tmp"),
    one(TASK, "volumes[].name", "1-255 characters", "a" * 256, "a" * 255),
    Case(
        TASK,
        "containerDefinitions",
        "mountPoints[].sourceVolume names a volume",
        {"volumes": [{"name": "scratch"}]},
        {"volumes": [{"name": "tmp"}]},
        id="undeclared volume",
    ),
    # Load balancing, ACM
    one(ALB, "name", ELB, "-alb", "alb"),
    one(ALB, "name", ELB, "internal-web", "web-internal"),
    one(ALB, "name", "1-32 characters", "a" * 33, "a" * 32),
    one(ALB, "loadBalancerType", "application", "classic", "application"),
    one(ALB, "idleTimeout", "1..4000", 4001, 4000),
    one(ALB, "idleTimeout", "1..4000", 0, 1),
    one(ALB, "securityGroups", "0-5", ["sg"] * 6, ["sg"]),
    one(ALB, "subnets", "two Availability Zones", ["subnet-1"], ["subnet-1", "subnet-2"]),
    one(TG, "name", ELB, "web_tg", "web-tg"),
    one(TG, "name", "1-32 characters", "a" * 33, "a" * 32),
    one(TG, "port", "1..65535", 0, 8000),
    one(TG, "protocol", "HTTPS", "http", "HTTP"),
    one(TG, "targetType", "lambda", "container", "ip"),
    one(TG, "deregistrationDelay", "0..3600", 3601, 3600),
    one(TG, "healthCheck.interval", "5..300", 4, 300),
    one(TG, "healthCheck.timeout", "2..120", 1, 2),
    one(TG, "healthCheck.healthyThreshold", "2..10", 11, 10),
    one(TG, "healthCheck.unhealthyThreshold", "2..10", 1, 2),
    one(TG, "healthCheck.protocol", "HTTP", "GRPC", "HTTP"),
    one(TG, "healthCheck.path", "a path starting with /", "health", "/health"),
    one(TG, "healthCheck.matcher", "HTTP codes 200-499", "600", "200-299"),
    Case(
        TG,
        "healthCheck",
        "health check timeout < interval",
        {"healthCheck.timeout": 10, "healthCheck.interval": 10},
        {"healthCheck.timeout": 9, "healthCheck.interval": 10},
    ),
    one(LISTENER, "port", "1..65535", 0, 443),
    one(LISTENER, "protocol", "HTTPS", "HTTP2", "HTTPS"),
    one(
        LISTENER,
        "sslPolicy",
        "ELBSecurityPolicy",
        "TLS13",
        "ELBSecurityPolicy-TLS13-1-2-2021-06",
        base="-https",
    ),
    one(LISTENER, "defaultActions[].type", "redirect", "forward-all", "forward", base="-https"),
    one(
        LISTENER,
        "defaultActions[].redirect.statusCode",
        "HTTP_301",
        "HTTP_307",
        "HTTP_302",
        base="-http",
    ),
    one(LISTENER, "defaultActions[].redirect.protocol", "HTTPS", "FTP", "HTTPS", base="-http"),
    one(LISTENER, "protocol", "HTTP", "GRPC", "HTTP", base="-http"),
    Case(
        LISTENER,
        "certificateArn",
        "needs a certificate",
        {"protocol": "HTTPS"},
        {"protocol": "HTTP"},
        base="-http",
    ),
    one(
        LISTENER,
        "defaultActions",
        "each action carries its target",
        [{"type": "forward"}],
        [{"type": "forward", "targetGroupArn": TG_ARN}],
        base="-https",
    ),
    one(
        LISTENER,
        "defaultActions",
        "each action carries its target",
        [{"type": "redirect"}],
        [{"type": "redirect", "redirect": {"protocol": "HTTPS"}}],
        base="-http",
    ),
    one(CERT, "domainName", "fully qualified", "app_1.example.com", "app-1.example.com"),
    one(
        CERT,
        "domainName",
        "1-253 characters",
        ("a" * 62 + ".") * 4 + "com",
        ("a" * 62 + ".") * 3 + "com",
    ),
    one(CERT, "validationMethod", "EMAIL", "dns", "DNS"),
    one(
        CERT_OK,
        "certificateArn",
        "ACM certificate ARN",
        "not-an-arn",
        "arn:aws:acm:eu-west-1:123456789012:certificate/1234",
    ),
    # Logs, secrets, IAM, autoscaling
    one(LOGS, "name", "letters, digits and ._-/#", "/ecs/app logs", "/ecs/app-logs"),
    one(LOGS, "name", "1-512 characters", "/" + "a" * 512, "/" + "a" * 511),
    one(LOGS, "retentionInDays", "1096", 2, 1096),
    one(SECRET, "name", "letters, digits and /_+=.@-", "app secret", "app/secret"),
    one(SECRET, "name", "1-512 characters", "a" * 513, "a" * 512),
    one(SECRET, "description", "0-2048 characters", "x" * 2049, "x" * 2048),
    one(SECRET, "recoveryWindowInDays", "0, 7", 5, 7),
    one(SECRET_V, "secretString", "1-65536 characters", "", "{}"),
    one(ROLE, "name", "alphanumerics and +=,.@_-", "role name", "role-name"),
    one(ROLE, "name", "1-64 characters", "a" * 65, "a" * 64),
    one(ROLE, "description", "printable characters", "bell\x07", "bell"),
    one(ROLE, "description", "0-1000 characters", "a" * 1001, "a" * 1000),
    one(ROLE, "path", "/ or /path/", "service", "/service/"),
    one(ROLE, "assumeRolePolicy", "1-2048 characters", "x" * 2049, "x" * 2048),
    one(ROLE_POLICY, "name", "alphanumerics and +=,.@_-", "policy name", "policy-name"),
    one(ROLE_POLICY, "name", "1-128 characters", "a" * 129, "a" * 128),
    one(ROLE_POLICY, "policy", "10,240 characters", "{}", '{"Statement": []}'),
    one(
        ROLE_POLICY,
        "policy",
        "10,240 characters",
        json.dumps({"Statement": ["x" * 10300]}),
        '{"Statement": []}',
    ),
    one(SCALE_T, "serviceNamespace", "ecs", "fargate", "ecs"),
    one(SCALE_T, "resourceId", "1-1600 characters", "", "service/c/web"),
    one(SCALE_T, "minCapacity", "0..", -1, 0),
    Case(
        SCALE_T,
        "maxCapacity",
        "minCapacity <= maxCapacity",
        {"minCapacity": 7, "maxCapacity": 6},
        {"minCapacity": 6, "maxCapacity": 6},
    ),
    one(SCALE_P, "name", "printable characters", "cpu\n", "cpu"),
    one(SCALE_P, "name", "1-256 characters", "a" * 257, "a" * 256),
    one(SCALE_P, "policyType", "TargetTrackingScaling", "Simple", "StepScaling"),
    one(
        SCALE_P,
        "targetTrackingScalingPolicyConfiguration.predefinedMetricSpecification."
        "predefinedMetricType",
        "ECSServiceAverageCPUUtilization",
        "CPU",
        "ECSServiceAverageMemoryUtilization",
    ),
    one(SCALE_P, "targetTrackingScalingPolicyConfiguration.scaleInCooldown", "0..", -1, 0),
    one(SCALE_P, "targetTrackingScalingPolicyConfiguration.scaleOutCooldown", "0..", -1, 0),
    # Types the aws target is adding (WAF, flow logs, VPC endpoints, Route 53, access logs):
    # cases start from empty inputs where this branch's plan has no such resource yet.
    one(DEFAULT_SG, "ingress[].description", CHARS, "nobody's", "nobody"),
    one(DEFAULT_SG, "egress[].description", CHARS, "nobody's", "nobody"),
    one(DEFAULT_SG, "ingress[].fromPort", "-1..65535", 70000, 0),
    one(DEFAULT_SG, "ingress[].toPort", "-1..65535", 70000, 0),
    one(DEFAULT_SG, "egress[].fromPort", "-1..65535", 70000, 0),
    one(DEFAULT_SG, "egress[].toPort", "-1..65535", 70000, 0),
    Case(FLOW, "trafficType", "REJECT", {**FLOW_OK, "trafficType": "all"}, FLOW_OK, base=EMPTY),
    Case(
        FLOW,
        "logDestinationType",
        "cloud-watch-logs",
        {**FLOW_OK, "logDestinationType": "cw"},
        FLOW_OK,
        base=EMPTY,
    ),
    Case(
        FLOW,
        "maxAggregationInterval",
        "60, 600",
        {**FLOW_OK, "maxAggregationInterval": 300},
        FLOW_OK,
        base=EMPTY,
    ),
    Case(
        FLOW,
        "iamRoleArn",
        "CloudWatch Logs delivery needs a role",
        {**FLOW_OK, "iamRoleArn": DELETE},
        FLOW_OK,
        base=EMPTY,
    ),
    Case(
        FLOW,
        "vpcId",
        "exactly one source",
        {**FLOW_OK, "subnetId": "subnet-1"},
        FLOW_OK,
        base=EMPTY,
    ),
    Case(
        ENDPOINT,
        "vpcEndpointType",
        "GatewayLoadBalancer",
        {**ENDPOINT_OK, "vpcEndpointType": "gateway"},
        ENDPOINT_OK,
        base=EMPTY,
    ),
    Case(
        ENDPOINT,
        "serviceName",
        "com.amazonaws.<region>.<service>",
        {**ENDPOINT_OK, "serviceName": "s3"},
        ENDPOINT_OK,
        base=EMPTY,
    ),
    Case(
        ENDPOINT,
        "vpcEndpointType",
        "Gateway: route tables only",
        {**ENDPOINT_OK, "subnetIds": ["subnet-1"]},
        ENDPOINT_OK,
        id="gateway+subnets",
        base=EMPTY,
    ),
    Case(
        ENDPOINT,
        "vpcEndpointType",
        "Gateway: route tables only",
        {**INTERFACE_OK, "subnetIds": DELETE},
        INTERFACE_OK,
        id="interface-no-subnets",
        base=EMPTY,
    ),
    Case(RECORD, "type", "CNAME", {**RECORD_OK, "type": "ALIAS"}, RECORD_OK, base=EMPTY),
    Case(
        RECORD,
        "name",
        "a domain name",
        {**RECORD_OK, "name": "app .example.com"},
        RECORD_OK,
        base=EMPTY,
    ),
    Case(
        RECORD,
        "name",
        "1-255 characters",
        {**RECORD_OK, "name": ("a" * 63 + ".") * 4 + "com"},
        RECORD_OK,
        base=EMPTY,
    ),
    Case(RECORD, "ttl", "0..2147483647", {**RECORD_OK, "ttl": -1}, RECORD_OK, base=EMPTY),
    Case(
        RECORD,
        "records",
        "records with a ttl, or an alias",
        {**RECORD_OK, "aliases": [{"name": "lb", "zoneId": "Z", "evaluateTargetHealth": True}]},
        RECORD_OK,
        id="both",
        base=EMPTY,
    ),
    Case(
        RECORD,
        "records",
        "records with a ttl, or an alias",
        {**RECORD_OK, "ttl": DELETE},
        RECORD_OK,
        id="no-ttl",
        base=EMPTY,
    ),
    Case(
        LOGGING,
        "targetBucket",
        "3-63 lowercase",
        {**LOGGING_OK, "targetBucket": "Logs"},
        LOGGING_OK,
        base=EMPTY,
    ),
    Case(
        LOGGING,
        "targetPrefix",
        "0-1024 characters",
        {**LOGGING_OK, "targetPrefix": "p" * 1025},
        LOGGING_OK,
        base=EMPTY,
    ),
    Case(
        WAF, "name", "letters, digits, _ and -", {**WAF_OK, "name": "app acl"}, WAF_OK, base=EMPTY
    ),
    Case(WAF, "name", "1-128 characters", {**WAF_OK, "name": "a" * 129}, WAF_OK, base=EMPTY),
    Case(
        WAF,
        "description",
        "letters, digits, spaces",
        {**WAF_OK, "description": "app's acl"},
        WAF_OK,
        base=EMPTY,
    ),
    Case(
        WAF,
        "description",
        "1-256 characters",
        {**WAF_OK, "description": "a" * 257},
        WAF_OK,
        base=EMPTY,
    ),
    Case(WAF, "scope", "CLOUDFRONT", {**WAF_OK, "scope": "GLOBAL"}, WAF_OK, base=EMPTY),
    Case(
        WAF,
        "visibilityConfig.metricName",
        "no spaces",
        {**WAF_OK, "visibilityConfig": {"metricName": "app acl"}},
        WAF_OK,
        base=EMPTY,
    ),
    Case(
        WAF,
        "visibilityConfig.metricName",
        "no spaces",
        {**WAF_OK, "visibilityConfig": {"metricName": "All"}},
        WAF_OK,
        id="reserved",
        base=EMPTY,
    ),
    Case(
        WAF,
        "visibilityConfig.metricName",
        "1-255 characters",
        {**WAF_OK, "visibilityConfig": {"metricName": "m" * 256}},
        WAF_OK,
        base=EMPTY,
    ),
    Case(
        WAF,
        "rules[].name",
        "letters, digits, _ and -",
        {**WAF_OK, "rules[].name": "rate limit"},
        WAF_OK,
        base=EMPTY,
    ),
    Case(
        WAF,
        "rules[].name",
        "1-128 characters",
        {**WAF_OK, "rules[].name": "r" * 129},
        WAF_OK,
        base=EMPTY,
    ),
    Case(WAF, "rules[].priority", "0..", {**WAF_OK, "rules[].priority": -1}, WAF_OK, base=EMPTY),
    Case(
        WAF,
        "rules[].visibilityConfig.metricName",
        "no spaces",
        {**WAF_OK, "rules[].visibilityConfig.metricName": "rate limit"},
        WAF_OK,
        base=EMPTY,
    ),
    Case(
        WAF,
        "rules[].statement.rateBasedStatement.limit",
        "10..2000000000",
        {**WAF_OK, "rules[].statement.rateBasedStatement.limit": 5},
        WAF_OK,
        base=EMPTY,
    ),
    Case(
        WAF,
        "rules[].statement.rateBasedStatement.evaluationWindowSec",
        "60, 120",
        {**WAF_OK, "rules[].statement.rateBasedStatement.evaluationWindowSec": 30},
        WAF_OK,
        base=EMPTY,
    ),
    Case(
        WAF,
        "rules[].statement.rateBasedStatement.aggregateKeyType",
        "FORWARDED_IP",
        {**WAF_OK, "rules[].statement.rateBasedStatement.aggregateKeyType": "ip"},
        WAF_OK,
        base=EMPTY,
    ),
    Case(
        WAF,
        "rules",
        "unique priorities",
        {**WAF_OK, "rules[].overrideAction": {"none": {}}},
        WAF_OK,
        id="rate-rule-override",
        base=EMPTY,
    ),
    Case(
        WAF,
        "rules",
        "unique priorities",
        {**WAF_OK, "rules": [WAF_RATE_RULE, WAF_RATE_RULE]},
        WAF_OK,
        id="duplicate-priority",
        base=EMPTY,
    ),
    Case(
        WAF_ASSOC,
        "webAclArn",
        "a REGIONAL web ACL ARN",
        {**WAF_ASSOC_OK, "webAclArn": WAF_ARN.replace("regional", "global")},
        WAF_ASSOC_OK,
        base=EMPTY,
    ),
    Case(
        WAF_ASSOC,
        "resourceArn",
        "20-2048 characters",
        {**WAF_ASSOC_OK, "resourceArn": "arn"},
        WAF_ASSOC_OK,
        base=EMPTY,
    ),
    one(
        WAF_LOG,
        "logDestinationConfigs",
        "1-1 items",
        [WAF_LOG_ARN, WAF_LOG_ARN],
        [WAF_LOG_ARN],
    ),
    one(
        WAF_LOG,
        "logDestinationConfigs",
        "named aws-waf-logs-",
        [WAF_LOG_ARN.replace("aws-waf-logs-", "")],
        [WAF_LOG_ARN],
    ),
    one(ALB, "accessLogs.bucket", "3-63 lowercase", "Logs_Bucket", "logs-bucket"),
    one(ALB, "accessLogs.prefix", "no AWSLogs", "AWSLogs/alb", "alb"),
    # Tags (one rule shared by every tagged type) and the bucket name every S3 part references.
    *(
        Case(
            token,
            "tags",
            "keys 1-128 not aws:*",
            {"tags": {"aws:team": "x"}},
            {"tags": {"team": "x"}},
            id="aws-prefix",
        )
        for token, spec in CONSTRAINTS.items()
        if TAG_RULE in spec.rules
    ),
    *(
        one(token, "bucket", "3-63 lowercase", "Media_Bucket", "media-bucket")
        for token in CONSTRAINTS
        if token.startswith("aws:s3/") and token != BUCKET
    ),
]


@pytest.mark.parametrize("case", CASES, ids=Case.label)
def test_each_rule_refuses_the_bad_input_and_accepts_the_good_one(case: Case) -> None:
    bad, good = run(case, CONSTRAINTS, plan_for("production"))
    assert bad, f"{case.token} {case.path}: {case.bad} broke no rule matching {case.rule!r}"
    assert not good, [v.line() for v in good]


def test_every_aws_rule_has_a_case() -> None:
    assert uncovered(CONSTRAINTS, CASES) == []


def test_every_type_the_aws_plans_declare_has_constraints() -> None:
    for env in ENVS:
        assert plan_for(env).unconstrained_types == [], env


@pytest.mark.parametrize("env", ENVS)
def test_the_real_aws_plans_break_no_constraint(env: str) -> None:
    """plan_for raises ConstraintViolations if any input breaks a rule; this asserts it ran."""
    assert plan_for(env).of_type(SG_IN)


def test_a_plan_breaking_a_rule_fails_naming_every_input() -> None:
    with pytest.raises(ConstraintViolations) as caught:
        plan_with(prod_config(postgres={"version": 16, "storageGb": 10, "database": "_app"}))
    lines = [v.line() for v in caught.value.violations]
    assert len(lines) == 2, lines
    assert any("allocatedStorage = 10 " in line and "gp2/gp3 20-65536" in line for line in lines)
    assert any("dbName = '_app'" in line for line in lines)


def test_trudeploy_plan_exits_non_zero_naming_resource_input_and_rule(tmp_path: Path) -> None:
    import yaml

    (tmp_path / "Pulumi.yaml").write_text((REPO / "Pulumi.yaml").read_text())
    config = prod_config(postgres={"version": 16, "storageGb": 10})
    (tmp_path / "Pulumi.prod.yaml").write_text(yaml.safe_dump({"config": config}))
    proc = subprocess.run(
        [sys.executable, "-m", "cli.main", "plan", "-s", "prod", "--root", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        env={"COLUMNS": "400", "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    [line] = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert "aws:rds/instance:Instance 'trudeploy-prod-postgres-instance'" in line
    assert "allocatedStorage = 10 " in line
    assert "gp2/gp3 20-65536 GiB" in line
    assert "API_CreateDBInstance.html" in line
