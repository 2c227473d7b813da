"""The layers hold: handlers parse, call a service and render; services never speak Telegram;
schedules call services. Read from the code itself, so a shortcut fails here."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SQL_NAMES = {"select", "update", "delete", "insert", "text", "func"}
SESSION_CALLS = {"execute", "delete", "exec", "scalar", "scalars", "add", "add_all", "flush", "merge"}


def modules(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def imported(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def test_services_never_import_telegram_handlers_or_schedules() -> None:
    for path in modules("bot/services"):
        for name in imported(ast.parse(path.read_text())):
            top = name.split(".")[0]
            assert top not in ("telegram", "handlers", "schedules"), f"{path.relative_to(ROOT)} imports {name}"


def test_schedules_do_not_import_handlers() -> None:
    for path in modules("schedules"):
        assert not any(n.split(".")[0] == "handlers" for n in imported(ast.parse(path.read_text()))), path.name


def test_handlers_run_no_sql() -> None:
    for path in modules("handlers"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module in ("sqlalchemy", "sqlmodel"):
                sql = {alias.name for alias in node.names} & SQL_NAMES
                assert not sql, f"{path.name} imports {sql} from {node.module}"
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in SESSION_CALLS:
                owner = node.func.value
                assert not (isinstance(owner, ast.Name) and owner.id == "session"), (
                    f"{path.name}:{node.lineno} calls session.{node.func.attr}"
                )


def test_handlers_write_no_domain_fields() -> None:
    """`thing.field = value` belongs in a service; handlers keep only their own locals."""
    for path in modules("handlers"):
        for node in ast.walk(ast.parse(path.read_text())):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AugAssign | ast.AnnAssign) else []
            for target in targets:
                for each in (target.elts if isinstance(target, ast.Tuple) else [target]):
                    assert not isinstance(each, ast.Attribute), f"{path.name}:{node.lineno} writes {ast.unparse(each)}"
