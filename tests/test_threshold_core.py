"""Channel thresholds by Otsu's method (core/threshold.py); no QGIS.

Expected values are computed by hand or by an independent formulation in the
test (Otsu as the minimum *within*-class variance, brute force over splits).
"""
import os

import numpy as np
import pytest

from hpcs_landform.core import grid as gr
from hpcs_landform.core import hydrology as hy
from hpcs_landform.core import threshold as th
from hpcs_landform.core.errors import InputError

DATA = os.path.join(os.path.dirname(__file__), "data")


def _within_class_best(values, weights):
    """Split k (classes values[:k] | values[k:]) minimising the weighted
    within-class variance, by brute force; Otsu's split is the same k."""
    v = np.asarray(values, float)
    w = np.asarray(weights, float)
    best, best_k = np.inf, None
    for k in range(1, v.size):
        tot = 0.0
        for sl in (slice(0, k), slice(k, None)):
            ww, vv = w[sl], v[sl]
            mu = (ww * vv).sum() / ww.sum()
            tot += (ww * (vv - mu) ** 2).sum()
        if tot < best - 1e-12:
            best, best_k = tot, k
    return best_k


@pytest.fixture(scope="module")
def jacksboro():
    z, g = gr.read_raster(os.path.join(DATA, "jacksboro_fault_dem_utm16n_80m.tif"))
    _, _, _, acc = hy.condition(z, g.dx, g.dy)
    return z, g, acc


def test_otsu_split_two_regimes():
    rng = np.random.default_rng(1)
    a = -0.9 + 0.02 * rng.standard_normal(12)
    b = -0.5 + 0.02 * rng.standard_normal(9)
    k, between = th.otsu_split(np.concatenate([a, b]))
    assert k == 12                                    # the break between the regimes
    assert between.size == 20
    # hand example: [0, 0, 1, 1, 1]: split after the zeros; between-class variance
    # w0 w1 (mu0 - mu1)^2 = 2/5 * 3/5 * 1 = 0.24
    k, between = th.otsu_split([0.0, 0.0, 1.0, 1.0, 1.0])
    assert k == 2 and between[1] == pytest.approx(0.24)
    with pytest.raises(InputError):
        th.otsu_split([1.0])


def test_otsu_split_matches_within_class_form():
    rng = np.random.default_rng(7)
    v = np.sort(rng.uniform(0, 10, 30))
    w = rng.integers(1, 20, 30)
    k, _ = th.otsu_split(v, w)
    assert k == _within_class_best(v, w)


def test_histogram_threshold_by_hand():
    # accumulation values 1, 2, 3 (hillslopes) and 50, 60 (channels), with counts
    counts = {1: 60, 2: 25, 3: 10, 50: 4, 60: 1}
    acc = np.concatenate([np.full(c, float(v)) for v, c in counts.items()])
    bins = 256
    t = th.histogram_threshold(acc, bins=bins)
    # by hand: the log histogram has 256 equal bins on [0, log 60]; each value
    # falls in its own bin, whose centre is used; Otsu splits {1, 2, 3} | {50, 60}
    width = np.log(60.0) / bins
    centre = {}
    for v in counts:
        i = min(int(np.log(v) / width), bins - 1)
        centre[v] = (i + 0.5) * width
    vals = sorted(counts)
    k = _within_class_best([centre[v] for v in vals], [counts[v] for v in vals])
    assert k == 3
    exp = np.ceil(np.exp(0.5 * (centre[3] + centre[50])))
    assert t == exp
    assert 3 < t <= 50


def test_histogram_threshold_errors():
    with pytest.raises(InputError):
        th.histogram_threshold(np.ones(10))
    with pytest.raises(InputError):
        th.histogram_threshold(np.full(10, np.nan))


def test_scaling_break_on_jacksboro(jacksboro):
    z, g, acc = jacksboro
    t, info = th.scaling_break_threshold(acc)
    # docs/method.md: 9 cells at 80 m, slopes about -0.9 then -0.5
    assert t == 9.0
    # the log-log slopes, recomputed here from the accumulation grid
    a = acc[np.isfinite(acc)]
    T = info["T"]
    D = np.array([(a >= x).sum() / a.size for x in T])
    assert np.allclose(D, info["D"], rtol=0, atol=0)
    slopes = np.diff(np.log(D)) / np.diff(np.log(T))
    k = info["split"]
    assert T[k] == t
    assert np.mean(slopes[:k]) == pytest.approx(-0.9, abs=0.1)
    assert np.mean(slopes[k:]) == pytest.approx(-0.5, abs=0.1)
    # Otsu's split of those slopes, by the within-class form
    assert k == _within_class_best(slopes, np.ones_like(slopes))
    # the series stops where fewer than 1 % of the cells are channels
    assert D[-1] >= 0.01 and (a >= T[-1] * 1.3).sum() / a.size < 0.012


def test_scaling_break_is_stable(jacksboro):
    z, g, acc = jacksboro
    t1, _ = th.scaling_break_threshold(acc)
    t2, _ = th.scaling_break_threshold(acc.copy())
    assert t1 == t2
    _, _, _, acc_r = hy.condition(np.rot90(z), g.dy, g.dx)
    t3, _ = th.scaling_break_threshold(acc_r)
    assert t3 == t1
    # the ridge threshold (inverted DEM) is stable too
    _, _, _, racc = hy.condition(hy.invert_dem(z), g.dx, g.dy)
    _, _, _, racc_r = hy.condition(np.rot90(hy.invert_dem(z)), g.dy, g.dx)
    assert th.scaling_break_threshold(racc)[0] == th.scaling_break_threshold(racc_r)[0]


def test_density_curve_errors():
    with pytest.raises(InputError):
        th.density_curve(np.full(100, np.nan))
    with pytest.raises(InputError, match="too small"):
        th.density_curve(np.ones(100))
