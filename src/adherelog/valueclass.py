"""Value classes without the ``dataclasses`` import.

``dataclasses`` imports ``inspect`` (and with it ``ast``, ``dis`` and ``tokenize``) and
generates half a dozen methods per class; on the start-up path of ``take`` that is about a
tenth of the whole command. :func:`dataclass` here makes the same classes (type checkers see
a ``dataclass_transform``) with one generated ``__init__`` and shared methods for the rest:
positional or keyword arguments with defaults, ``field(default_factory=…)``, equality and
hashing by the fields in order, a readable ``repr``, and instances that are frozen unless
``frozen=False``. :func:`replace` copies an instance with some fields changed.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any, TypeVar, dataclass_transform

    T = TypeVar("T")
else:

    def dataclass_transform(**_kwargs: object) -> object:
        return lambda decorated: decorated


class FrozenInstanceError(AttributeError):
    """An attempt to change a field of a frozen value."""


class _Field:
    __slots__ = ("default", "factory")

    def __init__(self, default: object, factory: object) -> None:
        self.default = default
        self.factory = factory


_MISSING = object()


def field(*, default: Any = _MISSING, default_factory: Any = _MISSING) -> Any:
    """A field's default, or a function that makes one for each instance."""
    return _Field(default, default_factory)


def _values(self: Any) -> tuple[object, ...]:
    return tuple(getattr(self, name) for name in self.__value_fields__)


def _eq(self: Any, other: object) -> Any:
    if other.__class__ is not self.__class__:
        return NotImplemented
    return bool(_values(self) == _values(other))


def _hash(self: Any) -> int:
    return hash(_values(self))


def _repr(self: Any) -> str:
    shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__value_fields__)
    return f"{self.__class__.__qualname__}({shown})"


def _frozen_setattr(self: Any, name: str, value: object) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _frozen_delattr(self: Any, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


def _fields(cls: type) -> list[tuple[str, object]]:
    """(name, default) of every field, the bases' first, as ``dataclasses`` orders them."""
    found: dict[str, object] = {}
    for klass in reversed(cls.__mro__):
        # (not inspect.get_annotations: importing inspect is what this module avoids)
        annotations = klass.__dict__.get("__annotations__", {})  # noqa: RUF063
        for name, kind in annotations.items():
            if str(kind).startswith(("ClassVar", "typing.ClassVar")):
                continue
            found[name] = klass.__dict__.get(name, _MISSING)
    return list(found.items())


def _make(cls: type, frozen: bool) -> type:
    fields = _fields(cls)
    names = tuple(name for name, _ in fields)
    scope: dict[str, object] = {"_MISSING": _MISSING, "_set": object.__setattr__}
    params, body = [], []
    for name, default in fields:
        if isinstance(default, _Field):
            factory, default = default.factory, default.default
            # The class attribute is the plain default, as with dataclasses, or nothing.
            if default is _MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, default)
            if factory is not _MISSING:
                scope[f"_f_{name}"] = factory
                params.append(f"{name}=_MISSING")
                body.append(f" _set(self, {name!r}, _f_{name}() if {name} is _MISSING else {name})")
                continue
        if default is _MISSING:
            params.append(name)
        else:
            scope[f"_d_{name}"] = default
            params.append(f"{name}=_d_{name}")
        body.append(f" _set(self, {name!r}, {name})")
    source = f"def __init__(self, {', '.join(params)}):\n" + ("\n".join(body) or " pass")
    exec(source, scope)  # noqa: S102  # built only from the class's own field names
    init = scope["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"  # type: ignore[attr-defined]  # a function
    cls.__init__ = init  # type: ignore[misc]  # the generated initialiser
    cls.__value_fields__ = names  # type: ignore[attr-defined]  # read by _values and replace
    cls.__match_args__ = names  # type: ignore[attr-defined,misc]  # as dataclasses sets it
    cls.__eq__ = _eq  # type: ignore[assignment,method-assign]  # field-wise equality
    cls.__repr__ = _repr  # type: ignore[assignment,method-assign]  # readable values
    if frozen:
        cls.__hash__ = _hash  # type: ignore[assignment,method-assign]  # hashable like the fields
        cls.__setattr__ = _frozen_setattr  # type: ignore[assignment,method-assign]  # frozen
        cls.__delattr__ = _frozen_delattr  # type: ignore[assignment,method-assign]  # frozen
    else:
        cls.__hash__ = None  # type: ignore[assignment]  # mutable values are not hashable
    return cls


@dataclass_transform(field_specifiers=(field,))
def dataclass(cls: Any = None, /, *, frozen: bool = False) -> Any:
    """Make ``cls`` a value class: ``@dataclass`` or ``@dataclass(frozen=True)``."""
    if cls is None:
        return lambda later: _make(later, frozen)
    return _make(cls, frozen)


def replace(item: T, **changes: Any) -> T:
    """A copy of ``item`` with ``changes`` to some of its fields."""
    names: tuple[str, ...] = item.__value_fields__  # type: ignore[attr-defined]  # set by _make
    unknown = set(changes) - set(names)
    if unknown:
        raise TypeError(f"{type(item).__name__} has no field {sorted(unknown)[0]!r}")
    values = {name: changes[name] if name in changes else getattr(item, name) for name in names}
    return type(item)(**values)
