"""CSV import (eros.db.importer): good files land, a bad row names itself and nothing is written."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from eros.cli.app import _register, app
from eros.db.engine import make_engine
from eros.db.importer import ImportKind, import_files, import_path, normalise_header, page_name_from
from eros.db.schema import (
    captions,
    content_type_rankings,
    content_types,
    creators,
    mass_messages,
    metadata,
    tier_history,
    vault_matrix,
)
from eros.errors import ErosError, InvalidInput
from support import subprocess_env, use_database

NOW = datetime(2026, 1, 4, 12, tzinfo=UTC)

CONTENT_TYPES_CSV = (
    "type_name,category,is_explicit\nlingerie,softcore,no\nfeet,specialty,0\nsolo,explicit,yes\n"
)
CREATORS_CSV = (
    "Creator,Page type,Timezone,Active fans,Message Net,Posts Net,OF ranking\n"
    'Kim Lee,paid,America/Chicago,"1,200","$2,500.00",$300,Top 5%\n'
    "Jo Free,free,,800,-,,\n"
)
VAULT_CSV = (
    "creator,content_type,has_content\n"
    "kim_lee,lingerie,1\nkim_lee,feet,yes\nkim_lee,solo,0\njo_free,lingerie,\n"
)
CAPTIONS_CSV = (
    "caption_text,send_type,content_type,performance_tier,suggested_price,price_min,price_max\n"
    "New lingerie set just for you babe,ppv_unlock,lingerie,1,15.99,9.99,24.99\n"
    "Are you awake? Come talk to me,bump_normal,,,,,\n"
    "Turn on auto-renew for next month,renew_on_post,,2,,,\n"
)
HISTORY_HEADER = (
    "creator,sent_at,send_type,content_type,price,sent_count,viewed_count,purchased_count,earnings\n"
)
HISTORY_ROWS = [
    "kim_lee,2026-01-02 20:15,ppv_unlock,lingerie,15.99,1000,400,20,319.80",
    "kim_lee,2026-01-01T18:00:00Z,ppv_unlock,feet,12.99,1000,380,9,116.91",
    "kim_lee,2025-12-28T18:00:00-05:00,bump_normal,,,1000,300,0,0",
    "Jo Free,2025-12-30 21:00,ppv_unlock,lingerie,9.99,700,300,6,59.94",
]


def _write(directory: Path, name: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def _agency(directory: Path, history_rows: list[str] = HISTORY_ROWS) -> Path:
    _write(directory, "content_types.csv", CONTENT_TYPES_CSV)
    _write(directory, "creators.csv", CREATORS_CSV)
    _write(directory, "vault.csv", VAULT_CSV)
    _write(directory, "captions.csv", CAPTIONS_CSV)
    _write(directory, "mass_messages.csv", HISTORY_HEADER + "\n".join(history_rows) + "\n")
    return directory


def _db_hash(engine: Engine) -> str:
    digest = hashlib.sha256()
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            for row in conn.execute(select(table).order_by(*order)):
                digest.update(json.dumps([table.name, *row], default=str).encode())
    return digest.hexdigest()


def test_header_and_name_normalisation() -> None:
    assert normalise_header("Active fans") == "active_fans"
    assert normalise_header(" Renew on % ") == "renew_on"
    assert page_name_from("Olivia Hansley PAID") == "olivia_hansley_paid"


def test_a_whole_directory_imports_and_is_analysed(empty_db: Engine, tmp_path: Path) -> None:
    report = import_path(empty_db, _agency(tmp_path / "agency"), NOW)
    counts = {f.kind: (f.inserted, f.updated, f.skipped) for f in report.files}
    assert counts == {
        ImportKind.CONTENT_TYPES: (3, 0, 0),
        ImportKind.CREATORS: (2, 0, 0),
        ImportKind.VAULT: (4, 0, 0),
        ImportKind.CAPTIONS: (3, 0, 0),
        ImportKind.HISTORY: (4, 0, 0),
    }
    assert sorted(a.creator_id for a in report.analyzed) == ["jo_free", "kim_lee"]
    with empty_db.connect() as conn:
        kim = conn.execute(select(creators).where(creators.c.page_name == "kim_lee")).mappings().one()
        jo = conn.execute(select(creators).where(creators.c.page_name == "jo_free")).mappings().one()
        sends = conn.execute(
            select(mass_messages.c.sent_at, mass_messages.c.sent_date, mass_messages.c.sent_hour)
            .where(mass_messages.c.creator_id == "kim_lee")
            .order_by(mass_messages.c.sent_at)
        ).all()
        solo_allowed = conn.execute(
            select(vault_matrix.c.has_content)
            .join(content_types, content_types.c.content_type_id == vault_matrix.c.content_type_id)
            .where(content_types.c.type_name == "solo")
        ).scalar_one()
        renew_paid_only = conn.execute(
            select(captions.c.is_paid_page_only).where(captions.c.send_type_key == "renew_on_post")
        ).scalar_one()
        ranked = conn.execute(select(func.count()).select_from(content_type_rankings)).scalar_one()
        tiers = conn.execute(select(func.count()).select_from(tier_history)).scalar_one()
    assert kim["display_name"] == "Kim Lee"
    assert kim["current_active_fans"] == 1200
    assert kim["current_fan_count"] == 1200
    assert kim["current_message_net"] == 2500.0
    assert kim["current_posts_net"] == 300.0
    assert kim["timezone"] == "America/Chicago"
    assert json.loads(kim["extra_metrics"]) == {"OF ranking": "Top 5%"}
    assert jo["page_type"] == "free"
    assert jo["timezone"] == "America/New_York"
    assert jo["current_message_net"] is None
    # Naive times are the creator's local time; stored UTC with the local date and hour kept.
    assert sends[-1] == ("2026-01-03T02:15:00Z", "2026-01-02", 20)
    assert sends[0] == ("2025-12-28T23:00:00Z", "2025-12-28", 17)
    assert solo_allowed is False
    assert renew_paid_only is True
    assert ranked == 3
    assert tiers == 2


def test_reimport_updates_creators_and_skips_duplicate_history_and_captions(
    empty_db: Engine, tmp_path: Path
) -> None:
    directory = _agency(tmp_path / "agency")
    import_path(empty_db, directory, NOW)
    again = import_path(empty_db, directory, NOW)
    counts = {f.kind: (f.inserted, f.updated, f.skipped) for f in again.files}
    assert counts[ImportKind.CREATORS] == (0, 2, 0)
    assert counts[ImportKind.HISTORY] == (0, 0, 4)
    assert counts[ImportKind.CAPTIONS] == (0, 0, 3)
    assert again.analyzed == []


def test_a_bad_history_row_names_its_row_and_leaves_the_database_unchanged(
    sample_db: Engine, tmp_path: Path
) -> None:
    before = _db_hash(sample_db)
    bad = [
        "alexia,2026-01-02 20:15,ppv_unlock,lingerie,15.99,1000,400,20,319.80",
        "alexia,2026-01-02 21:15,ppv_unlock,lingerie,15.99,100,400,20,319.80",  # row 3: viewed > sent
        "alexia,2026-01-02 22:15,ppv_unlock,lingerie,15.99,1000,400,20,319.80",
        "alexia,yesterday,ppv_unlock,lingerie,15.99,1000,400,20,319.80",  # row 5: bad time
        "nobody,2026-01-02 22:15,ppv_unlock,,15.99,1000,400,20,1",  # row 6: unknown creator
    ]
    path = _write(tmp_path, "mass_messages.csv", HISTORY_HEADER + "\n".join(bad) + "\n")
    with pytest.raises(InvalidInput) as err:
        import_path(sample_db, path, NOW)
    assert err.value.code == "VALIDATION_ERROR"
    assert "3 bad row(s)" in err.value.message
    assert "row 3: viewed_count 400 is more than sent_count 100" in err.value.message
    assert "row 5: sent_at 'yesterday'" in err.value.message
    assert "row 6: creator 'nobody' is not known" in err.value.message
    assert len(err.value.details["errors"]) == 3
    assert _db_hash(sample_db) == before


def test_a_bad_later_file_rolls_back_the_good_earlier_ones(empty_db: Engine, tmp_path: Path) -> None:
    directory = _agency(tmp_path / "agency")
    _write(directory, "vault.csv", "creator,content_type\nkim_lee,lingerie\nkim_lee,tentacles\n")
    before = _db_hash(empty_db)
    with pytest.raises(InvalidInput, match=r"vault\.csv: 1 bad row\(s\).*row 3: content_type 'tentacles'"):
        import_path(empty_db, directory, NOW)
    assert _db_hash(empty_db) == before


@pytest.mark.parametrize(
    ("csv_text", "message"),
    [
        ("Creator,page_type\nKim,premium\n", r"row 2: page_type 'premium' is not one of paid, free"),
        ("Creator,timezone\nKim,Mars/Base\n", r"row 2: timezone 'Mars/Base' is not an IANA time zone"),
        ("Creator,Message Net\nKim,lots\n", r"row 2: message_net 'lots' is not a number"),
        ("Creator\nKim\nkim\n", r"row 3: page_name 'kim' repeats row 2"),
        ("Name,fans\nKim,10\n", r"missing column\(s\): page_name or creator"),
        ("Creator\nKim,extra\n", r"row 2: more values than columns"),
    ],
)
def test_bad_creator_files(empty_db: Engine, tmp_path: Path, csv_text: str, message: str) -> None:
    path = _write(tmp_path, "creators.csv", csv_text)
    with pytest.raises(InvalidInput, match=message):
        import_files(empty_db, [(ImportKind.CREATORS, path)], NOW)
    with empty_db.connect() as conn:
        assert conn.execute(select(func.count()).select_from(creators)).scalar_one() == 0


def test_bad_caption_rows(sample_db: Engine, tmp_path: Path) -> None:
    text = (
        "caption_text,send_type,content_type,performance_tier,suggested_price\n"
        "Fine caption for a ppv,ppv_unlock,lingerie,2,15\n"
        "Needs a content type,ppv_unlock,,2,15\n"
        "Bad tier,bump_normal,,7,\n"
        "Too cheap,ppv_unlock,lingerie,2,1\n"
        "Unknown type,mega_blast,,2,\n"
    )
    path = _write(tmp_path, "my_captions.csv", text)
    with pytest.raises(InvalidInput) as err:
        import_path(sample_db, path, NOW, kind=ImportKind.CAPTIONS)
    message = err.value.message
    assert "row 3: content_type is required" in message
    assert "row 4: performance_tier 7 is not 1–4" in message
    assert "row 5: suggested_price 1.0 is outside $5–$50" in message
    assert "row 6: send_type 'mega_blast' is not one of" in message
    assert "row 2" not in message


def test_a_file_whose_kind_cannot_be_told(empty_db: Engine, tmp_path: Path) -> None:
    path = _write(tmp_path, "stuff.csv", "a\n1\n")
    with pytest.raises(InvalidInput, match=r"Cannot tell what stuff\.csv holds"):
        import_path(empty_db, path, NOW)


def test_import_needs_a_database(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'none.db'}")
    path = _write(tmp_path, "creators.csv", CREATORS_CSV)
    with pytest.raises(ErosError) as err:
        import_path(engine, path, NOW)
    assert err.value.code == "NO_DATABASE"


# --- encodings and delimiters -------------------------------------------------------------------

UNICODE_CREATORS = 'Creator,Timezone,Display name,Active fans\nZoë Ñuñez,Europe/London,Zoë Ñ 🌙,"1,500"\n'


def _creator_rows(engine: Engine) -> list[dict[str, object]]:
    with engine.connect() as conn:
        rows = conn.execute(select(creators).order_by(creators.c.page_name)).mappings().all()
    return [dict(r) for r in rows]


@pytest.mark.parametrize(
    ("label", "data"),
    [
        ("utf-8", UNICODE_CREATORS.encode("utf-8")),
        ("utf-8 with BOM", UNICODE_CREATORS.encode("utf-8-sig")),
        (
            "utf-16 LE with BOM, tabs (Excel's Unicode text)",
            UNICODE_CREATORS.replace(",", "\t").replace('"1\t500"', "1500").encode("utf-16"),
        ),
        ("utf-16 BE with BOM", b"\xfe\xff" + UNICODE_CREATORS.encode("utf-16-be")),
        (
            "utf-8, tabs, CRLF",
            UNICODE_CREATORS.replace(",", "\t").replace('"1\t500"', "1500").replace("\n", "\r\n").encode(),
        ),
    ],
)
def test_utf8_and_utf16_files_are_read(empty_db: Engine, tmp_path: Path, label: str, data: bytes) -> None:
    path = tmp_path / "creators.csv"
    path.write_bytes(data)
    import_path(empty_db, path, NOW)
    (row,) = _creator_rows(empty_db)
    assert (row["page_name"], row["display_name"], row["timezone"]) == (
        "zo_uez",
        "Zoë Ñ 🌙",
        "Europe/London",
    ), label
    assert row["current_active_fans"] == 1500


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (b"Creator,Timezone\nKim,America/Chicago\nZo\xeb,Europe/London\n", r"byte 0xEB at byte 39 \(row 3\)"),
        (b"Creator\n\xff\xfeKim\n", r"byte 0xFF at byte 8 \(row 2\)"),
        ("Creator,Timezone\nKim,x\n".encode("utf-16-le"), r"NUL characters \(row 1\)"),
        ("Creator\nKim\n".encode("utf-32"), r"UTF-32 text, which is not read"),
        (b"\xff\xfeC\x00r\x00\x00\xd8", r"not UTF-16 text: byte 0x00 at byte 6 \(row 1\)"),
    ],
)
def test_any_other_encoding_is_a_coded_error_naming_the_row(
    sample_db: Engine, tmp_path: Path, data: bytes, needle: str
) -> None:
    before = _db_hash(sample_db)
    path = tmp_path / "creators.csv"
    path.write_bytes(data)
    with pytest.raises(ErosError, match=needle) as caught:
        import_path(sample_db, path, NOW)
    assert caught.value.code == "INVALID_ENCODING" and "CSV UTF-8" in caught.value.message
    assert _db_hash(sample_db) == before


def test_a_latin1_file_through_the_cli_is_one_coded_line(sample_db: Engine, tmp_path: Path) -> None:
    path = tmp_path / "agency.csv"
    path.write_bytes("creator,content_type\nalexia,lingerie\nzoë,feet\n".encode("latin-1"))
    env = subprocess_env(sample_db, EROS_NOW="2026-01-04T12:00:00Z")
    done = subprocess.run(
        [sys.executable, "-c", "from eros.cli.app import main; main()", "import", "vault", str(path)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "error [INVALID_ENCODING] agency.csv is not UTF-8 text: byte 0xEB" in " ".join(done.stderr.split())
    assert "(row 3)" in done.stderr


# --- re-importing creators -------------------------------------------------------------------------

FULL_CREATORS = (
    "Creator,Display name,Page type,Timezone,Category,Active,Base price,Active fans,Message Net,Notes\n"
    "Kim Lee,Kimmy,free,Europe/London,explicit,no,12,1200,2500,VIP\n"
)


def _kim(engine: Engine) -> dict[str, object]:
    with engine.connect() as conn:
        return dict(conn.execute(select(creators).where(creators.c.page_name == "kim_lee")).mappings().one())


def test_reimporting_updates_only_the_columns_the_file_has(empty_db: Engine, tmp_path: Path) -> None:
    import_path(empty_db, _write(tmp_path, "creators.csv", FULL_CREATORS), NOW)
    before = _kim(empty_db)
    later = datetime(2026, 1, 5, 12, tzinfo=UTC)
    partial = _write(tmp_path / "later", "creators.csv", "Creator,Active fans,Rank\nKim Lee,1500,Top 1%\n")
    report = import_path(empty_db, partial, later)
    assert [(f.inserted, f.updated) for f in report.files] == [(0, 1)]
    after = _kim(empty_db)
    changed = {k for k in after if after[k] != before[k]}
    assert changed == {
        "current_active_fans",
        "current_fan_count",
        "metrics_snapshot_date",
        "extra_metrics",
        "updated_at",
    }
    assert (after["timezone"], after["display_name"], after["page_type"]) == (
        "Europe/London",
        "Kimmy",
        "free",
    )
    assert (
        after["is_active"] is False and after["content_category"] == "explicit" and after["base_price"] == 12
    )
    assert after["current_message_net"] == 2500 and after["current_active_fans"] == 1500
    assert json.loads(str(after["extra_metrics"])) == {"Notes": "VIP", "Rank": "Top 1%"}
    blank = _write(tmp_path / "blank", "creators.csv", "Creator,Timezone,Display name\nKim Lee,,\n")
    import_path(empty_db, blank, later)  # an empty cell keeps what is stored
    assert _kim(empty_db)["timezone"] == "Europe/London" and _kim(empty_db)["display_name"] == "Kimmy"


def test_replace_rewrites_the_whole_row_and_a_bad_row_writes_nothing(
    empty_db: Engine, tmp_path: Path
) -> None:
    import_path(empty_db, _write(tmp_path, "creators.csv", FULL_CREATORS), NOW)
    created = _kim(empty_db)["created_at"]
    two_columns = _write(tmp_path / "two", "creators.csv", "Creator,Active fans\nKim Lee,1500\n")
    bad = _write(tmp_path / "bad", "creators.csv", "Creator,Timezone\nKim Lee,UTC\nJo,Mars/Base\n")
    before = _db_hash(empty_db)
    for replace in (False, True):
        with pytest.raises(InvalidInput, match="row 3: timezone 'Mars/Base'"):
            import_path(empty_db, bad, NOW, replace=replace)
        assert _db_hash(empty_db) == before
    import_path(empty_db, two_columns, NOW, replace=True)
    kim = _kim(empty_db)
    assert (kim["timezone"], kim["display_name"], kim["page_type"], kim["content_category"]) == (
        "America/New_York",
        "Kim Lee",
        "paid",
        "softcore",
    )
    assert kim["is_active"] is True and kim["base_price"] is None and kim["current_message_net"] is None
    assert kim["extra_metrics"] is None and kim["current_fan_count"] == 1500 and kim["created_at"] == created


def test_the_cli_replaces_only_when_asked(
    empty_db: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_database(monkeypatch, empty_db)
    monkeypatch.setenv("EROS_NOW", "2026-01-04T12:00:00Z")
    _register()
    full = _write(tmp_path, "creators.csv", FULL_CREATORS)
    two = _write(tmp_path / "two", "people.csv", "Creator,Active fans\nKim Lee,1500\n")
    for args in (["import", str(full)], ["import", "creators", str(two)]):
        assert CliRunner().invoke(app, args).exit_code == 0
    assert _kim(empty_db)["timezone"] == "Europe/London"
    done = CliRunner().invoke(app, ["import", "creators", str(two), "--replace"])
    assert done.exit_code == 0, done.output
    assert _kim(empty_db)["timezone"] == "America/New_York"
