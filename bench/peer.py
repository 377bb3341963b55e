"""The peer: stock Rasa 3.6.21's ``rasa init --no-prompt`` project in a venv of its own.

Built once into ``$KOTOBOTTI_BENCH_CACHE`` (default ``~/.cache/kotobotti-bench``) and
reused by every later ``make bench`` (also from other checkouts): installing Rasa with
TensorFlow from PyPI takes minutes. It never shares Kotobotti's venv, so neither
install can change the other's packages. A marker written last tells a complete part
from an interrupted one, which is simply built again.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

VERSION = "3.6.21"
CACHE = Path(os.environ.get("KOTOBOTTI_BENCH_CACHE", Path.home() / ".cache" / "kotobotti-bench"))


@dataclass(frozen=True)
class Peer:
    venv: Path
    project: Path

    @property
    def rasa(self) -> str:
        return str(self.venv / "bin" / "rasa")

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"


def _env() -> dict[str, str]:
    return {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}


def build_venv(root: Path, python: str = sys.executable) -> Path:
    """The venv with ``rasa==VERSION`` (and nothing of Kotobotti's), made when missing.

    A venv cannot be moved once made (its scripts name their folder), so it is built in
    place and only a marker written last says it is complete.
    """
    venv = root / "venv"
    if (venv / ".installed").exists():
        return venv
    shutil.rmtree(venv, ignore_errors=True)
    print(f"bench: installing stock Rasa {VERSION} into {venv} (once; several minutes)", flush=True)
    subprocess.run([python, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True, env=_env())
    subprocess.run([*pip, f"rasa=={VERSION}"], check=True, env=_env())
    (venv / ".installed").write_text(VERSION + "\n")
    return venv


def build_project(root: Path, venv: Path) -> Path:
    """``rasa init --no-prompt``'s assistant (it trains once as part of init), made when missing."""
    project = root / "project"
    if (project / "config.yml").exists() and (project / ".initialised").exists():
        return project
    work = root / "project.partial"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()  # rasa init wants the folder to exist
    print(f"bench: rasa init --no-prompt into {project} (once)", flush=True)
    subprocess.run(
        [str(venv / "bin" / "rasa"), "init", "--no-prompt", "--init-dir", str(work)],
        check=True,
        cwd=root,
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    # rasa init writes relative paths only: the folder can be renamed.
    shutil.rmtree(project, ignore_errors=True)
    work.rename(project)
    (project / ".initialised").write_text(VERSION + "\n")
    return project


def ensure(root: Path = CACHE) -> Peer:
    """The peer, built when missing and reused otherwise."""
    root = root / f"rasa-{VERSION}"
    root.mkdir(parents=True, exist_ok=True)
    venv = build_venv(root)
    return Peer(venv, build_project(root, venv))
