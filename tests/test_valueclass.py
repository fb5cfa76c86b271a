"""Value classes made without the dataclasses module behave as dataclasses would."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adherelog.valueclass import dataclass, field, replace


@dataclass(frozen=True)
class Point:
    x: int
    y: int = 0
    tags: tuple[str, ...] = field(default=())


@dataclass
class Bag:
    name: str
    items: list[int] = field(default_factory=list)


@dataclasses.dataclass(frozen=True)
class RealPoint:
    x: int
    y: int = 0
    tags: tuple[str, ...] = ()


def test_arguments_defaults_and_keywords() -> None:
    assert (Point(1).x, Point(1).y, Point(1).tags) == (1, 0, ())
    assert Point(1, 2) == Point(x=1, y=2) == Point(y=2, x=1)
    assert Point.y == 0
    with pytest.raises(TypeError):
        Point()  # type: ignore[call-arg]  # x has no default: refused, as dataclasses do
    with pytest.raises(TypeError):
        Point(1, z=3)  # type: ignore[call-arg]  # no such field


def test_frozen_values_refuse_changes_and_hash_by_fields() -> None:
    p = Point(1, 2)
    with pytest.raises(AttributeError):
        p.x = 5  # type: ignore[misc]  # frozen
    with pytest.raises(AttributeError):
        del p.x
    assert hash(p) == hash(Point(1, 2))
    assert {p, Point(1, 2)} == {p}
    assert p != Point(2, 1)
    assert p != RealPoint(1, 2)  # type: ignore[comparison-overlap]  # other classes differ


def test_mutable_values_get_a_new_default_each_and_are_not_hashable() -> None:
    a, b = Bag("a"), Bag("b")
    a.items.append(1)
    assert b.items == []
    a.name = "c"
    assert a == Bag("c", [1])
    with pytest.raises(TypeError):
        hash(a)


def test_replace_and_repr_match_dataclasses() -> None:
    assert replace(Point(1, 2), y=5) == Point(1, 5)
    with pytest.raises(TypeError, match="no field 'z'"):
        replace(Point(1), z=1)  # refused, as dataclasses.replace does
    assert repr(Point(1, 2, ("a",))) == repr(RealPoint(1, 2, ("a",))).replace("RealPoint", "Point")
    assert Point.__match_args__ == RealPoint.__match_args__


@given(st.integers(), st.integers(), st.lists(st.text(max_size=3), max_size=3))
def test_equality_and_hash_agree_with_dataclasses(x: int, y: int, tags: list[str]) -> None:
    ours, real = Point(x, y, tuple(tags)), RealPoint(x, y, tuple(tags))
    assert (ours == Point(x, y, tuple(tags))) is (real == RealPoint(x, y, tuple(tags)))
    assert hash(ours) == hash(dataclasses.astuple(real))


def test_the_start_up_path_does_not_import_dataclasses() -> None:
    import subprocess
    import sys

    code = (
        "import sys, adherelog.cli.dispatch, adherelog.model, adherelog.doses;"
        "print('dataclasses' in sys.modules, 'inspect' in sys.modules)"
    )
    found = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert found.split() == ["False", "False"]


def test_no_module_of_the_package_imports_dataclasses() -> None:
    import ast
    from pathlib import Path

    import adherelog

    offenders = []
    for path in Path(adherelog.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            if "dataclasses" in names:
                offenders.append(path.name)
    assert offenders == []


def test_the_write_path_of_take_does_not_import_typing() -> None:
    import subprocess
    import sys

    code = (
        "import sys, adherelog.cli.dispatch, adherelog.cli.common, adherelog.doses,"
        " adherelog.meds, adherelog.rules, adherelog.due; print('typing' in sys.modules)"
    )
    found = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert found.split() == ["False"]
