"""Shared fixtures: the NIST StRD folder (beside the repository, never copied into it)."""
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NIST_DIR = ROOT.parent / "shared" / "data" / "nist-strd"


@pytest.fixture(scope="session")
def nist_dir() -> Path:
    if not NIST_DIR.is_dir():
        pytest.fail(f"NIST StRD data not found at {NIST_DIR} (expected ../shared/data/nist-strd beside the repo)")
    return NIST_DIR
