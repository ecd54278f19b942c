"""What the Docker provider computes for each resource type this target declares.

Values follow the provider's shapes (64-hex container and network ids, `sha256:` image ids,
volume mountpoints, an exit code for attached one-shot containers), derived from the URN so the
offline plan is deterministic.
"""

from __future__ import annotations

from typing import Any

from components.simulated import SimArgs, SimRule


def _network(a: SimArgs) -> dict[str, Any]:
    return {
        "id": a.digest(),
        "scope": "local",
        "ipamConfigs": [{"subnet": f"172.{18 + int(a.digest(length=2), 16) % 12}.0.0/16"}],
    }


def _volume(a: SimArgs) -> dict[str, Any]:
    name = a.inputs.get("name") or a.name
    return {
        "id": name,
        "driver": "local",
        "mountpoint": f"/var/lib/docker/volumes/{name}/_data",
    }


def _remote_image(a: SimArgs) -> dict[str, Any]:
    image_id = f"sha256:{a.digest('image')}"
    return {
        "id": f"{image_id}{a.inputs.get('name', '')}",
        "imageId": image_id,
        "repoDigest": f"{str(a.inputs.get('name', '')).split(':')[0]}@sha256:{a.digest('repo')}",
    }


def _image(a: SimArgs) -> dict[str, Any]:
    build = a.inputs.get("build") or {}
    image_id = f"sha256:{a.digest('image')}"
    return {
        "id": image_id,
        "repoDigest": image_id,
        "baseImageName": a.inputs.get("imageName", ""),
        "context": build.get("context", ""),
        "dockerfile": build.get("dockerfile", "Dockerfile"),
        "platform": build.get("platform", ""),
        "registryServer": "",
    }


def _container(a: SimArgs) -> dict[str, Any]:
    networks = a.inputs.get("networksAdvanced") or []
    octet = 2 + int(a.digest("ip", 2), 16) % 200
    computed: dict[str, Any] = {
        "id": a.digest(),
        "bridge": "",
        "networkDatas": [
            {
                "networkName": n.get("name", ""),
                "ipAddress": f"172.20.{i}.{octet}",
                "ipPrefixLength": 16,
                "gateway": f"172.20.{i}.1",
            }
            for i, n in enumerate(networks)
        ],
        "hostname": a.inputs.get("hostname") or a.digest(length=12),
    }
    if a.inputs.get("attach"):
        computed |= {"exitCode": 0, "containerLogs": ""}
    return computed


RULES: dict[str, SimRule] = {
    "docker:index/network:Network": _network,
    "docker:index/volume:Volume": _volume,
    "docker:index/remoteImage:RemoteImage": _remote_image,
    "docker:index/image:Image": _image,
    "docker:index/container:Container": _container,
}
