"""Landform core: near-natural (NNDL/MNNDL), traditional terraced (TDL), final pit, cut/fill.

Every expected number is derived by hand here (closed forms of the synthetic
plans, an independent Horn slope, analytic volumes), never copied from a run.
"""
import numpy as np
import pytest

from hpcs_landform.core import landform as lf
from hpcs_landform.core.cutfill import cut_fill
from hpcs_landform.core.errors import InputError
from hpcs_landform.core.nearnatural import NearNaturalSettings, near_natural_landform
from hpcs_landform.core.terrace import traditional_landform

D = 10.0          # cell size (m)
AREA = D * D


def make_plan(t=(0.2, 0.9, 0.5, 0.1, 0.7, 1.0), rough=False, seed=0, d=D):
    """A 60 x 100 plan mined due west: 8 strips of 10 cells (100 m) across rows 10-49,
    numbered 1 (east) .. 8 (west).  Refilling strip n = strip n (periods 1-6); the
    mining strip of period n is strip n + 2, so strips 7 and 8 are the final pit.

    Hand-checkable: dem_max = dem + 6, dem_min = dem - 4, floor = dem - 50 on the
    mine area, so a strip of N cells has V_fmin = 46 N L^2, V_fmax = 56 N L^2 and
    the supply 'V_fmin + t (V_fmax - V_fmin)' is N L^2 (46 + 10 t).  With ``rough``
    the two surfaces get different random bumps and the supply is
    sum (dem_min + t (dem_max - dem_min) - floor) L^2.
    """
    rows, cols = 60, 100
    r, c = np.indices((rows, cols))
    x, y = (c + 0.5) * d, -(r + 0.5) * d
    dem = 100 + 0.02 * x + 3 * np.sin(x / 90.0) * np.cos(y / 70.0)
    mine = (r >= 10) & (r < 50) & (c >= 10) & (c < 90)
    strip = np.where(mine, (89 - c) // 10 + 1, 0)
    refill = np.where(strip <= 6, strip, 0).astype(np.int32)
    mining = np.where(strip >= 3, strip - 2, 0).astype(np.int32)
    up, down = np.full(dem.shape, 6.0), np.full(dem.shape, 4.0)
    if rough:
        rng = np.random.default_rng(seed)
        from scipy import ndimage
        up = 6.0 + 4.0 * ndimage.gaussian_filter(rng.standard_normal(dem.shape), 2) / 0.14
        down = 4.0 + 3.0 * ndimage.gaussian_filter(rng.standard_normal(dem.shape), 2) / 0.14
        up, down = np.maximum(up, 0.5), np.maximum(down, 0.5)
    zmax = np.where(mine, dem + up, dem)
    zmin = np.where(mine, dem - down, dem)
    floor = dem - 50.0
    supply = {}
    for n in range(1, 7):
        m = refill == n
        if rough:
            supply[n] = float(((zmin[m] + t[n - 1] * (zmax[m] - zmin[m]) - floor[m])
                               * d * d).sum())
        else:
            supply[n] = m.sum() * d * d * (46.0 + 10.0 * t[n - 1])
    # synthetic catchments: blocks of 8 rows x 12 columns
    cat = (r // 8) * 10 + c // 12 + 1
    return dict(dem=dem, zmax=zmax, zmin=zmin, floor=floor, mining=mining, refill=refill,
                supply=supply, cat=cat, t=t, mine=mine)


def run_nn(p, mitigation=False, **kw):
    return near_natural_landform(p["dem"], p["zmax"], p["zmin"], p["floor"], p["mining"],
                                 p["refill"], p["supply"], D, D, catchments=p["cat"],
                                 settings=NearNaturalSettings(mitigation=mitigation, **kw))


def hand_volumes(z, floor, refill):
    return {n: float(((z[refill == n] - floor[refill == n]) * AREA).sum())
            for n in range(1, int(refill.max()) + 1)}


def step_energy(z, dump, pit, d=D):
    """Sum of squared one-cell step gradients over 4-neighbour pairs with at least
    one dump cell and no pit cell (the 'surface' blend's energy), by hand."""
    e = 0.0
    for sa, sb in (((slice(None), slice(None, -1)), (slice(None), slice(1, None))),
                   ((slice(None, -1), slice(None)), (slice(1, None), slice(None)))):
        use = (dump[sa] | dump[sb]) & ~pit[sa] & ~pit[sb]
        e += float((((z[sa] - z[sb]) / d) ** 2)[use].sum())
    return e


def horn_slope(z, dx, dy):
    """Independent Horn slope (degrees), edges replicated."""
    p = np.pad(z, 1, mode="edge")
    a, b, c = p[:-2, :-2], p[:-2, 1:-1], p[:-2, 2:]
    d, f = p[1:-1, :-2], p[1:-1, 2:]
    g, h, i = p[2:, :-2], p[2:, 1:-1], p[2:, 2:]
    gx = ((c + 2 * f + i) - (a + 2 * d + g)) / (8 * dx)
    gy = ((g + 2 * h + i) - (a + 2 * b + c)) / (8 * dy)
    return np.degrees(np.arctan(np.hypot(gx, gy)))


# --------------------------------------------------------------------------
# near-natural landform
# --------------------------------------------------------------------------

@pytest.mark.parametrize("mitigation", [False, True])
def test_every_strip_holds_its_supply(mitigation):
    p = make_plan()
    res = run_nn(p, mitigation)
    vols = hand_volumes(res.landform, p["floor"], p["refill"])
    for n, s in p["supply"].items():
        assert abs(vols[n] - s) <= 1e-3 * s, (n, vols[n], s)
        assert abs(vols[n] - s) <= 1e-9 * s       # in fact exact
    assert res.volume_error_max < 1e-9
    # the closed-form blend of every strip is the t the supply was made from
    np.testing.assert_allclose(res.strip_tau[1:], p["t"], atol=1e-12)
    # V_fmin / V_fmax of eq. 7/8 by hand: 46 and 56 m times the strip area
    for n in range(1, 7):
        cells = (p["refill"] == n).sum()
        assert res.v_fmin[n] == pytest.approx(46 * cells * AREA, rel=1e-12)
        assert res.v_fmax[n] == pytest.approx(56 * cells * AREA, rel=1e-12)


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("mitigation", [False, True])
def test_feasible_plan_stays_between_the_surfaces(seed, mitigation):
    p = make_plan(t=(0.05, 0.95, 0.3, 0.6, 0.02, 0.98), rough=True, seed=seed)
    res = run_nn(p, mitigation)
    dump = p["refill"] > 0
    z = res.landform
    assert np.all(z[dump] >= p["zmin"][dump] - 1e-9)
    assert np.all(z[dump] <= p["zmax"][dump] + 1e-9)
    vols = hand_volumes(z, p["floor"], p["refill"])
    for n, s in p["supply"].items():
        assert abs(vols[n] - s) <= 1e-3 * s
    # outside the mine area the landform is the DEM, to the bit
    assert np.array_equal(z[~p["mine"]], p["dem"][~p["mine"]])


def test_uplifted_and_sunk_strips():
    # strip 2: t = 1.5, supply 5 m x area above V_fmax; strip 4: t = -0.5, 5 m below V_fmin
    t = (0.5, 1.5, 0.5, -0.5, 0.5, 0.5)
    p = make_plan(t=t)
    res = run_nn(p)
    z = res.landform
    m2, m4 = p["refill"] == 2, p["refill"] == 4
    assert np.mean(z[m2] - p["zmax"][m2]) == pytest.approx(5.0, abs=1e-9)
    assert np.mean(z[m4] - p["zmin"][m4]) == pytest.approx(-5.0, abs=1e-9)
    # with every strip uplifted alike the tau blend has nothing to blend: a uniform
    # 5 m offset
    p = make_plan(t=(1.5,) * 6)
    z = run_nn(p, blend="tau").landform
    dump = p["refill"] > 0
    np.testing.assert_allclose(z[dump] - p["zmax"][dump], 5.0, atol=1e-9)
    # the least-energy blends hold the same earth as a dome that meets the ground
    # gently: never below dem_min, less step energy (of z - PNL for 'natural', the
    # default, of z for 'surface') than the uniform offset
    pit = (p["mining"] > 0) & ~dump
    for blend, ref in (("natural", p["dem"]), ("surface", 0.0)):
        g = run_nn(p, blend=blend).landform
        assert np.all(g[dump] >= p["zmin"][dump] - 1e-9)
        vols = hand_volumes(g, p["floor"], p["refill"])
        for n, s in p["supply"].items():
            assert abs(vols[n] - s) <= 1e-9 * s
        assert step_energy(g - ref, dump, pit) < step_energy(z - ref, dump, pit)


def test_never_below_the_seam_floor():
    # supply of 10 % of V_fmin in strip 3: a uniform drop would go 41.4 m below the floor
    p = make_plan(t=(0.5, 0.5, -4.14, 0.5, 0.5, 0.5))
    p["supply"][3] = 0.1 * 46 * (p["refill"] == 3).sum() * AREA
    res = run_nn(p)
    dump = p["refill"] > 0
    assert np.all(res.landform[dump] >= p["floor"][dump] - 1e-9)
    vols = hand_volumes(res.landform, p["floor"], p["refill"])
    assert abs(vols[3] - p["supply"][3]) <= 1e-6 * p["supply"][3]
    # and an empty strip (supply 0) lies on the floor
    p["supply"][3] = 0.0
    z = run_nn(p).landform
    m3 = p["refill"] == 3
    np.testing.assert_allclose(z[m3], p["floor"][m3], atol=1e-9)


@pytest.mark.parametrize("t", [(0.1, 0.9, 0.1, 0.9, 0.1, 0.9), (0.0, 1.0, 0.0, 1.0, 0.0, 1.0),
                               (0.5, 2.0, 0.0, 0.5, 1.5, 0.5)])
def test_seam_steps_bounded_by_the_slope_bound(t):
    # alternate low and high strips: an unblended join would be a cliff
    p = make_plan(t=t)
    tt = np.array((0,) + t)[p["refill"]]
    raw = np.where(p["refill"] > 0, p["zmin"] + np.clip(tt, 0, 1) * (p["zmax"] - p["zmin"])
                   + np.maximum(tt - 1, 0) * 10 + np.minimum(tt, 0) * 10, 0)
    dump = p["refill"] > 0
    lab = p["refill"]
    seam = dump[:, :-1] & dump[:, 1:] & (lab[:, :-1] != lab[:, 1:])
    raw_step = np.abs(np.diff(raw, axis=1))[seam].max()
    assert np.degrees(np.arctan(raw_step / D)) > 35      # the unblended join is a cliff
    for mitigation in (False, True):
        res = run_nn(p, mitigation)
        z = res.landform
        step = np.abs(np.diff(z, axis=1))[seam].max()
        if max(t) <= 1 and min(t) >= 0:
            # a feasible plan: within the slope bound (A_max = 25 degrees)
            assert step <= D * np.tan(np.radians(25.0)) + 1e-9, step
        else:
            # 10 m uplift next to a strip at dem_min on 100 m strips cannot stay under
            # 25 degrees with exact volumes; the join is still no cliff
            assert step <= 0.3 * raw_step, (step, raw_step)
        vols = hand_volumes(z, p["floor"], lab)
        for n, s in p["supply"].items():
            assert abs(vols[n] - s) <= 1e-6 * s
        if min(t) > 0 and max(t) < 1:      # feasible with slack: inside the surfaces too
            assert np.all(z[dump] >= p["zmin"][dump] - 1e-9)
            assert np.all(z[dump] <= p["zmax"][dump] + 1e-9)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_slope_mitigation_never_raises_the_mean_slope_and_keeps_volumes(seed):
    p = make_plan(t=(0.3, 0.8, 0.5, 0.2, 0.9, 0.4), rough=True, seed=seed)
    dump = p["refill"] > 0
    off = run_nn(p, False)
    on = run_nn(p, True)
    s_off = horn_slope(off.landform, D, D)[dump].mean()
    s_on = horn_slope(on.landform, D, D)[dump].mean()
    assert s_on <= s_off + 1e-12
    assert on.mean_slope == pytest.approx(s_on, abs=1e-9)
    assert on.mean_slope_before == pytest.approx(s_off, abs=1e-9)
    assert on.diagnostics["passes_accepted"] >= 1 and s_on < s_off   # it does something
    vols = hand_volumes(on.landform, p["floor"], p["refill"])
    for n, s in p["supply"].items():
        assert abs(vols[n] - s) <= 1e-6 * s
    assert np.all(on.landform[dump] >= p["zmin"][dump] - 1e-9)
    assert np.all(on.landform[dump] <= p["zmax"][dump] + 1e-9)


def test_mean_slope_gradient_matches_finite_differences():
    rng = np.random.default_rng(3)
    z = np.cumsum(rng.standard_normal((20, 24)), axis=1) * 2.0
    mask = np.zeros(z.shape, bool)
    mask[4:16, 5:19] = True
    m0, g = lf.mean_slope_gradient(z, mask, 10.0, 7.0)
    assert m0 == pytest.approx(horn_slope(z, 10.0, 7.0)[mask].mean(), abs=1e-12)
    for (i, j) in [(8, 9), (4, 5), (3, 4), (15, 18), (10, 12)]:
        e = np.zeros_like(z)
        e[i, j] = 1e-6
        fd = (lf.mean_slope_gradient(z + e, mask, 10.0, 7.0)[0]
              - lf.mean_slope_gradient(z - e, mask, 10.0, 7.0)[0]) / 2e-6
        assert g[i, j] == pytest.approx(fd, rel=1e-4, abs=1e-9)


# --------------------------------------------------------------------------
# final pit
# --------------------------------------------------------------------------

def test_final_pit_walls_and_floor():
    # flat ground at 100 m, floor at 60 m; the pit is strips 7-8 (cols 10-29, rows 10-49)
    p = make_plan()
    flat = np.full(p["dem"].shape, 100.0)
    floor = np.full(flat.shape, 60.0)
    pz = lf.pit_surface(flat, floor, p["mining"], p["refill"], D, D)
    pit = (p["mining"] > 0) & (p["refill"] == 0)
    assert np.all(np.isnan(pz[~pit])) and np.all(np.isfinite(pz[pit]))
    tw, te, td = (np.tan(np.radians(a)) for a in (20.0, 13.0, 8.0))

    def hand(r, c):
        # rims: working side col 9 (west, the advance), end walls rows 9 and 50,
        # dump side col 30; each wall is a plane from 100 m at its rim
        zs = [100 - (c - 9) * D * tw, 100 - (r - 9) * D * te, 100 - (50 - r) * D * te,
              100 - (30 - c) * D * td]
        return max(60.0, min(100.0, max(zs)))
    for (r, c) in [(30, 10), (30, 11), (30, 15), (30, 20), (30, 29), (30, 28), (11, 20),
                   (48, 18), (25, 25), (12, 12)]:
        assert pz[r, c] == pytest.approx(hand(r, c), abs=1e-9), (r, c)
    # the centre of the working side is on the floor
    assert pz[30, 16] == pytest.approx(max(60.0, hand(30, 16)))
    # the landforms keep this pit: same cells, same values
    nn = near_natural_landform(flat, flat + 5, flat - 5, floor, p["mining"], p["refill"],
                               {n: 1e6 for n in range(1, 7)}, D, D)
    assert np.array_equal(nn.landform[pit], pz[pit])
    td_ = traditional_landform(flat, floor, p["mining"], p["refill"],
                               {n: 1e6 for n in range(1, 7)}, D, D)
    assert np.array_equal(td_.landform[pit], pz[pit])


# --------------------------------------------------------------------------
# traditional terraced landform
# --------------------------------------------------------------------------

def test_terraces_measured_on_the_raster_match_the_parameters():
    # the single-platform design (DESIGN option, the old default): berms every bench
    # height below one top platform holding the total supply
    d = 2.0
    rows, cols = 160, 260
    r, c = np.indices((rows, cols))
    dem = np.full((rows, cols), 100.0)
    floor = np.full((rows, cols), 40.0)
    refill = np.where((r >= 10) & (r < 150) & (c >= 10) & (c < 250), 1, 0).astype(np.int32)
    mining = np.zeros_like(refill)
    n = int(refill.sum())
    supply = {1: n * d * d * 80.0}          # mean 80 m above the floor
    H, alpha, B = 10.0, 33.0, 10.0
    res = traditional_landform(dem, floor, mining, refill, supply, d, d, bench_height=H,
                               face_angle=alpha, berm_width=B, design="single")
    z = res.landform
    dump = refill > 0
    # twice the earth does not fit under benches rising from the edge: a clear error
    with pytest.raises(InputError, match="does not fit"):
        traditional_landform(dem, floor, mining, refill, {1: 2 * supply[1]}, d, d,
                             bench_height=H, face_angle=alpha, berm_width=B, design="single")
    vol = float(((z[dump] - floor[dump]) * d * d).sum())
    assert abs(vol - supply[1]) <= 1e-6 * supply[1]
    assert np.array_equal(z[~dump], dem[~dump])
    assert z.max() == pytest.approx(res.top_elevation, abs=1e-9)
    # the top platform is flat at T
    top = np.isclose(z, res.top_elevation, atol=1e-9) & dump
    assert top.sum() > 100
    # profile along the middle row from the west edge to the centre
    prof = z[80, 10:130]
    dz = np.diff(prof)
    assert np.all(dz >= -1e-9)                                       # rises inward
    face = dz > 1e-6
    # full face steps rise dx tan(alpha): the face angle
    steps = dz[face]
    full = steps[steps > 0.99 * d * np.tan(np.radians(alpha))]
    assert full.size >= 6
    np.testing.assert_allclose(full, d * np.tan(np.radians(alpha)), rtol=1e-9)
    assert steps.max() <= d * np.tan(np.radians(alpha)) + 1e-9
    # berms: runs of >= 3 equal cells; consecutive levels are one bench height apart
    levels, widths = [], []
    run_start = 0
    for i in range(1, len(prof) + 1):
        if i == len(prof) or abs(prof[i] - prof[run_start]) > 1e-9:
            if i - run_start >= 3:
                levels.append(prof[run_start])
                widths.append((i - run_start) * d)
            run_start = i
    assert len(levels) >= 3
    np.testing.assert_allclose(np.diff(levels), H, atol=1e-9)
    assert levels[-1] == pytest.approx(res.top_elevation, abs=1e-9)
    # berm widths (all but the top platform and the partial toe): B within a cell
    for w in widths[1:-1]:
        assert abs(w - B) <= d + 1e-9


def test_terrace_same_total_supply_on_a_plan():
    p = make_plan()
    total = sum(p["supply"].values())
    single = traditional_landform(p["dem"], p["floor"], p["mining"], p["refill"],
                                  p["supply"], D, D, design="single")
    vols = hand_volumes(single.landform, p["floor"], p["refill"])
    assert abs(sum(vols.values()) - total) <= 1e-6 * total
    # the default per-strip design holds every strip's own supply; where a strip's benches
    # meet before its platform holds it (100 m strips, 30 m berms, supplies 46 + 10 t m
    # deep with t = 0.2, 0.9, 0.5, 0.1, 0.7, 1.0) it shares its neighbour's platform (the
    # sharing path alone: the default would first let its benches encroach on the
    # neighbours, tests/test_terrace_core.py)
    res = traditional_landform(p["dem"], p["floor"], p["mining"], p["refill"], p["supply"],
                               D, D, adapt=("walls", "share"))
    vols = hand_volumes(res.landform, p["floor"], p["refill"])
    assert sum(vols.values()) == pytest.approx(total, rel=1e-12)
    shared = [n for m in res.groups for n in m]
    for m in res.groups:     # strips sharing one platform hold their summed supply
        assert sum(vols[n] for n in m) == pytest.approx(sum(p["supply"][n] for n in m),
                                                        rel=1e-9)
        assert len({res.levels[n] for n in m}) == 1
    for n, s in p["supply"].items():
        if n not in shared:
            assert vols[n] == pytest.approx(s, rel=1e-9)
    moved = set(shared)
    assert len(moved) < 6
    # a staircase along the mining direction: the platforms differ strip by strip, the
    # strip with the least earth (t = 0.1, period 4) lowest
    assert np.nanargmin(res.levels) == 4
    assert np.nanmax(res.levels) - np.nanmin(res.levels) > 5.0


# --------------------------------------------------------------------------
# cut / fill
# --------------------------------------------------------------------------

def test_cut_fill_cone():
    d, R, h = 1.0, 40.0, 20.0
    n = 101
    x = (np.arange(n) - n / 2 + 0.5) * d
    X, Y = np.meshgrid(x, x)
    cone = h * np.maximum(0.0, 1.0 - np.hypot(X, Y) / R)
    flat = np.zeros_like(cone)
    exact = np.pi * R * R * h / 3.0
    res = cut_fill(flat, cone, d * d)
    assert res.fill == pytest.approx(exact, rel=2e-3)
    assert res.cut == 0.0 and res.net == pytest.approx(-res.fill)
    # the other way round the cone is cut
    res = cut_fill(cone, flat, d * d, tolerance=0.37)
    assert res.cut == pytest.approx(exact, rel=2e-3)
    assert res.cut - res.fill == pytest.approx(res.net)
    # within-tolerance cells: |D| <= 0.37, i.e. r >= R (1 - 0.37 / h), counted by hand
    r = np.hypot(X, Y)
    assert res.neutral_area == pytest.approx((r >= R * (1 - 0.37 / h)).sum() * d * d)
    assert res.cut_area == pytest.approx((r < R * (1 - 0.37 / h)).sum() * d * d)


def test_cut_fill_tilted_plane_and_area():
    d, a = 2.0, 0.1
    rows, cols = 30, 50
    x = (np.arange(cols) + 0.5) * d
    x0 = 37.3
    plane = np.broadcast_to(a * (x - x0), (rows, cols)).copy()
    zero = np.zeros_like(plane)
    L, W = cols * d, rows * d
    fill_exact = a * (L - x0) ** 2 / 2 * W
    cut_exact = a * x0 ** 2 / 2 * W
    res = cut_fill(zero, plane, d * d)
    # midpoint rule: exact for a linear function except in the column the zero line crosses
    err = a * d * d / 4 * W
    assert abs(res.fill - fill_exact) <= err
    assert abs(res.cut - cut_exact) <= err
    assert res.cut - res.fill == pytest.approx(res.net, abs=1e-9)
    assert res.net == pytest.approx(cut_exact - fill_exact, abs=2 * err)
    # over an area: the left 10 columns only (all cut)
    mask = np.zeros(plane.shape, bool)
    mask[:, :10] = True
    res = cut_fill(zero, plane, d * d, mask=mask)
    x1 = 10 * d
    assert res.fill == 0.0
    assert res.cut == pytest.approx(a * (x0 ** 2 - (x0 - x1) ** 2) / 2 * W, rel=1e-12)
    assert np.all(np.isnan(res.difference[~mask]))


def test_bad_inputs():
    p = make_plan()
    with pytest.raises(InputError, match="one grid"):
        near_natural_landform(p["dem"], p["zmax"][:, :-1], p["zmin"], p["floor"],
                              p["mining"], p["refill"], p["supply"], D, D)
    with pytest.raises(InputError, match="one grid"):
        cut_fill(p["dem"], p["dem"][1:], AREA)
    sup = dict(p["supply"])
    del sup[3]
    with pytest.raises(InputError, match="period 3"):
        near_natural_landform(p["dem"], p["zmax"], p["zmin"], p["floor"], p["mining"],
                              p["refill"], sup, D, D)
    with pytest.raises(InputError, match="swapped"):
        near_natural_landform(p["dem"], p["zmin"], p["zmax"], p["floor"], p["mining"],
                              p["refill"], p["supply"], D, D)
    with pytest.raises(InputError, match="bench height"):
        traditional_landform(p["dem"], p["floor"], p["mining"], p["refill"], p["supply"],
                             D, D, bench_height=0)


def test_strips_narrower_than_a_cell_keep_their_earth():
    # period 7 has supply but no cell (a strip narrower than a cell): its earth goes to
    # the nearest period with cells (here the previous one, 6), none is lost
    p = make_plan()
    p["supply"][7] = 123456.0
    res = run_nn(p)
    assert res.diagnostics["merged_periods"] == [(7, 6)]
    vols = hand_volumes(res.landform, p["floor"], p["refill"])
    assert vols[6] == pytest.approx(p["supply"][6] + 123456.0, rel=1e-9)
    tdl = traditional_landform(p["dem"], p["floor"], p["mining"], p["refill"], p["supply"],
                               D, D)
    assert tdl.total_supply == pytest.approx(sum(p["supply"].values()), rel=1e-12)


def test_apportion_supply_by_area():
    # 3 strips 1.5 cells wide on a 1 x 4 cell row (cells [0,1), [1,2) ...): strip 1 covers
    # x in [0, 1.5), strip 2 [1.5, 3), strip 3 [3, 4).  Cell centres 0.5, 1.5, 2.5, 3.5 ->
    # labels 1, 2, 2, 3.  With 4 sub-cells per cell, polygon 1 has 6 sub-cells, 4 in cell
    # 0 (label 1) and 2 in cell 1 (label 2): S'_1 = S_1 4/6, S'_2 = S_1 2/6 + S_2, S'_3 = S_3
    labels = np.array([[1, 2, 2, 3]])
    x = (np.arange(16) + 0.5) / 4.0
    fine = np.where(x < 1.5, 1, np.where(x < 3.0, 2, 3))
    fine = np.repeat(fine[None, :], 4, axis=0)
    s = lf.apportion_supply(fine, 4, labels, np.array([np.nan, 60.0, 30.0, 10.0]))
    np.testing.assert_allclose(s[1:], [40.0, 20.0 + 30.0, 10.0])
    assert np.nansum(s) == pytest.approx(100.0)
    # aligned strips: nothing moves
    fine = np.repeat(np.repeat(labels, 4, axis=1), 4, axis=0)
    np.testing.assert_allclose(lf.apportion_supply(fine, 4, labels, [0, 1.0, 2.0, 3.0]),
                               [0, 1.0, 2.0, 3.0])
