"""The simulator's parameters: one YAML file (params.yaml beside this module) where every leaf is
``{value, source}``. ``Params.get("a.b")`` returns the value; ``Params.yearly`` reads a mapping of
year → value and interpolates linearly between the years it names (holding the ends flat), so the
file only lists the years a source gives. A leaf whose value is ``{policy: NAME, parameter: P}``
is the ruler's own parameter (``lantu/standards/policies``, each value with its document): the
value in force that year, a step from each ``from`` year, never interpolated — one source for the
rules and the truth.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import yaml


class Params:
    def __init__(self, tree: Mapping[str, Any]) -> None:
        self.tree = tree

    @classmethod
    def load(cls, path: Path | None = None) -> Params:
        if path is None:
            text = resources.files("lantu.simulator").joinpath("params.yaml").read_text("utf-8")
        else:
            text = path.read_text("utf-8")
        return cls(yaml.safe_load(text))

    def node(self, dotted: str) -> Any:
        node: Any = self.tree
        for part in dotted.split("."):
            node = node[part]
        return node

    def get(self, dotted: str) -> Any:
        node = self.node(dotted)
        if not isinstance(node, Mapping) or "value" not in node:
            raise KeyError(f"{dotted} is not a parameter leaf")
        return node["value"]

    def f(self, dotted: str) -> float:
        return float(self.get(dotted))

    def yearly(self, dotted: str, year: int) -> float:
        value = self.get(dotted)
        if "policy" in value:
            return ruler_value(str(value["policy"]), str(value["parameter"]), year)
        table = {int(k): float(v) for k, v in value.items()}
        years = sorted(table)
        return float(np.interp(year, years, [table[y] for y in years]))

    def leaves(self) -> list[tuple[str, Any, str]]:
        """Every (path, value, source), for the docs and the test that each has a source."""
        out: list[tuple[str, Any, str]] = []

        def walk(prefix: str, node: Any) -> None:
            if isinstance(node, Mapping) and "value" in node:
                out.append((prefix, node["value"], str(node.get("source", ""))))
            elif isinstance(node, Mapping):
                for key, child in node.items():
                    walk(f"{prefix}.{key}" if prefix else str(key), child)

        walk("", self.tree)
        return out


def ruler_value(policy: str, parameter: str, year: int) -> float:
    """The ruler's value of ``parameter`` in force in ``year`` under ``policy`` (the first value's
    year before it: the simulator starts before some parameters exist)."""
    from lantu.standards.policy import load

    param = load(policy).parameters[parameter]
    found = param.at(year) or min(param.values, key=lambda v: v.start)
    return float(found.value)


def stream(seed: int, name: str) -> np.random.Generator:
    """An independent random stream per (seed, purpose), so adding draws in one part of the
    simulator never shifts the numbers of another."""
    key = [int(b) for b in name.encode("utf-8")]
    return np.random.default_rng(np.random.SeedSequence([seed, *key]))
