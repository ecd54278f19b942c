"""What the Kubernetes API server (and Helm) refuse, for every type the kubernetes target declares
(the mechanism: components/constraints.py).

Names, label syntax, enumerations and ranges are the API server's validation as the Kubernetes
documentation states it; the CloudNativePG rules are its CRD's and documentation's. The full
schemas are checked as well, on the written manifests, by the suite
(tests/plan_kubernetes/test_kubernetes_manifests.py with kubernetes-validate and the vendored
CRDs); these rules fail the plan itself, naming the resource and input, before any file exists.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from components.constraints import Combination, Constraints, Length, OneOf, Pattern, Range, Rule

K8S = "https://kubernetes.io/docs"
NAMES = f"{K8S}/concepts/overview/working-with-objects/names/"
SUBDOMAIN_DOCS = f"{NAMES}#dns-subdomain-names"
LABEL_NAME_DOCS = f"{NAMES}#dns-label-names"
RFC1035_DOCS = f"{NAMES}#rfc-1035-label-names"
LABELS_DOCS = f"{K8S}/concepts/overview/working-with-objects/labels/#syntax-and-character-set"
DEPLOYMENT_DOCS = f"{K8S}/concepts/workloads/controllers/deployment/#strategy"
JOB_DOCS = f"{K8S}/concepts/workloads/controllers/job/#handling-pod-and-container-failures"
POD_DOCS = f"{K8S}/concepts/workloads/pods/pod-lifecycle/#restart-policy"
PORTS_DOCS = f"{K8S}/reference/kubernetes-api/workload-resources/pod-v1/#ports"
SERVICE_DOCS = f"{K8S}/reference/kubernetes-api/service-resources/service-v1/#ServiceSpec"
INGRESS_DOCS = f"{K8S}/concepts/services-networking/ingress/#path-types"
POLICY_DOCS = f"{K8S}/reference/kubernetes-api/policy-resources/network-policy-v1/"
HPA_DOCS = f"{K8S}/reference/kubernetes-api/workload-resources/horizontal-pod-autoscaler-v2/"
PDB_DOCS = f"{K8S}/tasks/run-application/configure-pdb/#specifying-a-poddisruptionbudget"
CONFIG_DOCS = f"{K8S}/concepts/configuration/configmap/#configmap-object"
CNPG_API = "https://cloudnative-pg.io/documentation/1.30/cloudnative-pg.v1/"
CNPG_SCHEDULE = "https://cloudnative-pg.io/documentation/1.30/backup/#scheduled-backups"
HELM_NAMES = "https://helm.sh/docs/chart_template_guide/getting_started/#a-first-template"

SUBDOMAIN = Pattern(
    r"(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*",
    "a DNS-1123 subdomain: lowercase alphanumerics, '-' and '.', at most 253 characters",
)
DNS_LABEL = Pattern(
    r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?",
    "a DNS-1123 label: lowercase alphanumerics and '-', at most 63 characters",
)
RFC1035 = Pattern(
    r"[a-z]([-a-z0-9]{0,61}[a-z0-9])?",
    "an RFC 1035 label: starts with a letter, lowercase alphanumerics and '-', at most 63",
)
_LABEL_VALUE = re.compile(r"(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?")
_LABEL_NAME = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]")
_PREFIX = re.compile(
    r"(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*"
)
_DATA_KEY = re.compile(r"[-._a-zA-Z0-9]{1,253}")
MAX = 2**31 - 1


def label_problems(labels: Any) -> str | None:
    """A label whose key (optional DNS-subdomain prefix + `/` + name of at most 63) or value (at
    most 63, alphanumeric at both ends) the API server refuses."""
    for key, value in dict(labels or {}).items():
        prefix, _, name = str(key).rpartition("/")
        if (prefix and not _PREFIX.fullmatch(prefix)) or not _LABEL_NAME.fullmatch(name):
            return f"label key {key!r} is not a valid label name"
        if not isinstance(value, str) or not _LABEL_VALUE.fullmatch(value):
            return f"label {key}={value!r} is not a valid label value"
    return None


def _labels_at(*paths: str):
    def test(inputs: Mapping[str, Any]) -> str | None:
        for path in paths:
            node: Any = inputs
            for part in path.split("."):
                node = node.get(part) if isinstance(node, Mapping) else None
            problem = label_problems(node)
            if problem:
                return problem
        return None

    return test


def _data_keys(inputs: Mapping[str, Any]) -> str | None:
    for field in ("data", "stringData"):
        for key in dict(inputs.get(field) or {}):
            if not _DATA_KEY.fullmatch(str(key)):
                return f"{field} key {key!r} is not [-._a-zA-Z0-9]+"
    return None


def _rolling_update(inputs: Mapping[str, Any]) -> str | None:
    strategy = dict((inputs.get("spec") or {}).get("strategy") or {})
    rolling = strategy.get("rollingUpdate")
    if strategy.get("type") == "Recreate" and rolling:
        return "rollingUpdate may not be given with type Recreate"
    if (
        rolling
        and rolling.get("maxUnavailable", 1) in (0, "0%")
        and rolling.get("maxSurge", 1) in (0, "0%")
    ):
        return "maxUnavailable and maxSurge may not both be 0"
    return None


def _hpa_bounds(inputs: Mapping[str, Any]) -> str | None:
    spec = dict(inputs.get("spec") or {})
    if int(spec.get("maxReplicas", 1)) < int(spec.get("minReplicas", 1)):
        return f"maxReplicas {spec.get('maxReplicas')} is below minReplicas {spec['minReplicas']}"
    return None


def _pdb_one_bound(inputs: Mapping[str, Any]) -> str | None:
    spec = dict(inputs.get("spec") or {})
    if "minAvailable" in spec and "maxUnavailable" in spec:
        return "minAvailable and maxUnavailable are mutually exclusive"
    return None


def _meta(name: Pattern, cite: str, *label_paths: str) -> tuple[Rule | Combination, ...]:
    return (
        Rule("metadata.name", name, cite),
        Rule("metadata.namespace", DNS_LABEL, LABEL_NAME_DOCS),
        Combination(
            "metadata",
            "label keys and values: name <= 63, value <= 63, alphanumeric at both ends",
            _labels_at("metadata.labels", *label_paths),
            LABELS_DOCS,
        ),
    )


POD = "spec.template.spec"


def _pod(*restart: str) -> tuple[Rule | Combination, ...]:
    return (
        Rule(f"{POD}.containers[].name", DNS_LABEL, LABEL_NAME_DOCS),
        Rule(f"{POD}.containers[].ports[].containerPort", Range(1, 65535), PORTS_DOCS),
        Rule(f"{POD}.restartPolicy", OneOf(restart), POD_DOCS),
        Rule(f"{POD}.terminationGracePeriodSeconds", Range(0, MAX), POD_DOCS),
    )


TEMPLATE_LABELS = "spec.template.metadata.labels"
NAMESPACED = _meta(SUBDOMAIN, SUBDOMAIN_DOCS)

CONSTRAINTS: dict[str, Constraints] = {
    "kubernetes:core/v1:Namespace": Constraints(
        rules=(
            Rule("metadata.name", DNS_LABEL, LABEL_NAME_DOCS),
            Combination(
                "metadata",
                "label keys and values: name <= 63, value <= 63, alphanumeric at both ends",
                _labels_at("metadata.labels"),
                LABELS_DOCS,
            ),
        )
    ),
    "kubernetes:core/v1:ServiceAccount": Constraints(rules=NAMESPACED),
    "kubernetes:core/v1:ConfigMap": Constraints(
        rules=(
            *NAMESPACED,
            Combination("data", "data keys: [-._a-zA-Z0-9]+", _data_keys, CONFIG_DOCS),
        )
    ),
    "kubernetes:core/v1:Secret": Constraints(
        rules=(
            *NAMESPACED,
            Combination("stringData", "data keys: [-._a-zA-Z0-9]+", _data_keys, CONFIG_DOCS),
        )
    ),
    "kubernetes:core/v1:Service": Constraints(
        rules=(
            *_meta(RFC1035, RFC1035_DOCS),
            Rule("spec.ports[].port", Range(1, 65535), SERVICE_DOCS),
            Rule("spec.type", OneOf(("ClusterIP", "NodePort", "LoadBalancer")), SERVICE_DOCS),
        )
    ),
    "kubernetes:apps/v1:Deployment": Constraints(
        rules=(
            *_meta(SUBDOMAIN, SUBDOMAIN_DOCS, TEMPLATE_LABELS),
            *_pod("Always"),
            Rule("spec.replicas", Range(0, MAX), DEPLOYMENT_DOCS),
            Rule("spec.strategy.type", OneOf(("Recreate", "RollingUpdate")), DEPLOYMENT_DOCS),
            Combination(
                "spec",
                "a rolling update may surge or be unavailable, not neither; Recreate has no "
                "rollingUpdate",
                _rolling_update,
                DEPLOYMENT_DOCS,
            ),
        )
    ),
    "kubernetes:apps/v1:StatefulSet": Constraints(
        rules=(
            *_meta(SUBDOMAIN, SUBDOMAIN_DOCS, TEMPLATE_LABELS),
            *_pod("Always"),
            Rule("spec.replicas", Range(0, MAX), DEPLOYMENT_DOCS),
            Rule("spec.volumeClaimTemplates[].metadata.name", DNS_LABEL, LABEL_NAME_DOCS),
        )
    ),
    "kubernetes:batch/v1:Job": Constraints(
        rules=(
            *_meta(SUBDOMAIN, SUBDOMAIN_DOCS, TEMPLATE_LABELS),
            *_pod("Never", "OnFailure"),
            Rule("spec.backoffLimit", Range(0, MAX), JOB_DOCS),
            Rule("spec.activeDeadlineSeconds", Range(1, MAX), JOB_DOCS),
        )
    ),
    "kubernetes:networking.k8s.io/v1:Ingress": Constraints(
        rules=(
            *NAMESPACED,
            Rule("spec.rules[].host", SUBDOMAIN, INGRESS_DOCS),
            Rule(
                "spec.rules[].http.paths[].pathType",
                OneOf(("Exact", "Prefix", "ImplementationSpecific")),
                INGRESS_DOCS,
            ),
        )
    ),
    "kubernetes:networking.k8s.io/v1:NetworkPolicy": Constraints(
        rules=(
            *NAMESPACED,
            Rule("spec.policyTypes[]", OneOf(("Ingress", "Egress")), POLICY_DOCS),
            Rule("spec.ingress[].ports[].protocol", OneOf(("TCP", "UDP", "SCTP")), POLICY_DOCS),
            Rule("spec.ingress[].ports[].port", Range(1, 65535), POLICY_DOCS),
        )
    ),
    "kubernetes:autoscaling/v2:HorizontalPodAutoscaler": Constraints(
        rules=(
            *NAMESPACED,
            Rule("spec.minReplicas", Range(1, MAX), HPA_DOCS),
            Combination("spec", "maxReplicas >= minReplicas", _hpa_bounds, HPA_DOCS),
        )
    ),
    "kubernetes:policy/v1:PodDisruptionBudget": Constraints(
        rules=(
            *NAMESPACED,
            Combination("spec", "one of minAvailable or maxUnavailable", _pdb_one_bound, PDB_DOCS),
        )
    ),
    "kubernetes:postgresql.cnpg.io/v1:Cluster": Constraints(
        rules=(
            *NAMESPACED,
            Rule("spec.instances", Range(1, MAX), CNPG_API),
            Rule(
                "spec.storage.size",
                Pattern(r"[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?", "a quantity"),
                CNPG_API,
            ),
        )
    ),
    "kubernetes:postgresql.cnpg.io/v1:ScheduledBackup": Constraints(
        rules=(
            *NAMESPACED,
            Rule(
                "spec.schedule",
                Pattern(r"(\S+ ){5}\S+", "six cron fields, seconds first"),
                CNPG_SCHEDULE,
            ),
        )
    ),
    "kubernetes:helm.sh/v3:Release": Constraints(
        rules=(
            # Helm release names: DNS-1123 labels, at most 53 characters (Helm appends suffixes).
            Rule("name", Length(1, 53), HELM_NAMES),
            Rule("name", DNS_LABEL, HELM_NAMES),
            Rule("namespace", DNS_LABEL, LABEL_NAME_DOCS),
        )
    ),
}
