"""adherelog: a personal medication adherence journal."""

__version__ = "0.1.0"
