"""A published report is what its manifest says.

The manifest records the sha256 of every file a batch published; the next ``generate``
counts a report as unchanged only when its files on disk are still those bytes. When a
report fails to re-render, its previous files are offered in the portal as "versi lama"
with the day they were made, never as the current report.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from hardening_support import LIGHT_NB, Cli, manifest

pytestmark = pytest.mark.slow


def _spec(folder: Path, name: str = "spec.yaml", extra: str = "") -> Path:
    spec = folder / name
    spec.write_text(
        f"reports:\n  - notebook: {LIGHT_NB}\n    per: branch\n    formats: [html]\n{extra}"
    )
    return spec


def _generate(cli: Cli, db: Path, out: Path, spec: Path) -> tuple[int, str]:
    code, _, err = cli(
        "--db", db, "--out", out, "generate", "--period", "2017-07", "--scope", "A,B",
        "--spec", spec, "--workers", 2,
    )  # fmt: skip
    return code, err


def _last_log(out: Path) -> str:
    return sorted((out / "2017-07" / "logs").glob("generate-*.log"))[-1].read_text()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_report_rewritten_since_the_batch_is_redone(handmade_db, tmp_path, capsys):
    """A's file rewritten by ``run`` in English, B's edited by hand: both files still exist,
    but neither is what the manifest says, so both are redone; then both are unchanged."""
    cli, out, spec = Cli(capsys), tmp_path / "out", _spec(tmp_path)
    assert _generate(cli, handmade_db, out, spec)[0] == 0
    a_html, b_html = (out / "2017-07" / code / "light_report.html" for code in ("A", "B"))
    assert manifest(out)["A/light_report"]["digests"]["html"] == _sha256(a_html)

    code, _, err = cli(
        "--db", handmade_db, "--out", out, "run", LIGHT_NB, "--branch", "A",
        "--period", "2017-07", "--format", "html", "--lang", "en",
    )  # fmt: skip
    assert code == 0, err
    assert 'lang="en"' in a_html.read_text(encoding="utf-8")
    b_html.write_bytes(b_html.read_bytes().replace(b"</body>", b"<p>edited</p></body>"))

    code, err = _generate(cli, handmade_db, out, spec)
    assert code == 0, err
    assert "2 reports, 2 to run, 0 unchanged" in _last_log(out)
    assert 'lang="id"' in a_html.read_text(encoding="utf-8")
    assert b"<p>edited</p>" not in b_html.read_bytes()
    for code_, path in (("A", a_html), ("B", b_html)):
        assert manifest(out)[f"{code_}/light_report"]["digests"]["html"] == _sha256(path)

    assert _generate(cli, handmade_db, out, spec)[0] == 0
    assert "2 reports, 0 to run, 2 unchanged" in _last_log(out)


def test_a_failed_rerender_offers_the_previous_files_as_stale(handmade_db, tmp_path, capsys):
    cli, out = Cli(capsys), tmp_path / "out"
    assert _generate(cli, handmade_db, out, _spec(tmp_path))[0] == 0
    html = out / "2017-07" / "A" / "light_report.html"
    before = _sha256(html)
    made = manifest(out)["A/light_report"]["finished_at"][:10]

    failing = _spec(tmp_path, "failing.yaml", "    parameters:\n      raise_on: A\n")
    for _ in range(2):  # failing twice keeps pointing at the same previous version
        code, _ = _generate(cli, handmade_db, out, failing)
        assert code == 1
        entry = manifest(out)["A/light_report"]
        assert entry["status"] == "failed" and entry["outputs"] == {}
        assert entry["stale"] == {
            "outputs": {
                "ipynb": "2017-07/A/light_report.ipynb",
                "html": "2017-07/A/light_report.html",
            },
            "finished_at": entry["stale"]["finished_at"],
        }
        assert entry["stale"]["finished_at"][:10] == made
        assert _sha256(html) == before  # the previous file is kept, untouched

    portal = (out / "index.html").read_text(encoding="utf-8")
    row = portal[portal.index("(A)") : portal.index("</tr>", portal.index("(A)"))]
    assert "gagal" in row
    assert f'versi lama ({made}): <a href="2017-07/A/light_report.html">HTML</a>' in row
    b_row = portal[portal.index("(B)") : portal.index("</tr>", portal.index("(B)"))]
    assert "versi lama" not in b_row and "gagal" not in b_row
