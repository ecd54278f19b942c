"""Inputs whose change makes the provider replace a resource instead of updating it in place.

The offline plan diff (`trudeploy plan diff`) marks a changed resource "replace" when one of these
changed, so a reviewer sees "the database is recreated" before `pulumi preview` says it. The table
is what the simulated cloud knows, not the provider's full schema: a type absent here is shown as
"update" with its changed inputs, and the live `pulumi preview` stays the authority. Each entry
names its source; `ALL` means every input (the resource is immutable).
"""

from __future__ import annotations

ALL = frozenset({"*"})

REPLACE_ON_CHANGE: dict[str, frozenset[str]] = {
    # https://www.pulumi.com/registry/packages/random/api-docs/randompassword/ (every argument
    # regenerates the value; keepers exist to force that)
    "random:index/randomPassword:RandomPassword": ALL,
    # https://www.pulumi.com/registry/packages/docker/api-docs/container/ (the container is
    # recreated for its image, command, env, mounts, networks, labels and health check)
    "docker:index/container:Container": frozenset(
        {
            "image",
            "envs",
            "command",
            "entrypoints",
            "name",
            "hostname",
            "networksAdvanced",
            "volumes",
            "healthcheck",
            "labels",
            "logDriver",
            "logOpts",
            "ports",
        }
    ),
    # https://www.pulumi.com/registry/packages/docker/api-docs/network/ and .../volume/
    "docker:index/network:Network": ALL,
    "docker:index/volume:Volume": ALL,
    "docker:index/remoteImage:RemoteImage": frozenset({"name"}),
    # https://www.pulumi.com/registry/packages/aws/api-docs/rds/instance/
    "aws:rds/instance:Instance": frozenset(
        {"identifier", "dbName", "engine", "storageEncrypted", "kmsKeyId", "username"}
    ),
    "aws:rds/subnetGroup:SubnetGroup": frozenset({"name"}),
    "aws:rds/parameterGroup:ParameterGroup": frozenset({"name", "family"}),
    # https://www.pulumi.com/registry/packages/aws/api-docs/elasticache/replicationgroup/
    "aws:elasticache/replicationGroup:ReplicationGroup": frozenset(
        {"replicationGroupId", "atRestEncryptionEnabled", "subnetGroupName", "port", "kmsKeyId"}
    ),
    "aws:elasticache/subnetGroup:SubnetGroup": frozenset({"name"}),
    # https://www.pulumi.com/registry/packages/aws/api-docs/s3/bucket/
    "aws:s3/bucket:Bucket": frozenset({"bucket", "bucketPrefix"}),
    "aws:ecr/repository:Repository": frozenset({"name"}),
    "aws:ecs/cluster:Cluster": frozenset({"name"}),
    # A task definition revision is immutable: any change registers a new one.
    # https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definitions.html
    "aws:ecs/taskDefinition:TaskDefinition": ALL,
    "aws:ecs/service:Service": frozenset({"name", "cluster", "launchType"}),
    # https://www.pulumi.com/registry/packages/aws/api-docs/lb/loadbalancer/ and .../targetgroup/
    "aws:lb/loadBalancer:LoadBalancer": frozenset({"name", "internal", "loadBalancerType"}),
    "aws:lb/targetGroup:TargetGroup": frozenset(
        {"name", "port", "protocol", "vpcId", "targetType"}
    ),
    "aws:iam/role:Role": frozenset({"name", "path"}),
    "aws:cloudwatch/logGroup:LogGroup": frozenset({"name"}),
    "aws:secretsmanager/secret:Secret": frozenset({"name"}),
    # https://www.pulumi.com/registry/packages/aws/api-docs/ec2/vpc/ (and subnet/, securitygroup/)
    "aws:ec2/vpc:Vpc": frozenset({"cidrBlock"}),
    "aws:ec2/subnet:Subnet": frozenset({"vpcId", "cidrBlock", "availabilityZone"}),
    "aws:ec2/securityGroup:SecurityGroup": frozenset({"name", "description", "vpcId"}),
}


def forces_replacement(type_token: str, input_key: str) -> bool:
    """Whether changing top-level input `input_key` of a `type_token` resource replaces it."""
    keys = REPLACE_ON_CHANGE.get(type_token, frozenset())
    return keys is ALL or input_key in keys
