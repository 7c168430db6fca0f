"""core/subareas.py: volumes (eq. 6-8), safe distance (eq. 9), Fig. 7 cases.

The hand-computed plans are one row of 10 m x 10 m cells mined towards the
east (azimuth 90), so the along coordinate of column c is 10 c .. 10 c + 10
and every volume is a density (m3 per metre of advance) times a length.
With slopes of 45 degrees a slope run equals its height, so the safe distance
is (dem_or at the refilling edge - floor) + tracking + (dem_or at the face -
floor) = 10 + 5 + 10 = 25 m (or SURFACE_MAX at the refilling edge with
fill_surface='max').
"""
import numpy as np
import pytest

from hpcs_landform.core.errors import InputError
from hpcs_landform.core.subareas import (
    CumulativeProfile,
    delineate,
    direction_vectors,
    make_frame,
    original_edges,
)

TR = (0.0, 10.0, 0.0, 10.0, 0.0, -10.0)     # 10 m cells, one row
NC = 40                                      # 400 m long


def line(dem=10.0, dmax=12.0, dmin=8.0, floor=0.0, th=0.0):
    arrs = [np.full((1, NC), float(v)) for v in (dem, dmax, dmin, floor, th)]
    return arrs


def run(arrs, pit, **kw):
    dem, dmax, dmin, floor, th = arrs
    args = dict(azimuth=90.0, strip_width=20.0, pit_length=pit, k=1.0, tracking=5.0,
                dump_slope=45.0, working_slope=45.0, tolerance=0.01)
    args.update(kw)
    return delineate(dem, dmax, dmin, floor, th, np.ones((1, NC), bool), TR, **args)


# --- frame and fractional coverage ----------------------------------------

def test_direction_vectors():
    d, n = direction_vectors(270)
    assert d.tolist() == [-1.0, 0.0] and n.tolist() == [0.0, 1.0]
    d, _ = direction_vectors(0)
    assert d.tolist() == [0.0, 1.0]


def test_along_coordinate_axis_and_oblique():
    mask = np.ones((3, 4), bool)
    tr = (100.0, 10.0, 0.0, 50.0, 0.0, -10.0)
    fr = make_frame(mask, tr, 270)
    # west: column 3 (x centre 135) is first, s = 5; column 0 last, s = 35
    assert fr.length == pytest.approx(40.0)
    assert fr.s[fr.cols == 3] == pytest.approx(5.0)
    assert fr.s[fr.cols == 0] == pytest.approx(35.0)
    fr = make_frame(mask, tr, 45)
    # cell support along the axis is 10 (sin45 + cos45) wide; the extent is
    # the projection of the 40 x 30 rectangle: (40 + 30) / sqrt 2
    assert fr.a + fr.b == pytest.approx(20 / np.sqrt(2))
    assert fr.length == pytest.approx(70 / np.sqrt(2))


def _brute_area_below(frame, cut, k=200):
    """Area (in cell units) of every cell below along-coordinate ``cut``
    from k x k sub-samples of each cell."""
    u = (np.arange(k) + 0.5) / k
    d, _ = direction_vectors(frame.azimuth)
    x = frame.cols[:, None, None] * frame.dx + frame.dx * u[None, :, None]
    y = -frame.rows[:, None, None] * frame.dy - frame.dy * u[None, None, :]
    s = x * d[0] + y * d[1]
    s0 = (frame.cols * frame.dx + frame.dx / 2) * d[0] - (
        frame.rows * frame.dy + frame.dy / 2) * d[1] - frame.s
    return (s - s0[:, None, None] < cut).mean(axis=(1, 2))


@pytest.mark.parametrize("az", [90.0, 0.0, 30.0, 123.4, 45.0])
def test_fractional_coverage_is_the_cell_area_share(az):
    mask = np.zeros((6, 7), bool)
    mask[1:5, 1:6] = True
    tr = (0.0, 10.0, 0.0, 0.0, 0.0, -8.0)
    fr = make_frame(mask, tr, az)
    w = np.linspace(1.0, 3.0, fr.s.size)
    prof = CumulativeProfile(fr.s, w, fr.a, fr.b)
    assert prof.total == pytest.approx(w.sum())
    for frac in (0.23, 0.5, 0.77):
        cut = frac * fr.length
        share = _brute_area_below(fr, cut)
        assert prof(cut) == pytest.approx((w * share).sum(), rel=2e-3)
        # the inverse finds the cut back
        assert prof.inverse(prof(cut)) == pytest.approx(cut, abs=1e-9)


def test_axis_aligned_coverage_is_exact():
    fr = make_frame(np.ones((1, 5), bool), TR, 90)
    prof = CumulativeProfile(fr.s, np.array([1.0, 2.0, 3.0, 4.0, 5.0]), fr.a, fr.b)
    # 12.5 m: all of cell 0 and a quarter of cell 1
    assert prof(12.5) == pytest.approx(1.0 + 0.25 * 2.0, abs=1e-12)
    assert prof.between(15.0, 35.0) == pytest.approx(0.5 * 2 + 3 + 0.5 * 4, abs=1e-12)
    assert prof.inverse(1.5) == pytest.approx(12.5, abs=1e-12)


# --- plan, volumes, safe distance -----------------------------------------

def test_original_edges():
    f, m = original_edges(400.0, 20.0, 60.0)
    assert len(f) == 18 and f[-1] == 340.0 and m[0] == 60.0 and m[-1] == 400.0
    assert np.allclose(np.diff(f), 20.0)
    # a 5 m remainder (< W / 2) is merged into the last pair
    f, m = original_edges(405.0, 20.0, 60.0)
    assert len(f) == 18 and f[-1] - f[-2] == pytest.approx(25.0)


def test_volumes_eq6_to_8_and_k_on_supply_only():
    arrs = line(th=2.0)
    res = run(arrs, 60.0, k=1.2, optimize_plan=False)
    o = res.original
    # eq. 6: k (dem - th - floor) per cell = 1.2 * 8 * 100 m3 = 960 m3 per 10 m
    assert np.allclose(o.v_supply, 1.2 * 8 * 100 * 2)
    # eq. 7/8 without k: (12 - 0) and (8 - 0) per cell
    assert np.allclose(o.v_fmax, 12 * 100 * 2)
    assert np.allclose(o.v_fmin, 8 * 100 * 2)
    assert res.total_supply == pytest.approx(1.2 * 8 * 100 * 34)
    # eq. 9 with 45 degree slopes: 10 + 5 + 10 (dem_or at the refilling edge, the
    # paper's dem_orfn) or 12 + 5 + 10 with SURFACE_MAX
    assert np.allclose(o.safe_dist, 25.0)
    res = run(arrs, 60.0, k=1.2, optimize_plan=False, fill_surface="max")
    assert np.allclose(res.original.safe_dist, 27.0)
    assert np.allclose(o.gap, 40.0)


def test_auto_pit_length_is_smallest_safe():
    res = run(line(), None, optimize_plan=False)
    # the gap P - W must equal L_t = 25 m
    assert res.pit_length == pytest.approx(20.0 + 25.0, abs=1e-3)
    assert res.pit_length >= 20.0 + 25.0
    assert np.all(res.original.gap >= res.original.safe_dist - 1e-9)
    assert res.pit_length_auto


def test_safe_distance_slope_angles():
    res = run(line(), 60.0, dump_slope=8.0, working_slope=20.0, tracking=50.0,
              optimize_plan=False)
    expect = 10 / np.tan(np.radians(8)) + 50 + 10 / np.tan(np.radians(20))
    assert np.allclose(res.original.safe_dist, expect)


# --- Fig. 7 cases, by hand --------------------------------------------------

def test_case_a_widens_mining_strip():
    arrs = line()
    arrs[4][0, 6:8] = 5.0        # thickness 5 m under the first mining strip [60, 80]
    res = run(arrs, 60.0)
    r = (340 * 100 - 20 * 50) / (340 * 80)           # sum V_g / sum V_fmin
    assert res.ratio == pytest.approx(r)
    o = res.optimized
    assert o.case[0] == "a"
    # far edge forward until V_g = r V_fmin: 1000 m3 in [60, 80], 100 m3/m after
    m1 = 80 + (r * 1600 - 1000) / 100
    assert o.m[1] == pytest.approx(m1, abs=1e-9)
    assert o.f[1] == 20.0 and o.m[0] == 60.0            # other edges kept
    # following periods keep the ratio: 16 r metres each
    assert o.m[2] == pytest.approx(m1 + 16 * r, abs=1e-9)
    assert all(s == "ok" for s in o.status)


def test_case_c_narrows_mining_strip():
    arrs = line()
    arrs[1][0, 0:2] = 5.0        # refilling strip [0, 20]: dem_max 5, dem_min 4
    arrs[2][0, 0:2] = 4.0
    res = run(arrs, 100.0)
    o = res.optimized
    r = 300 * 100 / (280 * 80 + 20 * 40)
    assert res.ratio == pytest.approx(r)
    assert o.case[0] == "c"
    # V_fmax = 1000 < r V_fmin: target 1000 m3, 100 m3/m
    assert o.m[1] == pytest.approx(100 + 1000 / 100, abs=1e-9)
    assert o.v_supply[0] == pytest.approx(1000.0)
    assert o.f[1] == 20.0


def test_case_b_narrows_refilling_strip():
    arrs = line()
    arrs[4][0, 4:6] = 5.0        # first mining strip [40, 60] short: 1000 m3
    res = run(arrs, 40.0)        # gap 20 m < L_t 25 m
    o = res.optimized
    r = (360 * 100 - 1000) / (360 * 80)
    assert o.case[0] == "b"
    # pit-side edge back to V_fmin = V_g / r (80 m3/m); the safe edge 40 - 25 = 15 is ahead
    assert o.f[1] == pytest.approx(1000 / r / 80, abs=1e-9)
    assert o.m[1] == 60.0 and o.m[0] == 40.0 and o.f[0] == 0.0
    # period 2: supply 2000, edge to f_1 + 2000 / r / 80, still before 60 - 25
    assert o.case[1] == "b"
    assert o.f[2] == pytest.approx(o.f[1] + 2000 / r / 80, abs=1e-9)


def test_case_d_moves_both_back():
    arrs = line()
    arrs[1][0, 0] = 5.0          # column 0 of the first refilling strip takes little
    arrs[2][0, 0] = 4.0
    res = run(arrs, 40.0)        # gap 20 m < L_t 25 m
    o = res.optimized
    r = 360 * 100 / (360 * 80 - 400)
    assert res.ratio == pytest.approx(r)
    assert o.case[0] == "d"
    # refilling edge back to the safe position 40 - 25 (the edge cell is column 1)
    assert o.f[1] == pytest.approx(15.0, abs=1e-9)
    vmin = 400 + 5 * 80
    vmax = 500 + 5 * 120
    assert o.v_fmin[0] == pytest.approx(vmin)
    # mining far edge back to V_g = clip(r V_fmin, V_fmin, V_fmax)
    assert o.m[1] == pytest.approx(40 + min(r * vmin, vmax) / 100, abs=1e-9)
    assert o.gap[0] >= o.safe_dist[0] - 1e-9


def test_case_d_with_max_surface():
    """fill_surface='max': the dump crest is SURFACE_MAX (12 m): L_t = 27 m."""
    arrs = line()
    arrs[1][0, 0] = 5.0
    arrs[2][0, 0] = 4.0
    res = run(arrs, 40.0, fill_surface="max")
    o = res.optimized
    r = 360 * 100 / (360 * 80 - 400)
    assert o.case[0] == "d"
    # 40 - 27 = 13 lies in column 1 (dem_max 12): safe at 13
    assert o.f[1] == pytest.approx(13.0, abs=1e-9)
    vmin, vmax = 400 + 3 * 80, 500 + 3 * 120
    assert o.m[1] == pytest.approx(40 + min(r * vmin, vmax) / 100, abs=1e-9)


def test_short_pit_warns_with_the_smallest_safe_pit():
    res = run(line(), 40.0)      # uniform plan: the smallest safe pit is W + L_t = 45 m
    assert any("PIT_LENGTH 40.0 m is shorter" in msg and "(45.0 m)" in msg
               for msg in res.messages)
    ok = run(line(), 45.001)
    assert not any("is shorter" in msg for msg in ok.messages)
    assert all(s == "ok" for s in ok.optimized.status)


# --- invariants ---------------------------------------------------------------

def _rough_plan(shape=(80, 80), seed=3):
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:shape[0], 0:shape[1]]
    dem = 400 + 25 * np.sin(xx / 6.0) + 15 * np.cos(yy / 4.0) + rng.normal(0, 2, shape)
    floor = dem - 60 - 0.05 * xx - 0.05 * yy
    th = 6 + 4 * np.sin(xx / 9.0) ** 2
    mask = np.zeros(shape, bool)
    mask[3:77, 4:77] = True
    mask[3:20, 4:22] = False      # not a rectangle
    return dem, dem + 20, dem - 20, floor, th, mask


def _check_plan(res):
    o = res.optimized
    f, m = o.f, o.m
    assert np.all(np.diff(f) > 0) and np.all(np.diff(m) > 0)        # no gap, no overlap
    assert f[0] == 0 and m[-1] == pytest.approx(res.frame.length)
    assert f[-1] == pytest.approx(res.original.f[-1]) and m[0] == res.original.m[0]
    assert o.v_supply.sum() == pytest.approx(res.total_supply, rel=1e-9)
    assert o.v_fmin.sum() == pytest.approx(res.total_fmin, rel=1e-9)
    assert np.all(o.v_supply >= o.v_fmin * (1 - 1e-9))
    assert np.all(o.v_supply <= o.v_fmax * (1 + 1e-9))
    assert np.all(np.abs(o.v_supply / o.v_fmin / res.ratio - 1) <= res.tolerance + 1e-9)
    assert np.all(o.gap >= o.safe_dist - 1e-6)
    assert all(s == "ok" for s in o.status)


@pytest.mark.parametrize("az", [270.0, 90.0, 0.0, 180.0, 33.0])
def test_invariants_any_direction(az):
    dem, dmax, dmin, floor, th, mask = _rough_plan()
    res = delineate(dem, dmax, dmin, floor, th, mask, (0, 30.0, 0, 2400.0, 0, -30.0),
                    azimuth=az, strip_width=90.0, pit_length=None, k=1.15, tracking=50.0,
                    dump_slope=8.0, working_slope=20.0, optimize_plan=True, tolerance=0.01)
    _check_plan(res)


def test_totals_consistent_between_directions():
    """Whole-area sums do not depend on the direction: the supply of box cut +
    mining strips and the demand of refilling strips + final pit add up to the
    eq. 6 and eq. 8 sums over all cells."""
    dem, dmax, dmin, floor, th, mask = _rough_plan()
    tr = (0, 30.0, 0, 2400.0, 0, -30.0)
    g_all = (1.15 * (dem - th - floor) * 900)[mask].sum()
    f_all = ((dmin - floor) * 900)[mask].sum()
    for az in (270.0, 90.0, 0.0, 33.0):
        res = delineate(dem, dmax, dmin, floor, th, mask, tr, azimuth=az, strip_width=90.0,
                        pit_length=600.0, k=1.15, tracking=50.0, dump_slope=8.0,
                        working_slope=20.0, optimize_plan=False)
        assert res.total_supply + res.box_cut_supply == pytest.approx(g_all, rel=1e-12)
        assert res.total_fmin + res.final_pit_fmin == pytest.approx(f_all, rel=1e-12)


def test_direction_reversal_mirrors_the_plan():
    """Mining east on a mirrored grid gives the same figures as mining west."""
    dem, dmax, dmin, floor, th, mask = _rough_plan()
    tr = (0, 30.0, 0, 2400.0, 0, -30.0)
    west = delineate(dem, dmax, dmin, floor, th, mask, tr, azimuth=270.0, strip_width=90.0,
                     pit_length=None, k=1.15)
    flip = [a[:, ::-1] for a in (dem, dmax, dmin, floor, th, mask)]
    east = delineate(*flip, tr, azimuth=90.0, strip_width=90.0, pit_length=None, k=1.15)
    assert east.pit_length == pytest.approx(west.pit_length)
    assert np.allclose(east.optimized.m, west.optimized.m)
    assert np.allclose(east.optimized.v_supply, west.optimized.v_supply)


# --- errors -----------------------------------------------------------------

def test_infeasible_totals_report_numbers():
    arrs = line()
    arrs[4][:] = 4.0             # 6 m of spoil per cell, less than dem_min 8 m
    with pytest.raises(InputError) as err:
        run(arrs, 60.0)
    msg = str(err.value)
    # sum V_g = 340 m * 60 m3/m, sum V_fmin = 340 m * 80 m3/m
    assert "20,400" in msg and "27,200" in msg and "6,800" in msg and "25.00 %" in msg
    assert "less than" in msg
    # without optimization the plan is returned, flagged
    res = run(arrs, 60.0, optimize_plan=False)
    assert not res.feasible and "6,800" in res.feasibility
    assert all("short" in s for s in res.original.status)


def test_excess_totals_report():
    arrs = line()
    with pytest.raises(InputError, match="more than"):
        run(arrs, 60.0, k=1.3)     # 130 m3/m > 120 m3/m


@pytest.mark.parametrize("what, expect", [
    ("floor_above", "above the pre-mining surface"),
    ("negative", "negative"),
    ("thick", "larger than the depth"),
    ("nodata", "no data"),
    ("outside", "covers no cell"),
    ("swapped", "above SURFACE_MAX"),
])
def test_bad_inputs(what, expect):
    dem, dmax, dmin, floor, th = line()
    mask = np.ones((1, NC), bool)
    if what == "floor_above":
        floor[0, 7] = 11.0
    elif what == "negative":
        th[0, 3] = -1.0
    elif what == "thick":
        th[0, 3] = 10.5
    elif what == "nodata":
        dmin[0, 5] = np.nan
    elif what == "outside":
        mask[:] = False
    elif what == "swapped":
        dmin[0, 2] = 13.0
    with pytest.raises(InputError, match=expect):
        delineate(dem, dmax, dmin, floor, th, mask, TR, azimuth=90.0, strip_width=20.0,
                  pit_length=60.0, k=1.0, tracking=5.0, dump_slope=45.0, working_slope=45.0)


def test_surface_below_floor_needs_no_fill():
    dem, dmax, dmin, floor, th = line()
    dmin[0, 3] = -2.0            # 2 m below the floor: counts as 0, with a note
    res = delineate(dem, dmax, dmin, floor, th, np.ones((1, NC), bool), TR, azimuth=90.0,
                    strip_width=20.0, pit_length=60.0, k=1.0, tracking=5.0, dump_slope=45.0,
                    working_slope=45.0, optimize_plan=False)
    assert res.original.v_fmin[1] == pytest.approx(8 * 100 + 0.0)   # columns 2 and 3
    assert res.original.v_fmin[0] == pytest.approx(1600.0)
    assert any("SURFACE_MIN is below the seam floor in 1 of the 40 cells" in m
               for m in res.messages)


def test_pit_longer_than_area():
    with pytest.raises(InputError, match="not shorter than the mine area"):
        run(line(), 400.0)
