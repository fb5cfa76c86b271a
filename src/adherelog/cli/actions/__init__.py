"""What each command does, without Typer: one function per command, called with the global
settings and the command's own options by keyword, returning the exit code.

The Typer commands (:mod:`adherelog.cli.app` and the noun modules) and the start-up
dispatcher (:mod:`adherelog.cli.dispatch`) both call these functions, with the same keyword
arguments. Modules a command needs only once it runs are imported inside it: importing them
here would add their cost to every command's start-up (SPEC §10).
"""
