"""The buddy check-in card, version 2 (SPEC §12): a short summary to send a support buddy.

It holds the period (its first and last date), adherence and the current streak over it
(overall and per medication, or per "medication A" with ``names=False``), the most frequent
side effects, the tips that helped me and my open goals with their progress. It never holds
notes, clock times, dose amounts, ids, or anything a peer's bundle brought in except the
text of tips I rated as helpful. The JSON card is signed by the journal's key and carries
its age recipient (``reply_to``) so the buddy can answer encrypted. No printing here.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Iterable
from datetime import date

from adherelog import goals as goal_list
from adherelog import jsonshape, summary, tips
from adherelog.errors import UsageError
from adherelog.journal import Journal
from adherelog.text import is_forbidden_char, one_line
from adherelog.tipfile import md_escape
from adherelog.valueclass import dataclass, field

DEFAULT_DAYS = 7
MAX_DAYS = 366
MAX_EFFECTS = 5
MAX_TIPS = 5


@dataclass(frozen=True)
class CardMed:
    """One medication's line: slot counts over the period and its current streak."""

    label: str
    as_needed: bool
    taken: int
    skipped: int
    missed: int
    pending: int
    current_streak: int
    as_needed_doses: int = 0

    @property
    def adherence(self) -> float | None:
        decided = self.taken + self.skipped + self.missed
        return None if decided == 0 else self.taken / decided


@dataclass(frozen=True)
class CardEffect:
    name: str
    count: int


@dataclass(frozen=True)
class CardTip:
    text: str
    medication: str | None
    side_effect: str | None


@dataclass(frozen=True)
class CardGoal:
    text: str
    med: str | None
    target: int | None
    adherence: float | None
    met: bool | None


@dataclass(frozen=True)
class Card:
    days: int
    names: bool
    overall: CardMed
    meds: list[CardMed]
    effects: list[CardEffect]
    tips: list[CardTip]
    first: date | None = None
    last: date | None = None
    goals: list[CardGoal] = field(default_factory=list)


def alias(index: int) -> str:
    """'medication A' for 0, … 'medication Z', 'medication AA', …"""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return f"medication {letters}"


def _joins(cluster: str, ch: str) -> bool:
    """True when ``ch`` belongs to the character before it: a combining mark, or a letter
    that composes with it (conjoining Hangul jamo)."""
    if unicodedata.category(ch).startswith("M"):
        return True
    return len(unicodedata.normalize("NFC", cluster + ch)) <= len(
        unicodedata.normalize("NFC", cluster)
    )


def _fold(cluster: str) -> str:
    """One character with its marks, folded: NFKC (fullwidth letters, ligatures), full case
    folding ("ß" is "ss", "İ" is "i" with a dot above), then without its accents and other
    marks, since a reader takes "Cafe" for "Café"."""
    folded = unicodedata.normalize("NFKC", cluster).casefold()
    bare = unicodedata.normalize("NFKD", folded)
    return unicodedata.normalize("NFKC", "".join(c for c in bare if not unicodedata.combining(c)))


def _pieces(value: str) -> list[tuple[int, int, str]]:
    """``value`` as (start, end, folded) pieces: each character with the marks that belong
    to it, folded the way a reader tells names apart (:func:`_fold`), invisible characters
    as nothing, and any run of whitespace as one space."""
    pieces: list[tuple[int, int, str]] = []
    start = 0
    while start < len(value):
        end = start + 1
        if value[start].isspace():
            after_space = not pieces or pieces[-1][2].endswith(" ")
            folded = "" if after_space else " "
        elif is_forbidden_char(value[start]):
            folded = ""
        else:
            while (
                end < len(value)
                and not is_forbidden_char(value[end])
                and _joins(value[start:end], value[end])
            ):
                end += 1
            folded = _fold(value[start:end])
        pieces.append((start, end, folded))
        start = end
    return pieces


def _name_key(name: str) -> str:
    """A name folded as :func:`_pieces` folds text, without spaces at either end."""
    return "".join(piece[2] for piece in _pieces(name)).strip()


def _word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


# A name this long (folded) also hides the words it begins ("lithiums", "Lithiumcarbonat");
# a shorter one ("Iron", "D3") only whole words, so ordinary words stay readable.
PREFIX_NAME_LENGTH = 5


class Redactor:
    """Replaces medication names with their aliases, in any case and in any form a reader
    would take for the same name (full case folding, accents, decomposed or compatibility
    forms, invisible characters slipped inside): as whole words, and for a long name every
    word it begins."""

    def __init__(self, aliases: dict[str, str], others: Iterable[str]) -> None:
        self.labels: dict[str, str] = {}
        for name, label in [*aliases.items(), *((n, "a medication") for n in others)]:
            key = _name_key(name)
            if key and key not in self.labels:
                self.labels[key] = label
        self.keys = sorted(self.labels, key=len, reverse=True)

    def label(self, name: str | None) -> str | None:
        if name is None:
            return None
        return self.labels.get(_name_key(name), "a medication")

    def text(self, value: str) -> str:
        """``value`` with every name replaced by its label; the rest left as written."""
        if not self.keys:
            return value
        pieces = _pieces(value)
        folded = "".join(piece[2] for piece in pieces)
        starts: dict[int, int] = {}  # folded offset -> first piece starting there
        ends: dict[int, int] = {}  # folded offset -> last piece ending there
        offset = 0
        for index, piece in enumerate(pieces):
            starts.setdefault(offset, index)
            offset += len(piece[2])
            ends[offset] = index
        out: list[str] = []
        emitted = 0  # pieces before this one are in ``out``
        for at in sorted(starts):
            if starts[at] < emitted or (at and _word(folded[at - 1])):
                continue
            for key in self.keys:
                if not folded.startswith(key, at):
                    continue
                stop = at + len(key)
                if len(key) >= PREFIX_NAME_LENGTH:
                    while stop < len(folded) and _word(folded[stop]):
                        stop += 1  # the rest of the word it begins
                if stop in ends and not (stop < len(folded) and _word(folded[stop])):
                    first, last = starts[at], ends[stop]
                    out.append(value[pieces[emitted][0] : pieces[first][0]])
                    out.append(self.labels[key])
                    emitted = last + 1
                    break
        if emitted < len(pieces):
            out.append(value[pieces[emitted][0] :])
        return "".join(out)


def build_card(journal: Journal, *, days: int = DEFAULT_DAYS, names: bool = True) -> Card:
    """The card for the last ``days`` days, today included."""
    if not 1 <= days <= MAX_DAYS:
        raise UsageError(f"--days must be from 1 to {MAX_DAYS}, not {days}.")
    first, last = summary.period(journal, days=days)
    found = summary.summarize(journal, first=first, last=last)
    rows = sorted(found.meds, key=lambda row: tips.fold(row.med.name))
    aliases = {row.med.name: (row.med.name if names else alias(i)) for i, row in enumerate(rows)}
    helpful = [t for t in tips.list_tips(journal) if t.worked is True]
    helpful.sort(key=lambda t: -t.peers_worked)
    helpful = helpful[:MAX_TIPS]
    redact = Redactor(
        aliases,
        [m.name for m in journal.meds()] + [t.medication for t in helpful if t.medication],
    )

    def shown(text: str) -> str:
        return text if names else redact.text(text)

    meds = [
        CardMed(
            label=aliases[row.med.name],
            as_needed=row.as_needed,
            taken=row.counts.taken,
            skipped=row.counts.skipped,
            missed=row.counts.missed,
            pending=row.counts.pending,
            current_streak=row.streak.current,
            as_needed_doses=row.as_needed_doses,
        )
        for row in rows
    ]
    overall = CardMed(
        label="all medications",
        as_needed=False,
        taken=found.overall.taken,
        skipped=found.overall.skipped,
        missed=found.overall.missed,
        pending=found.overall.pending,
        current_streak=found.streak.current,
    )
    effects = [CardEffect(shown(e.name), e.count) for e in found.effects[:MAX_EFFECTS]]
    card_tips = [
        CardTip(
            text=shown(t.text),
            medication=t.medication if names else redact.label(t.medication),
            side_effect=None if t.side_effect is None else shown(t.side_effect),
        )
        for t in helpful
    ]
    card_goals = [
        CardGoal(
            text=shown(g.text),
            med=None if g.med is None else (g.med if names else redact.label(g.med)),
            target=g.target,
            adherence=g.adherence,
            met=g.met,
        )
        for g in goal_list.open_goals(journal, found.meds)
    ]
    return Card(days, names, overall, meds, effects, card_tips, first, last, card_goals)


# ---------------------------------------------------------------------------- writing


def _days(count: int) -> str:
    return f"{count} day" + ("" if count == 1 else "s")


def _times(count: int) -> str:
    return "once" if count == 1 else "twice" if count == 2 else f"{count} times"


def _med_line(med: CardMed, label: str) -> str:
    rate = med.adherence
    if med.as_needed:
        return f"- {label}: as needed, taken {_times(med.as_needed_doses)}"
    if rate is None:
        doses = "no doses were due yet"
    else:
        decided = med.taken + med.skipped + med.missed
        doses = f"{round(rate * 100)}% of doses taken ({med.taken} of {decided})"
    return f"- {label}: {doses}; streak {_days(med.current_streak)}"


def _goal_line(goal: CardGoal) -> str:
    line = "- " + md_escape(goal.text)
    if goal.med is not None and goal.target is not None:
        rate = (
            "no doses were due yet"
            if goal.adherence is None
            else (f"{round(goal.adherence * 100)}%")
        )
        verdict = " (met)" if goal.met else ""
        line += f": {md_escape(goal.med)} {rate} against {goal.target}%{verdict}"
    elif goal.med is not None:
        line += f" ({md_escape(goal.med)})"
    return line


def card_markdown(card: Card) -> str:
    """The card as Markdown, every name and text escaped so that it renders as plain text."""
    period = "today" if card.days == 1 else f"the last {card.days} days"
    lines = [f"# Check-in: {period}", ""]
    if card.first is not None and card.last is not None:
        lines += [f"From {card.first.isoformat()} to {card.last.isoformat()}.", ""]
    if card.meds:
        lines.append(_med_line(card.overall, "**All medications**"))
        lines += [_med_line(med, "**" + md_escape(med.label) + "**") for med in card.meds]
    else:
        lines.append("No medications were scheduled.")
    lines += ["", "## Side effects", ""]
    if card.effects:
        lines += [f"- {md_escape(e.name)}: {_times(e.count)}" for e in card.effects]
    else:
        lines.append("None recorded.")
    lines += ["", "## Tips that helped me", ""]
    if card.tips:
        for tip in card.tips:
            about = [md_escape(v) for v in (tip.medication, tip.side_effect) if v]
            lines.append(
                "- " + md_escape(tip.text) + (" (" + ", ".join(about) + ")" if about else "")
            )
    else:
        lines.append("None rated yet.")
    lines += ["", "## Goals", ""]
    if card.goals:
        lines += [_goal_line(goal) for goal in card.goals]
    else:
        lines.append("No goals set.")
    lines += ["", "*From adherelog: no notes, times or doses are included.*"]
    return "\n".join(lines) + "\n"


def card_json(document: dict[str, object]) -> str:
    """A (signed) card document as the text of a file."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


WRITERS: dict[str, Callable[[Card], str]] = {
    "md": card_markdown,
    "json": lambda card: card_json(jsonshape.card(card)),
}


def render_card(card: Card, fmt: str) -> str:
    writer = WRITERS.get(fmt)
    if writer is None:
        raise UsageError(f"Unknown format '{one_line(fmt)}'; use md or json.")
    return writer(card)
