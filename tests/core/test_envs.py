"""envs/*.yaml (conda environments for `--sdm conda`) install pyproject.toml's pins, and every rule
points at an environment that can run its script."""

import re
import subprocess
import sys
import tomllib

import yaml

from tests.conftest import REPO

# Packages of the Snakemake process itself, not of any rule's job.
DRIVER_ONLY = {"snakemake-executor-plugin-slurm"}
# The model stack (training, quantization, evaluation): what the data environment leaves out.
TRAINING_ONLY = {"deepspeed", "accelerate", "tensorboard", "bitsandbytes", "gptqmodel", "lm-eval"}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0].lower()


def _project_requirements() -> list[str]:
    return tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]


def _pip_requirements(env_file) -> list[str]:
    env = yaml.safe_load(env_file.read_text())
    return next(item["pip"] for item in env["dependencies"] if isinstance(item, dict))


def _envs() -> dict[str, list[str]]:
    return {path.name: _pip_requirements(path) for path in sorted((REPO / "envs").glob("*.yaml"))}


def _rules():
    """(file, rule, conda env file name, script path) of every rule in rules/*.smk with a conda: directive."""
    found = []
    for smk in sorted((REPO / "rules").glob("*.smk")):
        # A rule's block runs from `rule name:` to the next `rule` line at the same or lower indentation.
        blocks = re.split(r"\n(?=\s*(?:rule|checkpoint) \w+:)", smk.read_text())
        for block in blocks:
            head = re.match(r"\s*(?:rule|checkpoint) (\w+):", block)
            conda = re.search(r"conda:\s*\n\s*\"\.\./envs/([\w.-]+)\"", block)
            script = re.search(r"script:\s*\n\s*\"\.\./([\w/.-]+)\"", block)
            if head and conda:
                found.append((smk.name, head.group(1), conda.group(1), script.group(1) if script else None))
    return found


def test_every_environment_pins_exactly_what_pyproject_pins():
    project = {_name(req): req for req in _project_requirements() if _name(req) not in DRIVER_ONLY}
    for env_name, requirements in _envs().items():
        for req in requirements:
            assert _name(req) in project, f"envs/{env_name}: {req} is not a dependency in pyproject.toml"
            assert req == project[_name(req)], f"envs/{env_name}: {req} but pyproject.toml has {project[_name(req)]}"
    covered = {_name(req) for requirements in _envs().values() for req in requirements}
    assert set(project) <= covered, f"in pyproject.toml but in no envs/*.yaml: {sorted(set(project) - covered)}"


def test_the_data_environment_is_everything_but_the_training_stack():
    project = {_name(req) for req in _project_requirements()} - DRIVER_ONLY
    assert {_name(req) for req in _envs()["data.yaml"]} == project - TRAINING_ONLY
    assert {_name(req) for req in _envs()["train.yaml"]} == project


def test_every_rule_uses_an_existing_environment():
    rules = _rules()
    assert len(rules) > 20
    envs = set(_envs())
    missing = [(smk, rule, env) for smk, rule, env, _ in rules if env not in envs]
    assert not missing, f"rules whose conda: file is not in envs/: {missing}"


MODEL_STACK = {"torch", "deepspeed", "lm_eval", "bitsandbytes", "gptqmodel"}


def _first_import_of(packages: set[str], names: list[tuple[str, str | None]]) -> str:
    """Import each (module, name) in turn in one fresh interpreter (the name read from the module
    when given, for lazy attributes); the first that loads one of `packages`, or ""."""
    probe = ("import importlib, sys\n"
             f"for module, name in {names!r}:\n"
             "    loaded = importlib.import_module(module)\n"
             "    if name: getattr(loaded, name)\n"
             f"    if set({sorted(packages)!r}) & set(sys.modules):\n"
             "        print(module if name is None else f'{module} {name}'); break\n")
    result = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.strip()


def test_scripts_of_data_environment_rules_do_not_import_the_model_stack():
    # The xuanyuan modules these scripts import, in one fresh interpreter; it names the first module
    # that pulls torch or another package of the model stack (a data environment has none of them).
    # Imports inside functions are not seen: a rule whose job imports them lazily still needs train.yaml.
    imports = {}
    for smk, rule, env, script in _rules():
        if env == "data.yaml" and script:
            text = (REPO / script).read_text()
            for module in re.findall(r"^(?:from|import) (xuanyuan[\w.]*)", text, re.MULTILINE):
                imports.setdefault(module, []).append(f"{smk}:{rule}")
    heavy = _first_import_of(MODEL_STACK, [(module, None) for module in sorted(imports)])
    assert not heavy, (f"{heavy} imports torch or the model stack, but these rules run it with envs/data.yaml: "
                       f"{sorted(set(imports[heavy]))}; point their conda: at ../envs/train.yaml")


def test_parsing_the_snakefile_imports_no_model_stack():
    # Every Snakemake start parses the Snakefile: each dry run, and every job on a cluster. What the
    # Snakefile and rules import by name at parse time (`from xuanyuan... import a, b`), imported and
    # read in a fresh interpreter, must not pull torch (~3 s of CPU each time).
    names = []
    for path in [REPO / "Snakefile", *sorted((REPO / "rules").rglob("*.smk"))]:
        text = path.read_text()
        for module, imported in re.findall(r"^from (xuanyuan[\w.]*) import (\([^)]*\)|.*)$", text, re.MULTILINE):
            for name in re.findall(r"(\w+)(?: as \w+)?", imported.strip("()")):
                names.append((module, name))
    assert {("xuanyuan.chat", "read_questions"), ("xuanyuan.config", "check_semantics")} <= set(names), names
    heavy = _first_import_of(MODEL_STACK | {"transformers"}, sorted(set(names)))
    assert not heavy, f"{heavy} imports the model stack at Snakefile parse time"
