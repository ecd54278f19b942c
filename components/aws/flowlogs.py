"""VPC flow logs: every accepted and rejected connection in the VPC, to CloudWatch Logs with the
profile's retention (an audit trail of who talked to what, INVARIANTS O1).

Delivery to CloudWatch Logs needs a role the flow logs service assumes, allowed to write to this
one log group (https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html); the trust
policy names this account, so no other account's flow logs can use the role.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi

from components.aws.common import log_retention
from components.aws_sdk import pulumi_aws
from components.base import Component
from components.contract import ChildTransform

aws = pulumi_aws(cloudwatch=("log_group",), ec2=("flow_log",), iam=("role", "role_policy"))

PRINCIPAL = "vpc-flow-logs.amazonaws.com"


@dataclass(frozen=True)
class FlowLogsArgs:
    """The VPC and how long its flow records are kept."""

    vpc_id: pulumi.Input[str]
    log_group_name: str
    retention_days: int
    tags: Mapping[str, str] = field(default_factory=dict)


def trust_policy(account: str) -> str:
    """Flow logs of this account only (confused-deputy guard)."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": PRINCIPAL},
                    "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"aws:SourceAccount": account}},
                }
            ],
        }
    )


def delivery_policy(log_group_arn: str) -> str:
    """Write (and find) streams in the one flow-log group; DescribeLogGroups takes no resource."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "WriteFlowLogStreams",
                    "Effect": "Allow",
                    "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                    "Resource": [f"{log_group_arn}:*"],
                },
                {
                    "Sid": "FindFlowLogStreams",
                    "Effect": "Allow",
                    "Action": ["logs:DescribeLogStreams"],
                    "Resource": [log_group_arn],
                },
                {
                    "Sid": "FindFlowLogGroup",
                    "Effect": "Allow",
                    "Action": ["logs:DescribeLogGroups"],
                    "Resource": ["*"],
                },
            ],
        }
    )


class FlowLogs(Component):
    """A log group, the delivery role and the VPC's flow log (all traffic)."""

    def __init__(
        self,
        name: str,
        args: FlowLogsArgs,
        transform: ChildTransform | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("trudeploy:aws:FlowLogs", name, transform, opts)
        tags = dict(args.tags)
        group = self.child(
            aws.cloudwatch.LogGroup,
            f"{name}-logs",
            name=args.log_group_name,
            retention_in_days=log_retention(args.retention_days),
            tags=tags,
        )
        identity = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self))
        role = self.child(
            aws.iam.Role,
            f"{name}-role",
            assume_role_policy=identity.account_id.apply(trust_policy),
            description="VPC flow logs deliver to this stack's flow-log group",
            tags=tags,
        )
        policy = self.child(
            aws.iam.RolePolicy,
            f"{name}-role-policy",
            role=role.name,
            policy=group.arn.apply(delivery_policy),
        )
        flow = self.child(
            aws.ec2.FlowLog,
            f"{name}-vpc",
            vpc_id=args.vpc_id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=group.arn,
            iam_role_arn=role.arn,
            max_aggregation_interval=600,
            tags=tags,
            opts=pulumi.ResourceOptions(depends_on=[policy]),
        )
        self.done({"log_group": group.name, "flow_log": flow.id})
