"""core.surfaces: eq. 1 to 5 on hand-made grids (Fig. 4, 5, 6), the sweeps
against the converged surface, and the invariants on the jacksboro sample."""
import math
from pathlib import Path

import numpy as np
import pytest
from test_classify_core import fig4_grid

from hpcs_landform.core import classify as cl
from hpcs_landform.core import hydrology as hy
from hpcs_landform.core import surfaces as sf
from hpcs_landform.core.channels import extract_channels
from hpcs_landform.core.errors import InputError
from hpcs_landform.core.grid import read_raster

T = lambda deg: math.tan(math.radians(deg))  # noqa: E731


# --------------------------------------------------------------------------
# independent (brute-force, per-cell) versions of eq. 3 and eq. 4
# --------------------------------------------------------------------------

def brute_nearest(r, c, lab, known, cat, dx, dy):
    """Nearest known cell of catchment lab to (r, c), by looping over cells."""
    best = (math.inf, None)
    rows, cols = cat.shape
    for i in range(rows):
        for j in range(cols):
            if known[i, j] and cat[i, j] == lab:
                d = math.hypot((i - r) * dy, (j - c) * dx)
                if d < best[0]:
                    best = (d, (i, j))
    return best


def window_catchments(r, c, cat):
    rows, cols = cat.shape
    return sorted({int(cat[i, j]) for i in range(r - 1, r + 2) for j in range(c - 1, c + 2)
                   if 0 <= i < rows and 0 <= j < cols and cat[i, j] >= 0})


def brute_eq34(r, c, code, known, cat, smax, smin, dx, dy, a_max, a_min):
    vmax, vmin = [], []
    for lab in window_catchments(r, c, cat):
        d, cell = brute_nearest(r, c, lab, known, cat, dx, dy)
        if cell is None:
            continue
        if code == 3:
            vmax.append(smax[cell] + d * T(a_max))
            vmin.append(smin[cell] + d * T(a_min))
        else:
            vmax.append(smax[cell] - d * T(a_min))
            vmin.append(smin[cell] - d * T(a_max))
    hi, lo = min(vmax), max(vmin)
    return hi, min(lo, hi)


# --------------------------------------------------------------------------
# Fig. 4: semi-fixed channel joining a fixed one (eq. 1, eq. 2)
# --------------------------------------------------------------------------

def test_fig4_semi_fixed_profile_by_hand():
    z, area, rec, ch = fig4_grid()
    classes = cl.classify_cells(z, area, rec, ch, np.zeros_like(ch))
    cat = np.ones(z.shape, dtype=np.int64)
    res = sf.earthwork_surfaces(z, classes, rec, cat, 10.0, 10.0, a_max=25, a_min=5,
                                semi_a_max=30, semi_a_min=10, limit_slopes=False)
    # L(o, c) from the head (4,4) to the confluence (3,1): one diagonal + two steps
    l_main = 10 * math.sqrt(2) + 10 + 10
    l_trib = 10 + 10 + 10          # head (2,3): S to (3,3), W, W
    for dem, a in ((res.dem_max, 30), (res.dem_min, 10)):
        # eq. 2: (z_i - z_c) L(o,c) tan A / (z_o - z_c) + z_c, z_c = 100, z_o = 110
        assert dem[4, 4] == pytest.approx(100 + l_main * T(a), abs=1e-9)
        assert dem[3, 3] == pytest.approx(100 + (105 - 100) * l_main * T(a) / 10, abs=1e-9)
        assert dem[3, 2] == pytest.approx(100 + (102 - 100) * l_main * T(a) / 10, abs=1e-9)
        # the tributary head is its own origin: its drop to the anchor is L tan A
        assert dem[2, 3] == pytest.approx(100 + l_trib * T(a), abs=1e-9)
        # eq. 1: fixed, confluence and boundary keep dem_or
        keep = (classes == 1) | (classes == 1.5) | (classes == 5)
        assert np.array_equal(dem[keep], z[keep])
    assert res.semi_a_max == 30 and res.semi_a_min == 10


def test_chain_heads_and_walk_against_brute_force():
    rng = np.random.default_rng(3)
    z = rng.random((25, 30)) * 5 + np.add.outer(np.arange(25), np.arange(30)) * 0.3
    filled = hy.fill_depressions(z)
    rec, _ = hy.flow_directions(filled, 10.0, 7.0)
    chain = rng.random(z.size) < 0.7
    step = hy.downstream_distance(rec, 10.0, 7.0, z.shape)
    end, dist = sf.walk_to_exit(rec, chain, step)
    head = sf.chain_heads(rec, chain, dist)
    n = z.size
    donors = {}
    for i in range(n):
        if chain[i] and rec[i] < n and chain[rec[i]]:
            donors.setdefault(int(rec[i]), []).append(i)
    for i in range(n):
        j, d = i, 0.0
        while j < n and chain[j]:
            d += step[j]
            j = int(rec[j])
        assert end[i] == j and dist[i] == pytest.approx(d)
        if not chain[i]:
            assert head[i] == -1
            continue
        stack, best = [i], (dist[i], i)
        while stack:
            u = stack.pop()
            best = max(best, (dist[u], u))
            stack.extend(donors.get(u, []))
        assert head[i] == best[1]


# --------------------------------------------------------------------------
# Fig. 5: a watershed cell between catchments I, II, III (eq. 3)
# --------------------------------------------------------------------------

def fig5_grid():
    """7 x 7, dx = 10 m, dy = 20 m; area rows/cols 1-5; watershed cells in
    column 3; catchment I = columns 0-3, II = columns 4-6 rows 0-3, III =
    columns 4-6 rows 4-6.  Known cells are the boundary ring."""
    rows, cols = 7, 7
    r, c = np.mgrid[0:rows, 0:cols]
    cat = np.where(c <= 3, 1, np.where(r <= 3, 2, 3))
    z = 100.0 + 3 * r + 2 * c + np.where(cat == 2, 30.0, 0.0) - np.where(cat == 3, 20.0, 0.0)
    classes = np.full((rows, cols), 5.0)
    classes[1:6, 1:6] = 0.0
    classes[1:6, 3] = 3.0
    rec = np.full(z.size, z.size, dtype=np.int64)
    return z, classes, rec, cat


def test_fig5_watershed_by_hand():
    z, classes, rec, cat = fig5_grid()
    dx, dy = 10.0, 20.0
    res = sf.earthwork_surfaces(z, classes, rec, cat, dx, dy, a_max=25, a_min=8,
                                semi_a_max=20, semi_a_min=5, limit_slopes=False)
    # by hand: (1, 3) sees I and II; nearest known of I is (0, 3), 20 m up;
    # of II it is (0, 4), sqrt(10^2 + 20^2) m away
    h_i, h_ii = z[0, 3], z[0, 4]
    l_i, l_ii = 20.0, math.sqrt(500.0)
    hi = min(h_i + l_i * T(25), h_ii + l_ii * T(25))
    lo = min(max(h_i + l_i * T(8), h_ii + l_ii * T(8)), hi)
    assert res.dem_max[1, 3] == pytest.approx(hi, abs=1e-9)
    assert res.dem_min[1, 3] == pytest.approx(lo, abs=1e-9)
    # (3, 3) sees I, II, III: nearest (3, 0) 30 m, (3, 6) 30 m, (4, 6) sqrt(30^2+20^2) m
    hi = min(z[3, 0] + 30 * T(25), z[3, 6] + 30 * T(25), z[4, 6] + math.sqrt(1300) * T(25))
    assert res.dem_max[3, 3] == pytest.approx(hi, abs=1e-9)
    # every watershed cell against the brute-force search
    known = classes == 5
    for r in range(1, 6):
        hi, lo = brute_eq34(r, 3, 3, known, cat, z, z, dx, dy, 25, 8)
        assert res.dem_max[r, 3] == pytest.approx(hi, abs=1e-9)
        assert res.dem_min[r, 3] == pytest.approx(lo, abs=1e-9)
    assert np.all(res.dem_max >= res.dem_min)
    assert res.clipped > 0      # catchment II is 30 m higher: the paper's max/min cross


def test_fig5_automatic_a_min_is_smallest_adjacent_catchment_mean_slope():
    z, classes, rec, cat = fig5_grid()
    dx, dy = 10.0, 20.0
    res = sf.earthwork_surfaces(z, classes, rec, cat, dx, dy, a_max=25, semi_a_max=20,
                                semi_a_min=5, limit_slopes=False)
    slope = sf.slope_degrees(z, dx, dy)
    mean = {k: float(np.mean(slope[cat == k])) for k in (1, 2, 3)}
    per_cell = [min(mean[k] for k in window_catchments(r, 3, cat)) for r in range(1, 6)]
    assert res.a_min_low == pytest.approx(min(per_cell))
    assert res.a_min_high == pytest.approx(max(per_cell))
    known = classes == 5
    for r in range(1, 6):
        hi, lo = brute_eq34(r, 3, 3, known, cat, z, z, dx, dy, 25, per_cell[r - 1])
        assert res.dem_min[r, 3] == pytest.approx(lo, abs=1e-9)


def test_horn_slope_of_a_plane():
    r, c = np.mgrid[0:9, 0:12]
    z = 0.5 * c * 10.0 + 0.25 * r * 20.0           # dz/dx = 0.5, dz/dy = -0.25 (rows go south)
    s = sf.slope_degrees(z, 10.0, 20.0)
    assert np.allclose(s[1:-1, 1:-1], math.degrees(math.atan(math.hypot(0.5, 0.25))))
    # strips of any height give the same slopes (nodata included)
    rough = np.random.default_rng(2).random((23, 11)) * 50
    rough[4, 4] = rough[0, 2] = np.nan
    whole = sf.slope_degrees(rough, 10.0, 20.0)
    for block in (1, 2, 7):
        assert np.allclose(sf.slope_degrees(rough, 10.0, 20.0, block=block), whole,
                           equal_nan=True)


# --------------------------------------------------------------------------
# Fig. 6: a floating channel cell (eq. 4, watershed cells known)
# --------------------------------------------------------------------------

def test_fig6_floating_by_hand():
    rows, cols = 7, 7
    dx, dy = 10.0, 12.0                            # (0, 3) and (6, 3) are 36 m away
    r, c = np.mgrid[0:rows, 0:cols]
    cat = np.where(c <= 3, 1, 2)                   # I | II: S_area(3, 3) = {I, II}
    z = 150.0 - 2.0 * r + np.where(cat == 2, 10.0, 0.0)
    classes = np.full((rows, cols), 5.0)
    classes[1:6, 1:6] = 0.0
    classes[3, 3] = 4.0
    classes[3, 4] = 3.0                            # a watershed cell of II next to it
    rec = np.full(z.size, z.size, dtype=np.int64)
    res = sf.earthwork_surfaces(z, classes, rec, cat, dx, dy, a_max=25, a_min=6,
                                semi_a_max=20, semi_a_min=5, limit_slopes=False)
    # the watershed cell first (eq. 3), from the boundary only
    known = classes == 5
    w_hi, w_lo = brute_eq34(3, 4, 3, known, cat, z, z, dx, dy, 25, 6)
    assert res.dem_max[3, 4] == pytest.approx(w_hi, abs=1e-9)
    # then the floating cell: nearest known of II is the watershed cell, 10 m
    # east; of I the boundary cell (3, 0), 30 m west
    smax, smin = z.copy(), z.copy()
    smax[3, 4], smin[3, 4] = w_hi, w_lo
    hi = min(smax[3, 0] - 30 * T(6), smax[3, 4] - 10 * T(6))
    lo = min(max(smin[3, 0] - 30 * T(25), smin[3, 4] - 10 * T(25)), hi)
    assert res.dem_max[3, 3] == pytest.approx(hi, abs=1e-9)
    assert res.dem_min[3, 3] == pytest.approx(lo, abs=1e-9)
    known = (classes == 5) | (classes == 3)
    b_hi, b_lo = brute_eq34(3, 3, 4, known, cat, smax, smin, dx, dy, 25, 6)
    assert (b_hi, b_lo) == pytest.approx((hi, lo))


# --------------------------------------------------------------------------
# eq. 5
# --------------------------------------------------------------------------

def test_sweeps_by_hand():
    x = np.arange(25.0).reshape(5, 5) ** 1.5
    free = np.zeros((5, 5), dtype=bool)
    free[2, 2] = True
    one = sf.fuzzy_interpolation(x, free, 1)
    v1 = x[1:4, 1:4].mean()                       # the 3 x 3 mean, centre included
    assert one[2, 2] == pytest.approx(v1)
    two = sf.fuzzy_interpolation(x, free, 2)
    assert two[2, 2] == pytest.approx((x[1:4, 1:4].sum() - x[2, 2] + v1) / 9)
    assert np.array_equal(np.delete(one.ravel(), 12), np.delete(x.ravel(), 12))
    # a nodata neighbour is left out of the mean
    y = x.copy()
    y[1, 1] = np.nan
    got = sf.fuzzy_interpolation(y, free, 1)[2, 2]
    assert got == pytest.approx(np.nansum(y[1:4, 1:4]) / 8)


def test_sweeps_approach_the_harmonic_surface():
    rng = np.random.default_rng(0)
    x = rng.random((30, 40)) * 50
    free = np.zeros_like(x, dtype=bool)
    free[2:-2, 2:-2] = True
    free[10:12, 5:30] = False                      # some held cells inside
    x[0, 0] = np.nan
    h = sf.harmonic_fill(x, free)
    # the converged surface: each free cell is the mean of its 8 neighbours
    p = np.pad(h, 1, constant_values=np.nan)
    nb = np.stack([p[1 + dr:31 + dr, 1 + dc:41 + dc] for dr, dc in hy.OFFSETS])
    resid = np.abs(h - np.nanmean(nb, axis=0))[free]
    assert resid.max() < 1e-8
    errs = [np.abs(sf.fuzzy_interpolation(x, free, n) - h)[free].max()
            for n in (10, 100, 1000, 5000)]
    assert all(a > b for a, b in zip(errs, errs[1:]))
    assert errs[-1] < 1e-6


def test_sweeps_rule_by_hand():
    classes = np.full((12, 12), 0.0)
    classes[0, :] = 5
    classes[2, 2] = 1.0                            # fixed cell
    classes[5, 6] = 3.0                            # nearest watershed: 3 rows, 4 cols = 5 cells
    classes[9, 9] = 1.5                            # confluence: (5, 6) is sqrt(16 + 9) = 5 too
    classes[8, 1] = 3.0                            # nearer to neither (6.08 / 8.06)
    assert sf.sweeps_by_rule(classes) == 10
    classes[11, 0] = 1.0                           # 3.16 from (8, 1): no change
    assert sf.sweeps_by_rule(classes) == 10
    classes[11, 11] = 1.0                          # nearest watershed (5, 6): sqrt(36 + 25)
    assert sf.sweeps_by_rule(classes) == 2 * math.ceil(math.sqrt(61))


def test_bad_inputs_are_refused():
    z, classes, rec, cat = fig5_grid()
    with pytest.raises(InputError, match="not class codes"):
        sf.earthwork_surfaces(z, classes + 0.25, rec, cat, 10, 20)
    with pytest.raises(InputError, match="same grid|DEM's grid|cells, the DEM"):
        sf.earthwork_surfaces(z, classes[:5], rec, cat, 10, 20)
    with pytest.raises(InputError, match="A_max"):
        sf.earthwork_surfaces(z, classes, rec, cat, 10, 20, a_max=95)
    with pytest.raises(InputError, match="larger than A_max"):
        sf.earthwork_surfaces(z, classes, rec, cat, 10, 20, a_max=10, a_min=12)
    with pytest.raises(InputError, match="no cell inside"):
        sf.earthwork_surfaces(z, np.full(z.shape, 5.0), rec, cat, 10, 20)


# --------------------------------------------------------------------------
# the jacksboro sample, a rectangular mine area across valleys
# --------------------------------------------------------------------------

#: rows 344-383 (the DEM's south edge) x cols 270-319: 3.2 km x 4 km
MINE_ROWS, MINE_COLS = slice(344, 384), slice(270, 320)


@pytest.fixture(scope="module")
def jacksboro(data_dir):
    z, g = read_raster(data_dir / "jacksboro_fault_dem_utm16n_80m.tif")
    net = extract_channels(z, g.dx, g.dy)
    rec = hy.receivers_from_codes(net.flowdir)
    area = np.zeros(z.shape, dtype=bool)
    area[MINE_ROWS, MINE_COLS] = True
    classes = cl.classify_cells(z, area, rec, net.channels, net.ridges)
    out = {}
    for method in sf.INTERPOLATIONS:
        out[method] = sf.earthwork_surfaces(z, classes, rec, net.catchments, g.dx, g.dy,
                                            interpolation=method)
    # the paper's equations alone (no slope limit), robust and single-sample angles
    out["paper"] = sf.earthwork_surfaces(z, classes, rec, net.catchments, g.dx, g.dy,
                                         limit_slopes=False)
    out["extremes"] = sf.earthwork_surfaces(z, classes, rec, net.catchments, g.dx, g.dy,
                                            limit_slopes=False, percentile=0)
    return z, g, net, rec, area, classes, out


def test_jacksboro_every_class_occurs(jacksboro):
    z, g, net, rec, area, classes, _ = jacksboro
    counts = cl.class_counts(classes)
    assert all(counts[k] > 0 for k in cl.CODES), counts
    assert counts[cl.BOUNDARY] == z.size - area.sum()
    # fixed channels enter the area from outside: the cell above the first
    # fixed cell of each entering path is an outside channel cell
    n = z.size
    fixed = np.flatnonzero((classes == 1).ravel() | (classes == 1.5).ravel())
    donors_out = np.flatnonzero(net.channels.ravel() & ~area.ravel() & (rec < n))
    entering = donors_out[np.isin(rec[donors_out], fixed)]
    assert entering.size >= 2          # several valleys cross the area


@pytest.mark.parametrize("method", sf.INTERPOLATIONS)
def test_jacksboro_invariants(jacksboro, method):
    z, g, net, rec, area, classes, out = jacksboro
    res = out[method]
    assert np.all(res.dem_max >= res.dem_min)
    keep = ~area | (classes == 1) | (classes == 1.5)
    for dem in (res.dem_max, res.dem_min):
        assert np.array_equal(dem[keep], z[keep])
        assert np.all(np.isfinite(dem))
    assert res.a_max == 25.0
    assert 0.0 <= res.semi_a_min <= res.semi_a_max <= 25.0
    assert 0.0 < res.a_min_low <= res.a_min_high <= 25.0
    if method == "sweeps":
        assert res.sweeps == res.sweeps_rule >= 2


def _walk(rec, i, stop_classes, classes):
    """Cells from i down to the first cell of stop_classes (a Python walk)."""
    n = rec.size
    flat = classes.ravel()
    path = [i]
    while flat[path[-1]] == 2:
        path.append(int(rec[path[-1]]))
        assert path[-1] < n
    assert flat[path[-1]] in stop_classes
    return path


def test_jacksboro_semi_fixed_heads_slope_at_their_angle(jacksboro):
    """Eq. 2 alone (no slope limit): every head drops to its anchor at exactly
    the semi-fixed angle."""
    z, g, net, rec, area, classes, out = jacksboro
    semi = np.flatnonzero(classes.ravel() == 2)
    has_donor = np.zeros(z.size + 1, dtype=bool)
    has_donor[rec[semi]] = True
    heads = semi[~has_donor[semi]]
    assert heads.size > 3
    cols = z.shape[1]
    natural = []
    for h in heads:
        path = _walk(rec, int(h), (1.0, 1.5, 5.0), classes)
        rr, cc = np.divmod(np.array(path), cols)
        length = np.sum(np.hypot(np.diff(rr) * g.dy, np.diff(cc) * g.dx))
        anchor = path[-1]
        natural.append(math.degrees(math.atan2(z.ravel()[h] - z.ravel()[anchor], length)))
        for res in (out["paper"], out["extremes"]):
            for dem, angle in ((res.dem_max, res.semi_a_max), (res.dem_min, res.semi_a_min)):
                drop = dem.ravel()[h] - z.ravel()[anchor]
                assert math.degrees(math.atan2(drop, length)) == pytest.approx(angle, abs=1e-6)
    # automatic angles: the natural head-to-anchor angles of the area belong to the
    # sample (which also holds the surroundings' channels); percentile 0 takes its
    # single extremes, the default its 10th and 90th percentiles
    natural = np.array(natural)
    natural = natural[natural > 0]
    res = out["extremes"]
    assert res.semi_a_max == pytest.approx(min(25.0, max(res.semi_a_max, natural.max())))
    assert 0 < res.semi_a_min <= natural.min() + 1e-12
    lo, hi = res.info["natural_semi_range"]
    assert (res.semi_a_min, res.semi_a_max) == pytest.approx((lo, min(hi, 25.0)))
    robust = out["paper"]
    n = robust.info["natural_semi_angles"]
    assert n >= natural.size
    # numpy's linear percentile by hand: position p (n - 1) / 100 in the sorted sample
    geom = sf.semi_fixed_geometry(z, rec, classes == 2, np.isin(classes, (1, 1.5, 5)),
                                  g.dx, g.dy)
    sample = np.sort(sf.natural_semi_angles(z, rec, classes, net.catchments, geom, g.dx, g.dy))
    assert sample.size == n and np.all(np.isin(np.round(natural, 9), np.round(sample, 9)))
    for p, got in ((10, robust.semi_a_min), (90, robust.semi_a_max)):
        k = p * (n - 1) / 100.0
        f = int(math.floor(k))
        want = sample[f] + (k - f) * (sample[min(f + 1, n - 1)] - sample[f])
        assert got == pytest.approx(min(want, 25.0))
    assert lo < robust.semi_a_min < robust.semi_a_max < hi


def test_jacksboro_max_surface_within_a_max_of_known_cells(jacksboro):
    """Where the paper's construction bounds it: a watershed cell of the max
    surface rises at most A_max above the nearest known cell of each adjacent
    catchment (eq. 3 takes the minimum)."""
    z, g, net, rec, area, classes, out = jacksboro
    res = out["converged"]
    known = np.isin(classes, (1.0, 1.5, 2.0, 5.0))
    cat = net.catchments
    ws = np.argwhere(classes == 3)
    rng = np.random.default_rng(1)
    pick = ws[rng.choice(len(ws), size=min(40, len(ws)), replace=False)]
    rows, cols = np.mgrid[0:z.shape[0], 0:z.shape[1]]
    tmax = math.tan(math.radians(25.0)) + 1e-12
    for r, c in pick:
        for lab in window_catchments(r, c, cat):
            m = known & (cat == lab)
            if not m.any():
                continue
            d = np.hypot((rows[m] - r) * g.dy, (cols[m] - c) * g.dx)
            near = d <= d.min() * (1 + 1e-12)      # equidistant cells: any may be taken
            h = res.dem_max[m][near].max()
            assert (res.dem_max[r, c] - h) <= d.min() * tmax + 1e-6


def test_iterative_and_direct_harmonic_agree(monkeypatch):
    rng = np.random.default_rng(5)
    x = rng.random((40, 50)) * 100
    free = rng.random(x.shape) < 0.8
    free[0, :] = free[-1, :] = False
    direct = sf.harmonic_fill(x, free)
    monkeypatch.setattr(sf, "DIRECT_MAX", 0)
    iterative = sf.harmonic_fill(x, free)
    assert np.abs(direct - iterative).max() < 1e-7


def test_free_cells_without_known_neighbour_keep_their_values():
    x = np.arange(100.0).reshape(10, 10)
    x[5:10, 5:10] = np.nan
    x[7, 7] = 42.0                          # an island of one valid cell inside nodata
    free = np.zeros((10, 10), dtype=bool)
    free[1:4, 1:4] = True
    free[7, 7] = True
    h = sf.harmonic_fill(x, free)
    assert h[7, 7] == 42.0
    p = np.pad(h, 1, constant_values=np.nan)
    nb = np.stack([p[1 + dr:11 + dr, 1 + dc:11 + dc] for dr, dc in hy.OFFSETS])[:, 1:4, 1:4]
    assert np.abs(h[1:4, 1:4] - np.nanmean(nb, axis=0)).max() < 1e-9


# --------------------------------------------------------------------------
# the slope limit (docs/method.md section 3): envelopes, hand cases, sample
# --------------------------------------------------------------------------

def dijkstra_envelopes(h, t, dx, dy, ground):
    """Both envelopes by brute force: scipy's Dijkstra on the 8-neighbour
    graph, step a -> b costing max(t x length, ground rise a -> b)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import dijkstra
    rows, cols = h.shape
    ii, jj, ww = [], [], []
    for r in range(rows):
        for c in range(cols):
            for dr in (-1, 0, 1):
                for dc in (-1, 0, 1):
                    rr, cc = r + dr, c + dc
                    if (dr or dc) and 0 <= rr < rows and 0 <= cc < cols:
                        w = t * math.hypot(dr * dy, dc * dx)
                        if ground is not None:
                            w = max(w, ground[rr, cc] - ground[r, c])
                        ii.append(r * cols + c)
                        jj.append(rr * cols + cc)
                        ww.append(w)
    n = rows * cols
    d = dijkstra(coo_matrix((ww, (ii, jj)), shape=(n, n)).tocsr())     # d[y, x] = D(y -> x)
    hf = h.ravel()
    lower = np.min(hf[:, None] + d, axis=0).reshape(h.shape)
    hu = np.where(np.isfinite(hf), hf, -np.inf)
    upper = np.max(hu[None, :] - d, axis=1).reshape(h.shape)
    return lower, upper


@pytest.mark.parametrize("shape", [(7, 11), (13, 5), (16, 16)])
@pytest.mark.parametrize("rough", [False, True])
def test_envelopes_against_dijkstra(shape, rough):
    rng = np.random.default_rng(sum(shape) + rough)
    h = np.full(shape, np.inf)
    src = rng.random(shape) < 0.2
    h[src] = rng.random(src.sum()) * 30
    ground = rng.random(shape) * 40 if rough else None
    costs = sf.StepCosts(shape, 0.4, 10.0, 7.0, ground)
    lower, upper = dijkstra_envelopes(h, 0.4, 10.0, 7.0, ground)
    assert np.abs(sf.lower_envelope(h, costs) - lower).max() < 1e-9
    got = sf.upper_envelope(np.where(src, h, -np.inf), costs)
    assert np.abs(got - upper).max() < 1e-9


def test_slope_limit_by_hand():
    """Held values that disagree (eq. 2/3 style) are limited to the hand values:
    flat ground at 100 m, cells 10 m, t = 0.5 (every step may rise 5 m, a
    diagonal 7.07 m); the fixed cells are the ring, the held cells row 2."""
    z = np.full((5, 7), 100.0)
    fixed = np.ones(z.shape, dtype=bool)
    fixed[1:4, 1:6] = False
    held = np.zeros(z.shape, dtype=bool)
    held[2, 1:6] = True
    surf = z.copy()
    surf[2, 1:6] = [130.0, 104.0, 140.0, 96.0, 80.0]
    costs = sf.StepCosts(z.shape, 0.5, 10.0, 10.0, z)
    hi = surf.copy()
    n = sf.slope_limit(hi, held, fixed, costs)
    # dem_max: at most 100 + 0.5 x (steps to the nearest fixed cell) and at most a
    # neighbour held cell + 5 m; (2, 4) at 96 pulls (2, 3) to 101; the band of the
    # ring lifts (2, 4) to 100 - 10 and (2, 5) to 100 - 5
    assert hi[2, 1:6].tolist() == pytest.approx([105.0, 104.0, 101.0, 96.0, 95.0])
    assert n == 3
    lo = surf.copy()
    sf.slope_limit(lo, held, fixed, costs, upper=True)
    # dem_min: the band caps (2, 1) and (2, 3) at 100 + 5 and 100 + 10 and lifts
    # (2, 5) to 95; then no held cell more than 5 m per step below another:
    # (2, 2) and (2, 4) >= 110 - 5, (2, 5) >= 110 - 10
    assert lo[2, 1:6].tolist() == pytest.approx([105.0, 105.0, 110.0, 105.0, 100.0])
    assert np.array_equal(hi[fixed], z[fixed]) and np.array_equal(lo[fixed], z[fixed])
    # a steep ground lets a step rise as much as the ground does there
    g = z.copy()
    g[:, 4:] += 30.0                                # a 30 m natural cliff between cols 3 and 4
    s2 = g.copy()
    s2[2, 1:6] = [100.0, 100.0, 100.0, 130.0, 130.0]
    sf.slope_limit(s2, held, fixed, sf.StepCosts(z.shape, 0.5, 10.0, 10.0, g))
    assert s2[2, 1:6].tolist() == pytest.approx([100.0, 100.0, 100.0, 130.0, 130.0])
    s2[2, 4] = 131.0                                # 1 m more than the ground's rise
    sf.slope_limit(s2, held, fixed, sf.StepCosts(z.shape, 0.5, 10.0, 10.0, g))
    assert s2[2, 4] == pytest.approx(130.0)        # back to 100 + 30: the ring at 130 + 0


def semi_row_grid():
    """3 x 8 cells of 10 m, flat at 100 m; the area is row 1, cols 1-6, a
    semi-fixed channel that drains west from its head (1, 6) to the anchor
    (1, 0) on the boundary; rows 0 and 2 beside it are nodata, so the fixed
    cells are the two end columns."""
    z = np.full((3, 8), 100.0)
    z[0, 1:7] = z[2, 1:7] = np.nan
    classes = np.full(z.shape, 5.0)
    classes[1, 1:7] = 2.0
    classes[np.isnan(z)] = np.nan
    rec = np.full(z.size, z.size, dtype=np.int64)
    for c in range(1, 7):
        rec[8 + c] = 8 + c - 1
    cat = np.ones(z.shape, dtype=np.int64)
    return z, classes, rec, cat


def test_semi_fixed_channel_steeper_than_a_max_is_limited_by_hand():
    z, classes, rec, cat = semi_row_grid()
    kw = dict(a_max=25, a_min=5, semi_a_max=40, semi_a_min=0)
    paper = sf.earthwork_surfaces(z, classes, rec, cat, 10.0, 10.0, limit_slopes=False, **kw)
    res = sf.earthwork_surfaces(z, classes, rec, cat, 10.0, 10.0, **kw)
    cols = np.arange(1, 7)
    # eq. 2 on flat ground: dem = z_c + L(i, c) tan A, L = 10 c
    assert paper.dem_max[1, 1:7] == pytest.approx(100 + 10 * cols * T(40), abs=1e-9)
    # limited: no more than tan 25 x distance above the nearest fixed cell, the
    # anchor 10 c m west or the boundary 10 (7 - c) m east (less a rounding margin
    # of two float32 spacings at 100 m per step, 1.5e-5 m)
    d = np.minimum(10.0 * cols, 10.0 * (7 - cols))
    assert res.dem_max[1, 1:7] == pytest.approx(100 + d * T(25), abs=1e-4)
    assert np.all(res.dem_max[1, 1:7] <= 100 + d * T(25))
    assert res.limited_max == 6
    keep = classes == 5
    assert np.array_equal(res.dem_max[keep], z[keep]) and np.array_equal(res.dem_min[keep],
                                                                          z[keep])
    ok = np.isfinite(z)
    assert np.all(res.dem_min[ok] <= res.dem_max[ok])
    assert np.array_equal(res.dem_min[1, 1:7], z[1, 1:7])     # semi A_min 0: flat, as it was


def test_bad_percentile_is_refused():
    z, classes, rec, cat = fig5_grid()
    with pytest.raises(InputError, match="percentile"):
        sf.earthwork_surfaces(z, classes, rec, cat, 10, 20, percentile=60)


@pytest.fixture(scope="module")
def sample_plan():
    """The demo's plan: the jacksboro DEM and the sample mine area (data/sample)."""
    from osgeo import ogr

    from hpcs_landform.core.grid import rasterize_polygons
    sample = Path(__file__).resolve().parents[1] / "data" / "sample"
    z, g = read_raster(sample / "jacksboro_fault_dem_utm16n_80m.tif")
    ds = ogr.Open(str(sample / "mine_area.geojson"))
    area = rasterize_polygons([f.GetGeometryRef().ExportToWkb() for f in ds.GetLayer()], g)
    net = extract_channels(z, g.dx, g.dy)
    rec = hy.receivers_from_codes(net.flowdir)
    classes = cl.classify_cells(z, area, rec, net.channels, net.ridges)
    res = {m: sf.earthwork_surfaces(z, classes, rec, net.catchments, g.dx, g.dy,
                                    interpolation=m) for m in sf.INTERPOLATIONS}
    res["paper"] = sf.earthwork_surfaces(z, classes, rec, net.catchments, g.dx, g.dy,
                                         limit_slopes=False, percentile=0)
    return z, g, area, classes, res


@pytest.mark.parametrize("method", sf.INTERPOLATIONS)
def test_sample_surfaces_have_no_more_spikes_than_pnl(sample_plan, method):
    from hpcs_landform.core.quality import design_quality, spike_mask
    z, g, area, classes, out = sample_plan
    res = out[method]
    pnl = int(spike_mask(z, area, g.dx).sum())
    for dem in (res.dem_min, res.dem_max):
        assert int(spike_mask(dem, area, g.dx).sum()) <= pnl
    # the paper's equations alone make spikes (measured with the automatic threshold of
    # 13 cells: dem_min 0, dem_max 32; with the former 9-cell threshold 3 and 27)
    assert spike_mask(out["paper"].dem_min, area, g.dx).sum() >= pnl
    assert spike_mask(out["paper"].dem_max, area, g.dx).sum() > pnl
    # the result reports the same measure
    for name, dem in (("pnl", z), ("dem_max", res.dem_max), ("dem_min", res.dem_min)):
        assert res.quality[name] == design_quality(dem, area, g.dx, g.dy)
    # fixed cells unchanged, the band holds
    keep = ~area | np.isin(classes, (1.0, 1.5))
    for dem in (res.dem_max, res.dem_min):
        assert np.array_equal(dem[keep], z[keep])
    assert np.all(res.dem_min <= res.dem_max)


def test_sample_steps_stay_within_their_allowance(sample_plan):
    """Checked cell by cell: between any two 8-neighbours of which one is a solved
    cell of the area, the surface rises at most max(tan A_max x step, the
    ground's rise) - for dem_max and dem_min."""
    z, g, area, classes, out = sample_plan
    res = out["sweeps"]
    solved = area & ~np.isin(classes, (1.0, 1.5, 5.0))
    t = T(res.a_max)
    rows, cols = z.shape
    for dem in (res.dem_max, res.dem_min):
        worst = 0.0
        for r, c in np.argwhere(solved):
            for dr in (-1, 0, 1):
                for dc in (-1, 0, 1):
                    rr, cc = r + dr, c + dc
                    if not (dr or dc) or not (0 <= rr < rows and 0 <= cc < cols):
                        continue
                    step = math.hypot(dr * g.dy, dc * g.dx)
                    for a, b in (((r, c), (rr, cc)), ((rr, cc), (r, c))):
                        allow = max(t * step, z[b] - z[a])
                        worst = max(worst, dem[b] - dem[a] - allow)
        assert worst <= 1e-6
