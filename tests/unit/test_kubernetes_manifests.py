"""deploy/kubernetes: valid against the Kubernetes API schemas (kubernetes-validate, offline),
and consistent with the keyper image (volume paths, the admin password file, probes)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy" / "kubernetes"
IMAGE_DEFAULTS = REPO / "images" / "keyper" / "container" / "environment" / "default.yaml"
# The oldest Kubernetes release still commonly run; newer ones accept the same objects.
KUBERNETES_VERSION = "1.28"


def documents(name: str) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all((DEPLOY / name).read_text()) if doc]


def statefulset() -> dict[str, Any]:
    (doc,) = documents("statefulset.yaml")
    return doc


def container() -> dict[str, Any]:
    (only,) = statefulset()["spec"]["template"]["spec"]["containers"]
    return only


@pytest.mark.parametrize("name", ["statefulset.yaml", "service.yaml", "secret.example.yaml"])
def test_manifest_is_valid_for_kubernetes(name: str) -> None:
    for doc in documents(name):
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def test_kustomization_lists_the_manifests_that_exist() -> None:
    (kustomization,) = documents("kustomization.yaml")
    assert kustomization["resources"] == ["service.yaml", "statefulset.yaml"]


def test_volume_claims_are_mounted_where_the_image_keeps_its_state() -> None:
    defaults = yaml.safe_load(IMAGE_DEFAULTS.read_text())
    mounts = {m["name"]: m["mountPath"] for m in container()["volumeMounts"]}
    claims = [t["metadata"]["name"] for t in statefulset()["spec"]["volumeClaimTemplates"]]
    assert claims == ["ldap-config", "ldap-data", "sshca", "tls"]
    assert [mounts[c] for c in claims] == [
        defaults["LDAP_CONFIG_DIR"],
        defaults["LDAP_DATA_DIR"],
        defaults["SSH_CA_DIR"],
        defaults["LDAP_TLS_DIR"],
    ]


def test_admin_password_comes_from_the_secret_as_a_file() -> None:
    env = {e["name"]: e for e in container()["env"]}
    assert "LDAP_ADMIN_PASSWORD" not in env
    path = Path(env["LDAP_ADMIN_PASSWORD_FILE"]["value"])
    mounts = {m["name"]: m for m in container()["volumeMounts"]}
    assert mounts["ldap-admin"]["mountPath"] == str(path.parent)
    assert mounts["ldap-admin"]["readOnly"] is True
    volumes = {v["name"]: v for v in statefulset()["spec"]["template"]["spec"]["volumes"]}
    secret = volumes["ldap-admin"]["secret"]
    assert secret["secretName"] == "keyper-ldap-admin"
    assert secret["items"] == [{"key": "password", "path": path.name}]
    (example,) = documents("secret.example.yaml")
    assert example["metadata"]["name"] == "keyper-ldap-admin"
    assert "password" in example["stringData"]


def test_every_probe_asks_lightbase_health() -> None:
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container()[probe]["exec"]["command"] == ["lightbase", "health"]


def test_container_keeps_only_the_capabilities_its_services_need() -> None:
    context = container()["securityContext"]
    assert context["allowPrivilegeEscalation"] is False
    assert context["readOnlyRootFilesystem"] is True
    assert context["capabilities"] == {
        "drop": ["ALL"],
        "add": ["CHOWN", "DAC_OVERRIDE", "FOWNER", "SETUID", "SETGID", "KILL", "NET_BIND_SERVICE"],
    }
    mounts = {m["mountPath"] for m in container()["volumeMounts"]}
    assert {"/container/run", "/tmp"} <= mounts  # what a read-only root needs writable


def test_an_invalid_manifest_is_rejected() -> None:
    broken = statefulset()
    broken["spec"]["replicas"] = "one"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)
