#!/usr/bin/env python3
"""Build dist/hpcs_landform-<version>.zip for Plugins > Install from ZIP.

The zip holds one folder, hpcs_landform/, with the plugin files only (no
tests, benchmarks, CI, build or output folders).
"""
import argparse
import configparser
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXCLUDE_DIRS = {".git", ".venv", ".venv-oracles", "build", "dist", "demo_output", "tests",
                "benchmarks", ".ci", "__pycache__", ".pytest_cache", "scripts"}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out-dir", default=str(ROOT / "dist"),
                    help="folder of the zip (default: dist/)")
    args = ap.parse_args(argv)
    meta = configparser.ConfigParser()
    meta.read(ROOT / "metadata.txt")
    version = meta["general"]["version"]
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                           check=True).stdout.splitlines()
    if not files:
        sys.exit("package: no tracked files (is this a git checkout?)")
    out = Path(args.out_dir) / f"hpcs_landform-{version}.zip"
    out.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for rel in files:
            parts = Path(rel).parts
            if any(p in EXCLUDE_DIRS for p in parts[:-1]) or rel.startswith("."):
                continue
            if rel in ("Makefile", "requirements-test.txt") or not (ROOT / rel).is_file():
                continue     # (a tracked file deleted in the work tree is not shipped)
            zf.write(ROOT / rel, f"hpcs_landform/{rel}")
            n += 1
    print(f"{out} ({n} files): install it with Plugins > Manage and Install Plugins > "
          "Install from ZIP")
    return out


if __name__ == "__main__":
    main()
