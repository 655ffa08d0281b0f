"""What a refused command looks like (docs/reliability.md, "exit 2")."""

from __future__ import annotations


def refused(code: int, out: str, err: str, message: str) -> str:
    """Assert exit 2, nothing on stdout, one ``error:`` line holding ``message``, no traceback;
    returns the line."""
    lines = err.strip().splitlines()
    assert code == 2, (code, err)
    assert out == ""
    assert "Traceback" not in err
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert message in lines[0], lines[0]
    return lines[0]
