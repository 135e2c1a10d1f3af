"""Every third-party package the code imports is a declared dependency, and every declared one is pinned."""

import ast
import sys
from collections import defaultdict
from importlib.metadata import packages_distributions

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.packaging.project import PACKAGES, PYPROJECT, ROOT

REQUIREMENTS = [Requirement(line) for line in PYPROJECT["project"]["dependencies"]]
DEV_REQUIREMENTS = [Requirement(line) for line in PYPROJECT["project"]["optional-dependencies"]["dev"]]


def imported_modules() -> dict[str, set[str]]:
    """Top-level module name → the files that import it: every import statement of the packages, those inside
    functions and `if TYPE_CHECKING:` included."""
    found: dict[str, set[str]] = defaultdict(set)
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    found[name.partition(".")[0]].add(path.relative_to(ROOT).as_posix())
    return found


def test_every_third_party_module_the_code_imports_comes_from_a_declared_dependency() -> None:
    declared = {canonicalize_name(requirement.name) for requirement in REQUIREMENTS}
    providers = packages_distributions()
    undeclared = {
        module: f"from {sorted(providers.get(module, ['nothing installed']))}, imported by {sorted(files)}"
        for module, files in imported_modules().items()
        if module not in PACKAGES
        and module not in sys.stdlib_module_names
        and not {canonicalize_name(name) for name in providers.get(module, [])} & declared
    }
    assert not undeclared, f"declare in pyproject.toml [project] dependencies, with a lower bound: {undeclared}"


def test_every_declared_dependency_has_a_lower_bound_and_a_pin_inside_its_range() -> None:
    lines = (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()
    pins = dict(line.split("==", 1) for line in lines if "==" in line)
    pinned = {canonicalize_name(name): version for name, version in pins.items()}
    for requirement in REQUIREMENTS + DEV_REQUIREMENTS:
        assert any(spec.operator in (">=", "~=", "==") for spec in requirement.specifier), f"no floor: {requirement}"
        version = pinned.get(canonicalize_name(requirement.name))
        assert version is not None, f"{requirement.name} is not pinned in constraints.txt"
        assert requirement.specifier.contains(version), f"constraints.txt pins {version}, outside {requirement}"
