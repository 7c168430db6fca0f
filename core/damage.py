"""Land damage degree (paste-filling / DFN / damage paper, section 3.2 and Fig. 2).

The paper evaluates land ("mineral") damage from four indicators - a damage
index, vegetation coverage, desertification / rocky desertification and soil
erosion - re-assigns each indicator "from large to small" by its influence and
combines them into a degree of damage: none, slight, severe, extremely
severe; it then reports the area share of each degree by mining type (open
pit 56.44 % extremely severe vs 5.61 % underground).  Its model equations are
lost in the available text, so the plugin uses the usual weighted-sum form:

    s_k = (x_k - min_k) / (max_k - min_k)       for "higher is worse"
    s_k = (max_k - x_k) / (max_k - min_k)       for "higher is better"
    D   = sum_k w_k s_k ,  sum_k w_k = 1         (0 = no damage .. 1 = worst)

and the degree is 1 + #(breaks < D) with three increasing breaks (or Jenks
natural breaks of D); a constant indicator scores 0.5.  With
``normalization="none"`` the indicators are taken as already scored on 0..1
(a "better" indicator becomes 1 - x).
"""
from dataclasses import dataclass, field

import numpy as np

from .errors import InputError, as_progress
from .resilience import check_weights, class_style, classify, jenks_breaks, zone_cells

DEGREES = ("none", "slight", "severe", "extremely severe")
DEGREE_COLOURS = ("#1a9850", "#fee08b", "#f46d43", "#a50026")
DAMAGE_NORMALIZATIONS = ("minmax", "none")
DEFAULT_BREAKS = (0.25, 0.5, 0.75)

_WORSE = {"worse", "+", "1", "+1", "w", "higher is worse", "high", "up", "positive"}
_BETTER = {"better", "-", "-1", "b", "higher is better", "low", "down", "negative"}


def parse_directions(text, n):
    """+1 (higher is worse) / -1 (higher is better) per indicator.

    ``text``: comma-separated 'worse' / 'better' (also '+' / '-'); empty means
    every indicator is 'worse'.
    """
    text = (text or "").strip()
    if not text:
        return np.ones(n)
    tokens = [t.strip().lower() for t in text.replace(";", ",").split(",")]
    if len(tokens) != n:
        raise InputError(
            f"Give one direction per indicator raster: {n} raster(s) but {len(tokens)} "
            f"direction(s) in '{text}'. Use 'worse' (higher value = more damage) or 'better' "
            "(higher value = less damage), separated by commas, in the order of the rasters.")
    out = []
    for t in tokens:
        if t in _WORSE:
            out.append(1.0)
        elif t in _BETTER:
            out.append(-1.0)
        else:
            raise InputError(f"Unknown direction '{t}': use 'worse' or 'better'.")
    return np.array(out)


def parse_weights(text, n):
    """Weights from a comma-separated string; empty means equal weights 1/n."""
    text = (text or "").strip()
    if not text:
        return np.full(n, 1.0 / n)
    try:
        vals = [float(t) for t in text.replace(";", ",").split(",") if t.strip()]
    except ValueError:
        raise InputError(f"The weights '{text}' are not numbers separated by commas.") from None
    if len(vals) != n:
        raise InputError(f"Give one weight per indicator raster: {n} raster(s) but "
                         f"{len(vals)} weight(s) in '{text}'.")
    return np.array(vals)


@dataclass
class DamageResult:
    score: np.ndarray                # D in 0..1 (nan = nodata)
    degree: np.ndarray               # 1 none .. 4 extremely severe, 0 nodata
    breaks: np.ndarray
    breaks_method: str
    header: list = field(default_factory=list)
    rows: list = field(default_factory=list)


def _category_row(name, zone, degree, cell_area):
    deg, = zone_cells(zone, degree)
    n_all = int(deg.size)
    counts = np.bincount(deg, minlength=5)              # 0 = nodata
    valid = int(counts[1:].sum())
    areas = counts[1:5] * cell_area
    shares = 100.0 * counts[1:5] / valid if valid else np.full(4, np.nan)
    return ([name, n_all, n_all * cell_area, valid * cell_area]
            + list(areas) + list(shares))


def _indicators(indicators, directions, weights, normalization):
    """The indicator arrays, directions and weights, checked."""
    xs = [np.asarray(a, dtype=np.float64) for a in indicators]
    n = len(xs)
    if n == 0:
        raise InputError("Give at least one indicator raster.")
    shape = xs[0].shape
    if any(a.shape != shape for a in xs):
        raise InputError("All indicator rasters must be on the same grid.")
    d = np.ones(n) if directions is None else np.asarray(directions, float)
    w = np.full(n, 1.0 / n) if weights is None else np.asarray(weights, float)
    if d.size != n or w.size != n:
        raise InputError(f"Give one direction and one weight per indicator ({n}).")
    w = check_weights(w, names=[f"weight {i + 1}" for i in range(n)])
    if normalization not in DAMAGE_NORMALIZATIONS:
        raise InputError(f"Unknown normalisation '{normalization}'.")
    return xs, d, w


def damage_score(xs, d, w, normalization, progress):
    """D = sum_i w_i s_i with s_i the indicator min-max normalised (or as is),
    turned (1 - s) where higher is better; nan where any indicator has no data."""
    mask = np.logical_and.reduce([np.isfinite(a) for a in xs])
    if not mask.any():
        raise InputError("The indicator rasters have no cell where all of them have data.")
    score = np.zeros(xs[0].shape)
    for i, (a, di, wi) in enumerate(zip(xs, d, w)):
        v = a[mask]
        if normalization == "minmax":
            lo, hi = float(v.min()), float(v.max())
            s = (v - lo) / (hi - lo) if hi > lo else np.full_like(v, 0.5)
        else:
            s = v
        if di < 0:
            s = 1.0 - s
        score[mask] += wi * s
        progress(60 * (i + 1) / len(xs))
    score[~mask] = np.nan
    return score, mask


def _class_breaks(score, mask, breaks):
    """(the three breaks, how they were chosen): given, or Jenks natural breaks."""
    if breaks is None:
        return jenks_breaks(score[mask], 4), "natural breaks (Jenks)"
    brk = np.asarray(breaks, float)
    if brk.size != 3 or not np.all(np.diff(brk) > 0):
        raise InputError("Give three increasing class breaks (none/slight, "
                         "slight/severe, severe/extremely severe).")
    return brk, "given"


def damage_degree(indicators, directions=None, weights=None, *, normalization="minmax",
                  breaks=DEFAULT_BREAKS, zones=None, cell_area=1.0, progress=None):
    """Damage score D, degree classes and the area table per category.

    ``indicators``: list of 2-D arrays on one grid (nan = nodata);
    ``directions``: +1 higher is worse, -1 higher is better; ``weights`` sum
    to 1 (+-1e-6); ``breaks``: three increasing limits of D between none /
    slight / severe / extremely severe (None: Jenks natural breaks of D);
    ``zones``: list of (category, boolean mask or window of
    :func:`core.resilience.rasterize_each`).  The table has one row per
    category plus 'ALL': cells, area, area with data, then the area (m2) and
    the share (% of the area with data) of each degree.
    """
    progress = as_progress(progress)
    xs, d, w = _indicators(indicators, directions, weights, normalization)
    shape = xs[0].shape
    score, mask = damage_score(xs, d, w, normalization, progress)
    brk, how = _class_breaks(score, mask, breaks)
    degree = classify(score, brk)
    progress(70)
    header = ["category", "cells", "area_m2", "valid_area_m2"]
    header += [f"{k.replace(' ', '_')}_m2" for k in DEGREES]
    header += [f"{k.replace(' ', '_')}_pct" for k in DEGREES]
    rows = [_category_row("ALL", np.ones(shape, bool), degree, cell_area)]
    zones = list(zones or [])
    for i, (name, cmask) in enumerate(zones):
        rows.append(_category_row(name, cmask, degree, cell_area))
        progress(70 + 30 * (i + 1) / len(zones))
    progress(100)
    return DamageResult(score, degree, brk, how, header, rows)


def degree_style():
    return class_style(DEGREES, DEGREE_COLOURS)
