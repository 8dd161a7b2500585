"""benchmarks/run.py rewrites only its own part of docs/performance.md, which others edit too."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.report import ENGINE_BEGIN, ENGINE_END, SOAK_BEGIN, SOAK_END  # noqa: E402
from benchmarks.run import write_doc  # noqa: E402

OTHERS = "## HTTP service\n\nWritten by hand; 3,285 requests/s.\n"


def test_the_engine_block_goes_first_and_leaves_other_sections_alone(tmp_path: Path) -> None:
    doc = tmp_path / "performance.md"
    doc.write_text(f"# Performance\n\n{OTHERS}", "utf-8")
    write_doc(doc, [(ENGINE_BEGIN, ENGINE_END, "## Engine\n\nfirst run\n")])
    write_doc(doc, [(ENGINE_BEGIN, ENGINE_END, "## Engine\n\nsecond run\n"),
                    (SOAK_BEGIN, SOAK_END, "### Soak\n\nflat\n")])
    text = doc.read_text("utf-8")
    assert text.endswith(OTHERS)
    assert "first run" not in text
    assert text.count(ENGINE_BEGIN) == 1
    assert text.index("second run") < text.index("### Soak") < text.index("## HTTP service")


def test_a_later_run_without_the_soak_keeps_the_recorded_soak(tmp_path: Path) -> None:
    doc = tmp_path / "performance.md"
    write_doc(doc, [(ENGINE_BEGIN, ENGINE_END, "## Engine\n\none\n"),
                    (SOAK_BEGIN, SOAK_END, "### Soak\n\n1,000,000 complaints\n")])
    write_doc(doc, [(ENGINE_BEGIN, ENGINE_END, "## Engine\n\ntwo\n")])
    text = doc.read_text("utf-8")
    assert text.startswith("# Performance\n")
    assert "1,000,000 complaints" in text
    assert "two" in text
    assert "one\n" not in text
