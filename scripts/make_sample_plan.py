#!/usr/bin/env python3
"""Make the sample mine plan used by the demo and the tests (issue 4).

Writes, next to the sample DEM data/sample/jacksboro_fault_dem_utm16n_80m.tif
(384 x 363 cells of 80 m, EPSG:32616):

* data/sample/mine_area.geojson - the mine area: a 6.0 km (west-east) by
  1.2 km polygon across the valleys and ridges east of the Jacksboro fault,
  with a bevelled north-east corner (a lease boundary, not a grid rectangle);
* data/sample/seam_floor.tif - the floor of the lowest minable seam (m, same
  datum as the DEM): the least-squares plane through the DEM over the mine
  area (a floor dipping gently, about 2 degrees to the north), lowered so
  that the shallowest cell of the mine area is 60 m deep; the deepest is then
  about 140 m (within the 60-150 m the issue asks);
* data/sample/coal_thickness.tif - the minable coal thickness (m), a smooth
  field between 5 and 15 m: 10 + 4 sin(2 pi x / 3000 m) + cos(2 pi y / 1500 m)
  in metres from the mine area's south-west corner.

Both rasters are on the DEM's grid and have no data farther than 800 m (10
cells) from the mine area's bounding box.  Everything is deterministic (no
random numbers).  The script then checks the plan with stand-in surfaces
(SURFACE_MAX = DEM + 20 m, SURFACE_MIN = DEM - 20 m) and the paper's pit
geometry (90 m strips, mining due west, tracking distance 50 m, dump slope
8 degrees, working slope 20 degrees, k = 1) and prints the figures.

Run: .venv/bin/python scripts/make_sample_plan.py   (or /usr/bin/python3)
"""
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _plan import ROOT, check_plan, import_package, readable, ring_wkb  # noqa: E402
from _plan import write_geojson as _write_geojson  # noqa: E402

import_package()
from hpcs_landform.core.grid import rasterize_polygons, read_raster, write_raster  # noqa: E402

SAMPLE = ROOT / "data" / "sample"
DEM = SAMPLE / "jacksboro_fault_dem_utm16n_80m.tif"

#: the mine area: columns 237..312 and rows 156..171 of the DEM (6.0 x 1.2 km),
#: corners in EPSG:32616 metres, north-east corner bevelled by 400 m
COL0, COL1, ROW0, ROW1 = 237, 312, 156, 171
BEVEL = 400.0
MIN_DEPTH = 60.0
MARGIN = 10          # cells of data kept around the mine area


def mine_polygon(transform):
    x0, dx, _, y0, _, dy = transform
    xw, xe = x0 + dx * COL0, x0 + dx * COL1
    yn, ys = y0 + dy * ROW0, y0 + dy * ROW1
    ring = [(xw, ys), (xe, ys), (xe, yn - BEVEL), (xe - BEVEL, yn), (xw, yn), (xw, ys)]
    return [(round(x, 3), round(y, 3)) for x, y in ring]


def write_geojson(path, ring):
    _write_geojson(path, ring, 32616, "sample mine area")


def main():
    z, grid = read_raster(DEM)
    ring = mine_polygon(grid.transform)
    mask = rasterize_polygons([ring_wkb(ring)], grid)
    rows, cols = np.nonzero(mask)
    xc, yc = grid.cell_centres()
    X, Y = np.meshgrid(xc, yc)
    # plane through the DEM over the mine area (least squares), then lowered
    A = np.c_[np.ones(rows.size), X[mask] - X[mask].mean(), Y[mask] - Y[mask].mean()]
    coef, *_ = np.linalg.lstsq(A, z[mask], rcond=None)
    plane = coef[0] + coef[1] * (X - X[mask].mean()) + coef[2] * (Y - Y[mask].mean())
    offset = float(np.min(z[mask] - plane[mask])) - MIN_DEPTH
    floor = plane + offset
    xsw, ysw = ring[0]
    thick = 10.0 + 4.0 * np.sin(2 * np.pi * (X - xsw) / 3000.0) \
        + 1.0 * np.cos(2 * np.pi * (Y - ysw) / 1500.0)
    keep = np.zeros_like(mask)
    keep[max(ROW0 - MARGIN, 0):ROW1 + MARGIN, max(COL0 - MARGIN, 0):COL1 + MARGIN] = True
    floor = np.where(keep, floor, np.nan)
    thick = np.where(keep, thick, np.nan)

    write_geojson(SAMPLE / "mine_area.geojson", ring)
    write_raster(SAMPLE / "seam_floor.tif", floor, grid, "float32")
    write_raster(SAMPLE / "coal_thickness.tif", thick, grid, "float32")
    readable(SAMPLE, ("seam_floor.tif", "coal_thickness.tif", "mine_area.geojson"))

    depth = (z - floor)[mask]
    dip = np.degrees(np.arctan(np.hypot(coef[1], coef[2])))
    azi = np.degrees(np.arctan2(-coef[1], -coef[2])) % 360
    print(f"mine area: {mask.sum()} cells ({mask.sum() * grid.cell_area / 1e6:.2f} km2), "
          f"DEM {np.nanmin(z[mask]):.0f}-{np.nanmax(z[mask]):.0f} m")
    print(f"seam floor: plane dipping {dip:.2f} deg towards azimuth {azi:.0f}, depth "
          f"{depth.min():.1f}-{depth.max():.1f} m (mean {depth.mean():.1f})")
    print(f"coal thickness: {np.nanmin(thick[mask]):.2f}-{np.nanmax(thick[mask]):.2f} m")
    # stand-in surfaces while the earthwork surfaces are not at hand
    res = check_plan(z, floor, thick, mask, grid.transform, 270.0, 90.0, True)
    o = res.optimized
    print(f"plan with SURFACE_MAX/MIN = DEM +/- 20 m, strips 90 m, mining west: pit "
          f"{res.pit_length:.0f} m (smallest safe), {res.n_periods} periods")
    print(f"  sum V_g {res.total_supply / 1e6:.2f} Mm3 in [sum V_fmin "
          f"{res.total_fmin / 1e6:.2f}, sum V_fmax {res.total_fmax / 1e6:.2f}] Mm3, "
          f"ratio {res.ratio:.4f}")
    for label, plan in (("original", res.original), ("optimized", o)):
        kinds = sorted(set(plan.status))
        print(f"  {label} plan: " + ", ".join(f"{plan.status.count(k)} {k}" for k in kinds)
              + f"; V_g / V_fmin {np.min(plan.v_supply / plan.v_fmin):.3f}"
              f"-{np.max(plan.v_supply / plan.v_fmin):.3f}; gap - L_tn >= "
              f"{np.min(plan.gap - plan.safe_dist):.1f} m")
    print("  optimized cases: "
          + ", ".join(f"{c}: {o.case.count(c)}" for c in ("a", "b", "c", "d", "none")))
    for msg in res.messages:
        print("  note:", msg)


if __name__ == "__main__":
    main()
