"""docs/permissions.md is the matrix of carnet/accounts/roles.py written for people: they must agree."""

import re
from pathlib import Path

import pytest

from carnet.accounts.roles import PERMISSIONS, Action, Role, role_allows

DOC = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"
ALLOWED, DENIED = "yes", "—"


def matrix_rows() -> tuple[list[str], list[list[str]]]:
    """The header and rows of the table whose first column is `action`."""
    header: list[str] = []
    rows: list[list[str]] = []
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            if header:
                break
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells[0] == "action":
            header = cells
        elif header and not set(cells[0]) <= {"-", " "}:
            rows.append(cells)
    assert header, "docs/permissions.md has no table starting with an 'action' column"
    return header, rows


def documented() -> dict[str, dict[str, str]]:
    header, rows = matrix_rows()
    matrix = {}
    for cells in rows:
        assert len(cells) == len(header), f"row {cells[0]} has {len(cells)} cells, the header {len(header)}"
        action = cells[0].strip("`")
        matrix[action] = dict(zip(header[2:], cells[2:], strict=True))
        assert cells[1], f"{action} says nothing about what it covers"
    return matrix


def test_the_table_has_one_column_per_role_in_order() -> None:
    header, _rows = matrix_rows()

    assert header[:2] == ["action", "what it covers"]
    assert header[2:] == list(Role.values)


def test_the_table_has_one_row_per_action() -> None:
    actions = list(documented())

    assert len(actions) == len(set(actions)), "an action is listed twice"
    assert sorted(actions) == sorted(Action.values)
    assert set(PERMISSIONS) == set(Action.values), "roles.PERMISSIONS misses an action"


@pytest.mark.parametrize("action", Action.values)
def test_each_cell_says_what_the_code_allows(action: str) -> None:
    row = documented()[action]

    for role in Role.values:
        assert row[role] in {ALLOWED, DENIED}, f"{action}, {role}: write {ALLOWED} or {DENIED}"
        said = row[role] == ALLOWED
        assert said == role_allows(role, action), (
            f"docs/permissions.md says {role} {'may' if said else 'may not'} {action}; roles.py disagrees"
        )


def test_the_roles_table_names_every_role() -> None:
    text = DOC.read_text(encoding="utf-8")

    for role in Role.values:
        assert re.search(rf"^\| `{role}` \|", text, re.MULTILINE), f"{role} is not described"
