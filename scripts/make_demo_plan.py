#!/usr/bin/env python3
"""Make the demo site's mine plan (`make demo`; issue 12): a paper-like site.

Input: data/demo/bc_trim_25m.tif, a real 25 m DEM (British Columbia TRIM,
EPSG:3005, 619 x 554 cells, nodata in the rotated corners; see
data/demo/README.md for its source).  Everything below is deterministic (no
random numbers).

1. The mine window.  Every 5 km x 1 km rectangle of whole cells (200 x 40
   cells, long axis west-east or north-south), at offsets of 5 cells, whose
   cells and 1000 m (40 cells) around them all have data (the erosion
   comparison's surroundings), is a candidate.  For each: the mean Horn slope
   of its cells and the share of cells flatter than 3 degrees (valley floor).
   Kept: mean slope in [10, 18] degrees and under 5 % of flat cells (dissected
   hillslopes, not the valley floor).  Chosen: the kept window whose mean
   slope is closest to the paper's site (14.7 degrees); ties -> smaller row,
   then column, west-east before north-south.
2. The grid of the plan: the chosen window plus 1500 m (60 cells) on every
   side, clipped to the DEM, cut out of the DEM unchanged and written as
   data/demo/dem_25m.tif (the model's DEM / PNL).  The cut keeps the run
   short; 1500 m covers the 1000 m of surroundings with room for the
   channels that enter the mine.
3. data/demo/mine_area.geojson: the window as a polygon with one corner
   bevelled by 400 m (a lease boundary, not a grid rectangle), the corner at
   the start of mining on the window's east (or north) side.
4. The mining direction: along the long axis, down the dip of the
   least-squares plane through the DEM over the mine area (the seam's regional
   dip; strip mines advance from the crop line down-dip).
5. data/demo/seam_floor.tif: the DEM smoothed by a Gaussian of sigma 150 m
   (a seam following the large-scale form of the ground), lowered so that the
   shallowest cell of the mine area is 60 m deep (as the jacksboro sample).
   The jacksboro sample's floor, a least-squares plane, does not fit here: the
   window crosses a ridge, and the plane lowered to 60 m would be 60-605 m
   deep, so deep that the safe pit (eq. 9) is longer than the mine.
6. data/demo/coal_thickness.tif: 10 + 4 sin(2 pi u / 3000 m) + cos(2 pi v /
   1500 m), u along the long axis from the start of mining, v across it, in
   metres: a smooth field between 5 and 15 m.
   Floor and thickness have data within 1500 m of the mine area's box (the
   whole cut-out grid).
7. A check of the plan with stand-in surfaces (SURFACE_MAX / MIN = DEM +/-
   20 m; the model computes the real ones) and the demo's pit geometry: 90 m
   strips, tracking distance 50 m, inner-dump slope 8 degrees, working slope 20
   degrees: the pit, the periods and the range of k (eq. 6) that would make the
   plan feasible.  It prints the figures the README records, and writes
   data/demo/plan.json (files, direction, strip width) for the demo, which
   takes k at the middle of the feasible range of the model's own surfaces.

Run: /usr/bin/python3 scripts/make_demo_plan.py   (or .venv/bin/python)
"""
import json
import sys
from pathlib import Path

import numpy as np
from scipy import ndimage

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _plan import ROOT, check_plan, import_package, readable, ring_wkb  # noqa: E402
from _plan import write_geojson as _write_geojson  # noqa: E402

import_package()
from hpcs_landform.core.grid import Grid, rasterize_polygons, read_raster, write_raster  # noqa: E402
from hpcs_landform.core.landform import slope_degrees  # noqa: E402

DEMO = ROOT / "data" / "demo"
SOURCE = DEMO / "bc_trim_25m.tif"
DEM = DEMO / "dem_25m.tif"
LONG, SHORT = 200, 40          # cells: 5 km x 1 km at 25 m
STEP = 5                       # cells between candidate windows
SURROUND = 40                  # cells of data required around a window (1000 m)
MARGIN = 60                    # cells cut out around the window (1500 m)
SLOPE_RANGE = (10.0, 18.0)     # degrees
FLAT, FLAT_SHARE = 3.0, 0.05   # degrees, share
PAPER_SLOPE = 14.7             # degrees, the paper's site
BEVEL = 400.0                  # m
MIN_DEPTH = 60.0               # m
FLOOR_SIGMA = 150.0            # m, Gaussian smoothing of the DEM for the seam floor
STRIP_WIDTH = 90.0             # m, the paper's


def candidates(z, dx, dy):
    """(orientation, row, col, mean slope, flat share) of every admissible window."""
    slope = slope_degrees(z, dx, dy)
    valid = np.isfinite(z)
    out = []
    for orient, (h, w) in (("west-east", (SHORT, LONG)), ("north-south", (LONG, SHORT))):
        for r in range(SURROUND, z.shape[0] - h - SURROUND + 1, STEP):
            for c in range(SURROUND, z.shape[1] - w - SURROUND + 1, STEP):
                if not valid[r - SURROUND:r + h + SURROUND, c - SURROUND:c + w + SURROUND].all():
                    continue
                s = slope[r:r + h, c:c + w]
                out.append((orient, r, c, float(s.mean()), float((s < FLAT).mean())))
    return out


def choose(cands, rank=0):
    kept = [k for k in cands if SLOPE_RANGE[0] <= k[3] <= SLOPE_RANGE[1] and k[4] < FLAT_SHARE]
    if not kept:
        raise SystemExit("no admissible window")
    order = {"west-east": 0, "north-south": 1}
    kept.sort(key=lambda k: (abs(k[3] - PAPER_SLOPE), k[1], k[2], order[k[0]]))
    return kept[rank], kept


def write_geojson(path, ring, epsg):
    _write_geojson(path, ring, epsg, "demo mine area")


def main(rank=0):
    zs, gs = read_raster(SOURCE)
    cands = candidates(zs, gs.dx, gs.dy)
    (orient, r0, c0, mslope, flat), kept = choose(cands, rank)
    h, w = (SHORT, LONG) if orient == "west-east" else (LONG, SHORT)
    print(f"{len(cands)} candidate windows with 1000 m of data around; {len(kept)} with mean "
          f"slope in [{SLOPE_RANGE[0]:g}, {SLOPE_RANGE[1]:g}] deg and < {100 * FLAT_SHARE:g} % "
          f"of cells under {FLAT:g} deg")
    best = sorted(kept, key=lambda k: abs(k[3] - PAPER_SLOPE))[:5]
    for k in best:
        print(f"  {k[0]:11s} rows {k[1]}-{k[1] + (SHORT if k[0] == 'west-east' else LONG) - 1}, "
              f"cols {k[2]}-{k[2] + (LONG if k[0] == 'west-east' else SHORT) - 1}: mean slope "
              f"{k[3]:.2f} deg, flat {100 * k[4]:.1f} %")
    print(f"chosen: {orient}, source rows {r0}-{r0 + h - 1}, cols {c0}-{c0 + w - 1}, mean slope "
          f"{mslope:.2f} deg, {100 * flat:.1f} % flat")
    # 2. the cut-out grid
    R0, C0 = max(r0 - MARGIN, 0), max(c0 - MARGIN, 0)
    R1, C1 = min(r0 + h + MARGIN, zs.shape[0]), min(c0 + w + MARGIN, zs.shape[1])
    t = gs.transform
    grid = Grid((t[0] + C0 * t[1], t[1], 0.0, t[3] + R0 * t[5], 0.0, t[5]), (R1 - R0, C1 - C0),
                gs.crs_wkt)
    z = zs[R0:R1, C0:C1]
    print(f"cut-out grid: source rows {R0}-{R1 - 1}, cols {C0}-{C1 - 1} ({grid.shape[0]} x "
          f"{grid.shape[1]} cells)")
    # 3. the mine polygon (window in the cut-out grid's coordinates)
    x0, dx, _, y0, _, ndy = grid.transform
    wr, wc = r0 - R0, c0 - C0
    xw, xe = x0 + dx * wc, x0 + dx * (wc + w)
    yn, ys = y0 + ndy * wr, y0 + ndy * (wr + h)
    mask_box = np.zeros(grid.shape, bool)
    mask_box[wr:wr + h, wc:wc + w] = True
    xc, yc = grid.cell_centres()
    X, Y = np.meshgrid(xc, yc)
    m = mask_box
    A = np.c_[np.ones(int(m.sum())), X[m] - X[m].mean(), Y[m] - Y[m].mean()]
    coef, *_ = np.linalg.lstsq(A, z[m], rcond=None)
    # 4. down-dip along the long axis: the floor plane falls towards -grad
    if orient == "west-east":
        azimuth = 90.0 if coef[1] < 0 else 270.0
    else:
        azimuth = 0.0 if coef[2] < 0 else 180.0
    # bevel the corner where mining starts (the end opposite the advance), on the
    # window's north / east side
    if azimuth == 270.0:
        ring = [(xw, ys), (xe, ys), (xe, yn - BEVEL), (xe - BEVEL, yn), (xw, yn), (xw, ys)]
    elif azimuth == 90.0:
        ring = [(xw, ys), (xe, ys), (xe, yn), (xw + BEVEL, yn), (xw, yn - BEVEL), (xw, ys)]
    elif azimuth == 180.0:
        ring = [(xw, ys), (xe, ys), (xe, yn - BEVEL), (xe - BEVEL, yn), (xw, yn), (xw, ys)]
    else:
        ring = [(xw, ys), (xe - BEVEL, ys), (xe, ys + BEVEL), (xe, yn), (xw, yn), (xw, ys)]
    ring = [(round(x, 3), round(y, 3)) for x, y in ring]
    mask = rasterize_polygons([ring_wkb(ring)], grid)
    # 5. seam floor: the DEM smoothed (Gaussian, FLOOR_SIGMA; nodata left out by
    # normalised convolution) and lowered so the shallowest mine cell is MIN_DEPTH deep
    plane = coef[0] + coef[1] * (X - X[m].mean()) + coef[2] * (Y - Y[m].mean())
    valid = np.isfinite(z)
    sig = FLOOR_SIGMA / grid.dx
    smooth = ndimage.gaussian_filter(np.where(valid, z, 0.0), sig, mode="nearest") / \
        ndimage.gaussian_filter(valid.astype(float), sig, mode="nearest")
    floor = smooth + float(np.min(z[mask] - smooth[mask])) - MIN_DEPTH
    plane_depth = (z - plane)[mask]
    plane_depth = plane_depth - plane_depth.min() + MIN_DEPTH
    # 6. coal thickness along (u) and across (v) the mining axis from the start corner
    ax = np.array([np.sin(np.radians(azimuth)), np.cos(np.radians(azimuth))])
    start = {90.0: (xw, ys), 270.0: (xe, ys), 0.0: (xw, ys), 180.0: (xw, yn)}[azimuth]
    u = (X - start[0]) * ax[0] + (Y - start[1]) * ax[1]
    v = np.abs(-(X - start[0]) * ax[1] + (Y - start[1]) * ax[0])
    thick = 10.0 + 4.0 * np.sin(2 * np.pi * u / 3000.0) + np.cos(2 * np.pi * v / 1500.0)

    epsg = 3005
    write_raster(DEM, z, grid, "float32", nodata=-9999.0)
    write_raster(DEMO / "seam_floor.tif", floor, grid, "float32", nodata=-9999.0)
    write_raster(DEMO / "coal_thickness.tif", thick, grid, "float32", nodata=-9999.0)
    write_geojson(DEMO / "mine_area.geojson", ring, epsg)
    plan = {"dem": DEM.name, "floor": "seam_floor.tif", "thickness": "coal_thickness.tif",
            "mine_area": "mine_area.geojson", "direction": azimuth, "strip_width": STRIP_WIDTH,
            "k": "middle of the feasible range, from the model's own surfaces (scripts/demo.py)"}
    (DEMO / "plan.json").write_text(json.dumps(plan, indent=1) + "\n", encoding="utf-8")
    readable(DEMO, ("dem_25m.tif", "seam_floor.tif", "coal_thickness.tif",
                    "mine_area.geojson", "plan.json"))

    slope = slope_degrees(z, grid.dx, grid.dy)
    depth = (z - floor)[mask]
    dip = np.degrees(np.arctan(np.hypot(coef[1], coef[2])))
    dipazi = np.degrees(np.arctan2(-coef[1], -coef[2])) % 360
    print(f"mine area: {mask.sum()} cells ({mask.sum() * grid.cell_area / 1e6:.2f} km2), DEM "
          f"{np.nanmin(z[mask]):.0f}-{np.nanmax(z[mask]):.0f} m, mean slope "
          f"{slope[mask].mean():.2f} deg; mining towards azimuth {azimuth:g}")
    print(f"least-squares plane over the mine area: dips {dip:.2f} deg towards azimuth "
          f"{dipazi:.0f}; as a floor 60 m below its shallowest cell it would be "
          f"{plane_depth.min():.0f}-{plane_depth.max():.0f} m deep (mean {plane_depth.mean():.0f})")
    print(f"seam floor (DEM smoothed, sigma {FLOOR_SIGMA:g} m): depth {depth.min():.1f}-"
          f"{depth.max():.1f} m (mean {depth.mean():.1f})")
    print(f"coal thickness: {thick[mask].min():.2f}-{thick[mask].max():.2f} m")
    res = check_plan(z, floor, thick, mask, grid.transform, azimuth, STRIP_WIDTH, False)
    vg, lo, hi = res.total_supply, res.total_fmin, res.total_fmax
    print(f"plan with SURFACE_MAX/MIN = DEM +/- 20 m, strips {STRIP_WIDTH:g} m: pit "
          f"{res.pit_length:.0f} m (smallest safe), {res.n_periods} periods")
    print(f"  k = 1: sum V_g {vg / 1e6:.2f} Mm3, sum V_fmin {lo / 1e6:.2f}, sum V_fmax "
          f"{hi / 1e6:.2f} Mm3: feasible for k in [{lo / vg:.3f}, {hi / vg:.3f}] (the demo "
          "takes k from the model's own surfaces)")


if __name__ == "__main__":
    import os
    if os.environ.get("HPCS_DEMO_DIR"):        # trials elsewhere (see data/demo/README.md)
        DEMO = Path(os.environ["HPCS_DEMO_DIR"])
        DEM = DEMO / "dem_25m.tif"
    main(int(os.environ.get("HPCS_DEMO_RANK", "0")))
