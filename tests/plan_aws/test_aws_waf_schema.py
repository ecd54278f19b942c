"""The web ACL in the production plan is a valid WAFv2 CreateWebACL request, checked by botocore's
validator against the API model it ships (member names, types, required members; value ranges and
enums are the constraints' job), so a misshapen rule fails offline rather than at `pulumi up`."""

from __future__ import annotations

import copy
import re
from typing import Any

import aws_checks as checks
import botocore.session
from aws_plans import one, plan_for
from botocore.validate import ParamValidator

INPUT = (
    botocore.session.get_session()
    .get_service_model("wafv2")
    .operation_model("CreateWebACL")
    .input_shape
)
SPELLING = {"Cloudwatch": "CloudWatch"}
"""Where the provider's camelCase does not capitalise to the API's member name."""


def api(value: Any) -> Any:
    """Provider inputs (camelCase) as the API's members (PascalCase)."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            name = key[0].upper() + key[1:]
            for wrong, right in SPELLING.items():
                name = re.sub(f"^{wrong}", right, name)
            out[name] = api(item)
        return out
    if isinstance(value, list):
        return [api(v) for v in value]
    return value


def request(acl: dict[str, Any]) -> dict[str, Any]:
    keys = ("name", "scope", "defaultAction", "description", "rules", "visibilityConfig")
    return api({k: acl[k] for k in keys})


def problems(params: dict[str, Any]) -> str:
    return ParamValidator().validate(params, INPUT).generate_report()


def test_the_web_acl_is_a_valid_create_web_acl_request() -> None:
    acl = one(plan_for("production"), checks.WEB_ACL).inputs
    params = request(acl)
    assert problems(params) == ""
    assert params["Scope"] == "REGIONAL"
    assert [r["Priority"] for r in params["Rules"]] == [0, 1, 2]


def test_the_validator_rejects_a_misshapen_rule() -> None:
    acl = copy.deepcopy(one(plan_for("production"), checks.WEB_ACL).inputs)
    acl["rules"][0]["statement"]["rateBasedStatement"]["limit"] = "2000"
    acl["rules"][1]["overrideAction"]["nothing"] = {}
    report = problems(request(acl))
    assert "Rules[0].Statement.RateBasedStatement.Limit" in report
    assert 'Unknown parameter in Rules[1].OverrideAction: "Nothing"' in report
