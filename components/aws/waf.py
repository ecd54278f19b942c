"""The web application firewall in front of the load balancer (profile `edge_protection`).

A WAFv2 web ACL (scope REGIONAL, as an ALB needs) that allows by default and applies, in order:
1. a rate-based rule: one client address sending more than `RATE_LIMIT` requests in 5 minutes is
   blocked until its rate falls;
2. AWS's Core rule set (`AWSManagedRulesCommonRuleSet`: OWASP-style probes, bad bots, LFI/RFI,
   XSS), with `SizeRestrictions_BODY` only counted: the API takes manuscript uploads as multipart
   bodies, far above that rule's 8 KB limit;
3. `AWSManagedRulesKnownBadInputsRuleSet` (Log4Shell, Java deserialisation, localhost Host).

It logs every request to a CloudWatch log group whose name starts with `aws-waf-logs-` (WAF
refuses any other: https://docs.aws.amazon.com/waf/latest/developerguide/
logging-cw-logs.html), kept for the profile's log retention. WAF adds the log group's resource
policy itself when the deploying identity may call `logs:PutResourcePolicy`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi

from components.aws.common import log_retention, physical_name
from components.aws_sdk import pulumi_aws
from components.base import Component
from components.contract import ChildTransform

aws = pulumi_aws(
    cloudwatch=("log_group",),
    wafv2=("web_acl", "web_acl_association", "web_acl_logging_configuration"),
)

RATE_LIMIT = 2000
"""Requests per client address per 5 minutes (about 7 a second, sustained)."""
LOG_GROUP_PREFIX = "aws-waf-logs-"
MANAGED_GROUPS = ("AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet")
COUNT_ONLY = {"AWSManagedRulesCommonRuleSet": ("SizeRestrictions_BODY",)}


@dataclass(frozen=True)
class FirewallArgs:
    """The balancer to protect and how long WAF logs are kept."""

    name: str
    load_balancer_arn: pulumi.Input[str]
    retention_days: int
    tags: Mapping[str, str] = field(default_factory=dict)


def _visibility(metric: str) -> aws.wafv2.WebAclRuleVisibilityConfigArgs:
    return aws.wafv2.WebAclRuleVisibilityConfigArgs(
        cloudwatch_metrics_enabled=True, metric_name=metric, sampled_requests_enabled=True
    )


def _managed(group: str, priority: int) -> aws.wafv2.WebAclRuleArgs:
    overrides = [
        aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementRuleActionOverrideArgs(
            name=rule,
            action_to_use=aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementRuleActionOverrideActionToUseArgs(
                count=aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementRuleActionOverrideActionToUseCountArgs()
            ),
        )
        for rule in COUNT_ONLY.get(group, ())
    ]
    return aws.wafv2.WebAclRuleArgs(
        name=group,
        priority=priority,
        override_action=aws.wafv2.WebAclRuleOverrideActionArgs(
            none=aws.wafv2.WebAclRuleOverrideActionNoneArgs()
        ),
        statement=aws.wafv2.WebAclRuleStatementArgs(
            managed_rule_group_statement=aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementArgs(
                vendor_name="AWS", name=group, rule_action_overrides=overrides or None
            )
        ),
        visibility_config=_visibility(group),
    )


class WebFirewall(Component):
    """A regional web ACL, its association with the balancer, and its logging."""

    def __init__(
        self,
        name: str,
        args: FirewallArgs,
        transform: ChildTransform | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("trudeploy:aws:WebFirewall", name, transform, opts)
        tags = dict(args.tags)
        rate = aws.wafv2.WebAclRuleArgs(
            name="rate-limit-per-ip",
            priority=0,
            action=aws.wafv2.WebAclRuleActionArgs(block=aws.wafv2.WebAclRuleActionBlockArgs()),
            statement=aws.wafv2.WebAclRuleStatementArgs(
                rate_based_statement=aws.wafv2.WebAclRuleStatementRateBasedStatementArgs(
                    limit=RATE_LIMIT, aggregate_key_type="IP", evaluation_window_sec=300
                )
            ),
            visibility_config=_visibility("rate-limit-per-ip"),
        )
        acl = self.child(
            aws.wafv2.WebAcl,
            f"{name}-acl",
            name=physical_name(args.name, 128),
            description="trudeploy: rate limit and AWS managed rules in front of the service",
            scope="REGIONAL",
            default_action=aws.wafv2.WebAclDefaultActionArgs(
                allow=aws.wafv2.WebAclDefaultActionAllowArgs()
            ),
            rules=[rate, *(_managed(g, i + 1) for i, g in enumerate(MANAGED_GROUPS))],
            visibility_config=aws.wafv2.WebAclVisibilityConfigArgs(
                cloudwatch_metrics_enabled=True,
                metric_name=physical_name(args.name, 128),
                sampled_requests_enabled=True,
            ),
            tags=tags,
        )
        self.child(
            aws.wafv2.WebAclAssociation,
            f"{name}-alb",
            resource_arn=args.load_balancer_arn,
            web_acl_arn=acl.arn,
        )
        group = self.child(
            aws.cloudwatch.LogGroup,
            f"{name}-logs",
            name=physical_name(f"{LOG_GROUP_PREFIX}{args.name}", 512),
            retention_in_days=log_retention(args.retention_days),
            tags=tags,
        )
        self.child(
            aws.wafv2.WebAclLoggingConfiguration,
            f"{name}-logging",
            resource_arn=acl.arn,
            log_destination_configs=[group.arn],
        )
        self.done({"web_acl_arn": acl.arn, "log_group": group.name})
