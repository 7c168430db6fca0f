"""Channel (and ridge) initiation thresholds chosen by Otsu's method.

Two readings are offered (docs/method.md, section 1):

``scaling_break``  (the paper's method, default)
    Channel density D(T) = (cells with accumulation >= T) / (valid cells) is
    computed for thresholds T on a geometric series.  On log-log axes D(T)
    has two regimes: a hillslope regime at small T (steep, D ~ T^-1 where
    flow is parallel) and a fractal channel regime, D ~ T^-b with b near
    0.45, at large T.  The local slope s_i at each T_i is the least-squares
    slope of log D against log T over the neighbours within
    SLOPE_HALF_WINDOW decades; the slopes are split in two contiguous classes
    (small T | large T) by Otsu's criterion: the split k maximising the
    between-class variance w0 w1 (mu0 - mu1)^2.  The threshold is T_k, the
    first threshold of the channel class.

    The series is set so that the answer is a contributing *area*, the same
    at any cell size of the same terrain:
    - it starts at MIN_SERIES_CELLS cells: below a few cells D8 is a lattice
      effect (every cell has at least itself; parallel flow on the planar
      facets of an interpolated surface), not terrain;
    - it ends at TOP_FRACTION of the largest accumulation (the largest
      basin): nearer that size D(T) falls off a cliff (finite-size cut-off)
      and Otsu would split there.  Both ends of that rule are ratios of
      areas, so the same in cells or in m2 at any resolution;
    - it has SERIES_PER_DECADE thresholds per decade, so the slope window is
      the same span of log area at any resolution.
    On a grid too small for one decade between those ends the series is
    widened up to where 1 % of the cells (at least MIN_CHANNEL_CELLS cells)
    are still channels.

``histogram``
    Otsu's classic threshold on the histogram of log(accumulation).
"""
import numpy as np

from .errors import InputError

#: on small grids, the series never goes where fewer than this share of cells are channels
MIN_DENSITY = 0.01
#: ... and never goes below this many channel cells
MIN_CHANNEL_CELLS = 30
#: the series starts here (cells): below, D(T) is a lattice effect of D8
MIN_SERIES_CELLS = 5
#: the series ends at this fraction of the largest accumulation (finite-size cut-off)
TOP_FRACTION = 0.003
#: thresholds per decade of the series
SERIES_PER_DECADE = 10
#: local slopes are fitted over the thresholds within this many decades either side
SLOPE_HALF_WINDOW = 0.2
#: a break whose two classes' mean slopes differ by less than this is weak: the series
#: is one power law within noise, and the split (so the threshold) is not set by the
#: terrain.  Breaks between a hillslope and a channel regime differ by 0.15-0.45 on the
#: real DEMs of the tests; a single regime by 0.005-0.01 (docs/method.md section 1)
WEAK_BREAK = 0.05


def otsu_split(values, weights=None):
    """Index k maximising Otsu's between-class variance of the contiguous
    split values[:k] | values[k:]; returns (k, variance per split)."""
    v = np.asarray(values, dtype=np.float64)
    w = np.ones_like(v) if weights is None else np.asarray(weights, dtype=np.float64)
    if v.size < 2:
        raise InputError("Otsu's method needs at least two values.")
    cw = np.cumsum(w)
    cm = np.cumsum(w * v)
    total_w, total_m = cw[-1], cm[-1]
    w0 = cw[:-1]
    w1 = total_w - w0
    mu0 = cm[:-1] / w0
    mu1 = (total_m - cm[:-1]) / w1
    between = (w0 / total_w) * (w1 / total_w) * (mu0 - mu1) ** 2
    k = int(np.argmax(between)) + 1
    return k, between


#: cells per chunk in the passes over the accumulation (small temporaries)
CHUNK = 1 << 20


def _finite_chunks(a):
    """The finite values of the flat array ``a``, CHUNK cells at a time."""
    for s in range(0, a.size, CHUNK):
        c = a[s:s + CHUNK]
        yield c[np.isfinite(c)]


def _top_values(a, ms):
    """(number of finite values of ``a``, [the m-th largest finite value for m in
    ``ms``], clipped to 1 .. that number).  Exact order statistics in O(N), no
    sort of the grid: the m = max(ms) largest so far are kept, and a chunk only
    contributes its values >= the smallest of them."""
    a = np.asarray(a, dtype=np.float64).ravel()
    m = max(ms)
    nvalid, top = 0, np.empty(0)
    for c in _finite_chunks(a):
        nvalid += c.size
        if top.size >= m:
            c = c[c >= top[0]]
        top = np.concatenate((top, c))
        if top.size >= m:                  # the m largest, their minimum first
            top = np.partition(top, (top.size - m,))[top.size - m:]
            top = np.partition(top, 0)
    if nvalid == 0:
        return 0, []
    top.sort()
    return nvalid, [top[-min(k, nvalid)] for k in ms]


def _counts_at_least(a, t):
    """Number of finite values of ``a`` >= each whole number t (t >= 1, sorted):
    a >= t exactly when floor(a) >= t, so one capped bincount of floor(a)."""
    a = np.asarray(a, dtype=np.float64).ravel()
    cap = int(t[-1])
    hist = np.zeros(cap + 1, dtype=np.int64)
    for c in _finite_chunks(a):
        np.clip(c, 0.0, float(cap), out=c)
        hist += np.bincount(c.astype(np.intp), minlength=cap + 1)
    at_least = np.cumsum(hist[::-1])[::-1]          # at_least[j] = count(floor(a) >= j)
    return at_least[t.astype(np.intp)]


def series_range(accumulation, *, min_cells=MIN_SERIES_CELLS, top_fraction=TOP_FRACTION,
                 min_density=MIN_DENSITY):
    """(number of valid cells, first and last threshold of the series, cells).

    From ``min_cells`` to ``top_fraction`` x the largest accumulation; where
    that spans less than a decade, the top is raised towards the largest
    threshold that leaves ``min_density`` of the cells (and at least
    MIN_CHANNEL_CELLS cells) as channels; it never leaves fewer than
    MIN_CHANNEL_CELLS cells as channels.  Nan (nodata) cells are left out;
    the order statistics come from :func:`_top_values` (no sort of the grid)."""
    a = np.asarray(accumulation, dtype=np.float64)
    nfin = int(np.count_nonzero(np.isfinite(a)))
    keep = max(MIN_CHANNEL_CELLS, int(np.ceil(min_density * nfin)))
    nvalid, top = _top_values(a, (keep, MIN_CHANNEL_CELLS, 1))
    if nvalid == 0:
        raise InputError("The accumulation grid has no valid cells.")
    dense_top, few_top, largest = top            # `keep` cells have acc >= dense_top
    lo = float(min_cells)
    hi = max(top_fraction * largest, min(10.0 * lo, dense_top))
    hi = min(hi, few_top)                        # never fewer channel cells
    if hi < 2.0 * lo:
        raise InputError(
            "The flow network is too small to choose a threshold: the largest "
            f"contributing area is only {largest:g} cells. Use a larger DEM or the "
            "'Fixed' threshold method.")
    return nvalid, lo, hi


def density_curve(accumulation, n_thresholds=None, min_density=MIN_DENSITY, *,
                  min_cells=MIN_SERIES_CELLS, top_fraction=TOP_FRACTION):
    """(T, D(T)) on a geometric series of whole-cell thresholds over
    series_range(); ``n_thresholds`` in all (None: SERIES_PER_DECADE a decade).
    D(T) = (valid cells with accumulation >= T) / (valid cells)."""
    nvalid, lo, hi = series_range(accumulation, min_cells=min_cells,
                                  top_fraction=top_fraction, min_density=min_density)
    if n_thresholds is None:
        n_thresholds = int(round(SERIES_PER_DECADE * np.log10(hi / lo))) + 1
    t = np.unique(np.ceil(np.geomspace(lo, hi, max(int(n_thresholds), 2)) - 1e-9))
    counts = _counts_at_least(accumulation, t)
    return t, counts / nvalid


def local_slopes(log_t, log_d, half_window):
    """Least-squares slope of log_d against log_t over the points within
    ``half_window`` (same units as log_t) of each point, the point included."""
    x, y = np.asarray(log_t, float), np.asarray(log_d, float)
    lo = np.searchsorted(x, x - half_window - 1e-12, side="left")
    hi = np.searchsorted(x, x + half_window + 1e-12, side="right")
    c = [np.concatenate([[0.0], np.cumsum(v)]) for v in (np.ones_like(x), x, y, x * x, x * y)]
    n, sx, sy, sxx, sxy = (ci[hi] - ci[lo] for ci in c)
    den = n * sxx - sx * sx
    return (n * sxy - sx * sy) / np.where(den > 0, den, np.nan)


def class_means(values):
    """Means (mu0, mu1) of values[:k] and values[k:] for every split k = 1 .. n-1."""
    v = np.asarray(values, dtype=np.float64)
    c = np.cumsum(v)[:-1]
    k = np.arange(1, v.size)
    return c / k, (v.sum() - c) / (v.size - k)


def scaling_break_threshold(accumulation, n_thresholds=None, *, min_cells=MIN_SERIES_CELLS,
                            top_fraction=TOP_FRACTION, half_window=SLOPE_HALF_WINDOW):
    """The paper's OTSU threshold: break of the log-log density curve.

    Otsu's split of the local slopes d log D / d log T (module docstring);
    ``half_window`` in decades of T.  The split is taken among those whose
    small-T class is steeper than the large-T class (mu0 < mu1: hillslope
    then channel); when no split is, the series holds no hillslope/channel
    break and Otsu's unconstrained split is used (``break_found`` False).
    ``break_strength`` = mu1 - mu0 of the split taken; a break found with a
    strength below WEAK_BREAK is ``weak_break``: the curve is one power law
    within noise and the threshold depends on the DEM's extent and cell size
    rather than on the terrain.
    Returns (threshold in cells, diagnostics dict with T, D, slopes (one per
    T), split, between_variance, class_means, break_found, break_strength,
    weak_break).
    """
    t, d = density_curve(accumulation, n_thresholds, min_cells=min_cells,
                         top_fraction=top_fraction)
    if t.size < 4:
        raise InputError(
            "Too few distinct thresholds to find the scaling break; use the 'Fixed' "
            "threshold method.")
    slopes = local_slopes(np.log10(t), np.log10(d), half_window)
    k, between = otsu_split(slopes)
    mu0, mu1 = class_means(slopes)
    admissible = mu0 < mu1
    if admissible.any():
        k = int(np.argmax(np.where(admissible, between, -np.inf))) + 1
    strength = float(mu1[k - 1] - mu0[k - 1])
    found = bool(admissible.any())
    return float(t[k]), {"T": t, "D": d, "slopes": slopes, "split": k,
                         "between_variance": between,
                         "class_means": (float(mu0[k - 1]), float(mu1[k - 1])),
                         "break_found": found, "break_strength": strength,
                         "weak_break": found and strength < WEAK_BREAK}


def histogram_threshold(accumulation, bins=256):
    """Otsu's threshold on the histogram of log(accumulation); in cells."""
    a = np.asarray(accumulation, dtype=np.float64)
    a = a[np.isfinite(a) & (a > 0)]
    if a.size == 0 or a.max() <= 1:
        raise InputError("The accumulation grid has no flow to threshold.")
    la = np.log(a)
    hist, edges = np.histogram(la, bins=bins)
    centres = 0.5 * (edges[:-1] + edges[1:])
    nz = hist > 0
    k, _ = otsu_split(centres[nz], hist[nz])
    cut = 0.5 * (centres[nz][k - 1] + centres[nz][k])
    return float(np.ceil(np.exp(cut)))
