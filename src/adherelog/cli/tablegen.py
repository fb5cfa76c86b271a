"""Derive the start-up dispatch table (:mod:`adherelog.cli.dispatch_table`) from the Typer
application, so the command line is defined once: run ``cog -r
src/adherelog/cli/dispatch_table.py`` after changing a command; a test fails when the table
is stale.

Each command's entry names the typer-free action its Typer function calls and how to read
its arguments and options. The Typer function must be one call,
``finish(ACTION(settings(ctx, json_flag), name=name, ...))``, passing every parameter on by
its own name; anything else is refused here, so the table cannot call something the Typer
command does not. What the start-up parser cannot do exactly as Click does is marked
``TYPER`` (that option, or the whole command, is then left to Typer).
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Callable, Iterator
from typing import Any

import typer
from typer._click import core as click_core
from typer._click import types as click_types
from typer.core import TyperArgument, TyperGroup, TyperOption

from adherelog.cli.app import app

TYPER = "typer"
JSON_PARAM = "json_flag"
PLAIN_SETTINGS = {"help_option_names": ["-h", "--help"]}


class TableError(Exception):
    """A Typer command the table cannot describe faithfully."""


def _kind(param: click_core.Parameter) -> tuple[str, Any, Any]:
    """``(kind, low, high)`` of a parameter's value."""
    kind_of = {
        click_types.StringParamType: "str",
        click_types.IntParamType: "int",
        click_types.FloatParamType: "float",
    }
    ptype = param.type
    if isinstance(param, TyperOption) and param.is_flag:
        plain_flag = (
            param.is_bool_flag and not param.secondary_opts and param.default in (False, None)
        )
        return ("flag" if plain_flag else TYPER), None, None
    if type(ptype) in kind_of:
        return kind_of[type(ptype)], None, None
    if isinstance(ptype, click_types.IntRange | click_types.FloatRange):
        closed = not (ptype.min_open or ptype.max_open or ptype.clamp)
        kind = "int" if isinstance(ptype, click_types.IntRange) else "float"
        return (kind if closed else TYPER), ptype.min, ptype.max
    return TYPER, None, None


def _plain(param: click_core.Parameter) -> bool:
    """Whether the parameter's value, when not given, is simply its default."""
    return (
        param.expose_value
        and param.envvar is None
        and not getattr(param, "prompt", None)
        and not getattr(param, "count", False)
        and not getattr(param, "deprecated", False)
        and not (isinstance(param, TyperOption) and param.required)
        and param.nargs in (1, -1)
    )


def _action(callback: Callable[..., Any], names: list[str], *, group: bool = False) -> str:
    """``module:function`` of the action the Typer function calls, checking its shape (a
    group's callback runs it only ``if ctx.invoked_subcommand is None``)."""
    callback = inspect.unwrap(callback)  # Typer calls the function through a wrapper
    tree = ast.parse(textwrap.dedent(inspect.getsource(callback)))
    func = tree.body[0]
    assert isinstance(func, ast.FunctionDef)
    body = func.body[1:] if ast.get_docstring(func) is not None else func.body
    where = f"{callback.__module__}.{callback.__name__}"
    match body:
        case [
            ast.If(
                test=ast.Compare(
                    left=ast.Attribute(value=ast.Name(id="ctx"), attr="invoked_subcommand"),
                    ops=[ast.Is()],
                    comparators=[ast.Constant(value=None)],
                ),
                body=inner,
                orelse=[],
            )
        ] if group:
            body = inner  # a group that is also a command: its own run, without a subcommand
        case _:
            pass
    match body:
        case [
            ast.Expr(
                value=ast.Call(
                    func=ast.Name(id="finish"),
                    args=[
                        ast.Call(
                            func=action,
                            args=[
                                ast.Call(
                                    func=ast.Name(id="settings"),
                                    args=[ast.Name(id="ctx"), ast.Name(id="json_flag")],
                                )
                            ],
                            keywords=keywords,
                        )
                    ],
                )
            )
        ]:
            pass
        case _:
            raise TableError(f"{where} must be one finish(ACTION(settings(ctx, json_flag), ...))")
    passed = [
        k.arg or "" for k in keywords if isinstance(k.value, ast.Name) and k.value.id == k.arg
    ]
    if len(passed) != len(keywords) or sorted(passed) != sorted(names):
        raise TableError(f"{where} must pass each of {names} on as name=name")
    target: Any = callback.__globals__
    for part in ast.unparse(action).split("."):
        target = target[part] if isinstance(target, dict) else getattr(target, part)
    return f"{target.__module__}:{target.__qualname__}"


def _entry(command: click_core.Command) -> tuple[Any, ...]:
    callback = command.callback
    if callback is None:
        raise TableError(f"{command.name} has no function")
    params = [p for p in command.params if p.name != JSON_PARAM]
    names = [str(p.name) for p in params]
    action = _action(callback, names, group=isinstance(command, TyperGroup))
    arguments = [p for p in command.params if isinstance(p, TyperArgument)]
    options = [p for p in command.params if isinstance(p, TyperOption)]
    plain = (
        command.context_settings in ({}, PLAIN_SETTINGS)
        and all(_plain(p) and p.callback is None for p in command.params)
        and (len(arguments) < 2 or all(a.nargs == 1 for a in arguments))
    )
    if not plain:
        return (TYPER, (), ())
    return (
        action,
        tuple((a.name, *_kind(a), a.nargs, a.required, a.default) for a in arguments),
        tuple(_option(o) for o in options),
    )


def _option(option: TyperOption) -> tuple[Any, ...]:
    return (tuple(option.opts), option.name, *_kind(option), option.multiple, option.default)


def _commands(group: Any, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Any]]:
    for name, command in sorted(group.commands.items()):
        if isinstance(command, TyperGroup):
            yield (*path, name), None
            if command.invoke_without_command and command.callback is not None:
                yield (*path, name), command  # ``remind`` runs a pass; ``remind config``…
            yield from _commands(command, (*path, name))
        else:
            yield (*path, name), command


def _root_options(root: TyperGroup) -> tuple[tuple[Any, ...], ...]:
    """The global options; an eager flag with a callback (``--version``) goes to Typer."""
    found = []
    for option in root.params:
        assert isinstance(option, TyperOption)
        if option.callback is not None and not (option.is_eager and option.default is False):
            raise TableError(f"global option {option.name} has a callback that always runs")
        entry = _option(option)
        found.append(entry if option.callback is None else (*entry[:2], TYPER, *entry[3:]))
    return tuple(found)


def table_source() -> str:
    """The body of :mod:`adherelog.cli.dispatch_table`, one entry a line."""
    root = typer.main.get_command(app)
    assert isinstance(root, TyperGroup)
    lines = ["ROOT_OPTIONS: tuple[Option, ...] = ("]
    lines += [f"    {option!r}," for option in _root_options(root)]
    lines += [")", "GROUPS: frozenset[tuple[str, ...]] = frozenset({"]
    entries = list(_commands(root, ()))
    lines += [f"    {path!r}," for path, command in entries if command is None]
    lines += ["})", "COMMANDS: dict[tuple[str, ...], Command] = {"]
    for path, command in entries:
        if command is None:
            continue
        action, arguments, options = _entry(command)
        lines += [f"    {path!r}: (", f"        {action!r},"]
        for part in (arguments, options):
            lines += ["        (", *(f"            {item!r}," for item in part), "        ),"]
        lines += ["    ),"]
    lines += ["}"]
    return "\n".join(lines) + "\n"
