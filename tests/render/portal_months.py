"""A reports folder written by hand: three months of manifests (April, June and July 2017;
no May), with a national report, two regions, an office with two reports, failed reports
and the KPIs of each report worked out for the changes the portal shows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

LONG_NAME = "Kantor Cabang Perintis Kabupaten Kepulauan Sangihe dan Talaud Wilayah Utara"
UNBROKEN = "KantorCabangPerintisSangiheTalaudWilayahUtaraSulawesi"  # no space to wrap at

KPIS: dict[str, dict[str, dict[str, Any]]] = {  # period → key → KPIs
    "2017-07": {
        "NATIONAL/national_monthly": {
            "registered": 1_250_400,
            "active": 700_224,
            "on_time_rate": 0.5612,
            "target_progress": 0.6947,
        },
        "BANUSPA/region_monthly": {
            "registered": 52_310,
            "active": 29_450,
            "on_time_rate": 0.6210,
            "target_progress": 0.7440,
        },
        "DPS/branch_monthly": {
            "registered": 16_800,
            "active": 9_408,
            "on_time_rate": 0.600,
            "target_progress": 0.800,
            "title": "Laporan Bulanan Peserta BPU",
        },
        "DPS/custom_section": {},  # a notebook of one's own without KPI cards
        "GIA/branch_monthly": {
            "registered": 8_020,
            "active": 4_100,
            "on_time_rate": 0.655,
            "target_progress": 0.700,
        },
        "JATIM/region_monthly": {
            "registered": 90_000,
            "active": 45_000,
            "on_time_rate": 0.5,
            "target_progress": 0.5,
        },
        "SBY/branch_monthly": {
            "registered": 30_000,
            "active": 15_000,
            "on_time_rate": 0.5,
            "target_progress": 0.5,
        },
        "SGH/branch_monthly": {
            "registered": 730,
            "active": 402,
            "on_time_rate": 0.61,
            "target_progress": 0.79,
        },
        "TLD/branch_monthly": {
            "registered": 415,
            "active": 230,
            "on_time_rate": 0.58,
            "target_progress": 0.66,
        },
    },
    "2017-06": {
        "NATIONAL/national_monthly": {
            "registered": 1_241_150,
            "active": 701_000,
            "on_time_rate": 0.5700,
            "target_progress": 0.6896,
        },
        "BANUSPA/region_monthly": {
            "registered": 51_980,
            "active": 29_450,
            "on_time_rate": 0.6210,
            "target_progress": 0.7390,
        },
        "DPS/branch_monthly": {
            "registered": 16_680,
            "active": 9_420,
            "on_time_rate": 0.608,
            "target_progress": 0.794,
        },
        "DPS/custom_section": {},
        "KLK/branch_monthly": {
            "registered": 5_000,
            "active": 2_600,
            "on_time_rate": 0.6,
            "target_progress": 0.7,
        },
        "JMB/branch_monthly": {
            "registered": 6_000,
            "active": 3_000,
            "on_time_rate": 0.6,
            "target_progress": 0.7,
        },
    },
    "2017-04": {
        "DPS/branch_monthly": {
            "registered": 16_400,
            "active": 9_300,
            "on_time_rate": 0.61,
            "target_progress": 0.78,
        },
    },
}

OFFICES = {  # code: (kind, name, region_code)
    "NATIONAL": ("national", "Nasional", "NATIONAL"),
    "BANUSPA": ("region", "Kantor Wilayah Bali Nusa Tenggara Papua", "BANUSPA"),
    "JATIM": ("region", "Kantor Wilayah Jawa Timur", "JATIM"),
    "DPS": ("branch", "KC Bali Denpasar", "BANUSPA"),
    "GIA": ("branch", "KC Bali Gianyar", "BANUSPA"),
    "KLK": ("branch", "KCP Klungkung", "BANUSPA"),
    "JMB": ("branch", "KCP Jembrana", "BANUSPA"),
    "SBY": ("branch", "KC Surabaya", "JATIM"),
    "SGH": ("branch", LONG_NAME, "JATIM"),
    "TLD": ("branch", UNBROKEN, "JATIM"),
}


def entry(period: str, key: str, status: str = "ok", **extra: Any) -> dict[str, Any]:
    """A manifest entry as the batch writes it (run/job.py), for report ``key``."""
    code, stem = key.split("/")
    kind, name, region = OFFICES[code]
    outputs = {suffix: f"{period}/{code}/{stem}.{suffix}" for suffix in ("ipynb", "html", "pdf")}
    return {
        "key": key,
        "notebook": f"{stem}.ipynb",
        "kind": kind,
        "code": code,
        "name": name,
        "region_code": region,
        "period": period,
        "lang": "id",
        "status": status,
        "outputs": outputs if status == "ok" else {},
        "kpis": KPIS.get(period, {}).get(key, {}) if status == "ok" else {},
        "error": None,
        "finished_at": f"{period}-28T02:00:00+00:00",
        **extra,
    }


def failed(period: str, key: str, error: dict[str, Any], **extra: Any) -> dict[str, Any]:
    code, stem = key.split("/")
    kept = f"{period}/_failed/{code}/{stem}.ipynb"
    return entry(period, key, "failed", error={"notebook": kept, **error}, **extra)


def manifests() -> dict[str, list[dict[str, Any]]]:
    p = "2017-07"
    july = [entry(p, k) for k in KPIS[p] if k != "DPS/custom_section"]
    july += [
        entry(p, "DPS/custom_section", title="Profil Segmen Peserta"),
        failed(
            p,
            "KLK/branch_monthly",
            {"type": "CellTimeoutError", "message": "cell timed out after 600 seconds"},
            stale={
                "outputs": {
                    "html": "2017-07/KLK/branch_monthly.html",
                    "pdf": "2017-07/KLK/branch_monthly.pdf",
                },
                "finished_at": "2017-08-01T02:10:00+00:00",
            },
        ),
        failed(
            p,
            "JMB/branch_monthly",
            {"type": "ValueError", "cell": 4, "message": "failed in cell 4: ValueError: x"},
        ),
    ]
    june = [entry("2017-06", k) for k in KPIS["2017-06"]]
    june.append(failed("2017-06", "GIA/branch_monthly", {"type": "DeadKernelError", "cell": None}))
    april = [entry("2017-04", "DPS/branch_monthly")]
    return {"2017-07": july, "2017-06": june, "2017-04": april}


def write_manifests(out: Path, months: dict[str, list[dict[str, Any]]]) -> Path:
    for period, reports in months.items():
        (out / period).mkdir(parents=True, exist_ok=True)
        body = {"period": period, "source": "demo:bali", "reports": reports}
        (out / period / "manifest.json").write_text(json.dumps(body, ensure_ascii=False))
    return out
