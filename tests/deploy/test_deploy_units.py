"""The deploy units in deploy/: parsed, checked field by field, and their commands run through the CLI parser.

Nothing here needs a container engine, a cluster or a running systemd: the systemd units go through
``systemd-analyze verify`` when it is installed (skipped otherwise), the Kubernetes manifests through
PyYAML (a dependency of apache-beam) and ``kubectl kustomize`` when it is installed, and the
Containerfile through a small static reader.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path, PurePosixPath

import pytest
import yaml

from pipeline import __version__
from pipeline.cli import build_parser
from pipeline.config import parse_config
from pipeline.run import EXIT_FAILED, EXIT_LOCKED, EXIT_PARTIAL, EXIT_USAGE
from pipeline.stages.common import build_connectors

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
CONFIG_PATH = "/etc/dipnews/dipnews.toml"
WAREHOUSE_PATH = "/var/lib/dipnews/warehouse"


# -- readers ---------------------------------------------------------------------------------------------


def parse_unit(text: str) -> dict[str, dict[str, list[str]]]:
    """A systemd unit as ``{section: {key: [values in order]}}`` (keys may repeat, as systemd allows)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        if current is None or "=" not in line:
            raise ValueError(f"line {number}: not a key=value inside a section: {raw!r}")
        key, value = line.split("=", 1)
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def one(unit: dict[str, dict[str, list[str]]], section: str, key: str) -> str:
    values = unit[section][key]
    assert len(values) == 1, f"[{section}] {key} given {len(values)} times"
    return values[0]


def parse_run_command(argv: list[str]):
    """``argv`` (program first) parsed by the real ``dipnews`` parser, which must accept every argument."""
    assert PurePosixPath(argv[0]).name == "dipnews", argv
    args = build_parser().parse_args(argv[1:])
    assert args.command == "run"
    return args


_CRON_RANGES = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 7)]


def cron_schedule_ok(fields: list[str]) -> bool:
    """Whether five cron fields are valid (numbers, ranges, lists, steps and ``*``)."""
    if len(fields) != 5:
        return False
    for field, (low, high) in zip(fields, _CRON_RANGES, strict=True):
        for part in field.split(","):
            base, _, step = part.partition("/")
            if step and not (step.isdigit() and int(step) > 0):
                return False
            if base == "*":
                continue
            bounds = base.split("-")
            if len(bounds) > 2 or not all(b.isdigit() and low <= int(b) <= high for b in bounds):
                return False
    return True


def containerfile_instructions(text: str) -> list[tuple[str, str]]:
    """``(INSTRUCTION, arguments)`` pairs of a Containerfile, continuation lines joined."""
    out: list[tuple[str, str]] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):  # a comment between continuation lines
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line = pending + line
        pending = ""
        instruction, _, arguments = line.partition(" ")
        out.append((instruction.upper(), arguments.strip()))
    assert not pending, "the file ends inside a continued line"
    return out


def quantity(value: str | int) -> float:
    """A Kubernetes quantity (``500m``, ``2``, ``1Gi``) as a number."""
    text = str(value)
    units = {"m": 1e-3, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "k": 1e3, "M": 1e6, "G": 1e9}
    for suffix, factor in units.items():
        if text.endswith(suffix) and text[: -len(suffix)].replace(".", "", 1).isdigit():
            return float(text[: -len(suffix)]) * factor
    return float(text)


# -- the readers themselves (so a check that passes is known to be able to fail) --------------------------


def test_readers_reject_what_they_should() -> None:
    assert cron_schedule_ok(["7", "*", "*", "*", "*"])
    assert cron_schedule_ok(["*/15", "0-6,22", "1", "1-12/2", "0"])
    assert not cron_schedule_ok(["60", "*", "*", "*", "*"])
    assert not cron_schedule_ok(["7", "*", "*", "*"])
    assert not cron_schedule_ok(["7", "*", "*", "*", "mon-fri"])  # names are not supported everywhere
    with pytest.raises(ValueError):
        parse_unit("ExecStart=/bin/true\n")  # outside a section
    assert parse_unit("[S]\nA=1\nA=2\n") == {"S": {"A": ["1", "2"]}}
    assert containerfile_instructions("FROM x\nRUN a \\\n  # note\n  && b\n") == [
        ("FROM", "x"),
        ("RUN", "a  && b"),
    ]
    assert quantity("500m") == 0.5 and quantity("2Gi") == 2 * 2**30 and quantity(2) == 2.0
    with pytest.raises(SystemExit):
        parse_run_command(["dipnews", "run", "--warehuose", "/x"])  # a typo must not pass


# -- the configuration ------------------------------------------------------------------------------------


def test_example_config_loads_and_names_real_connectors() -> None:
    config = parse_config((DEPLOY / "config" / "dipnews.toml").read_text(encoding="utf-8"))
    assert {s.id for s in config.sources} == {"tass", "sputnik", "arabnews", "sankei"}
    assert config.polite and config.fetch.min_interval >= 1.0 and config.fetch.respect_robots
    assert len(build_connectors(config.sources)) == 4


# -- systemd ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def service() -> dict[str, dict[str, list[str]]]:
    return parse_unit((DEPLOY / "systemd" / "dipnews.service").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def timer() -> dict[str, dict[str, list[str]]]:
    return parse_unit((DEPLOY / "systemd" / "dipnews.timer").read_text(encoding="utf-8"))


def test_service_runs_the_batch_command_as_its_own_user(service) -> None:
    assert one(service, "Service", "Type") == "oneshot"
    assert one(service, "Service", "User") == "dipnews"
    args = parse_run_command(shlex.split(one(service, "Service", "ExecStart")))
    assert (args.config, args.warehouse) == (CONFIG_PATH, WAREHOUSE_PATH)
    sysusers = (DEPLOY / "systemd" / "dipnews.sysusers.conf").read_text(encoding="utf-8")
    assert re.search(r"^u dipnews ", sysusers, re.M), "the unit's user is not created by sysusers.d"


def test_service_exit_codes_fit_the_cli(service) -> None:
    success = set(one(service, "Service", "SuccessExitStatus").split())
    assert success == {str(EXIT_PARTIAL), str(EXIT_LOCKED)}
    assert one(service, "Service", "Restart") == "on-failure"
    prevent = set(one(service, "Service", "RestartPreventExitStatus").split())
    assert str(EXIT_USAGE) in prevent and str(EXIT_FAILED) not in prevent


def test_service_is_hardened_and_can_write_only_the_warehouse(service) -> None:
    assert one(service, "Service", "ProtectSystem") == "strict"
    assert one(service, "Service", "NoNewPrivileges") == "yes"
    assert one(service, "Service", "PrivateTmp") == "yes"
    assert one(service, "Service", "CapabilityBoundingSet") == ""
    writable = one(service, "Service", "ReadWritePaths").split()
    assert any(PurePosixPath(WAREHOUSE_PATH).is_relative_to(w) for w in writable)
    assert one(service, "Service", "TimeoutStartSec")


def test_timer_starts_the_service_hourly(timer) -> None:
    assert one(timer, "Timer", "Unit") == "dipnews.service"
    assert one(timer, "Timer", "OnCalendar") == "*-*-* *:07:00"
    assert one(timer, "Timer", "Persistent") == "true"
    assert one(timer, "Install", "WantedBy") == "timers.target"


def _verify(tmp_path: Path, service_text: str) -> subprocess.CompletedProcess:
    """``systemd-analyze verify`` of the service (ExecStart pointed at this venv's dipnews) and timer."""
    dipnews = Path(sys.executable).parent / "dipnews"
    if not dipnews.exists():
        pytest.skip("no dipnews console script next to this interpreter")
    unit = tmp_path / "dipnews.service"
    # verify checks that ExecStart's program exists, and /opt/dipnews is not installed on a test machine.
    unit.write_text(service_text.replace("/opt/dipnews/venv/bin/dipnews", str(dipnews)), encoding="utf-8")
    shutil.copy(DEPLOY / "systemd" / "dipnews.timer", tmp_path / "dipnews.timer")
    return subprocess.run(
        ["systemd-analyze", "verify", str(unit), str(tmp_path / "dipnews.timer")],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )


def _complaints(proc: subprocess.CompletedProcess, tmp_path: Path) -> list[str]:
    # verify exits 0 on unknown keys and bad values ("ignoring"): its messages about our files are errors.
    return [line for line in proc.stderr.splitlines() if str(tmp_path) in line or "dipnews" in line]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    text = (DEPLOY / "systemd" / "dipnews.service").read_text(encoding="utf-8")
    proc = _verify(tmp_path, text)
    assert proc.returncode == 0, proc.stderr
    assert _complaints(proc, tmp_path) == []
    bad = tmp_path / "bad"
    bad.mkdir()
    broken = _verify(bad, text.replace("TimeoutStartSec=", "TimeoutStartSecs="))
    assert _complaints(broken, bad), "verify did not flag an unknown key: the check above proves nothing"
    calendar = subprocess.run(
        ["systemd-analyze", "calendar", "*-*-* *:07:00"], capture_output=True, text=True, timeout=60
    )
    assert calendar.returncode == 0, calendar.stderr


# -- cron -------------------------------------------------------------------------------------------------


def test_cron_line_runs_the_batch_command_without_flock() -> None:
    lines = [
        line
        for line in (DEPLOY / "cron" / "dipnews.cron").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    jobs = [line for line in lines if not re.match(r"^[A-Z_]+=", line)]
    assert len(jobs) == 1, jobs
    fields = jobs[0].split(None, 6)
    assert cron_schedule_ok(fields[:5]) and fields[:2] == ["7", "*"]
    assert fields[5] == "dipnews"  # /etc/cron.d format: the user field
    words = shlex.split(fields[6])
    assert "flock" not in words, "dipnews locks the warehouse itself"
    # Output redirections belong to the shell, not to dipnews.
    argv = [w for w in words if not re.match(r"^\d?>>?|^\d?>&\d$|^&>", w)]
    args = parse_run_command(argv)
    assert (args.config, args.warehouse) == (CONFIG_PATH, WAREHOUSE_PATH)


# -- container --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def containerfile() -> list[tuple[str, str]]:
    return containerfile_instructions((DEPLOY / "container" / "Containerfile").read_text(encoding="utf-8"))


def _user_id(containerfile) -> str:
    return [a for i, a in containerfile if i == "USER"][-1].split(":")[0]


def test_containerfile_builds_the_project_on_python_311_slim(containerfile) -> None:
    assert containerfile[0] == ("FROM", "python:3.11-slim")
    runs = [a for i, a in containerfile if i == "RUN"]
    assert any(re.search(r"\bpip install \.(\s|$)", r) for r in runs), runs
    for instruction, arguments in containerfile:
        if instruction == "COPY":
            *sources, _ = arguments.split()
            for source in sources:
                assert (REPO / source).exists(), f"COPY {source}: not in the build context"
    packages = re.findall(r'"(\w+)\*"', (REPO / "pyproject.toml").read_text(encoding="utf-8"))
    copied = {a.split()[0] for i, a in containerfile if i == "COPY"}
    assert set(packages) <= copied, "a package pyproject.toml installs is not copied into the image"


def test_containerfile_runs_dipnews_as_non_root_with_a_warehouse_volume(containerfile) -> None:
    instructions = [i for i, _ in containerfile]
    user = _user_id(containerfile)
    assert user.isdigit() and int(user) != 0, "a numeric non-root uid (runAsNonRoot can verify it)"
    assert instructions.index("USER") > max(n for n, i in enumerate(instructions) if i == "RUN")
    assert any(i == "RUN" and f"--uid {user}" in a for i, a in containerfile)
    volumes = json.loads([a for i, a in containerfile if i == "VOLUME"][-1])
    assert any(PurePosixPath(WAREHOUSE_PATH).is_relative_to(v) for v in volumes)
    assert json.loads([a for i, a in containerfile if i == "ENTRYPOINT"][-1]) == ["dipnews"]
    cmd = json.loads([a for i, a in containerfile if i == "CMD"][-1])
    args = parse_run_command(["dipnews", *cmd])
    assert (args.config, args.warehouse) == (CONFIG_PATH, WAREHOUSE_PATH)
    copies = [a.split() for i, a in containerfile if i == "COPY"]
    assert ["deploy/config/dipnews.toml", CONFIG_PATH] in copies


# -- Kubernetes -------------------------------------------------------------------------------------------

# The fields of batch/v1 CronJobSpec and JobSpec: a misspelt field is dropped by a lenient apply.
CRONJOB_SPEC = {
    "schedule", "timeZone", "startingDeadlineSeconds", "concurrencyPolicy", "suspend", "jobTemplate",
    "successfulJobsHistoryLimit", "failedJobsHistoryLimit",
}  # fmt: skip
JOB_SPEC = {
    "parallelism", "completions", "activeDeadlineSeconds", "podFailurePolicy", "successPolicy",
    "backoffLimit", "backoffLimitPerIndex", "maxFailedIndexes", "selector", "manualSelector", "template",
    "ttlSecondsAfterFinished", "completionMode", "suspend", "podReplacementPolicy", "managedBy",
}  # fmt: skip


def _manifest(name: str) -> dict:
    docs = list(yaml.safe_load_all((DEPLOY / "kubernetes" / name).read_text(encoding="utf-8")))
    assert len(docs) == 1, name
    return docs[0]


@pytest.fixture(scope="module")
def cronjob() -> dict:
    return _manifest("cronjob.yaml")


def _pod(cronjob: dict) -> dict:
    return cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]


def test_cronjob_schedule_and_concurrency(cronjob) -> None:
    assert (cronjob["apiVersion"], cronjob["kind"]) == ("batch/v1", "CronJob")
    spec = cronjob["spec"]
    assert set(spec) <= CRONJOB_SPEC and set(spec["jobTemplate"]["spec"]) <= JOB_SPEC
    assert cron_schedule_ok(spec["schedule"].split()) and spec["schedule"] == "7 * * * *"
    assert spec["concurrencyPolicy"] == "Forbid"
    assert 0 < spec["startingDeadlineSeconds"] < 3600  # shorter than the period: never two ticks late
    job = spec["jobTemplate"]["spec"]
    assert isinstance(job["backoffLimit"], int) and 0 <= job["backoffLimit"] <= 5
    assert _pod(cronjob)["restartPolicy"] == "Never"  # podFailurePolicy requires it


def test_cronjob_exit_code_policy_fits_the_cli(cronjob) -> None:
    rules = cronjob["spec"]["jobTemplate"]["spec"]["podFailurePolicy"]["rules"]
    fail_job = [r for r in rules if r["action"] == "FailJob" and "onExitCodes" in r]
    assert len(fail_job) == 1
    codes = fail_job[0]["onExitCodes"]
    assert codes["operator"] == "In" and set(codes["values"]) == {EXIT_USAGE, EXIT_PARTIAL}
    assert codes["containerName"] == _pod(cronjob)["containers"][0]["name"]


def test_cronjob_runs_the_image_with_the_batch_command(cronjob, containerfile) -> None:
    (container,) = _pod(cronjob)["containers"]
    assert container["image"] == f"dipnews:{__version__}"
    assert "command" not in container, "the image's ENTRYPOINT (dipnews) runs"
    args = parse_run_command(["dipnews", *container["args"]])
    mounts = {m["name"]: m for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in _pod(cronjob)["volumes"]}
    assert set(mounts) == set(volumes)
    # the warehouse is on the PVC of pvc.yaml
    (warehouse,) = [
        n for n, m in mounts.items() if PurePosixPath(args.warehouse).is_relative_to(m["mountPath"])
    ]
    pvc = _manifest("pvc.yaml")
    assert pvc["kind"] == "PersistentVolumeClaim"
    assert volumes[warehouse]["persistentVolumeClaim"]["claimName"] == pvc["metadata"]["name"]
    assert quantity(pvc["spec"]["resources"]["requests"]["storage"]) >= 2**30
    # the config file is the ConfigMap's key, mounted read-only
    config_path = PurePosixPath(args.config)
    (config,) = [n for n, m in mounts.items() if config_path.parent == PurePosixPath(m["mountPath"])]
    assert mounts[config].get("readOnly") is True
    configmap = _manifest("configmap.yaml")
    assert volumes[config]["configMap"]["name"] == configmap["metadata"]["name"]
    assert config_path.name in configmap["data"]


def test_cronjob_resources_and_security(cronjob, containerfile) -> None:
    pod = _pod(cronjob)
    (container,) = pod["containers"]
    requests, limits = container["resources"]["requests"], container["resources"]["limits"]
    for resource in ("cpu", "memory"):
        assert 0 < quantity(requests[resource]) <= quantity(limits[resource]), resource
    assert quantity(limits["memory"]) >= 1.5 * 2**30  # the throughput benchmark's bound, with room
    security = pod["securityContext"]
    assert security["runAsNonRoot"] is True and security["runAsUser"] == int(_user_id(containerfile))
    assert security["fsGroup"] == security["runAsGroup"]  # so the PVC is writable by the run
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert container["securityContext"]["capabilities"]["drop"] == ["ALL"]
    if container["securityContext"].get("readOnlyRootFilesystem"):
        mounts = {m["mountPath"] for m in container["volumeMounts"]}
        assert "/tmp" in mounts, "Beam needs a writable /tmp"


def test_configmap_carries_the_example_config() -> None:
    text = _manifest("configmap.yaml")["data"]["dipnews.toml"]
    assert text == (DEPLOY / "config" / "dipnews.toml").read_text(encoding="utf-8")
    assert {s.id for s in parse_config(text).sources} == {"tass", "sputnik", "arabnews", "sankei"}


def test_kustomization_lists_every_manifest() -> None:
    kustomization = _manifest("kustomization.yaml")
    manifests = {p.name for p in (DEPLOY / "kubernetes").glob("*.yaml")} - {"kustomization.yaml"}
    assert set(kustomization["resources"]) == manifests
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        return
    proc = subprocess.run(
        [kubectl, "kustomize", str(DEPLOY / "kubernetes")], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    kinds = sorted(d["kind"] for d in yaml.safe_load_all(proc.stdout))
    assert kinds == ["ConfigMap", "CronJob", "PersistentVolumeClaim"]


def test_every_schedule_is_the_same_hourly_tick(cronjob, timer) -> None:
    cron_line = next(
        line
        for line in (DEPLOY / "cron" / "dipnews.cron").read_text(encoding="utf-8").splitlines()
        if line[:1].isdigit()
    )
    assert cron_line.split()[:5] == cronjob["spec"]["schedule"].split()
    assert one(timer, "Timer", "OnCalendar").endswith(":07:00")
