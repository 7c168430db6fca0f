"""Benchmark: years per second of the landscape evolution model, ours against Landlab.

Usage::

    .venv/bin/python benchmarks/erosion.py                # both sizes
    .venv/bin/python benchmarks/erosion.py --size sample  # ~50 k cells only
    .venv/bin/python benchmarks/erosion.py --years 5

Grids (from the jacksboro sample DEM, tests/data, 80 m):

* ``sample``: a 224 x 224 crop (50,176 cells, 80 m);
* ``1M``: the DEM upsampled with ``scipy.ndimage.zoom(dem, 2.8, order=1)`` and
  cropped to 1000 x 1000 cells (28.6 m).

Both engines get the same depression-filled surface (with the conditioning of
the tests: +-1 mm noise, fill, a tiny drainage gradient on flats) and the same
parameters: the plugin's fresh-spoil defaults, detachment-limited (V = 0),
``years`` steps of 1 year.  Ours runs in this process (``core.lem.evolve``);
Landlab 2.11 (FlowAccumulator D8 + DepressionFinderAndRouter, FastscapeEroder,
LinearDiffuser) runs in ``.venv-oracles`` through tests/oracles/landlab_lem.py,
which times its own time loop (imports and grid set-up excluded; ours includes
its set-up).  Reported: model years per wall-clock second for each engine, the
ratio, and the largest elevation difference between the two results.
"""
import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _common import landlab_run, lem_parameters

ROOT = Path(__file__).resolve().parents[1]
# import the checkout as hpcs_landform through a private link (whatever build/ holds)
_LINKDIR = Path(tempfile.mkdtemp(prefix="hpcs_bench_"))
(_LINKDIR / "hpcs_landform").symlink_to(ROOT, target_is_directory=True)
sys.path.insert(0, str(_LINKDIR))
sys.path.insert(0, str(ROOT / "tests"))
DEM = ROOT / "tests" / "data" / "jacksboro_fault_dem_utm16n_80m.tif"


def grid(size):
    from scipy import ndimage

    from hpcs_landform.core.grid import read_raster
    z, g = read_raster(DEM)
    if size == "sample":
        return z[80:304, 70:294].copy(), g.dx
    big = ndimage.zoom(z, 2.8, order=1)
    return big[:1000, :1000].copy(), g.dx / 2.8


def condition(z, dx):
    from test_erosion_core import condition as cond
    return cond(z, dx, dx)


def run(size, years):
    from hpcs_landform.core import lem
    z, dx = grid(size)
    t0 = time.perf_counter()
    zc = condition(z, dx)
    t_cond = time.perf_counter() - t0
    p = lem_parameters(lem.DEFAULTS, years)
    t0 = time.perf_counter()
    res = lem.evolve(zc, dx, dx, years=p["years"], dt=p["dt"], erodibility=p["K"], m=p["m"],
                     n=p["n"], runoff=p["runoff"], diffusivity=p["D"], settling_velocity=0.0)
    ours = time.perf_counter() - t0
    t0 = time.perf_counter()
    lem.evolve(zc, dx, dx, years=p["years"], dt=p["dt"], erodibility=p["K"], m=p["m"],
               n=p["n"], runoff=p["runoff"], diffusivity=p["D"])
    ours_ed = time.perf_counter() - t0
    line = {"size": size, "cells": z.size, "cell_m": round(dx, 2), "years": years,
            "ours_years_per_s": years / ours, "ours_ed_years_per_s": years / ours_ed,
            "conditioning_s": t_cond}
    oracle = landlab_run(zc, dx, p)
    if oracle is None:
        line["landlab"] = "missing: run `make oracles`"
        return line
    elevation, theirs, _ = oracle
    diff = float(np.nanmax(np.abs(elevation - res.elevation)))
    line.update({"landlab_years_per_s": years / theirs,
                 "ratio_ours_over_landlab": theirs / ours, "max_abs_diff_m": diff})
    return line


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", choices=["sample", "1M", "both"], default="both")
    ap.add_argument("--years", type=int, default=None,
                    help="model years (default 10 on the sample, 3 on 1M)")
    args = ap.parse_args()
    sizes = ["sample", "1M"] if args.size == "both" else [args.size]
    for size in sizes:
        years = args.years or (10 if size == "sample" else 3)
        r = run(size, years)
        print(" ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                       for k, v in r.items()), flush=True)


if __name__ == "__main__":
    main()
