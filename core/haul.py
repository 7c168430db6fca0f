"""Mean earthwork haul distance (paper eq. 13, sections 1.3 and 2.3.2).

Per mining-refilling period n (docs/method.md, section "6. Evaluation"):

* Source: the mining strip a_mn is stripped from the top down in horizontal
  lifts of ``bench_height``.  Lifts are counted down from the strip's highest
  surface point; the material of a cell is its overburden column between the
  top of the coal (floor + thickness) and the pre-mining surface dem_or.  The
  supply volume is k times the bank volume (eq. 6,
  V_g = k * sum(dem_or - h_t - H_md) * cell area); a lift's volume is k times
  its bank volume, its centre the centroid of its bank volume.
* Destination: the refilling strip a_fn is built from the seam floor up in
  lifts of ``bench_height``, counted up from the strip's lowest floor point;
  a cell's column runs from the floor to the landform.
* Pairing: the source lifts in stripping order and the destination lifts in
  building order are laid end to end by cumulative volume; a piece of earth
  between two consecutive breakpoints of the two cumulative curves comes from
  one source lift and goes into one destination lift (so a higher lift is
  begun only when the one below is full).  The piece's haul distance is the
  3-D distance between the two lift centres.  The mean is weighted by volume,
  per period and over all periods (eq. 13).
* Every cubic metre of the period's supply is placed: when the refilling
  strip's room (demand, between floor and landform) differs from the supply,
  the destination lift volumes are scaled by supply / demand, so the
  landform's shape receives exactly the supply (factor 1 for a landform built
  to hold each strip's supply).  The demand and the ratio are reported.
"""
from dataclasses import dataclass, field

import numpy as np

from .errors import InputError, as_progress
from .grid import Grid, rasterize_labels

#: largest number of cells of the fine grid on which strips are rasterised
#: (strip_coverage)
MAX_FINE_CELLS = 4_000_000
#: largest refinement of the grid for the strips' area shares (strip_coverage)
MAX_FACTOR = 64


def lifts(bottom, top, x, y, *, bench_height, from_top, cell_area, factor=1.0,
          weights=None):
    """Horizontal lifts of the columns [bottom, top] of a set of cells.

    ``from_top``: lifts counted down from max(top) (stripping), else up from
    min(bottom) (building).  Returns (volumes (L,), centres (L, 3), bounds
    (L, 2) = lower and upper elevation of each lift), lifts with no material
    removed; volumes are ``factor`` x bank volume, centres the centroids of
    the bank volume (each cell's part of a lift is a prism of the cell's area,
    centred on the cell centre at mid height).  ``weights``: the share of each
    cell's area that belongs to the strip (1 = the whole cell).
    """
    lo = np.asarray(bottom, dtype=np.float64).ravel()
    hi = np.asarray(top, dtype=np.float64).ravel()
    x = np.asarray(x, dtype=np.float64).ravel()
    y = np.asarray(y, dtype=np.float64).ravel()
    w = np.ones(lo.size) if weights is None else np.asarray(weights, dtype=np.float64).ravel()
    hi = np.where(w > 0, np.maximum(hi, lo), lo)
    if lo.size == 0 or not np.any(hi > lo):
        return np.zeros(0), np.zeros((0, 3)), np.zeros((0, 2))
    h = float(bench_height)
    zmin, zmax = float(lo.min()), float(hi.max())
    n = max(int(np.ceil((zmax - zmin) / h - 1e-9)), 1)
    j = np.arange(n, dtype=np.float64)
    if from_top:
        upper = zmax - j * h
        lower = upper - h
    else:
        lower = zmin + j * h
        upper = lower + h
    a = np.maximum(lo[:, None], lower[None, :])            # (cells, lifts)
    b = np.minimum(hi[:, None], upper[None, :])
    t = np.clip(b - a, 0.0, None) * w[:, None]
    mid = 0.5 * (a + b)
    tsum = t.sum(axis=0)
    keep = tsum > 0
    t, mid, tsum = t[:, keep], mid[:, keep], tsum[keep]
    cx = (t * x[:, None]).sum(axis=0) / tsum
    cy = (t * y[:, None]).sum(axis=0) / tsum
    cz = (t * mid).sum(axis=0) / tsum
    vol = tsum * float(cell_area) * float(factor)
    bounds = np.stack([lower[keep], upper[keep]], axis=1)
    return vol, np.stack([cx, cy, cz], axis=1), bounds


def pair_volumes(source, destination):
    """Pair two ordered lists of volumes by cumulative volume.

    Returns (source index, destination index, volume) of the pieces: the
    breakpoints are the union of both cumulative sums up to the smaller
    total; each piece lies inside one source and one destination lift
    (found with ``np.searchsorted`` on the cumulative sums at its midpoint).
    """
    vs = np.asarray(source, dtype=np.float64)
    vd = np.asarray(destination, dtype=np.float64)
    if vs.size == 0 or vd.size == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    cs, cd = np.cumsum(vs), np.cumsum(vd)
    total = min(cs[-1], cd[-1])
    if total <= 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    br = np.unique(np.concatenate([cs, cd]))
    br = br[br < total * (1.0 - 1e-12)]
    ends = np.append(br, total)
    starts = np.concatenate([[0.0], ends[:-1]])
    vol = ends - starts
    keep = vol > total * 1e-12
    starts, ends, vol = starts[keep], ends[keep], vol[keep]
    mid = 0.5 * (starts + ends)
    si = np.minimum(np.searchsorted(cs, mid, side="right"), cs.size - 1)
    di = np.minimum(np.searchsorted(cd, mid, side="right"), cd.size - 1)
    return si.astype(np.int64), di.astype(np.int64), vol


def as_coverage(strips, size):
    """(cells, periods, weights) of a strip description.

    ``strips`` is either a label raster (period of the strip containing each
    cell centre, 0 = none; weight 1) or already a tuple (flat cell indices,
    periods, area shares 0..1), as :func:`coverage_from_fine_labels` gives.
    """
    if isinstance(strips, tuple):
        cells, periods, weights = (np.asarray(a).ravel() for a in strips)
        cells = cells.astype(np.int64)
        periods = periods.astype(np.int64)
        weights = weights.astype(np.float64)
        if cells.size and (cells.min() < 0 or cells.max() >= size):
            raise InputError("Strip coverage refers to cells outside the grid.")
        keep = (periods > 0) & (weights > 0)
        return cells[keep], periods[keep], weights[keep]
    lab = np.asarray(strips).ravel()
    if lab.size != size:
        raise InputError(f"The strip labels ({lab.size} cells) are not on the pre-mining "
                         f"DEM's grid ({size} cells).")
    cells = np.flatnonzero(lab > 0)
    return cells, lab[cells].astype(np.int64), np.ones(cells.size)


def coverage_from_fine_labels(fine, factor, window, shape):
    """Area share of each (coarse cell, period) from labels on a finer grid.

    ``fine``: int labels (period, 0 = none) on a grid ``factor`` times finer
    than the coarse grid over the coarse window ``window`` = (row0, col0);
    ``shape`` the coarse grid's shape.  Returns (flat coarse cell indices,
    periods, shares 0..1) as :func:`as_coverage` takes.
    """
    fine = np.asarray(fine)
    f = int(factor)
    rows_w, cols_w = -(-fine.shape[0] // f), -(-fine.shape[1] // f)   # coarse window
    flat = fine.ravel()
    idx = np.flatnonzero(flat > 0)
    if idx.size == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    per = flat.take(idx).astype(np.int64)
    r, c = np.divmod(idx, fine.shape[1])
    del idx
    r //= f
    c //= f
    base = int(per.max()) + 1
    # count the fine cells of each (coarse cell of the window, period): one bincount
    # over the window's cells x periods (O(fine cells), no sort)
    keys = (r * cols_w + c) * base + per
    del r, c, per
    if rows_w * cols_w * base <= 4 * keys.size + (1 << 20):
        counts = np.bincount(keys, minlength=rows_w * cols_w * base)
        key = np.flatnonzero(counts)
        n = counts.take(key)
    else:                      # many periods on a coarse window: sort instead
        key, n = np.unique(keys, return_counts=True)
    del keys
    wcell, period = np.divmod(key, base)
    cr = wcell // cols_w + int(window[0])
    cc = wcell % cols_w + int(window[1])
    inside = (cr >= 0) & (cr < shape[0]) & (cc >= 0) & (cc < shape[1])
    cell = cr * shape[1] + cc
    # sorted by (coarse cell, period), as the keys were before
    order = np.lexsort((period[inside], cell[inside]))
    return (cell[inside][order], period[inside][order],
            n[inside][order] / float(f * f))


def strip_coverage(wkbs, periods, grid):
    """Area share of every (cell, strip) pair: the polygons are rasterised
    (cell centres) on a grid up to MAX_FACTOR times finer over their window,
    and each fine cell counts 1 / factor^2 of its coarse cell.  Returns
    ((cells, periods, shares), factor); factor 1 = cell centres."""
    if not wkbs:
        return (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)), 1
    touched = rasterize_labels(wkbs, [1] * len(wkbs), grid, all_touched=True)
    r, c = np.nonzero(touched)
    if r.size == 0:
        return (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)), 1
    r0, r1, c0, c1 = int(r.min()), int(r.max()) + 1, int(c.min()), int(c.max()) + 1
    window = (r1 - r0) * (c1 - c0)
    factor = int(max(1, min(MAX_FACTOR, np.sqrt(MAX_FINE_CELLS / window))))
    x0, dx, _, y0, _, dy = grid.transform
    fine = Grid((x0 + c0 * dx, dx / factor, 0.0, y0 + r0 * dy, 0.0, dy / factor),
                ((r1 - r0) * factor, (c1 - c0) * factor), grid.crs_wkt)
    labels = rasterize_labels(wkbs, periods, fine)
    return coverage_from_fine_labels(labels, factor, (r0, c0), grid.shape), factor


@dataclass
class HaulResult:
    mean_distance: float        # m, volume-weighted over all periods (eq. 13)
    periods: list               # per period: dict (see haul_distance)
    moves: list                 # per piece: dict(period, src_lift, dst_lift, volume, distance,
                                # src (x, y, z), dst (x, y, z))
    diagnostics: dict = field(default_factory=dict)


def _check_haul(dem_or, floor, thickness, landform, bench_height, k):
    """The four rasters as float arrays on one grid, and the settings, checked."""
    dem_or = np.asarray(dem_or, dtype=np.float64)
    floor = np.asarray(floor, dtype=np.float64)
    thickness = np.asarray(thickness, dtype=np.float64)
    landform = np.asarray(landform, dtype=np.float64)
    shape = dem_or.shape
    for a, what in ((floor, "seam floor"), (thickness, "coal thickness"),
                    (landform, "landform")):
        if a.shape != shape:
            raise InputError(f"The {what} raster is not on the pre-mining DEM's grid "
                             f"({a.shape} versus {shape}).")
    if not bench_height > 0:
        raise InputError("The bench height must be a positive number of metres.")
    if not k > 0:
        raise InputError("K (actual spoil / stripped volume) must be positive.")
    return dem_or, floor, thickness, landform


def _check_strip_data(zr, fr, tr, lr, mc, fc):
    """Every raster has data in the strip cells it is read in."""
    for a, what, cells, kind in ((zr, "pre-mining DEM", mc, "mining"),
                                 (fr, "seam floor", mc, "mining"),
                                 (tr, "coal thickness", mc, "mining"),
                                 (fr, "seam floor", fc, "refilling"),
                                 (lr, "landform", fc, "refilling")):
        bad = int(np.unique(cells[~np.isfinite(a[cells])]).size)
        if bad:
            raise InputError(f"The {what} has no data in {bad} cell(s) of the {kind} strips; "
                             f"fill the gaps or make the raster cover the whole mine area.")
    if np.any(tr[mc] < 0):
        raise InputError("The coal thickness is negative in some mining-strip cells; "
                         "thickness must be >= 0 m.")


class _ByPeriod:
    """Coverage entries (cells, periods, shares) sorted by period once, so each
    period's entries are one slice (no per-period scan of the grid)."""

    def __init__(self, cells, periods, shares, all_periods):
        o = np.argsort(periods, kind="stable")
        self.cells, self.shares = cells[o], shares[o]
        p = periods[o]
        self.starts = np.searchsorted(p, all_periods, side="left")
        self.ends = np.searchsorted(p, all_periods, side="right")

    def __getitem__(self, i):
        a, b = self.starts[i], self.ends[i]
        return self.cells[a:b], self.shares[a:b]


def _period_haul(p, src, sw, dst, dw, columns, bench_height, cell_area, k):
    """(row, moves) of period p: its lifts paired by volume (eq. 13)."""
    zr, fr, tr, lr, xr, yr = columns
    vs, csrc, _ = lifts(fr[src] + tr[src], zr[src], xr[src], yr[src],
                        bench_height=bench_height, from_top=True, cell_area=cell_area,
                        factor=k, weights=sw)
    vd, cdst, _ = lifts(fr[dst], lr[dst], xr[dst], yr[dst], bench_height=bench_height,
                        from_top=False, cell_area=cell_area, factor=1.0, weights=dw)
    supply, demand = float(vs.sum()), float(vd.sum())
    scale = supply / demand if demand > 0 else 0.0
    si, di, vol = pair_volumes(vs, vd * scale)
    dist = np.linalg.norm(csrc[si] - cdst[di], axis=1) if vol.size else np.zeros(0)
    moved = float(vol.sum())
    mean = float((vol * dist).sum() / moved) if moved > 0 else float("nan")
    row = {"period": int(p), "supply": supply, "demand": demand, "moved": moved,
           "demand_ratio": demand / supply if supply > 0 else float("nan"),
           "source_lifts": int(vs.size), "destination_lifts": int(vd.size),
           "mean_distance": mean}
    moves = [{"period": int(p), "src_lift": int(a) + 1, "dst_lift": int(b) + 1,
              "volume": float(v), "distance": float(d),
              "src": tuple(float(c) for c in csrc[a]),
              "dst": tuple(float(c) for c in cdst[b])}
             for a, b, v, d in zip(si, di, vol, dist)]
    return row, moves, float((vol * dist).sum()), moved


def haul_distance(dem_or, floor, thickness, landform, mining, refilling, x, y, cell_area, *,
                  bench_height=10.0, k=1.0, progress=None):
    """Mean straight-line haul distance of the earth moved (eq. 13).

        L = sum_n sum_V0 |c(a_mn, V0) - c'(a_mn, V0)| / sum_n V_u(a_mn)

    with the centres of each cubic metre taken as the centres of the lifts
    it comes from and goes to (see the module docstring).  ``x`` (cols,) and
    ``y`` (rows,) are the cell-centre coordinates, ``cell_area`` in m2.
    ``mining`` / ``refilling``: label rasters (period of the strip containing
    each cell centre) or fractional coverage (cells, periods, area shares),
    see :func:`as_coverage`; with shares a cell's column counts in proportion.

    Returns a HaulResult; each period's dict has period, supply, demand,
    moved (= supply when the period has a refilling strip with room),
    demand_ratio (demand / supply), source_lifts, destination_lifts,
    mean_distance.
    """
    progress = as_progress(progress)
    dem_or, floor, thickness, landform = _check_haul(dem_or, floor, thickness, landform,
                                                     bench_height, k)
    shape = dem_or.shape
    mc, mp, mw = as_coverage(mining, dem_or.size)
    fc, fp, fw = as_coverage(refilling, dem_or.size)
    zr, fr, tr, lr = dem_or.ravel(), floor.ravel(), thickness.ravel(), landform.ravel()
    _check_strip_data(zr, fr, tr, lr, mc, fc)
    xx = np.broadcast_to(np.asarray(x, dtype=np.float64)[None, :], shape)
    yy = np.broadcast_to(np.asarray(y, dtype=np.float64)[:, None], shape)
    periods = np.union1d(np.unique(mp), np.unique(fp)).astype(int)
    source, destination = _ByPeriod(mc, mp, mw, periods), _ByPeriod(fc, fp, fw, periods)
    columns = (zr, fr, tr, lr, xx.ravel(), yy.ravel())
    rows, moves = [], []
    total_vd, total_v = 0.0, 0.0
    for i, p in enumerate(periods):
        row, pm, vd, moved = _period_haul(p, *source[i], *destination[i], columns,
                                          bench_height, cell_area, k)
        rows.append(row)
        moves.extend(pm)
        total_vd += vd
        total_v += moved
        progress(100.0 * (i + 1) / len(periods))
    if total_v <= 0:
        raise InputError("No earth is moved: no period has both a mining strip with "
                         "overburden (surface above floor + thickness) and a refilling strip "
                         "with room (landform above the floor). Check the sub-areas and the "
                         "rasters.")
    return HaulResult(total_vd / total_v, rows, moves,
                      {"supply": sum(r["supply"] for r in rows),
                       "demand": sum(r["demand"] for r in rows),
                       "moved": total_v})
