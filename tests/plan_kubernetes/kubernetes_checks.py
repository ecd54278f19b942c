"""Kubernetes-specific checks on an offline plan, each returning its problems (empty = holds), so
a test can assert a real plan passes and a deliberately broken copy fails (negative controls)."""

from __future__ import annotations

from typing import Any

from kubernetes_plans import kinds, obj

from components.contract import LIVE_PATH, READY_PATH
from components.kubernetes.common import APP_ROLE, CELERY_TASK_TIME_LIMIT_SECONDS, NAME
from components.kubernetes.plan_view import containers, meta, pod_spec
from core.images import pinned
from core.plan import Plan, PlanResource
from core.profiles import PROFILES
from core.vocabulary import Env

WORKLOADS = ("Deployment", "StatefulSet", "Job")


def workloads(plan: Plan) -> list[PlanResource]:
    """Everything that runs pods."""
    return [r for kind in WORKLOADS for r in kinds(plan, kind)]


def spec(resource: PlanResource) -> dict[str, Any]:
    return dict(resource.inputs.get("spec") or {})


def pod_security(plan: Plan) -> list[str]:
    """Every pod: runAsNonRoot, RuntimeDefault seccomp, and every container read-only, without
    privilege escalation, all capabilities dropped, requests and limits, a writable /tmp."""
    problems = []
    for w in workloads(plan):
        pod = pod_spec(w)
        where = f"{w.type.rsplit(':', 1)[-1]} {meta(w).get('name')}"
        ctx = pod.get("securityContext") or {}
        if ctx.get("runAsNonRoot") is not True:
            problems.append(f"{where}: pod does not set runAsNonRoot")
        if (ctx.get("seccompProfile") or {}).get("type") != "RuntimeDefault":
            problems.append(f"{where}: pod seccomp is not RuntimeDefault")
        if pod.get("automountServiceAccountToken") is not False:
            problems.append(f"{where}: pod mounts a service account token")
        tmp = {v.get("name") for v in pod.get("volumes") or [] if "emptyDir" in v}
        for c in containers(w):
            sc = c.get("securityContext") or {}
            if sc.get("readOnlyRootFilesystem") is not True:
                problems.append(f"{where}/{c.get('name')}: root filesystem is writable")
            if sc.get("allowPrivilegeEscalation") is not False:
                problems.append(f"{where}/{c.get('name')}: privilege escalation allowed")
            if (sc.get("capabilities") or {}).get("drop") != ["ALL"]:
                problems.append(f"{where}/{c.get('name')}: capabilities not all dropped")
            res = c.get("resources") or {}
            if not all(
                (res.get(k) or {}).get(r) for k in ("requests", "limits") for r in ("cpu", "memory")
            ):
                problems.append(f"{where}/{c.get('name')}: requests or limits missing")
            mounts = {m.get("mountPath"): m.get("name") for m in c.get("volumeMounts") or []}
            if mounts.get("/tmp") not in tmp:
                problems.append(f"{where}/{c.get('name')}: no emptyDir at /tmp")
    return problems


def images_pinned(plan: Plan) -> list[str]:
    """Every image has a digest or an explicit tag other than latest."""
    return [
        f"{meta(w).get('name')}: image {c.get('image')!r} is not pinned"
        for w in workloads(plan)
        for c in containers(w)
        if not pinned(str(c.get("image")))
    ]


def web_probes(plan: Plan) -> list[str]:
    """web: readiness on the ready path, liveness on the live path, a startup probe."""
    [web] = containers(obj(plan, "Deployment", "web"))
    found = {
        p: ((web.get(p) or {}).get("httpGet") or {}).get("path")
        for p in ("readinessProbe", "livenessProbe", "startupProbe")
    }
    wanted = {"readinessProbe": READY_PATH, "livenessProbe": LIVE_PATH}
    problems = [
        f"web {p} is {found[p]!r}, not {path}" for p, path in wanted.items() if found[p] != path
    ]
    if not found["startupProbe"]:
        problems.append("web has no startup probe")
    return problems


def web_rollout(plan: Plan) -> list[str]:
    """web's rolling update never drops below the desired count."""
    strategy = spec(obj(plan, "Deployment", "web")).get("strategy") or {}
    rolling = strategy.get("rollingUpdate") or {}
    if strategy.get("type") != "RollingUpdate" or rolling.get("maxUnavailable") != 0:
        return [f"web strategy {strategy} may drop below the desired count"]
    return []


def production_web(plan: Plan) -> list[str]:
    """Production: an HPA on web from the profile's replicas, and a PDB; elsewhere neither."""
    hpas, pdbs = kinds(plan, "HorizontalPodAutoscaler"), kinds(plan, "PodDisruptionBudget")
    if plan.env != Env.production.value:
        return [f"{plan.env} has an HPA or PDB"] if hpas or pdbs else []
    profile = PROFILES[Env.production]
    problems = []
    if len(hpas) != 1 or spec(hpas[0]).get("minReplicas") != profile.web_replicas:
        problems.append("production web needs one HPA starting at the profile's replicas")
    elif spec(hpas[0]).get("maxReplicas") != profile.web_max_replicas:
        problems.append("the HPA does not scale to the profile's maximum")
    if (
        len(pdbs) != 1
        or (spec(pdbs[0]).get("selector") or {}).get("matchLabels", {}).get(NAME) != "web"
    ):
        problems.append("production web needs a PodDisruptionBudget")
    if "replicas" in spec(obj(plan, "Deployment", "web")):
        problems.append("web sets replicas although the HPA owns them")
    return problems


def beat_once(plan: Plan) -> list[str]:
    """beat: one replica, Recreate."""
    s = spec(obj(plan, "Deployment", "beat"))
    if s.get("replicas") != 1 or (s.get("strategy") or {}).get("type") != "Recreate":
        return [f"beat runs {s.get('replicas')} replicas with {s.get('strategy')}"]
    return []


def worker_grace(plan: Plan) -> list[str]:
    """The worker's grace period outlives the Celery task time limit."""
    grace = pod_spec(obj(plan, "Deployment", "worker")).get("terminationGracePeriodSeconds", 30)
    if grace <= CELERY_TASK_TIME_LIMIT_SECONDS:
        return [f"worker grace {grace}s <= task time limit {CELERY_TASK_TIME_LIMIT_SECONDS}s"]
    return []


def release_job(plan: Plan) -> list[str]:
    """One release Job with a deadline and a bounded backoff; every app Deployment after it."""
    jobs = [j for j in kinds(plan, "Job") if (meta(j).get("labels") or {}).get(NAME) == "release"]
    if len(jobs) != 1:
        return [f"expected one release Job, found {len(jobs)}"]
    job = jobs[0]
    s = spec(job)
    problems = []
    if not s.get("activeDeadlineSeconds"):
        problems.append("the release Job has no deadline")
    if not 0 <= int(s.get("backoffLimit", 6)) <= 3:
        problems.append(f"the release Job retries {s.get('backoffLimit', 6)} times")
    for name in ("web", "worker", "beat"):
        if job.urn not in plan.depends_on(obj(plan, "Deployment", name).urn):
            problems.append(f"{name} does not wait for the release Job")
    return problems


def _peers(policy: PlanResource) -> list[dict[str, Any]]:
    return [p for rule in spec(policy).get("ingress") or [] for p in rule.get("from") or []]


def network_policies(plan: Plan) -> list[str]:
    """Default deny; web only from the ingress controller's namespace; PostgreSQL, Redis and
    MinIO only from the app's pods (plus CloudNativePG's own pods and operator, MinIO's init)."""
    problems = []
    deny = obj(plan, "NetworkPolicy", "default-deny")
    if spec(deny) != {"podSelector": {}, "policyTypes": ["Ingress"]}:
        problems.append(f"default-deny is {spec(deny)}")
    web = _peers(obj(plan, "NetworkPolicy", "web-ingress"))
    if len(web) != 1 or "namespaceSelector" not in web[0] or "podSelector" in web[0]:
        problems.append(f"web admits {web}")
    allowed = [
        {APP_ROLE: "true"},
        {"cnpg.io/cluster": "postgres"},
        {NAME: "minio-bucket-init", "app.kubernetes.io/part-of": "trudeploy"},
    ]
    for name in ("postgres-ingress", "redis-ingress", "minio-ingress"):
        found = [p for p in kinds(plan, "NetworkPolicy") if meta(p).get("name") == name]
        for policy in found:
            for peer in _peers(policy):
                pods = (peer.get("podSelector") or {}).get("matchLabels")
                operator = "namespaceSelector" in peer and name == "postgres-ingress"
                if pods not in allowed and not operator:
                    problems.append(f"{name} admits {peer}")
                if "namespaceSelector" in peer and not pods:
                    problems.append(f"{name} admits a whole namespace")
        if not found and name != "minio-ingress":
            problems.append(f"no {name} policy")
    return problems


def postgres_cluster(plan: Plan) -> list[str]:
    """One instance in development, three in production; backups to the object store kept for
    the profile's retention."""
    s = spec(obj(plan, "Cluster", "postgres"))
    profile = PROFILES[Env(plan.env)]
    want = 3 if profile.postgres_ha else 1
    problems = []
    if s.get("instances") != want:
        problems.append(f"{s.get('instances')} instances, {want} wanted")
    backup = s.get("backup") or {}
    store = backup.get("barmanObjectStore") or {}
    if not str(store.get("destinationPath", "")).startswith("s3://"):
        problems.append("no backups to the object store")
    if backup.get("retentionPolicy") != f"{profile.backup_retention_days}d":
        problems.append(f"retention {backup.get('retentionPolicy')}")
    return problems


CHECKS = {
    "pod security": pod_security,
    "images pinned": images_pinned,
    "web probes": web_probes,
    "web rollout": web_rollout,
    "production web": production_web,
    "beat once": beat_once,
    "worker grace": worker_grace,
    "release job": release_job,
    "network policies": network_policies,
    "postgres cluster": postgres_cluster,
}
