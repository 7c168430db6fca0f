"""Channel (and ridge) initiation thresholds chosen by Otsu's method.

Two readings are offered (docs/method.md, section 1):

``scaling_break``  (the paper's method, default)
    Channel density D(T) = (cells with accumulation >= T) / (valid cells) is
    computed for thresholds T on a geometric series.  On log-log axes D(T)
    has two regimes: a hillslope regime at small T and a fractal channel
    regime, D ~ T^-b, at large T.  The local slopes
    s_i = (log D_{i+1} - log D_i) / (log T_{i+1} - log T_i)
    are split in two contiguous classes (small T | large T) by Otsu's
    criterion: the split k maximising the between-class variance
    w0 w1 (mu0 - mu1)^2.  The threshold is T_k, the break between regimes.
    The series stops where fewer than 1 % of the cells are channels: beyond
    that T nears the size of the largest basins, D(T) falls off a cliff
    (finite-size cut-off) and Otsu would split there instead of at the
    hillslope/channel break.

``histogram``
    Otsu's classic threshold on the histogram of log(accumulation).
"""
import numpy as np

from .errors import InputError

#: the density series stops where fewer than this share of cells are channels
MIN_DENSITY = 0.01
#: ... and never goes below this many channel cells
MIN_CHANNEL_CELLS = 30


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


def density_curve(accumulation, n_thresholds=40, min_density=MIN_DENSITY):
    """(T, D(T)) on a geometric series of thresholds from 2 cells up to the
    largest threshold that still leaves ``min_density`` of the cells (and at
    least MIN_CHANNEL_CELLS cells) as channels."""
    a = np.asarray(accumulation, dtype=np.float64)
    a = a[np.isfinite(a)]
    nvalid = a.size
    if nvalid == 0:
        raise InputError("The accumulation grid has no valid cells.")
    keep = max(MIN_CHANNEL_CELLS, int(np.ceil(min_density * nvalid)))
    # `keep` cells have acc >= top: a selection, O(N), instead of a full sort
    a.partition(nvalid - min(keep, nvalid))
    top = a[nvalid - min(keep, nvalid)]
    if top <= 4:
        raise InputError(
            "The flow network is too small to choose a threshold: the largest "
            f"contributing area is only {a.max():g} cells. Use a larger DEM or the "
            "'Fixed' threshold method.")
    t = np.unique(np.round(np.geomspace(2.0, top, n_thresholds)))
    # cells with acc >= t_j: bin every cell by the number of thresholds <= its value
    per_bin = np.bincount(np.searchsorted(t, a, side="right"), minlength=t.size + 1)
    counts = nvalid - np.cumsum(per_bin)[:-1]
    return t, counts / nvalid


def scaling_break_threshold(accumulation, n_thresholds=40):
    """The paper's OTSU threshold: break of the log-log density curve.

    Returns (threshold in cells, diagnostics dict with T, D, slopes, split).
    """
    t, d = density_curve(accumulation, n_thresholds)
    if t.size < 4:
        raise InputError(
            "Too few distinct thresholds to find the scaling break; use the 'Fixed' "
            "threshold method.")
    lt, ld = np.log(t), np.log(d)
    slopes = np.diff(ld) / np.diff(lt)
    k, between = otsu_split(slopes)
    threshold = float(t[k])
    return threshold, {"T": t, "D": d, "slopes": slopes, "split": k,
                       "between_variance": between}


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
