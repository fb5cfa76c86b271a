"""The start-up dispatch table, generated from the Typer application by
:mod:`adherelog.cli.tablegen`: run ``cog -r src/adherelog/cli/dispatch_table.py`` after
changing a command (a test fails while it is stale). Do not edit the entries by hand.

- an option: ``(flags, parameter, kind, low, high, multiple, default)``
- an argument: ``(parameter, kind, low, high, nargs, required, default)``
- a command: ``(module:function of its action, arguments, options)``

``kind`` is ``str``, ``int``, ``float`` or ``flag``; ``typer`` (any other type: choices,
paths, dates…, or a callback) leaves that option
(or, as a command's action, the whole command) to Typer. ``low``/``high`` bound a range.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any

    Option = tuple[tuple[str, ...], str, str, Any, Any, bool, Any]
    Argument = tuple[str, str, Any, Any, int, bool, Any]
    Command = tuple[str, tuple[Argument, ...], tuple[Option, ...]]
else:  # at run time the names stay importable, as plain tuples
    Option = Argument = Command = tuple

# fmt: off
# [[[cog
# import cog
# from adherelog.cli.tablegen import table_source
# cog.out(table_source())
# ]]]
ROOT_OPTIONS: tuple[Option, ...] = (
    (('--db',), 'db', 'str', None, None, False, None),
    (('--json',), 'json_flag', 'flag', None, None, False, False),
    (('--version',), 'version', 'typer', None, None, False, False),
)
GROUPS: frozenset[tuple[str, ...]] = frozenset({
    ('buddy',),
    ('effect',),
    ('goal',),
    ('identity',),
    ('med',),
    ('remind',),
    ('share',),
    ('tip',),
})
COMMANDS: dict[tuple[str, ...], Command] = {
    ('backup',): (
        'adherelog.cli.actions.data:backup',
        (
            ('path', 'str', None, None, 1, False, None),
        ),
        (
            (('--force',), 'force', 'flag', None, None, False, False),
            (('--encrypt',), 'encrypt', 'flag', None, None, False, False),
            (('--to',), 'to', 'str', None, None, False, None),
            (('--json',), 'json_flag', 'flag', None, None, False, False),
        ),
    ),
    ('buddy', 'checkin'): (
        'adherelog.cli.actions.buddy:checkin',
        (
            ('name', 'str', None, None, 1, True, None),
        ),
        (
            (('--at',), 'at', 'str', None, None, False, None),
            (('--note',), 'note', 'str', None, None, False, None),
            (('--json',), 'json_flag', 'flag', None, None, False, False),
        ),
    ),
    ('buddy', 'import'): (
        'adherelog.cli.actions.buddy:import_',
        (
            ('file', 'str', None, None, 1, True, None),
        ),
        (
            (('--as',), 'as_', 'str', None, None, False, None),
            (('--replace-key',), 'replace_key', 'flag', None, None, False, False),
            (('--json',), 'json_flag', 'flag', None, None, False, False),
        ),
    ),
    ('buddy', 'list'): (
        'adherelog.cli.actions.buddy:list_',
        (
        ),
        (
            (('--json',), 'json_flag', 'flag', None, None, False, False),
        ),
    ),
    ('buddy', 'rm'): (
        'adherelog.cli.actions.buddy:rm',
        (
            ('name', 'str', None, None, 1, True, None),
        ),
        (
            (('--json',), 'json_flag', 'flag', None, None, False, False),
        ),
    ),
    ('buddy', 'set'): (
        'adherelog.cli.actions.buddy:set_',
        (
            ('name', 'str', None, None, 1, True, None),
        ),
        (
            (('--every',), 'every', 'int', None, None, False, None),
            (('--send-via',), 'send_via', 'str', None, None, False, None),
            (('--card-names',), 'card_names', 'typer', None, None, False, None),
            (('--json',), 'json_flag', 'flag', None, None, False, False),
        ),
    ),
    ('buddy', 'show'): (
        'adherelog.cli.actions.buddy:show',
        (
            ('name', 'str', None, None, 1, True, None),
        ),
        (
            (('--json',), 'json_flag', 'flag', None, None, False, False),
        ),
    ),
    ('calendar',): (
        'adherelog.cli.actions.data:calendar',
        (
        ),
        (
            (('--days',), 'days', 'int', None, None, False, 7),
            (('-o', '--output'), 'output', 'str', None, None, False, None),
            (('--force',), 'force', 'flag', None, None, False, False),
            (('--json',), 'json_flag', 'flag', None, None, False, False),
        ),
    ),
    ('check',): (
        'adherelog.cli.actions.data:check',
        (
        ),
        (
            (('--json',), 'json_flag', 'flag', None, None, False, False),
        ),
    ),
    ('due',): (
        'adherelog.cli.actions.doses:due',
        (
        ),
        (
            (('--json',), 'json_flag', 'flag', None, None, False, False),
        ),
    ),
    ('effect', 'add'): (
        'adherelog.cli.actions.effects:add',
        (
            ('name', 'str', None, None, 1, True, None),
        ),
        (
            (('--severity',), 'severity', 'str', None, None, False, None),
            (('--med',), 'med', 'str', None, None, False, None),
            (('--at',), 'at', 'str', None, None, False, None),
            (('--note',), 'note', 'str', None, None, False, None),
            (('--json',), 'json_flag', 'flag', None, None, False, False),
        ),
    ),
    ('effect', 'list'): (
        'adherelog.cli.actions.effects:list_',
        (
        ),
        (
            (('--since',), 'since', 'str', None, None, False, None),
            (('--until',), 'until_', 'str', None, None, False, None),
            (('--med',), 'med', 'str', None, None, False, None),
            (('--name',), 'name', 'str', None, None, False, None),
            (('--json',), 'json_flag', 'flag', None, None, False, False),
        ),
    ),
    ('export',): (
        'adherelog.cli.actions.data:export',
        (
        ),
        (
            (('--format',), 'format_', 'str', None, None, False, 'json'),
            (('-o', '--output'), 'output', 'str', None, None, False, None),
            (('--force',), 'force', 'flag', None, None, False, False),
            (('--encrypt',), 'encrypt', 'flag', None, None, False, False),
            (('--to',), 'to', 'str', None, None, False, None),
            (('--no-bom',), 'no_bom', 'flag', None, None, False, False),
            (('--json',), 'json_flag', 'flag', None, None, False, False),
        ),
    ),
    ('fhir',): (
        'adherelog.cli.actions.data:fhir',
        (
        ),
        (
            (('--since',), 'since', 'str', None, None, False, None),
            (('--until',), 'until_', 'str', None, None, False, None),
            (('-o', '--output'), 'output', 'str', None, None, False, None),
            (('--force',), 'force', 'flag', None, None, False, False),
            (('--json',), 'json_flag', 'flag', None, None, False, False),
        ),
    ),
    ('goal', 'add'): (
        'adherelog.cli.actions.buddy:goal_add',
        (
            ('text', 'str', None, None, 1, True, None),
        ),
        (
            (('--med',), 'med', 'str', None, None, False, None),
            (('--target',), 'target', 'int', None, None, False, None),
            (('--json',), 'json_flag', 'flag', None, None, False, False),
        ),
    ),
    ('goal', 'done'): (
        'adherelog.cli.actions.buddy:goal_done',
        (
            ('goal_id', 'str', None, None, 1, True, None),
        ),
        (
            (('--json',), 'json_flag', 'flag', None, None, False, False),
        ),
    ),
    ('goal', 'list'): (
        'adherelog.cli.actions.buddy:goal_list',
        (
        ),
        (
            (('--json',), 'json_flag', 'flag', None, None, False, False),
        ),
    ),
    ('goal', 'rm'): (
        'adherelog.cli.actions.buddy:goal_rm',
        (
            ('goal_id', 'str', None, None, 1, True, None),
        ),
        (
            (('--json',), 'json_flag', 'flag', None, None, False, False),
        ),
    ),
    ('history',): (
        'adherelog.cli.actions.doses:history',
        (
        ),
        (
            (('--since',), 'since', 'str', None, None, False, None),
            (('--until',), 'until_', 'str', None, None, False, None),
            (('--med',), 'med', 'str', None, None, False, None),
            (('--json',), 'json_flag', 'flag', None, None, False, False),
        ),
    ),
    ('identity',): (
        'adherelog.cli.actions.identity:show',
        (
        ),
        (
            (('--json',), 'json_flag', 'flag', None, None, False, False),
        ),
    ),
    ('identity', 'new'): (
        'adherelog.cli.actions.identity:renew',
        (
        ),
        (
            (('--yes',), 'yes', 'flag', None, None, False, False),
            (('--json',), 'json_flag', 'flag', None, None, False, False),
        ),
    ),
    ('import',): (
        'adherelog.cli.actions.data:import_',
        (
            ('file', 'str', None, None, 1, True, None),
        ),
        (
            (('--from',), 'from_app', 'str', None, None, False, None),
            (('--dry-run',), 'dry_run', 'flag', None, None, False, False),
            (('--json',), 'json_flag', 'flag', None, None, False, False),
        ),
    ),
    ('med', 'add'): (
        'adherelog.cli.actions.meds:add',
        (
            ('name', 'str', None, None, 1, True, None),
        ),
        (
            (('--dose',), 'dose', 'str', None, None, False, None),
            (('--time',), 'time_', 'str', None, None, True, None),
            (('--every',), 'every', 'int', None, None, False, None),
            (('--on',), 'on', 'str', None, None, False, None),
            (('--rrule',), 'rrule', 'str', None, None, False, None),
            (('--cycle',), 'cycle', 'str', None, None, False, None),
            (('--as-needed',), 'as_needed', 'flag', None, None, False, None),
            (('--start',), 'start', 'str', None, None, False, None),
            (('--end',), 'end', 'str', None, None, False, None),
            (('--grace',), 'grace', 'int', None, None, False, None),
            (('--supply',), 'supply', 'float', None, None, False, None),
            (('--per-dose',), 'per_dose', 'float', None, None, False, None),
            (('--tz',), 'tz', 'str', None, None, False, None),
            (('--note',), 'note', 'str', None, None, False, None),
            (('--json',), 'json_flag', 'flag', None, None, False, False),
        ),
    ),
    ('med', 'edit'): (
        'adherelog.cli.actions.meds:edit',
        (
            ('name', 'str', None, None, 1, True, None),
        ),
        (
            (('--dose',), 'dose', 'str', None, None, False, None),
            (('--time',), 'time_', 'str', None, None, True, None),
            (('--every',), 'every', 'int', None, None, False, None),
            (('--on',), 'on', 'str', None, None, False, None),
            (('--rrule',), 'rrule', 'str', None, None, False, None),
            (('--cycle',), 'cycle', 'str', None, None, False, None),
            (('--as-needed',), 'as_needed', 'flag', None, None, False, None),
            (('--end',), 'end', 'str', None, None, False, None),
            (('--grace',), 'grace', 'int', None, None, False, None),
            (('--tz',), 'tz', 'str', None, None, False, None),
            (('--from',), 'from_', 'str', None, None, False, None),
            (('--supply',), 'supply', 'float', None, None, False, None),
            (('--per-dose',), 'per_dose', 'float', None, None, False, None),
            (('--note',), 'note', 'str', None, None, False, None),
            (('--json',), 'json_flag', 'flag', None, None, False, False),
        ),
    ),
    ('med', 'list'): (
        'adherelog.cli.actions.meds:list_',
        (
        ),
        (
            (('--all',), 'all_', 'flag', None, None, False, False),
            (('--json',), 'json_flag', 'flag', None, None, False, False),
        ),
    ),
    ('med', 'refill'): (
        'adherelog.cli.actions.meds:refill',
        (
            ('name', 'str', None, None, 1, True, None),
            ('count', 'str', None, None, 1, True, None),
        ),
        (
            (('--json',), 'json_flag', 'flag', None, None, False, False),
        ),
    ),
    ('med', 'resume'): (
        'adherelog.cli.actions.meds:resume',
        (
            ('name', 'str', None, None, 1, True, None),
        ),
        (
            (('--from',), 'from_', 'str', None, None, False, None),
            (('--json',), 'json_flag', 'flag', None, None, False, False),
        ),
    ),
    ('med', 'rm'): (
        'adherelog.cli.actions.meds:rm',
        (
            ('name', 'str', None, None, 1, True, None),
        ),
        (
            (('--json',), 'json_flag', 'flag', None, None, False, False),
        ),
    ),
    ('med', 'show'): (
        'adherelog.cli.actions.meds:show',
        (
            ('name', 'str', None, None, 1, True, None),
        ),
        (
            (('--json',), 'json_flag', 'flag', None, None, False, False),
        ),
    ),
    ('med', 'stop'): (
        'adherelog.cli.actions.meds:stop',
        (
            ('name', 'str', None, None, 1, True, None),
        ),
        (
            (('--from',), 'from_', 'str', None, None, False, None),
            (('--json',), 'json_flag', 'flag', None, None, False, False),
        ),
    ),
    ('med', 'taper'): (
        'adherelog.cli.actions.meds:taper',
        (
            ('name', 'str', None, None, 1, True, None),
        ),
        (
            (('--step',), 'step', 'str', None, None, True, None),
            (('--stop',), 'stop', 'str', None, None, False, None),
            (('--dry-run',), 'dry_run', 'flag', None, None, False, False),
            (('--json',), 'json_flag', 'flag', None, None, False, False),
        ),
    ),
    ('remind',): (
        'adherelog.cli.actions.remind:run',
        (
        ),
        (
            (('--via',), 'via', 'str', None, None, True, None),
            (('--discreet',), 'discreet', 'flag', None, None, False, False),
            (('--dry-run',), 'dry_run', 'flag', None, None, False, False),
            (('--repeat',), 'repeat', 'int', 1, None, False, 30),
            (('--max',), 'max_', 'int', 1, None, False, 3),
            (('--json',), 'json_flag', 'flag', None, None, False, False),
        ),
    ),
    ('remind', 'config'): (
        'adherelog.cli.actions.remind:config',
        (
        ),
        (
            (('--via',), 'via', 'str', None, None, True, None),
            (('--discreet',), 'discreet', 'flag', None, None, False, False),
            (('--no-discreet',), 'no_discreet', 'flag', None, None, False, False),
            (('--json',), 'json_flag', 'flag', None, None, False, False),
        ),
    ),
    ('remind', 'install'): (
        'adherelog.cli.actions.remind:install',
        (
        ),
        (
            (('--every',), 'every', 'int', 1, 60, False, 5),
            (('--cron',), 'cron', 'flag', None, None, False, False),
            (('--json',), 'json_flag', 'flag', None, None, False, False),
        ),
    ),
    ('remind', 'uninstall'): (
        'adherelog.cli.actions.remind:uninstall',
        (
        ),
        (
            (('--json',), 'json_flag', 'flag', None, None, False, False),
        ),
    ),
    ('report',): (
        'adherelog.cli.actions.data:report',
        (
        ),
        (
            (('--since',), 'since', 'str', None, None, False, None),
            (('--until',), 'until_', 'str', None, None, False, None),
            (('--format',), 'format_', 'str', None, None, False, 'md'),
            (('-o', '--output'), 'output', 'str', None, None, False, None),
            (('--force',), 'force', 'flag', None, None, False, False),
            (('--json',), 'json_flag', 'flag', None, None, False, False),
        ),
    ),
    ('restore',): (
        'adherelog.cli.actions.data:restore',
        (
            ('backup_file', 'str', None, None, 1, True, None),
        ),
        (
            (('--json',), 'json_flag', 'flag', None, None, False, False),
        ),
    ),
    ('sample',): (
        'adherelog.cli.actions.sample:sample',
        (
        ),
        (
            (('--days',), 'days', 'int', 7, 366, False, 28),
            (('--json',), 'json_flag', 'flag', None, None, False, False),
        ),
    ),
    ('share', 'card'): (
        'adherelog.cli.actions.share:card',
        (
        ),
        (
            (('--days',), 'days', 'int', None, None, False, 7),
            (('--no-names',), 'no_names', 'flag', None, None, False, False),
            (('--format',), 'format_', 'str', None, None, False, None),
            (('--to',), 'to', 'str', None, None, False, None),
            (('--encrypt',), 'encrypt', 'flag', None, None, False, False),
            (('-o', '--output'), 'output', 'str', None, None, False, None),
            (('--force',), 'force', 'flag', None, None, False, False),
            (('--json',), 'json_flag', 'flag', None, None, False, False),
        ),
    ),
    ('skip',): (
        'adherelog.cli.actions.doses:skip',
        (
            ('med', 'str', None, None, 1, True, None),
        ),
        (
            (('--at',), 'at', 'str', None, None, False, None),
            (('--reason',), 'reason', 'str', None, None, False, None),
            (('--slot',), 'slot', 'str', None, None, False, None),
            (('--json',), 'json_flag', 'flag', None, None, False, False),
        ),
    ),
    ('streak',): (
        'adherelog.cli.actions.summary:streak',
        (
        ),
        (
            (('--med',), 'med', 'str', None, None, False, None),
            (('--json',), 'json_flag', 'flag', None, None, False, False),
        ),
    ),
    ('summary',): (
        'adherelog.cli.actions.summary:summary',
        (
        ),
        (
            (('--since',), 'since', 'str', None, None, False, None),
            (('--days',), 'days', 'int', None, None, False, None),
            (('--med',), 'med', 'str', None, None, False, None),
            (('--explain',), 'explain', 'flag', None, None, False, False),
            (('--json',), 'json_flag', 'flag', None, None, False, False),
        ),
    ),
    ('take',): (
        'adherelog.cli.actions.doses:take',
        (
            ('meds', 'str', None, None, -1, True, None),
        ),
        (
            (('--at',), 'at', 'str', None, None, False, None),
            (('--amount',), 'amount', 'float', None, None, False, None),
            (('--note',), 'note', 'str', None, None, False, None),
            (('--slot',), 'slot', 'str', None, None, False, None),
            (('--extra',), 'extra', 'flag', None, None, False, False),
            (('--json',), 'json_flag', 'flag', None, None, False, False),
        ),
    ),
    ('tip', 'add'): (
        'adherelog.cli.actions.tips:add',
        (
            ('text', 'str', None, None, 1, True, None),
        ),
        (
            (('--med',), 'med', 'str', None, None, False, None),
            (('--effect',), 'effect', 'str', None, None, False, None),
            (('--tag',), 'tag', 'str', None, None, True, None),
            (('--json',), 'json_flag', 'flag', None, None, False, False),
        ),
    ),
    ('tip', 'digest'): (
        'adherelog.cli.actions.tips:digest',
        (
            ('files', 'str', None, None, -1, True, None),
        ),
        (
            (('--group',), 'group', 'str', None, None, False, None),
            (('--min-peers',), 'min_peers', 'int', None, None, False, 3),
            (('--skip-invalid',), 'skip_invalid', 'flag', None, None, False, False),
            (('--format',), 'format_', 'str', None, None, False, 'json'),
            (('-o', '--output'), 'output', 'str', None, None, False, None),
            (('--force',), 'force', 'flag', None, None, False, False),
            (('--json',), 'json_flag', 'flag', None, None, False, False),
        ),
    ),
    ('tip', 'edit'): (
        'adherelog.cli.actions.tips:edit',
        (
            ('tip_id', 'str', None, None, 1, True, None),
            ('text', 'str', None, None, 1, True, None),
        ),
        (
            (('--json',), 'json_flag', 'flag', None, None, False, False),
        ),
    ),
    ('tip', 'export'): (
        'adherelog.cli.actions.tips:export',
        (
        ),
        (
            (('--med',), 'med', 'str', None, None, False, None),
            (('--effect',), 'effect', 'str', None, None, False, None),
            (('--tag',), 'tag', 'str', None, None, True, None),
            (('--search',), 'search', 'str', None, None, False, None),
            (('--mine',), 'mine', 'flag', None, None, False, False),
            (('--peer',), 'peer', 'flag', None, None, False, False),
            (('--id',), 'id_', 'str', None, None, True, None),
            (('--format',), 'format_', 'str', None, None, False, 'json'),
            (('--dry-run',), 'dry_run', 'flag', None, None, False, False),
            (('--allow-links',), 'allow_links', 'flag', None, None, False, False),
            (('-o', '--output'), 'output', 'str', None, None, False, None),
            (('--force',), 'force', 'flag', None, None, False, False),
            (('--json',), 'json_flag', 'flag', None, None, False, False),
        ),
    ),
    ('tip', 'import'): (
        'adherelog.cli.actions.tips:import_',
        (
            ('file', 'str', None, None, 1, True, None),
        ),
        (
            (('--dry-run',), 'dry_run', 'flag', None, None, False, False),
            (('--from',), 'from_', 'str', None, None, False, None),
            (('--json',), 'json_flag', 'flag', None, None, False, False),
        ),
    ),
    ('tip', 'list'): (
        'adherelog.cli.actions.tips:list_',
        (
        ),
        (
            (('--med',), 'med', 'str', None, None, False, None),
            (('--effect',), 'effect', 'str', None, None, False, None),
            (('--tag',), 'tag', 'str', None, None, True, None),
            (('--search',), 'search', 'str', None, None, False, None),
            (('--mine',), 'mine', 'flag', None, None, False, False),
            (('--peer',), 'peer', 'flag', None, None, False, False),
            (('--json',), 'json_flag', 'flag', None, None, False, False),
        ),
    ),
    ('tip', 'rate'): (
        'adherelog.cli.actions.tips:rate',
        (
            ('tip_id', 'str', None, None, 1, True, None),
        ),
        (
            (('--helped',), 'helped', 'flag', None, None, False, False),
            (('--not-helped',), 'not_helped', 'flag', None, None, False, False),
            (('--json',), 'json_flag', 'flag', None, None, False, False),
        ),
    ),
    ('tip', 'rm'): (
        'adherelog.cli.actions.tips:rm',
        (
            ('tip_id', 'str', None, None, 1, True, None),
        ),
        (
            (('--json',), 'json_flag', 'flag', None, None, False, False),
        ),
    ),
    ('tip', 'schema'): (
        'adherelog.cli.actions.tips:schema',
        (
        ),
        (
            (('--json',), 'json_flag', 'flag', None, None, False, False),
        ),
    ),
    ('tip', 'show'): (
        'adherelog.cli.actions.tips:show',
        (
            ('tip_id', 'str', None, None, 1, True, None),
        ),
        (
            (('--json',), 'json_flag', 'flag', None, None, False, False),
        ),
    ),
    ('undo',): (
        'adherelog.cli.actions.doses:undo',
        (
        ),
        (
            (('--json',), 'json_flag', 'flag', None, None, False, False),
        ),
    ),
}
# [[[end]]]
# fmt: on
