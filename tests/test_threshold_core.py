"""Channel thresholds by Otsu's method (core/threshold.py); no QGIS.

Expected values are computed by hand or by an independent formulation in the
test (Otsu as the minimum *within*-class variance, brute force over splits).
"""
import os
from pathlib import Path

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


def _broken_power_law(n, t_break, t_max, b_channel=0.45):
    """n accumulation values (cells) whose exceedance D(T) = share with
    acc >= T is 1 / T up to t_break (hillslope: parallel flow) and
    D(t_break) (T / t_break)^-b_channel beyond (channels), up to the largest
    basin t_max (the cells above hold t_max, as the trunk channels of a real
    grid do); by the inverse of D at the quantiles (i + 0.5) / n, so D is
    exact to 1 / n below t_max."""
    u = (np.arange(n) + 0.5) / n
    d_break = 1.0 / t_break
    acc = np.where(u >= d_break, 1.0 / u, t_break * (u / d_break) ** (-1.0 / b_channel))
    return np.minimum(acc, t_max)


def _slopes_by_polyfit(T, D, half_window):
    """Least-squares slope of log10 D on log10 T within half_window decades."""
    x, y = np.log10(T), np.log10(D)
    return np.array([np.polyfit(x[np.abs(x - xi) <= half_window + 1e-12],
                                y[np.abs(x - xi) <= half_window + 1e-12], 1)[0] for xi in x])


def test_local_slopes_by_hand():
    # y = 2 x + 1 exactly: slope 2 everywhere; a kink gives the windowed fit
    x = np.linspace(0, 2, 21)
    assert np.allclose(th.local_slopes(x, 2 * x + 1, 0.2), 2.0)
    y = np.where(x < 1, -x, -1 - 0.5 * (x - 1))
    s = th.local_slopes(x, y, 0.2)
    assert np.allclose(s[x < 0.75], -1.0) and np.allclose(s[x > 1.25], -0.5)
    # at the kink the window is symmetric: half the points on each side
    # (x = 0.8 .. 1.2), least squares slope = -0.75 by symmetry
    assert s[10] == pytest.approx(-0.75)


def test_scaling_break_on_known_break():
    # D(T) = 1/T up to 40 cells, then T^-0.45: the break is 40 cells
    acc = _broken_power_law(200_000, 40.0, 1e5)
    t, info = th.scaling_break_threshold(acc)
    assert info["break_found"]
    # outside the slope window (0.2 decade either side of the break) the local
    # slopes are the two exponents; Otsu's split lies inside the window
    T, s = info["T"], info["slopes"]
    far = np.abs(np.log10(T / 40.0)) > 0.25
    assert np.allclose(s[far & (T < 40)], -1.0, atol=0.02)
    assert np.allclose(s[far & (T > 40)], -0.45, atol=0.02)
    assert 40 / 10 ** 0.2 <= t <= 40 * 10 ** 0.2
    mu0, mu1 = info["class_means"]
    assert mu0 < -0.85 and mu1 > -0.55
    # the series: 5 cells to 0.003 x the largest accumulation
    assert T[0] == 5 and T[-1] == 300


def _two_power_laws(n, t_break, t_max, b_hill, b_channel):
    """As _broken_power_law with D(T) = T^-b_hill below the break (D(1) = 1)."""
    u = (np.arange(n) + 0.5) / n
    d_break = t_break ** -b_hill
    acc = np.where(u >= d_break, u ** (-1.0 / b_hill),
                   t_break * (u / d_break) ** (-1.0 / b_channel))
    return np.minimum(acc, t_max)


def test_break_strength_of_a_clear_break():
    # hillslopes -1, channels -0.45: the classes' mean slopes differ by about
    # 0.5 less what the slope window blurs at the break
    t, info = th.scaling_break_threshold(_broken_power_law(200_000, 40.0, 1e5))
    mu0, mu1 = info["class_means"]
    assert info["break_strength"] == pytest.approx(mu1 - mu0)
    assert info["break_strength"] > 0.3
    assert info["break_found"] and not info["weak_break"]


def test_one_power_law_is_a_weak_break():
    # exponents 0.65 then 0.64: a break Otsu can split (the small-T class is
    # steeper), but 0.01 apart, within the noise of a real curve: weak
    acc = _two_power_laws(200_000, 40.0, 1e5, 0.65, 0.64)
    t, info = th.scaling_break_threshold(acc)
    assert info["break_found"]
    assert 0.0 < info["break_strength"] < th.WEAK_BREAK
    assert info["weak_break"]


def test_demo_window_has_a_weak_channel_break():
    # the demo's 320 x 159 window of the BC TRIM DEM (data/demo/README.md): its
    # density curve spans 1.1 decades and is one power law (local slopes -0.62 to
    # -0.67 by an independent polyfit), so the 33-cell threshold is not set by
    # the terrain; jacksboro's break (about -0.8 then -0.5) is strong
    z, g = gr.read_raster(str(Path(__file__).resolve().parents[1] / "data/demo/dem_25m.tif"))
    _, _, _, acc = hy.condition(z, g.dx, g.dy)
    t, info = th.scaling_break_threshold(acc)
    a = acc[np.isfinite(acc)]
    D = np.array([(a >= x).sum() / a.size for x in info["T"]])
    slopes = _slopes_by_polyfit(info["T"], D, 0.2)
    k = info["split"]
    assert slopes.max() - slopes.min() < 0.06
    assert info["break_strength"] == pytest.approx(slopes[k:].mean() - slopes[:k].mean(),
                                                   abs=1e-9)
    assert info["weak_break"]


def test_jacksboro_break_is_strong(jacksboro):
    _, _, acc = jacksboro
    _, info = th.scaling_break_threshold(acc)
    assert info["break_strength"] > 0.2 and not info["weak_break"]


def test_same_terrain_two_resolutions_same_area():
    # one terrain: D falls as 1/A (hillslopes) up to 25 000 m2, then as A^-0.45;
    # sampled at 25 m (625 m2 cells) and 12.5 m (four times the cells)
    a_break = 25_000.0
    areas = []
    for cell_area, n in ((625.0, 50_000), (156.25, 200_000)):
        acc = _broken_power_law(n, a_break / cell_area, 6.25e7 / cell_area)
        areas.append(th.scaling_break_threshold(acc)[0] * cell_area)
    # each lies within the slope window (0.2 decade) of the break, so the two
    # differ by at most 0.4 decade; here the series are the same in area
    # above 5 coarse cells and the two agree within one series step (0.1 decade)
    for a in areas:
        assert a_break / 10 ** 0.2 <= a <= a_break * 10 ** 0.2
    assert max(areas) / min(areas) <= 10 ** 0.1 * 1.05


def test_scaling_break_on_jacksboro(jacksboro):
    z, g, acc = jacksboro
    t, info = th.scaling_break_threshold(acc)
    a = acc[np.isfinite(acc)]
    T = info["T"]
    # the series, recomputed: whole cells from 5 to 0.003 x the largest basin,
    # 10 a decade
    n = int(round(10 * np.log10(0.003 * a.max() / 5))) + 1
    assert np.array_equal(T, np.unique(np.ceil(np.geomspace(5, 0.003 * a.max(), n) - 1e-9)))
    D = np.array([(a >= x).sum() / a.size for x in T])
    assert np.allclose(D, info["D"], rtol=0, atol=0)
    slopes = _slopes_by_polyfit(T, D, 0.2)
    assert np.allclose(slopes, info["slopes"], atol=1e-9)
    # Otsu's split by the within-class form, among splits whose small-T class
    # is steeper than the large-T class
    k = info["split"]
    best = _within_class_best(slopes, np.ones_like(slopes))
    if slopes[:best].mean() < slopes[best:].mean():
        assert k == best
    assert T[k] == t
    # docs/method.md: slopes about -0.8 (hillslopes) then -0.5 (channels), a
    # break near 0.08 km2 (13 cells at 80 m)
    assert np.mean(slopes[:k]) == pytest.approx(-0.8, abs=0.1)
    assert np.mean(slopes[k:]) == pytest.approx(-0.5, abs=0.1)
    assert 3e4 <= t * g.cell_area <= 1.5e5


def test_jacksboro_two_resolutions(jacksboro):
    # the same DEM resampled bilinear to 40 m: the break, in m2, within the
    # 0.4 decade that two slope windows allow (docs/method.md, section 1)
    from scipy import ndimage
    z, g, acc = jacksboro
    z2 = ndimage.zoom(z, 2, order=1)
    _, _, _, acc2 = hy.condition(z2, g.dx / 2, g.dy / 2)
    a80 = th.scaling_break_threshold(acc)[0] * g.cell_area
    a40 = th.scaling_break_threshold(acc2)[0] * g.cell_area / 4
    assert 10 ** -0.4 <= a40 / a80 <= 10 ** 0.4


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


def test_scaling_break_hillslope_class_is_the_steeper():
    # shallow (-0.45) then steep (-1.0): the wrong way round for hillslope |
    # channel, so no split qualifies; Otsu's unconstrained split is reported
    u = (np.arange(100_000) + 0.5) / 100_000
    d_break = 40.0 ** -0.45
    acc = np.minimum(np.where(u >= d_break, u ** (-1 / 0.45), 40.0 * d_break / u), 1e5)
    t, info = th.scaling_break_threshold(acc)
    assert not info["break_found"]
    mu0, mu1 = info["class_means"]
    assert mu0 > mu1
    assert 40 / 10 ** 0.2 <= t <= 40 * 10 ** 0.2
    # a hillslope/channel break at 20 cells and a steepening (-0.45 to -0.9)
    # at 150 cells: the split is the break, not the steepening
    T = np.arange(1.0, 1e5)
    d = np.where(T < 20, 1 / T, np.where(T < 150, (1 / 20) * (T / 20) ** -0.45,
                                         (1 / 20) * 7.5 ** -0.45 * (T / 150) ** -0.9))
    # accumulation with exactly that exceedance: counts by differencing
    n = 10_000_000
    counts = np.round(n * (d - np.append(d[1:], 0))).astype(int)
    acc = np.repeat(T, counts)
    t, info = th.scaling_break_threshold(acc)
    assert info["break_found"]
    assert 20 / 10 ** 0.2 <= t <= 20 * 10 ** 0.2
