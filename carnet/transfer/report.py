"""What an import did or would do: counts, the action taken on each row, and every problem found."""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _


class Action:
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


ACTION_LABELS = {
    Action.CREATED: _("created"),
    Action.UPDATED: _("updated"),
    Action.UNCHANGED: _("unchanged"),
}


@dataclass(frozen=True)
class Problem:
    """A problem of the file: its row (1 is the header; 0 the file as a whole), column and the rule."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}" if self.row else "file"
        return f"{where}, {self.column or '-'}: {self.message}"


@dataclass(frozen=True)
class RowAction:
    row: int
    key: str
    action: str

    @property
    def label(self) -> str:
        return str(ACTION_LABELS[self.action])


@dataclass
class Report:
    kind: str
    dry_run: bool
    rows: int = 0
    actions: list[RowAction] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def applied(self) -> bool:
        """True when the import changed the database (not a dry run, and no problem)."""
        return self.ok and not self.dry_run

    def count(self, action: str) -> int:
        return sum(1 for a in self.actions if a.action == action)

    @property
    def created(self) -> int:
        return self.count(Action.CREATED)

    @property
    def updated(self) -> int:
        return self.count(Action.UPDATED)

    @property
    def unchanged(self) -> int:
        return self.count(Action.UNCHANGED)

    def problem(self, row: int, column: str, message: str) -> None:
        self.problems.append(Problem(row, column, str(message)))

    def act(self, row: int, key: str, action: str) -> None:
        self.actions.append(RowAction(row, key, action))

    def sorted_problems(self) -> list[Problem]:
        return sorted(self.problems, key=lambda p: (p.row, p.column))
