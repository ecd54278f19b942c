"""The service on ECS Fargate: a cluster, a log group, and one ECS service per process.

- web: behind the load balancer's target group, rolling (200% / 100%) with the deployment circuit
  breaker; its task definition gates web on the release container (components/aws/containers.py);
  target-tracking autoscaling on CPU when the profile allows more replicas than it starts with.
- worker: rolling like web; no port.
- beat: exactly one task, and a deployment that stops the old task before starting the new one
  (maximum 100%, minimum 0%), so two schedulers never run at once (W3).

Every service has the deployment circuit breaker with rollback and `wait_for_steady_state`, so a
rollout whose tasks never become stable fails `pulumi up` instead of reporting success (W6); for
beat the rollback keeps maximum 100%, so even rolling back never overlaps two schedulers.
Worker and beat wait for web to reach a steady state, so they run new code only after the release
step has migrated the schema.

Root filesystems are read-only; each task gets one ephemeral volume mounted at /tmp
(components/aws/containers.py).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi

from components.aws.common import fargate_size, log_retention, physical_name
from components.aws.containers import (
    SCRATCH_VOLUME,
    ContainerContext,
    process_task,
    web_task,
)
from components.aws.iam import TaskRoles, TaskRolesArgs
from components.aws.secrets import SecretStore, SecretStoreArgs
from components.aws_sdk import pulumi_aws
from components.base import Component
from components.contract import AppEnv, ChildTransform, ProcessSpec, ServiceSpec

aws = pulumi_aws(
    appautoscaling=("policy", "target"),
    cloudwatch=("log_group",),
    ecs=("cluster", "service", "task_definition"),
)

CPU_TARGET = 60.0
"""Average CPU the web autoscaler steers to: headroom for a burst while new tasks start."""


@dataclass(frozen=True)
class AppServiceArgs:
    """Everything the service needs from the rest of the stack."""

    spec: ServiceSpec
    env: AppEnv
    image: pulumi.Input[str]
    repository_arn: pulumi.Input[str] | None
    region: str
    private_subnet_ids: list[pulumi.Input[str]]
    service_security_group_id: pulumi.Input[str]
    target_group_arn: pulumi.Input[str]
    listeners: list[pulumi.Resource]
    bucket_arn: pulumi.Input[str]
    protected: bool
    tags: Mapping[str, str] = field(default_factory=dict)


class AppService(Component):
    """`services` (process name -> ECS service) and `cluster`."""

    def __init__(
        self,
        name: str,
        args: AppServiceArgs,
        transform: ChildTransform | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("trudeploy:aws:Service", name, transform, opts)
        spec, tags = args.spec, dict(args.tags)
        self._tags = tags
        self.cluster = self.child(
            aws.ecs.Cluster,
            f"{name}-cluster",
            name=physical_name(spec.name, 255),
            settings=[aws.ecs.ClusterSettingArgs(name="containerInsights", value="enabled")],
            tags=tags,
        )
        logs = self.child(
            aws.cloudwatch.LogGroup,
            f"{name}-logs",
            name=f"/ecs/{spec.name}",
            retention_in_days=log_retention(spec.log_retention_days),
            tags=tags,
        )
        store = SecretStore(
            f"{name}-secrets",
            SecretStoreArgs(
                values=args.env.secret, recovery_days=30 if args.protected else 0, tags=tags
            ),
            self._transform,
            pulumi.ResourceOptions(parent=self),
        )
        roles = TaskRoles(
            f"{name}-roles",
            TaskRolesArgs(
                bucket_arn=args.bucket_arn,
                secret_arn=store.arn,
                log_group_arn=logs.arn,
                repository_arn=args.repository_arn,
                tags=tags,
            ),
            self._transform,
            pulumi.ResourceOptions(parent=self),
        )
        plain_keys = sorted(args.env.plain)
        context = pulumi.Output.all(
            pulumi.Output.from_input(args.image),
            store.arn,
            store.version_id,
            logs.name,
            *[pulumi.Output.from_input(args.env.plain[k]) for k in plain_keys],
        ).apply(
            lambda v: ContainerContext(
                image=v[0],
                secret_arn=v[1],
                secrets_version=v[2],
                log_group=v[3],
                environment=dict(zip(plain_keys, v[4:], strict=True)),
                secret_keys=store.keys,
                region=args.region,
            )
        )
        procs = spec.processes
        network = aws.ecs.ServiceNetworkConfigurationArgs(
            subnets=args.private_subnet_ids,
            security_groups=[args.service_security_group_id],
            assign_public_ip=False,
        )
        ready = [*roles.policies]

        web_def = context.apply(
            lambda c: json.dumps(
                web_task(c, procs["web"], procs["release"], spec.port, spec.health)
            )
        )
        web = self._service(
            name,
            procs["web"],
            self._task(name, args, roles, procs["web"], web_def),
            network,
            desired=procs["web"].replicas,
            maximum_percent=200,
            minimum_percent=100,
            load_balancers=[
                aws.ecs.ServiceLoadBalancerArgs(
                    target_group_arn=args.target_group_arn,
                    container_name="web",
                    container_port=spec.port,
                )
            ],
            after=[*ready, *args.listeners],
            autoscaled=spec.max_web_replicas > procs["web"].replicas,
        )
        self.services: dict[str, aws.ecs.Service] = {"web": web}
        for proc, maximum, minimum in (("worker", 200, 100), ("beat", 100, 0)):
            if procs[proc].replicas == 0:
                continue  # a stack may run without workers (tasks then wait in the broker)
            definition = context.apply(lambda c, p=procs[proc]: json.dumps(process_task(c, p)))
            self.services[proc] = self._service(
                name,
                procs[proc],
                self._task(name, args, roles, procs[proc], definition),
                network,
                desired=1 if proc == "beat" else procs[proc].replicas,
                maximum_percent=maximum,
                minimum_percent=minimum,
                after=[*ready, web],
            )
        if spec.max_web_replicas > procs["web"].replicas:
            self._autoscale(name, web, procs["web"].replicas, spec.max_web_replicas)
        self.done(
            {
                "cluster": self.cluster.name,
                "log_group": logs.name,
                "services": {k: s.name for k, s in self.services.items()},
            }
        )

    def _task(
        self,
        name: str,
        args: AppServiceArgs,
        roles: TaskRoles,
        process: ProcessSpec,
        definitions: pulumi.Output[str],
    ) -> aws.ecs.TaskDefinition:
        cpu, memory = fargate_size(process.cpu, process.memory_mb)
        return self.child(
            aws.ecs.TaskDefinition,
            f"{name}-{process.name}",
            family=physical_name(f"{args.spec.name}-{process.name}", 255),
            requires_compatibilities=["FARGATE"],
            network_mode="awsvpc",
            cpu=str(cpu),
            memory=str(memory),
            runtime_platform=aws.ecs.TaskDefinitionRuntimePlatformArgs(
                operating_system_family="LINUX", cpu_architecture="X86_64"
            ),
            execution_role_arn=roles.execution_role_arn,
            task_role_arn=roles.task_role_arn,
            container_definitions=definitions,
            # A bind-mount volume with no host path: task storage, gone with the task.
            volumes=[aws.ecs.TaskDefinitionVolumeArgs(name=SCRATCH_VOLUME)],
            tags=self._tags,
        )

    def _service(
        self,
        name: str,
        process: ProcessSpec,
        task: aws.ecs.TaskDefinition,
        network: aws.ecs.ServiceNetworkConfigurationArgs,
        *,
        desired: int,
        maximum_percent: int,
        minimum_percent: int,
        after: list[pulumi.Resource],
        load_balancers: list[aws.ecs.ServiceLoadBalancerArgs] | None = None,
        autoscaled: bool = False,
    ) -> aws.ecs.Service:
        extra: dict[str, object] = {}
        if load_balancers:
            extra = {"load_balancers": load_balancers, "health_check_grace_period_seconds": 120}
        return self.child(
            aws.ecs.Service,
            f"{name}-{process.name}",
            name=process.name,
            cluster=self.cluster.arn,
            task_definition=task.arn,
            launch_type="FARGATE",
            platform_version="LATEST",
            desired_count=desired,
            deployment_maximum_percent=maximum_percent,
            deployment_minimum_healthy_percent=minimum_percent,
            deployment_circuit_breaker=aws.ecs.ServiceDeploymentCircuitBreakerArgs(
                enable=True, rollback=True
            ),
            network_configuration=network,
            propagate_tags="SERVICE",
            enable_ecs_managed_tags=True,
            wait_for_steady_state=True,
            tags=self._tags,
            opts=pulumi.ResourceOptions(
                depends_on=after, ignore_changes=["desiredCount"] if autoscaled else None
            ),
            **extra,
        )

    def _autoscale(self, name: str, web: aws.ecs.Service, minimum: int, maximum: int) -> None:
        target = self.child(
            aws.appautoscaling.Target,
            f"{name}-web-scaling",
            service_namespace="ecs",
            scalable_dimension="ecs:service:DesiredCount",
            resource_id=pulumi.Output.concat("service/", self.cluster.name, "/", web.name),
            min_capacity=minimum,
            max_capacity=maximum,
            tags=self._tags,
        )
        self.child(
            aws.appautoscaling.Policy,
            f"{name}-web-cpu",
            policy_type="TargetTrackingScaling",
            service_namespace=target.service_namespace,
            scalable_dimension=target.scalable_dimension,
            resource_id=target.resource_id,
            target_tracking_scaling_policy_configuration=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationArgs(
                target_value=CPU_TARGET,
                predefined_metric_specification=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecificationArgs(
                    predefined_metric_type="ECSServiceAverageCPUUtilization"
                ),
                scale_in_cooldown=300,
                scale_out_cooldown=60,
            ),
        )
