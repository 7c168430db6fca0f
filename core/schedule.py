"""Earthwork schedule: which earth goes where, period by period (construction output).

The schedule is the haul model of :mod:`core.haul` (paper eq. 13, sections 1.3
and 2.3.2) written out as a construction sequence, not a new model:

* in period n the mining strip a_mn is stripped from its highest point down
  in lifts of the bench height (its overburden, k times the bank volume,
  eq. 6); the refilling strip a_fn is built from its lowest floor point up
  in lifts of the bench height, between the seam floor and the landform;
* source and destination lifts are laid end to end by cumulative volume
  (:func:`core.haul.pair_volumes`), so each step of the schedule takes one
  piece of earth from one source lift to one destination lift, and a higher
  destination lift is begun only when the one below is full;
* a step's haul is the 3-D distance between the volume centres of its two
  lifts; a period's mean haul is the volume-weighted mean of its steps
  (eq. 13 restricted to the period), the overall mean that of every step.

The steps, volumes and distances are those of :func:`core.haul.haul_distance`
(so the schedule's mean haul is hpcs:hauldistance's); this module adds each
lift's elevation range (from :func:`core.haul.lifts`) and the per-period
summary a site plan needs: volume moved, source and destination lift
elevations, number of lifts, mean haul.
"""
from dataclasses import dataclass, field

import numpy as np

from .errors import as_progress
from .haul import as_coverage, haul_distance, lifts


@dataclass
class Schedule:
    periods: list                   # per period: dict (see earthwork_schedule)
    steps: list                     # per step: dict, in construction order
    mean_distance: float            # m, volume-weighted over every step (eq. 13)
    totals: dict = field(default_factory=dict)


def _period_cells(cov):
    """{period: (cells, weights)} of a coverage (cells, periods, weights)."""
    cells, periods, weights = cov
    return {int(p): (cells[periods == p], weights[periods == p]) for p in np.unique(periods)}


def _lift_bounds(bottom, top, x, y, sel, bench_height, from_top, cell_area, k):
    """(L, 2) lower/upper elevation of the lifts of cells ``sel`` = (cells, weights),
    clipped to the columns' range (the last lift is only as thick as the earth)."""
    cells, w = sel
    bounds = lifts(bottom[cells], top[cells], x[cells], y[cells], bench_height=bench_height,
                   from_top=from_top, cell_area=cell_area, factor=k, weights=w)[2]
    if bounds.size:
        lo = bottom[cells][w > 0]
        hi = np.maximum(top[cells], bottom[cells])[w > 0]
        bounds = np.clip(bounds, lo.min(), hi.max())
    return bounds


def earthwork_schedule(dem_or, floor, thickness, landform, mining, refilling, x, y,
                       cell_area, *, bench_height=10.0, k=1.0, progress=None):
    """The construction sequence of the haul model of eq. 13 (see the module docstring).

    Arguments as :func:`core.haul.haul_distance`. Returns a :class:`Schedule`:

    * ``steps``: per piece of earth, in order (period, then stripping order):
      period, step (1.. within the period), src_lift / dst_lift (1 = the first
      lift stripped / built), src_bottom, src_top, dst_bottom, dst_top (m),
      volume (m3, loose: k x bank), distance (m), cumulative (m3 moved in the
      period up to and including this step);
    * ``periods``: per period: period, moved, supply, room (floor to landform),
      steps, source_lifts, destination_lifts, src_top, src_bottom (elevation
      range stripped), dst_bottom, dst_top (range built), mean_distance.
    """
    progress = as_progress(progress)
    res = haul_distance(dem_or, floor, thickness, landform, mining, refilling, x, y,
                        cell_area, bench_height=bench_height, k=k,
                        progress=progress.sub(0, 80))
    size = np.asarray(dem_or).size
    zr = np.asarray(dem_or, dtype=np.float64).ravel()
    fr = np.asarray(floor, dtype=np.float64).ravel()
    tr = np.asarray(thickness, dtype=np.float64).ravel()
    lr = np.asarray(landform, dtype=np.float64).ravel()
    shape = np.asarray(dem_or).shape
    xr = np.broadcast_to(np.asarray(x, dtype=np.float64)[None, :], shape).ravel()
    yr = np.broadcast_to(np.asarray(y, dtype=np.float64)[:, None], shape).ravel()
    src_cells = _period_cells(as_coverage(mining, size))
    dst_cells = _period_cells(as_coverage(refilling, size))
    empty = (np.zeros(0, np.int64), np.zeros(0))
    steps, periods = [], []
    for i, row in enumerate(res.periods):
        p = row["period"]
        sb = _lift_bounds(fr + tr, zr, xr, yr, src_cells.get(p, empty), bench_height, True,
                          cell_area, k)
        db = _lift_bounds(fr, lr, xr, yr, dst_cells.get(p, empty), bench_height, False,
                          cell_area, 1.0)
        mine = [m for m in res.moves if m["period"] == p]
        cum = 0.0
        for j, m in enumerate(mine):
            cum += m["volume"]
            s, d = sb[m["src_lift"] - 1], db[m["dst_lift"] - 1]
            steps.append({"period": p, "step": j + 1, "src_lift": m["src_lift"],
                          "dst_lift": m["dst_lift"], "src_bottom": float(s[0]),
                          "src_top": float(s[1]), "dst_bottom": float(d[0]),
                          "dst_top": float(d[1]), "volume": m["volume"],
                          "distance": m["distance"], "cumulative": cum})
        used_s = sb[sorted({m["src_lift"] - 1 for m in mine})] if mine else np.zeros((0, 2))
        used_d = db[sorted({m["dst_lift"] - 1 for m in mine})] if mine else np.zeros((0, 2))
        nan = float("nan")
        periods.append({
            "period": p, "moved": row["moved"], "supply": row["supply"],
            "room": row["demand"], "steps": len(mine),
            "source_lifts": row["source_lifts"], "destination_lifts": row["destination_lifts"],
            "src_top": float(used_s[:, 1].max()) if used_s.size else nan,
            "src_bottom": float(used_s[:, 0].min()) if used_s.size else nan,
            "dst_bottom": float(used_d[:, 0].min()) if used_d.size else nan,
            "dst_top": float(used_d[:, 1].max()) if used_d.size else nan,
            "mean_distance": row["mean_distance"]})
        progress(80.0 + 20.0 * (i + 1) / len(res.periods))
    return Schedule(periods, steps, res.mean_distance, dict(res.diagnostics))
