"""Benchmark: cell classification + maximum/minimum earthwork surfaces.

Usage::

    .venv/bin/python benchmarks/surfaces.py             # zoom 4 (2.2 M) and 11 (16.9 M)
    .venv/bin/python benchmarks/surfaces.py --zoom 4    # one size
    .venv/bin/python benchmarks/surfaces.py --method converged
    .venv/bin/python benchmarks/surfaces.py --quality [DEM.tif ...] [--figures DIR]

``--quality`` measures the design quality of the surfaces instead of time
(docs/method.md section 3, "slope limit"): on the sample plan (jacksboro 80 m,
data/sample: mine area, seam floor) and on rectangular mine areas on the real
DEMs given (default: the two in ``QUALITY_CASES``, if the folder holds them),
the spikes (cells of the area off their 3 x 3 median by more than tan(A_max) x
cell, and by more than 10 m), the Horn and step mean slopes of PNL, dem_min and
dem_max, and sum V_fmax / sum V_fmin (eq. 7, 8 over the mine area down to the
seam floor), each *before* (the paper's equations alone, semi-fixed angles
from the single extremes: ``limit_slopes=False, percentile=0``) and *after*
(the defaults).  ``--figures DIR`` writes a hillshade PNG per case.

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
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT
from _common import load_dem as _load
from _common import reset_peak as _reset_peak
from _common import status_kb as _status_kb  # noqa: E402


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
    net = extract_channels(z, dx, dy, method="fixed", channel_threshold=t,
                           ridge_threshold=t)
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


#: real DEMs and their mine rectangles for --quality: (file, (row0, row1), (col0, col1));
#: chosen across dissected hillslopes.  The folder: $HPCS_DEM_DIR, default data/demo
#: (which holds bc_trim_25m.tif, see data/demo/README.md); the Gabilan Mesa case needs
#: gabilan_mesa_lidar_1m.tif (NCALM 1 m lidar of Gabilan Mesa, California, via OpenTopography,
#: as in LSDtopotools' ExampleTopoDatasets, set to EPSG:32610) in that folder
DEM_DIR = Path(os.environ.get("HPCS_DEM_DIR", ROOT / "data" / "demo"))
QUALITY_CASES = (
    # bc_trim 25 m: 5 km (west-east) x 1 km, mean Horn slope 14.7 deg (the paper's site:
    # the complete 40 x 200 window of the DEM whose mean slope is nearest 14.7 deg)
    ("bc_trim_25m.tif", "bc_trim_25m", (380, 420), (310, 510)),
    # bc_trim 25 m: 5 km x 1 km across the steeper hills in the north (21.8 deg)
    ("bc_trim_25m.tif", "bc_trim_25m_steep", (60, 100), (330, 530)),
    # Gabilan Mesa lidar 1 m: 500 m x 100 m across the grassland ridges and valleys
    ("gabilan_mesa_lidar_1m.tif", "gabilan_mesa_lidar_1m", (400, 500), (200, 700)),
)


def plane_floor(z, area, depth=60.0):
    """Seam floor for a DEM without a plan: the least-squares plane through z
    over the area, lowered so the shallowest cell of the area is ``depth`` deep."""
    import numpy as np
    r, c = np.nonzero(area)
    a = np.c_[r, c, np.ones(r.size)]
    coef, *_ = np.linalg.lstsq(a, z[r, c], rcond=None)
    rr, cc = np.mgrid[0:z.shape[0], 0:z.shape[1]]
    plane = coef[0] * rr + coef[1] * cc + coef[2]
    return plane + (np.min(z[r, c] - plane[r, c]) - depth)


def delineation_band(z, g, res, floor, thickness, area):
    """sum V_fmax / sum V_fmin of hpcs:subareadelineation's core on the demo's
    plan (mining due west, 240 m strips, k 1.05, optimized; the refilling
    strips only), or None if the plan is infeasible with these surfaces."""
    sys.path.insert(0, str(ROOT / "build"))
    from hpcs_landform.core.errors import InputError
    from hpcs_landform.core.subareas import delineate
    try:
        d = delineate(z, res.dem_max, res.dem_min, floor, thickness, area, g.transform,
                      azimuth=270.0, strip_width=240.0, k=1.05, optimize_plan=True)
    except InputError:
        return None
    return d.band_ratio


def quality_case(name, z, g, area, floor, figures=None, thickness=None):
    """Rows of the --quality table for one DEM and mine area."""
    import numpy as np
    sys.path.insert(0, str(ROOT / "build"))
    sys.path.insert(0, str(ROOT / "scripts"))
    from hpcs_landform.core import classify as cl
    from hpcs_landform.core import hydrology as hy
    from hpcs_landform.core import surfaces as sf
    from hpcs_landform.core.channels import extract_channels
    from hpcs_landform.core.quality import design_quality
    net = extract_channels(z, g.dx, g.dy)
    rec = hy.receivers_from_codes(net.flowdir)
    classes = cl.classify_cells(z, area, rec, net.channels, net.ridges)
    cell = min(g.dx, g.dy)
    ten = float(np.degrees(np.arctan(10.0 / cell)))     # the 10 m measure
    rows, runs = [], {}
    for label, kw in (("before", dict(limit_slopes=False, percentile=0)), ("after", {})):
        t0 = time.perf_counter()
        res = sf.earthwork_surfaces(z, classes, rec, net.catchments, g.dx, g.dy, **kw)
        secs = time.perf_counter() - t0
        runs[label] = res
        m = area & np.isfinite(floor)
        vmax = float(np.sum(res.dem_max[m] - floor[m]))
        vmin = float(np.sum(res.dem_min[m] - floor[m]))
        strips = (delineation_band(z, g, res, floor, thickness, area)
                  if thickness is not None else None)
        for surf, v in (("PNL", z), ("dem_min", res.dem_min), ("dem_max", res.dem_max)):
            q = design_quality(v, area, g.dx, g.dy, angle=res.a_max)
            q10 = design_quality(v, area, g.dx, g.dy, angle=ten)
            rows.append(dict(case=name, run=label, surface=surf, spikes=q.spikes,
                             spikes10=q10.spikes, largest=q.largest_spike, horn=q.horn_slope,
                             step=q.step_slope, ratio=vmax / vmin, strips=strips,
                             secs=secs,
                             semi=(res.semi_a_min, res.semi_a_max),
                             limited=(res.limited_max, res.limited_min)))
    if figures:
        from figures_surfaces import quality_figure
        b, a = runs["before"], runs["after"]
        quality_figure([("PNL", z), ("dem_min before", b.dem_min), ("dem_min after", a.dem_min),
                        ("dem_max before", b.dem_max), ("dem_max after", a.dem_max)],
                       area, g.dx, g.dy, Path(figures) / f"quality_{name}.png",
                       title=f"{name}: hillshades, spikes circled (tan(A_max) x cell)")
    return rows


def quality(paths, figures=None):
    import numpy as np
    sys.path.insert(0, str(ROOT / "build"))
    from osgeo import ogr

    from hpcs_landform.core.grid import rasterize_polygons, read_raster
    sample = ROOT / "data" / "sample"
    z, g = read_raster(sample / "jacksboro_fault_dem_utm16n_80m.tif")
    floor, _ = read_raster(sample / "seam_floor.tif")
    ds = ogr.Open(str(sample / "mine_area.geojson"))
    area = rasterize_polygons([f.GetGeometryRef().ExportToWkb() for f in ds.GetLayer()], g)
    thickness, _ = read_raster(sample / "coal_thickness.tif")
    rows = quality_case("sample_jacksboro_80m", z, g, area, floor, figures, thickness)
    for path in paths:
        path = Path(path)
        z, g = read_raster(path)
        cases = [(label, r, c) for name, label, r, c in QUALITY_CASES if name == path.name]
        if not cases:      # another DEM: a band across its middle, half its width
            cases = [(path.stem, (z.shape[0] // 2 - 20, z.shape[0] // 2 + 20),
                      (z.shape[1] // 4, 3 * z.shape[1] // 4))]
        for label, (r0, r1), (c0, c1) in cases:
            area = np.zeros(z.shape, dtype=bool)
            area[r0:r1, c0:c1] = True
            area &= np.isfinite(z)
            rows += quality_case(label, z, g, area, plane_floor(z, area), figures)
    print("| case | run | surface | spikes | spikes > 10 m | largest m | Horn deg | step deg "
          "| sum V_fmax / sum V_fmin: area (refilling strips) | semi-fixed A_min, A_max | s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        band = f"{r['ratio']:.3f}" + (f" ({r['strips']:.3f})" if r["strips"] else "")
        print(f"| {r['case']} | {r['run']} | {r['surface']} | {r['spikes']} | {r['spikes10']} "
              f"| {r['largest']:.1f} | {r['horn']:.2f} | {r['step']:.2f} | {band} | "
              f"{r['semi'][0]:.2f}, {r['semi'][1]:.2f} | {r['secs']:.2f} |")
    return rows


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
    ap.add_argument("--quality", nargs="*", metavar="DEM",
                    help="design quality on the sample and these DEMs (default: QUALITY_CASES)")
    ap.add_argument("--figures", help="folder for the --quality hillshades")
    args = ap.parse_args()
    if args.quality is not None:
        paths = args.quality or [DEM_DIR / n for n in dict.fromkeys(c[0] for c in QUALITY_CASES)
                                 if (DEM_DIR / n).exists()]
        quality(paths, args.figures)
        return
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
