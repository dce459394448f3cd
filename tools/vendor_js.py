"""Copy the book's JavaScript from node_modules/ into book/_static/vendor/.

The HTML book must render offline: MathJax, require.js and the ipywidgets
embed manager are served from the book's own ``_static/vendor/`` instead of a
CDN. ``npm ci`` installs the exact versions pinned in package-lock.json; this
script copies the files the pages load (and the fonts and lazily loaded
components next to them) and writes a manifest with the versions. The output
folder is generated: it is gitignored and rebuilt by ``make vendor``.

Usage: python tools/vendor_js.py [--root DIR]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

# (npm package, folder inside the package, folder under vendor/, names to skip)
PACKAGES = (
    # All of es5/: tex-chtml.js loads its fonts and any extra TeX packages and
    # accessibility components from next to itself, on demand.
    ("mathjax", "es5", "mathjax", ()),
    ("requirejs", "", "requirejs", ()),
    # embed-amd.js and the fonts it loads; not the non-AMD bundle, the
    # duplicate libembed-amd.js or the source maps.
    (
        "@jupyter-widgets/html-manager",
        "dist",
        "html-manager",
        ("*.map", "embed.js", "libembed-amd.js"),
    ),
)
# From requirejs only require.js itself is served.
ONLY = {"requirejs": ("require.js",)}
# The files the book's configuration points at; checked after copying.
ENTRY_POINTS = (
    "mathjax/tex-chtml.js",
    "requirejs/require.js",
    "html-manager/embed-amd.js",
)


def _version(package_dir: Path) -> str:
    return json.loads((package_dir / "package.json").read_text())["version"]


def vendor(root: Path) -> dict[str, str]:
    """Copy the packages from ``root/node_modules`` to the vendor folder."""
    modules = root / "node_modules"
    out = root / "book" / "_static" / "vendor"
    if not modules.is_dir():
        sys.exit(f"{modules} is missing: run `npm ci` first (or `make vendor`).")
    lock = json.loads((root / "package-lock.json").read_text())["packages"]
    versions = {}
    if out.exists():
        shutil.rmtree(out)
    for package, subdir, target, skip in PACKAGES:
        package_dir = modules / package
        version = _version(package_dir)
        locked = lock[f"node_modules/{package}"]["version"]
        if version != locked:
            sys.exit(
                f"{package} {version} is installed but the lockfile pins "
                f"{locked}: run `npm ci`."
            )
        versions[package] = version
        source = package_dir / subdir
        dest = out / target
        if package in ONLY:
            dest.mkdir(parents=True)
            for name in ONLY[package]:
                shutil.copy2(source / name, dest / name)
        else:
            shutil.copytree(source, dest, ignore=shutil.ignore_patterns(*skip))
    for entry in ENTRY_POINTS:
        if not (out / entry).is_file():
            sys.exit(f"vendoring did not produce {out / entry}")
    (out / "VERSIONS.json").write_text(json.dumps(versions, indent=2) + "\n")
    return versions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--root",
        type=Path,
        default=Path(__file__).resolve().parent.parent,
        help="repository root (default: this script's parent's parent)",
    )
    args = parser.parse_args()
    versions = vendor(args.root)
    listing = ", ".join(f"{name} {version}" for name, version in versions.items())
    print(f"vendored {listing} into book/_static/vendor/")


if __name__ == "__main__":
    main()
