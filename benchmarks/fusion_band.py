#!/usr/bin/env python3
"""Why one landform's fusion rate beats another's: the fusion rate (eq. 10 to 12) of
surfaces inside and outside the band [dem_min, dem_max], on a finished run.

Reads a run of the full pipeline model (default: demo_output/ of `make demo`) and the
pre-mining DEM, and prints the fusion rate, without the pit, and the channel overlap of

* the run's NNDL (original plan) and MNNDL (optimized plan);
* dem_min, dem_max and their middle set into the dump of each plan (every surface
  a near-natural landform may take when each strip's supply lies in its band);
* PNL itself and PNL raised or lowered uniformly in the dump (how much of the
  rate a dump of that mean height can keep at all);

and per period the fusion rate of NNDL and MNNDL with where each strip's supply lies
in its band ((V_g - V_fmin) / (V_fmax - V_fmin): below 0 the strip sinks below
dem_min, above 1 it rises above dem_max). A diagnostic, not a test.

Run: /usr/bin/python3 benchmarks/fusion_band.py [RUN_FOLDER DEM]
"""
import csv
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "build"))
from hpcs_landform.core.fusion import evaluate_fusion  # noqa: E402
from hpcs_landform.core.grid import rasterize_labels, read_raster  # noqa: E402


def labels(run, grid, plan, kind):
    """Period labels of one plan's strips of one kind on the grid (cell centres), as
    the algorithms burn them (core.grid.rasterize_labels)."""
    from osgeo import ogr
    ds = ogr.Open(str(run / "subareas.gpkg"))     # kept open while its layer is read
    layer = ds.GetLayer()
    layer.SetAttributeFilter(f"plan = '{plan}' AND kind = '{kind}'")
    feats = [(bytes(f.GetGeometryRef().ExportToWkb()), f.GetField("period")) for f in layer]
    return rasterize_labels([w for w, _ in feats], [p for _, p in feats], grid)


def line(name, ev):
    print(f"  {name:44s} {100 * ev.fusion.rate:6.2f} %  {100 * ev.fusion_no_pit.rate:6.2f} %"
          f"  {100 * ev.channels.overlap:6.2f} %", flush=True)


def band_position(run):
    """{(plan, period): (V_g - V_fmin) / (V_fmax - V_fmin)} from the periods table."""
    pos = {}
    with open(run / "subareas.csv", newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            lo, hi, g = (float(r[k]) for k in ("v_fmin_m3", "v_fmax_m3", "v_supply_m3"))
            pos[(r["plan"], int(r["period"]))] = (g - lo) / (hi - lo) if hi > lo else np.nan
    return pos


def main():
    run = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "demo_output"
    dem_path = Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "data/demo/dem_25m.tif"
    dem, grid = read_raster(str(dem_path))
    dx, dy = grid.dx, grid.dy
    forms = {n: read_raster(str(run / f"{n}.tif"))[0]
             for n in ("NNDL", "MNNDL", "dem_min", "dem_max")}
    print(f"{run}: fusion rate, without the pit, channel overlap")
    evs = {}
    for plan, form in (("original", "NNDL"), ("optimized", "MNNDL")):
        mining, refilling = labels(run, grid, plan, "mining"), labels(run, grid, plan, "refilling")
        dump = refilling > 0
        print(f"{plan} plan ({dump.sum()} dump cells; mean height above PNL "
              f"{np.nanmean(forms[form][dump] - dem[dump]):.2f} m)")
        evs[form] = evaluate_fusion(dem, forms[form], mining, refilling, dx, dy)
        line(form, evs[form])
        for w, name in ((0.0, "dem_min"), (0.5, "middle of the band"), (1.0, "dem_max")):
            s = forms[form].copy()
            s[dump] = (1 - w) * forms["dem_min"][dump] + w * forms["dem_max"][dump]
            line(f"{name} in the dump", evaluate_fusion(dem, s, mining, refilling, dx, dy))
    mining, refilling = labels(run, grid, "optimized", "mining"), \
        labels(run, grid, "optimized", "refilling")
    dump = refilling > 0
    inside = (forms["dem_min"][dump] <= dem[dump] + 1e-6) & (dem[dump] <= forms["dem_max"][dump] + 1e-6)
    print(f"PNL in the dump of the optimized plan (PNL lies inside its band on "
          f"{100 * inside.mean():.1f} % of the dump's cells)")
    for off in (0, 5, 10, 15, 20):
        s = forms["MNNDL"].copy()
        s[dump] = dem[dump] + off
        line(f"PNL + {off} m", evaluate_fusion(dem, s, mining, refilling, dx, dy))
    pos = band_position(run)
    print("per period: fusion rate NNDL / MNNDL; supply's place in the band, original / "
          "optimized plan (0 = V_fmin, 1 = V_fmax)")
    rate = {f: {s["period"]: s["rate"] for s in evs[f].fusion.strips} for f in evs}
    for p in sorted(rate["NNDL"]):
        print(f"  {p:3d}  {100 * rate['NNDL'][p]:6.1f} / {100 * rate['MNNDL'].get(p, np.nan):6.1f}"
              f"   {pos.get(('original', p), np.nan):6.2f} / {pos.get(('optimized', p), np.nan):6.2f}")


if __name__ == "__main__":
    main()
