"""Ecological resilience index (Tang, resilience assessment, section 3.2).

The paper's model combines three dimensions of the mining-area ecosystem,

    R = 0.4 R1 + 0.3 R2 + 0.3 R3                                  (Tang, 3.2 (2))

with R1 the ecosystem resistance, R2 the source resilience and R3 the corridor
adaptability.  Here the weights are parameters (they must sum to 1), the three
rasters may first be put on a common 0..1 scale, R is classified into
low / medium / high by natural breaks (Jenks) or given breaks, and statistics
are summarised per zone; an earlier R raster (``baseline``) gives the change
for before/after monitoring (the paper compares 3 to 5 years of monitoring).

The helpers here (weights check, normalisation, Jenks breaks, classification,
per-zone tables, CSV) are shared with :mod:`core.damage`.
"""
import csv
from dataclasses import dataclass, field

import numpy as np

from .errors import InputError, as_progress
from .grid import atomic_output

#: the paper's weights of R1, R2, R3
DEFAULT_WEIGHTS = (0.4, 0.3, 0.3)
#: normalisation methods (the algorithm's enum order)
NORMALIZATIONS = ("none", "minmax", "zlogistic")
RESILIENCE_CLASSES = ("low", "medium", "high")
WEIGHT_TOLERANCE = 1e-6


# --- weights and normalisation ----------------------------------------------

def check_weights(weights, names=None, tol=WEIGHT_TOLERANCE):
    """Return the weights as floats; stop unless they are >= 0 and sum to 1 (+- tol)."""
    w = np.asarray([float(v) for v in weights], dtype=float)
    labels = names or [f"W{i + 1}" for i in range(w.size)]
    if w.size == 0:
        raise InputError("No weights were given.")
    if not np.all(np.isfinite(w)):
        raise InputError("The weights must be numbers.")
    if np.any(w < 0):
        bad = ", ".join(f"{n} = {v:g}" for n, v in zip(labels, w) if v < 0)
        raise InputError(f"Weights must not be negative ({bad}).")
    total = float(w.sum())
    if abs(total - 1.0) > tol:
        listing = " + ".join(f"{n} ({v:g})" for n, v in zip(labels, w))
        raise InputError(
            f"The weights must sum to 1, but {listing} = {total:.6g}. Change them so that "
            f"they add up to 1 (the paper uses 0.4, 0.3, 0.3).")
    return w


def normalize(values, method, mask=None):
    """Rescale one indicator over the cells of ``mask`` (default: finite cells).

    - ``none``: unchanged;
    - ``minmax``: ``(x - min) / (max - min)`` in 0..1 (a constant raster gives 0.5);
    - ``zlogistic``: ``z = (x - mean) / sd`` (population sd), then the logistic
      ``1 / (1 + exp(-z))`` in 0..1 (a constant raster gives 0.5).

    Cells outside ``mask`` become nan.
    """
    x = np.asarray(values, dtype=np.float64)
    if mask is None:
        mask = np.isfinite(x)
    out = np.full(x.shape, np.nan)
    if method not in NORMALIZATIONS:
        raise InputError(f"Unknown normalisation '{method}'; use one of {NORMALIZATIONS}.")
    v = x[mask]
    if v.size == 0:
        return out
    if method == "none":
        out[mask] = v
    elif method == "minmax":
        lo, hi = float(v.min()), float(v.max())
        out[mask] = (v - lo) / (hi - lo) if hi > lo else 0.5
    else:
        sd = float(v.std())
        if sd > 0:
            z = (v - float(v.mean())) / sd
            out[mask] = 1.0 / (1.0 + np.exp(-z))
        else:
            out[mask] = 0.5
    return out


# --- natural breaks -------------------------------------------------------

def _support(values, max_points):
    """Sorted support points (value, weight, upper value) for the Jenks DP.

    Exact (unique values with their counts) when there are at most
    ``max_points`` distinct values; otherwise ``max_points`` equal-width bins,
    each represented by the mean of its values, its count and its largest value.
    """
    v = np.sort(np.asarray(values, dtype=np.float64).ravel())
    uniq, counts = np.unique(v, return_counts=True)
    if uniq.size <= max_points:
        return uniq, counts.astype(float), uniq
    lo, hi = v[0], v[-1]
    idx = np.minimum(((v - lo) / (hi - lo) * max_points).astype(np.int64), max_points - 1)
    counts = np.bincount(idx, minlength=max_points).astype(float)
    sums = np.bincount(idx, weights=v, minlength=max_points)
    upper = np.full(max_points, -np.inf)
    np.maximum.at(upper, idx, v)
    keep = counts > 0
    return sums[keep] / counts[keep], counts[keep], upper[keep]


def jenks_breaks(values, n_classes, max_points=1000):
    """Jenks natural breaks: the ``n_classes - 1`` upper class limits.

    Minimises the total within-class sum of squared deviations
    ``sum_k sum_{x in k} (x - mean_k)^2`` by dynamic programming (Fisher 1958,
    Jenks 1977) on the sorted support points of :func:`_support`; each DP step
    is a vectorised minimum over an (m x m) cost matrix built from prefix sums
    ``SSD(i..j) = S2 - S1^2 / W``.  A break is the largest value of its class,
    so ``class = 1 + #(breaks < x)`` (see :func:`classify`).
    """
    v = np.asarray(values, dtype=np.float64)
    v = v[np.isfinite(v)]
    k = int(n_classes)
    if k < 2:
        raise InputError("Natural breaks need at least 2 classes.")
    x, w, upper = _support(v, max_points)
    m = x.size
    if m < k:
        raise InputError(
            f"Natural breaks into {k} classes need at least {k} different values, but the "
            f"data has {m}. Give the class breaks explicitly.")
    xc = x - np.average(x, weights=w)          # centred: no cancellation in S2 - S1^2/W
    W = np.concatenate([[0.0], np.cumsum(w)])
    S1 = np.concatenate([[0.0], np.cumsum(w * xc)])
    S2 = np.concatenate([[0.0], np.cumsum(w * xc * xc)])
    i = np.arange(m)[:, None]                  # first item of the class
    j = np.arange(m)[None, :]                  # last item of the class
    with np.errstate(divide="ignore", invalid="ignore"):
        ww = W[j + 1] - W[i]
        s1 = S1[j + 1] - S1[i]
        cost = S2[j + 1] - S2[i] - s1 * s1 / ww
    cost = np.where(i <= j, np.maximum(cost, 0.0), np.inf)
    best = cost[0].copy()                      # 1 class covering items 0..j
    start = np.zeros((k, m), dtype=np.int64)   # first item of the last class
    for c in range(1, k):
        prev = np.concatenate([[np.inf], best[:-1]])    # best of c classes over 0..i-1
        total = prev[:, None] + cost
        total[: c, :] = np.inf                          # each earlier class needs an item
        start[c] = np.argmin(total, axis=0)
        best = total[start[c], np.arange(m)]
    breaks = []
    end = m - 1
    for c in range(k - 1, 0, -1):
        s = int(start[c, end])
        breaks.append(float(upper[s - 1]))
        end = s - 1
    return np.array(breaks[::-1])


def parse_breaks(text, n_breaks, what="class breaks"):
    """Breaks from a comma/semicolon/space separated string; None when empty."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        vals = [float(t) for t in text.replace(";", ",").replace(" ", ",").split(",") if t]
    except ValueError:
        raise InputError(f"The {what} '{text}' are not numbers separated by commas.") from None
    if len(vals) != n_breaks:
        raise InputError(f"Give exactly {n_breaks} {what} separated by commas (got "
                         f"{len(vals)}: '{text}'), or leave it empty for natural breaks.")
    if not all(a < b for a, b in zip(vals, vals[1:])):
        raise InputError(f"The {what} must increase: '{text}'.")
    return np.array(vals)


def classify(values, breaks):
    """Class 1..len(breaks)+1: ``1 + #(breaks < x)``, i.e. x <= b1 is class 1; 0 for nan."""
    x = np.asarray(values, dtype=np.float64)
    out = np.searchsorted(np.asarray(breaks, float), x, side="left").astype(np.int64) + 1
    out[~np.isfinite(x)] = 0
    return out


# --- zones and tables -----------------------------------------------------

def rasterize_each(wkb_geometries, grid):
    """One zone per polygon (cell centre inside), via core.grid.rasterize_polygons.

    Each zone is returned as a window ``((row slice, col slice), boolean
    sub-mask)`` around the polygon's envelope, so many small polygons on a
    large grid cost little memory; overlapping polygons each keep all their
    cells, so zone statistics stay exact where zones overlap.
    """
    from osgeo import ogr

    from .grid import Grid, rasterize_polygons
    x0, dx, _, y0, _, dy = grid.transform
    rows, cols = grid.shape
    out = []
    for wkb in wkb_geometries:
        geom = ogr.CreateGeometryFromWkb(bytes(wkb))
        if geom is None or geom.IsEmpty():
            out.append(((slice(0, 0), slice(0, 0)), np.zeros((0, 0), bool)))
            continue
        minx, maxx, miny, maxy = geom.GetEnvelope()
        xa, xb = sorted(((minx - x0) / dx, (maxx - x0) / dx))
        ya, yb = sorted(((miny - y0) / dy, (maxy - y0) / dy))
        c0, c1 = max(int(np.floor(xa)), 0), min(int(np.ceil(xb)) + 1, cols)
        r0, r1 = max(int(np.floor(ya)), 0), min(int(np.ceil(yb)) + 1, rows)
        if c1 <= c0 or r1 <= r0:
            out.append(((slice(0, 0), slice(0, 0)), np.zeros((0, 0), bool)))
            continue
        sub = Grid((x0 + c0 * dx, dx, 0.0, y0 + r0 * dy, 0.0, dy), (r1 - r0, c1 - c0),
                   grid.crs_wkt)
        out.append(((slice(r0, r1), slice(c0, c1)), rasterize_polygons([wkb], sub)))
    return out


def zone_cells(zone, *arrays):
    """Values of ``arrays`` in a zone given as a full boolean mask or as a window
    ``((row slice, col slice), sub-mask)`` (see :func:`rasterize_each`)."""
    if isinstance(zone, tuple):
        sl, sub = zone
        return [a[sl][sub] for a in arrays]
    zone = np.asarray(zone, bool)
    return [a[zone] for a in arrays]


def write_csv(path, header, rows):
    """Write a CSV table (atomic: temporary file renamed at the end)."""
    path = str(path)
    with atomic_output(path, ".csv") as tmp:
        with open(tmp, "w", newline="", encoding="utf-8") as fh:
            wr = csv.writer(fh)
            wr.writerow(header)
            for row in rows:
                wr.writerow([_fmt(v) for v in row])
    return path


def _fmt(v):
    if isinstance(v, (float, np.floating)):
        return "" if not np.isfinite(v) else f"{float(v):.10g}"
    return v


@dataclass
class ResilienceResult:
    index: np.ndarray                  # R, nan where an input is nodata
    classes: np.ndarray                # 1 low, 2 medium, 3 high, 0 nodata
    breaks: np.ndarray                 # the two upper limits (low, medium)
    breaks_method: str                 # 'natural breaks (Jenks)' or 'given'
    change: np.ndarray = None          # R - baseline (None without baseline)
    header: list = field(default_factory=list)
    rows: list = field(default_factory=list)


def _zone_row(name, zone, index, classes, cell_area, change, baseline):
    if change is None:
        v, cl = zone_cells(zone, index, classes)
    else:
        v, cl, ch, b = zone_cells(zone, index, classes, change, baseline)
    n_all = v.size
    valid = np.isfinite(v)
    n = int(valid.sum())
    row = [name, n_all, n_all * cell_area, n * cell_area]
    if n:
        vv = v[valid]
        row += [float(vv.mean()), float(vv.min()), float(vv.max())]
        counts = np.bincount(cl[valid], minlength=4)[1:4]
        row += list(100.0 * counts / n)
    else:
        row += [np.nan] * 6
    if change is not None:
        both = np.isfinite(ch)
        if both.any():
            c = ch[both]
            row += [float(b[both].mean()), float(v[both].mean()),
                    float(c.mean()), float(c.min()), float(c.max())]
        else:
            row += [np.nan] * 5
    return row


def assess_resilience(r1, r2, r3, *, weights=DEFAULT_WEIGHTS, normalization="none",
                      breaks=None, zones=None, baseline=None, cell_area=1.0,
                      progress=None):
    """Resilience index, classes, change and per-zone table.

    ``R = w1 N(R1) + w2 N(R2) + w3 N(R3)`` (Tang eq. in 3.2, weights 0.4, 0.3,
    0.3 by default) where N is the chosen normalisation of :func:`normalize`,
    computed over the cells where all three rasters have data.  R is
    classified low / medium / high by ``breaks`` (two increasing values) or,
    when None, by Jenks natural breaks of R.  ``zones``: list of
    (name, boolean mask); the table has one row per zone plus 'ALL' (every
    cell of the grid).  ``baseline``: an earlier R raster on the same grid;
    ``change = R - baseline``.
    """
    progress = as_progress(progress)
    w = check_weights(weights)
    rs = [np.asarray(r, dtype=np.float64) for r in (r1, r2, r3)]
    shape = rs[0].shape
    if any(r.shape != shape for r in rs):
        raise InputError("R1, R2 and R3 must have the same number of rows and columns.")
    mask = np.isfinite(rs[0]) & np.isfinite(rs[1]) & np.isfinite(rs[2])
    if not mask.any():
        raise InputError("R1, R2 and R3 have no cell where all three have data; check that "
                         "they cover the same area.")
    progress(5)
    index = np.zeros(shape)
    for wi, r in zip(w, rs):
        index += wi * normalize(r, normalization, mask)
    index[~mask] = np.nan
    progress(40)
    if breaks is None:
        brk = jenks_breaks(index[mask], 3)
        how = "natural breaks (Jenks)"
    else:
        brk = np.asarray(breaks, float)
        if brk.size != 2 or not brk[0] < brk[1]:
            raise InputError("Give two increasing breaks (low/medium, medium/high).")
        how = "given"
    classes = classify(index, brk)
    progress(70)
    change = None
    if baseline is not None:
        baseline = np.asarray(baseline, dtype=np.float64)
        if baseline.shape != shape:
            raise InputError("The baseline raster must be on the same grid as R1, R2, R3.")
        change = index - baseline
    header = ["zone", "cells", "area_m2", "valid_area_m2", "mean_R", "min_R", "max_R",
              "low_pct", "medium_pct", "high_pct"]
    if change is not None:
        header += ["mean_R_baseline", "mean_R_now", "mean_change", "min_change",
                   "max_change"]
    all_cells = np.ones(shape, dtype=bool)
    rows = [_zone_row("ALL", all_cells, index, classes, cell_area, change, baseline)]
    zones = list(zones or [])
    for i, (name, zmask) in enumerate(zones):
        rows.append(_zone_row(name, zmask, index, classes, cell_area, change, baseline))
        progress(70 + 30 * (i + 1) / len(zones))
    progress(100)
    return ResilienceResult(index, classes, brk, how, change, header, rows)


# --- styles ---------------------------------------------------------------

def class_style(labels, colours):
    """Paletted QML for classes 1..n (0 = nodata, transparent)."""
    from .styles import paletted
    entries = [(i + 1, c, f"{i + 1}: {lab}") for i, (lab, c) in enumerate(zip(labels, colours))]
    return paletted(entries)


def resilience_class_style():
    return class_style(RESILIENCE_CLASSES, ("#d7301f", "#fdcc8a", "#1a9850"))


def index_style(lo, hi, colours=("#d7301f", "#fee08b", "#1a9850")):
    """Continuous ramp from ``lo`` (first colour) to ``hi``."""
    from .styles import pseudocolor
    if not (np.isfinite(lo) and np.isfinite(hi)) or hi <= lo:
        lo, hi = (lo, lo + 1.0) if np.isfinite(lo) else (0.0, 1.0)
    mid = 0.5 * (lo + hi)
    return pseudocolor([(lo, colours[0]), (mid, colours[1]), (hi, colours[2])],
                       label_fmt="{:.3g}")


def change_style(limit):
    """Diverging ramp for R - baseline: red = loss, white = 0, green = gain."""
    from .styles import pseudocolor
    a = float(limit) if np.isfinite(limit) and limit > 0 else 1.0
    return pseudocolor([(-a, "#b2182b"), (0.0, "#f7f7f7"), (a, "#1a9850")],
                       label_fmt="{:+.3g}")
