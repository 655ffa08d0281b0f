"""environment.yml (conda-forge) and pyproject.toml list the same dependencies."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
# conda-forge names where they differ from PyPI's
CONDA = {"duckdb": "python-duckdb", "matplotlib": "matplotlib-base", "types-PyYAML": "types-pyyaml"}


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=!~ ]", requirement, maxsplit=1)[0]


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {CONDA.get(_name(r), _name(r)) for r in project["dependencies"]}
    wanted |= {CONDA.get(_name(r), _name(r)) for r in project["optional-dependencies"]["dev"]}
    wanted = {"distributed" if w == "dask" else w for w in wanted} | {"dask"}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    listed = {_name(d) for d in env["dependencies"] if isinstance(d, str)} - {"python", "pip"}
    # what conda-forge lacks comes from PyPI, in the pip list beside the package itself
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    listed |= {_name(d) for d in pip if not d.startswith("-e")}
    assert listed == wanted
