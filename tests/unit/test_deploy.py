"""The deployment files (deploy/) say what `make run` and the endpoints files say.

They cannot run here (no container engine, no cluster), so their syntax and settings are
checked: a deployment that silently used other stores than the tested ones, an open API
or a wrong action-server address would fail only in production.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text("utf-8"))


def _variables(path: Path) -> set[str]:
    return set(re.findall(r"\$\{(\w+)\}", path.read_text("utf-8")))


def _compose() -> dict[str, Any]:
    return _load(DEPLOY / "compose.yml")


def test_compose_runs_the_scale_out_topology() -> None:
    services = _compose()["services"]

    assert {"postgres", "redis", "actions", "rasa", "balancer"} <= set(services)
    assert services["rasa"]["deploy"]["replicas"] >= 2
    assert services["actions"]["deploy"]["replicas"] >= 2
    assert services["balancer"]["ports"] == ["5005:80"]
    nginx = (DEPLOY / "nginx.conf").read_text("utf-8")
    assert "server rasa:5005;" in nginx
    assert services["balancer"]["volumes"][0].startswith("./nginx.conf:")


def test_compose_settings_match_the_endpoints_files() -> None:
    services = _compose()["services"]
    rasa = services["rasa"]["environment"]

    assert rasa["TRACKER_STORE"] == "postgres"
    assert rasa["LOCK_STORE"] == "redis"
    assert rasa["ACTION_SERVER"] == "external"
    # Every variable the endpoints files read is set, to the services of this file.
    needed = _variables(ROOT / "endpoints.postgres.yml") | _variables(
        ROOT / "endpoints.redis-lock.yml"
    )
    assert needed <= set(rasa), sorted(needed - set(rasa))
    assert rasa["POSTGRES_HOST"] == "postgres"
    assert rasa["REDIS_HOST"] == "redis"
    port = services["actions"]["command"][services["actions"]["command"].index("--port") + 1]
    assert rasa["ACTION_ENDPOINT_URL"] == f"http://actions:{port}/webhook"
    # Closed by default: no API token and no other origins unless the operator sets them.
    assert rasa["RASA_API_TOKEN"] == "${RASA_API_TOKEN:-}"
    assert rasa["CORS_ORIGINS"] == "${CORS_ORIGINS:-}"


def test_the_image_runs_the_projects_start_script() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text("utf-8")

    assert dockerfile.startswith("# ") and "FROM python:3.10" in dockerfile
    assert 'CMD ["scripts/run.sh"]' in dockerfile
    assert (ROOT / "scripts" / "run.sh").exists()


def test_helm_values_match_the_endpoints_files() -> None:
    values = _load(DEPLOY / "helm" / "values.yaml")
    tracker = _load(ROOT / "endpoints.postgres.yml")["tracker_store"]
    lock = _load(ROOT / "endpoints.redis-lock.yml")["lock_store"]
    endpoints = values["applicationSettings"]["endpoints"]
    env = {e["name"]: e["value"] for e in values["extraEnv"]}

    assert values["replicaCount"] >= 2
    assert endpoints["trackerStore"]["type"] == tracker["type"]
    assert endpoints["trackerStore"]["dialect"] == tracker["dialect"]
    assert endpoints["lockStore"]["type"] == lock["type"]
    assert values["applicationSettings"]["enableAPI"] is False
    assert values["applicationSettings"]["cors"] == ""
    assert env["TRACKER_STORE"] == "postgres"
    assert env["LOCK_STORE"] == "redis"
    assert env["ACTION_SERVER"] == "external"
    assert env["ACTION_ENDPOINT_URL"].endswith(":5055/webhook")
    assert values["command"] == ["scripts/run.sh"]


def test_rasa_is_only_ever_started_through_the_patch_layer() -> None:
    """Training, validation, the tests' server and the images all start Rasa with
    `python -m rasa_patches` (fixes applied at start; TensorFlow only when needed)."""
    starters = [
        ROOT / "Makefile",
        ROOT / "scripts" / "run.sh",
        ROOT / "scripts" / "test.sh",
        DEPLOY / "Dockerfile",
        DEPLOY / "compose.yml",
        DEPLOY / "helm" / "values.yaml",
    ]
    for path in starters:
        text = "\n".join(
            line
            for line in path.read_text("utf-8").splitlines()
            if not line.lstrip().startswith("#")
        )
        assert not re.search(r"bin/rasa\b|\"rasa\", \"(run|train|test)\"", text), path
    run = (ROOT / "scripts" / "run.sh").read_text("utf-8")
    assert '"$BIN/python" -m rasa_patches run --model' in run
    makefile = (ROOT / "Makefile").read_text("utf-8")
    assert "$(PY) -m rasa_patches train" in makefile
    assert "$(PY) -m rasa_patches data validate" in makefile
    assert "make install train" in (DEPLOY / "Dockerfile").read_text("utf-8")
