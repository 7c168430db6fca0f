"""Benchmark: cell classification + maximum/minimum earthwork surfaces.

Usage::

    .venv/bin/python benchmarks/surfaces.py             # zoom 4 (2.2 M) and 11 (16.9 M)
    .venv/bin/python benchmarks/surfaces.py --zoom 4    # one size
    .venv/bin/python benchmarks/surfaces.py --method converged

The DEM is the jacksboro sample (tests/data, 384 x 363, 80 m) upsampled with
``scipy.ndimage.zoom(dem, k, order=1)`` (k = 4: 1536 x 1452 at 20 m, 2.2 M
cells; k = 11: 4224 x 3993 at ~7.3 m, 16.9 M cells).  The reshaping area is
the central rectangle of half the DEM's width and height (a quarter of the
cells), which crosses several valleys.  Channels, ridges and catchments come
from ``core.channels.extract_channels`` with a fixed threshold of 9 x k^2
cells (the sample's OTSU threshold, 9 cells of 80 m, as an area) so the
network has the same density at every zoom.

Each (size, method) runs in its own child process (this script with
``--child``).  In the child the DEM and its channel network are built first
(not timed), the peak-RSS mark is reset (``5`` written to
``/proc/self/clear_refs``), then classification and both surfaces are
computed; wall times of each step and ``VmHWM`` (peak resident set) are
reported, with the peak above the RSS the child had before the timed part.
"""
import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, load_dem as _load, reset_peak as _reset_peak, \
    status_kb as _status_kb  # noqa: E402


def child(zoom, method):
    import gc
    import numpy as np
    sys.path.insert(0, str(ROOT / "build"))
    from hpcs_landform.core import classify as cl
    from hpcs_landform.core import hydrology as hy
    from hpcs_landform.core import surfaces as sf
    from hpcs_landform.core.channels import extract_channels
    z, dx, dy = _load(zoom)
    t = 9.0 * zoom * zoom
    net = extract_channels(z, dx, dy, "fixed", t, t)
    rows, cols = z.shape
    area = np.zeros(z.shape, dtype=bool)
    area[rows // 4:3 * rows // 4, cols // 4:3 * cols // 4] = True
    channels, ridges, catchments, flowdir = net.channels, net.ridges, net.catchments, net.flowdir
    del net
    gc.collect()
    base_kb = _status_kb("VmRSS")
    reset = _reset_peak()
    t0 = time.perf_counter()
    rec = hy.receivers_from_codes(flowdir)
    classes = cl.classify_cells(z, area, rec, channels, ridges)
    t1 = time.perf_counter()
    res = sf.earthwork_surfaces(z, classes, rec, catchments, dx, dy, interpolation=method)
    t2 = time.perf_counter()
    peak_kb = _status_kb("VmHWM")
    counts = {cl.NAMES[k]: v for k, v in cl.class_counts(classes).items()}
    print(json.dumps({
        "zoom": zoom, "method": method, "shape": [rows, cols], "area_cells": int(area.sum()),
        "times": {"classify": t1 - t0, "surfaces": t2 - t1, "total": t2 - t0},
        "peak_mb": peak_kb / 1024.0, "work_mb": (peak_kb - base_kb) / 1024.0,
        "peak_reset": reset, "sweeps": res.sweeps, "sweeps_rule": res.sweeps_rule,
        "counts": counts, "semi": [res.semi_a_min, res.semi_a_max],
        "band_ok": bool(np.all(res.dem_max >= res.dem_min))}))


def measure(zoom, method):
    out = subprocess.run([sys.executable, __file__, "--child", "--zoom", str(zoom),
                          "--method", method], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--zoom", type=int, action="append",
                    help="upsampling factor(s) of the jacksboro DEM (default 4 and 11)")
    ap.add_argument("--method", action="append", choices=("sweeps", "converged"),
                    help="eq. 5 interpolation(s) (default both)")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    zooms = args.zoom or [4, 11]
    methods = args.method or ["sweeps", "converged"]
    if args.child:
        child(zooms[0], methods[0])
        return
    rows = []
    for zoom in zooms:
        for method in methods:
            r = measure(zoom, method)
            rows.append(r)
            sh = r["shape"]
            print(f"jacksboro x{zoom} ({sh[0]} x {sh[1]} = {sh[0] * sh[1] / 1e6:.1f} M cells, "
                  f"area {r['area_cells'] / 1e6:.2f} M), {method}: classify "
                  f"{r['times']['classify']:.2f} s, surfaces {r['times']['surfaces']:.2f} s, "
                  f"peak RSS {r['peak_mb']:.0f} MB (+{r['work_mb']:.0f} MB), n = {r['sweeps']} "
                  f"(rule {r['sweeps_rule']}), band ok {r['band_ok']}", flush=True)
            print(f"   classes: {r['counts']}", flush=True)
    print()
    print("| DEM | cells | area cells | eq. 5 | n | classify s | surfaces s | total s "
          "| peak MB | work MB |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        cells = r["shape"][0] * r["shape"][1] / 1e6
        t = r["times"]
        print(f"| jacksboro x{r['zoom']} | {cells:.1f} M | {r['area_cells'] / 1e6:.2f} M | "
              f"{r['method']} | {r['sweeps']} | {t['classify']:.2f} | {t['surfaces']:.2f} | "
              f"{t['total']:.2f} | {r['peak_mb']:.0f} | {r['work_mb']:.0f} |")


if __name__ == "__main__":
    main()
