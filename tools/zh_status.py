"""Which Chinese pages lag behind their English source, and what changed in English since.

Each page of the Chinese edition (zh/) records in its front matter the sha256 of the English
page it translates (``translation: {source, sha256}``). This script finds, for every stale
page, the English revision with that hash in the git history and prints the English diff
since then: exactly what the translator has to carry over. Then set the new hash.

    .venv/bin/python tools/zh_status.py            # list the stale pages
    .venv/bin/python tools/zh_status.py --diff     # ... with the English diffs
    .venv/bin/python tools/zh_status.py --stamp chapters/05-levenberg-marquardt.md
                                                   # record the current English hash
"""
from __future__ import annotations

import argparse
import hashlib
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ZH = ROOT / "zh"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def recorded(zh_page: Path) -> tuple[str, str]:
    text = zh_page.read_text(encoding="utf-8")
    source = re.search(r"^  source: (\S+)$", text, re.MULTILINE)
    digest = re.search(r"^  sha256: ([0-9a-f]{64})$", text, re.MULTILINE)
    if not (source and digest):
        raise ValueError(f"{zh_page}: no 'translation: source/sha256' in the front matter")
    return source.group(1), digest.group(1)


def revision_with_hash(source: str, digest: str) -> str | None:
    """The newest commit whose version of ``source`` has the given sha256 (None if none)."""
    commits = subprocess.run(["git", "log", "--all", "--format=%H", "--", source], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout.split()
    for commit in commits:
        blob = subprocess.run(["git", "show", f"{commit}:{source}"], cwd=ROOT, capture_output=True)
        if blob.returncode == 0 and sha256(blob.stdout) == digest:
            return commit
    return None


def stale_pages() -> list[tuple[Path, str, str]]:
    out = []
    for zh_page in sorted(p for p in ZH.rglob("*.md") if "_build" not in p.parts):
        source, digest = recorded(zh_page)
        english = ROOT / source
        if not english.is_file() or sha256(english.read_bytes()) != digest:
            out.append((zh_page, source, digest))
    return out


def stamp(source: str) -> None:
    zh_page = ZH / source
    text = zh_page.read_text(encoding="utf-8")
    new = sha256((ROOT / source).read_bytes())
    zh_page.write_text(re.sub(r"^(  sha256: )[0-9a-f]{64}$", rf"\g<1>{new}", text, count=1, flags=re.MULTILINE),
                       encoding="utf-8")
    print(f"zh/{source}: sha256 {new}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--diff", action="store_true", help="print the English diff of each stale page")
    parser.add_argument("--stamp", metavar="PAGE", help="record the current English hash of PAGE (e.g. chapters/05-....md)")
    args = parser.parse_args(argv)
    if args.stamp:
        stamp(args.stamp)
        return 0
    stale = stale_pages()
    for zh_page, source, digest in stale:
        base = revision_with_hash(source, digest)
        print(f"zh/{source}: translates {digest[:12]} ({'commit ' + base[:10] if base else 'revision not in git'})")
        if args.diff and base:
            sys.stdout.flush()
            subprocess.run(["git", "diff", base, "--", source], cwd=ROOT, check=False)
    if not stale:
        print("every Chinese page translates the current English page")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
