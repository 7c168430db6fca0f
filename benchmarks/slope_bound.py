#!/usr/bin/env python3
"""How gentle can a near-natural landform be?  The gentlest surfaces the band allows
(issue 12, item 3: "MNNDL's mean slope at or below PNL's ... if the supply makes that
impossible, show why with figures").

Reads a finished run of the full pipeline model (default: demo_output/ of `make demo`)
and, for each plan (original -> NNDL, optimized -> MNNDL), holds what the landform
holds: every refilling strip's volume above the seam floor, exactly (eq. 7/8 on the
landform = V_g of eq. 6).  It then looks for the gentlest surface with those volumes:

* the run's landform (default blend "natural" + the slope mitigation between the
  catchment units of each strip, the paper's module);
* the least-squares surface in the band: least sum of squared one-cell steps of z with
  every cell in [dem_min, dem_max] (the model's BLEND "Gentlest", no mitigation);
* per-cell descent in the band: from the run's landform and from that surface,
  projected gradient descent with a free elevation in every dump cell (far more freedom than the paper's catchment units),
  each strip's volume exact and every cell kept in its band, on the smooth
  centre-inclusive step slope (the mitigation's own objective) and, separately, on a
  smooth Horn slope (a bound for Horn's mean slope that even roughening cannot beat);
* the same descents with no band at all (cells only kept above the seam floor): what
  the supply alone allows.

The band is the same as the model's near-natural step: a strip whose supply lies in
[V_fmin, V_fmax] keeps every cell in [dem_min, dem_max]; an uplifted strip (more than
V_fmax) only z >= dem_min, a sunk one only z <= dem_max.  The descents are local
(the slope measures are not convex): their figures are what a search with per-cell
freedom reaches, an upper estimate of the true minimum, not a proof of it.

Measures: design quality (core.quality) over the dump's interior: spikes, Horn mean
slope, centre-inclusive step slope, PNL measured the same way; and what a gentler
surface costs the hydrology: the fusion rate and the channel overlap with PNL
(core.fusion.evaluate_fusion, as the model's fusion-rate step).  A diagnostic, not a
test; about a minute on the demo.

Run: .venv/bin/python benchmarks/slope_bound.py [RUN_FOLDER DEM FLOOR] [--iterations N]
"""
import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "build"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from fusion_band import labels  # noqa: E402

from hpcs_landform.core import landform as lf  # noqa: E402
from hpcs_landform.core import nearnatural as nn  # noqa: E402
from hpcs_landform.core.fusion import evaluate_fusion  # noqa: E402
from hpcs_landform.core.grid import read_raster  # noqa: E402
from hpcs_landform.core.quality import design_quality, interior  # noqa: E402

FORMS = (("original", "NNDL"), ("optimized", "MNNDL"))
EPS = nn.STEP_EPS


def smooth_horn(z, mask, dx, dy):
    """(F, dF/dz): mean over ``mask`` of atan(sqrt(eps^2 + |Horn gradient|^2)) in
    degrees, and its exact gradient (the adjoint of Horn's stencil)."""
    from scipy import ndimage
    n = max(int(mask.sum()), 1)
    gx, gy = lf.horn_gradient(z, dx, dy)
    r = np.sqrt(EPS * EPS + gx * gx + gy * gy)
    value = float(np.degrees(np.arctan(r[mask])).sum() / n)
    w = np.where(mask, np.degrees(1.0) / (n * (1.0 + r * r) * r), 0.0)
    # adjoint of correlate(., K) away from the edges is convolve(., K)
    grad = (ndimage.convolve(w * gx, lf._KX, mode="constant") / (8.0 * dx)
            + ndimage.convolve(w * gy, lf._KY, mode="constant") / (8.0 * dy))
    return value, grad


class _Strips:
    """Dump cells, their strips, bounds and volume targets: the feasible set
    {lo <= z <= hi, sum over strip n of (z - floor) A = V_n}."""

    def __init__(self, lab, lo, hi, floor, target, area):
        self.lab, self.lo, self.hi, self.area = lab, lo, hi, area
        self.goal = target / area + np.bincount(lab, weights=floor, minlength=target.size)

    def project(self, y, iters=64):
        """Euclidean projection: clip(y - mu_n, lo, hi), mu_n by bisection per strip."""
        n = self.goal.size
        a, b = np.full(n, -1e4), np.full(n, 1e4)
        for _ in range(iters):
            mu = 0.5 * (a + b)
            s = np.bincount(self.lab, weights=np.clip(y - mu[self.lab], self.lo, self.hi),
                            minlength=n)
            big = s > self.goal
            a, b = np.where(big, mu, a), np.where(big, b, mu)
        return np.clip(y - 0.5 * (a + b)[self.lab], self.lo, self.hi)


def descend(z0, dump, strips, objective, iterations):
    """Projected gradient descent with backtracking on ``objective(z) -> (F, dF/dz)``."""
    z = z0.copy()
    f, g = objective(z)
    step = 10.0
    for _ in range(iterations):
        for _ in range(30):
            trial = z.copy()
            trial[dump] = strips.project(z[dump] - step * g[dump])
            ft, gt = objective(trial)
            if ft < f:
                z, f, g, step = trial, ft, gt, step * 1.5
                break
            step *= 0.5
        else:
            break
    return z


def plan_case(run, dem, floor, g, plan, form, iterations):
    """Rows (name, Quality, max volume error) for one plan."""
    dx, dy = g.dx, g.dy
    zmin = read_raster(str(run / "dem_min.tif"))[0]
    zmax = read_raster(str(run / "dem_max.tif"))[0]
    mining, refilling = labels(run, g, plan, "mining"), labels(run, g, plan, "refilling")
    dump, pit, _ = lf.mine_zones(mining, refilling)
    z_run = read_raster(str(run / f"{form}.tif"))[0]
    lab, area = refilling[dump], dx * dy
    vol = lambda z: np.bincount(lab, weights=(z[dump] - floor[dump]) * area)  # noqa: E731
    target = vol(z_run)
    n = target.size
    vmin = np.bincount(lab, weights=(np.maximum(zmin, floor)[dump] - floor[dump]) * area,
                       minlength=n)
    vmax = np.bincount(lab, weights=(zmax[dump] - floor[dump]) * area, minlength=n)
    above, below = (target > vmin * (1 + 1e-9))[lab], (target < vmax * (1 - 1e-9))[lab]
    band = _Strips(lab, np.where(above, np.maximum(zmin[dump], floor[dump]), floor[dump]),
                   np.where(below, zmax[dump], np.inf), floor[dump], target, area)
    free = _Strips(lab, floor[dump], np.full(lab.size, np.inf), floor[dump], target, area)
    ls = nn.near_natural_landform(dem, zmax, zmin, floor, mining, refilling, target, dx, dy,
                                  settings=nn.NearNaturalSettings(mitigation=False,
                                                                  blend="surface")).landform
    inner = interior(dump)
    step_obj = lambda z: nn.smooth_step_slope(z, inner, dx, dy, ignore=pit)  # noqa: E731
    horn_obj = lambda z: smooth_horn(z, inner, dx, dy)  # noqa: E731
    cases = [(f"{form} of the run (natural blend + mitigation)", z_run),
             ("least squares in the band (BLEND Gentlest)", ls)]
    runs = [(form, z_run, band, "step slope", step_obj, "in the band"),
            ("least squares", ls, band, "step slope", step_obj, "in the band"),
            ("least squares", ls, band, "Horn slope", horn_obj, "in the band"),
            ("least squares", ls, free, "step slope", step_obj, "no band"),
            ("least squares", ls, free, "Horn slope", horn_obj, "no band")]
    for start, z0, strips, oname, obj, label in runs:
        t = time.perf_counter()
        z = descend(z0, dump, strips, obj, iterations)
        cases.append((f"per-cell descent from {start}, {oname}, {label} "
                      f"({time.perf_counter() - t:.0f} s)", z))
    rows = []
    for name, z in cases:
        err = float(np.max(np.abs(vol(z) - target) / np.maximum(target, 1.0)))
        ev = evaluate_fusion(dem, z, mining, refilling, dx, dy)
        rows.append((name, design_quality(z, dump, dx, dy), err, ev.fusion.rate,
                     ev.channels.overlap))
    return rows, design_quality(dem, dump, dx, dy)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("run", nargs="?", default=str(ROOT / "demo_output"))
    ap.add_argument("dem", nargs="?", default=str(ROOT / "data/demo/dem_25m.tif"))
    ap.add_argument("floor", nargs="?", default=str(ROOT / "data/demo/seam_floor.tif"))
    ap.add_argument("--iterations", type=int, default=400)
    a = ap.parse_args()
    run = Path(a.run)
    dem, g = read_raster(a.dem)
    floor = read_raster(a.floor)[0]
    for plan, form in FORMS:
        rows, pnl = plan_case(run, dem, floor, g, plan, form, a.iterations)
        print(f"\n{plan} plan ({form}): dump interior {pnl.cells} cells, every strip's "
              f"volume held; spikes, Horn / step mean slope (deg), fusion rate, channel "
              f"overlap (eq. 10-12, PNL's OTSU threshold)")
        print(f"  {'PNL (the pre-mining DEM)':78s} {pnl.spikes:4d}  {pnl.horn_slope:6.2f}"
              f"  {pnl.step_slope:6.2f}")
        for name, q, err, rate, overlap in rows:
            print(f"  {name:78s} {q.spikes:4d}  {q.horn_slope:6.2f}  {q.step_slope:6.2f}"
                  f"  {100 * rate:5.1f} %  {100 * overlap:5.1f} %   (volume error {err:.0e})",
                  flush=True)


if __name__ == "__main__":
    main()
