"""Shared fixtures and helpers: the NIST StRD folder (shipped inside ``lm`` as package data)
and the pages of _toc.yml in reading order."""
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
NIST_DIR = ROOT / "lm" / "problems" / "data" / "nist-strd"


@pytest.fixture(scope="session")
def nist_dir() -> Path:
    if not NIST_DIR.is_dir():
        pytest.fail(f"NIST StRD data not found at {NIST_DIR} (they ship with lm as package data)")
    return NIST_DIR


def toc_files() -> list[str]:
    """The pages listed in _toc.yml, in reading order, without their extension."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]
    for part in toc.get("parts", []):
        for chapter in part.get("chapters", []):
            files.append(chapter["file"])
            files.extend(section["file"] for section in chapter.get("sections", []))
    return [re.sub(r"\.(md|ipynb)$", "", f) for f in files]
