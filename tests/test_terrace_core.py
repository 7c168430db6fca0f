"""Traditional terraced landform (TDL), per-strip design: hand-derived geometry.

The synthetic plans here are one-dimensional: the strips run over every row of
the grid (the grid edge bounds them north and south, so nothing happens there)
and the profile along a row is worked out by hand from the module's rules:
lift levels z0 + k H from the lowest floor, benches rising from a lower edge
(face at alpha, berm B), walls at beta from a higher ground, the distance of a
cell centre to an edge = half a cell for the first cell, then + one cell.
"""
import numpy as np
import pytest

from hpcs_landform.core import landform as lf
from hpcs_landform.core.errors import InputError
from hpcs_landform.core.terrace import Benches, StripGeometry, clip_level, traditional_landform

D = 5.0
ROWS = 4
TB = np.tan(np.radians(8.0))


def strip_plan(ground=100.0, floor=40.0):
    """Ground cols 0-9 and 64-73, strips 1, 2, 3 = cols 10-27, 28-45, 46-63 (90 m each)."""
    cols = 74
    dem = np.full((ROWS, cols), float(ground))
    fl = np.full((ROWS, cols), float(floor))
    ref = np.zeros((ROWS, cols), np.int32)
    for n, (a, b) in enumerate([(10, 28), (28, 46), (46, 64)], 1):
        ref[:, a:b] = n
    return dem, fl, np.zeros_like(ref), ref


def hand_profiles():
    """Faces at 45 degrees (tan = 1), B = 10 m, H = 10 m, so P = 20 m; z0 = 40 m, lifts at
    100, 110, 120 m.  A staircase whose toe is at b rises as G(X(b) + d) with
    G(x) = 40 + 10 floor(x / 20) + min(10, x mod 20) and X(100) = 120, X(112) = 142,
    X(95) = 105.  Chosen platforms: T1 = 112, T2 = 117, T3 = 95 (ground 100).

    * strip 1: benches from the ground on its west edge (d = 2.5, 7.5, ...: G(122.5) =
      102.5, G(127.5) = 107.5, 110, 110, then min(112, 112.5) = 112); its east
      neighbour is higher (no drop on that side);
    * strip 2: from strip 1's 112 on the west, G(144.5) = 114.5 then 117; from strip
      3's 95 on the east G(105 + d) = 97.5, 100, 100, 102.5, 107.5, 110, 110, 112.5,
      then 117;
    * strip 3: below the ground on its east edge: the wall 100 - d tan(8 deg) for
      d = 2.5 .. 32.5 (7 cells, above 95), then 95.
    """
    s1 = [102.5, 107.5, 110.0, 110.0] + [112.0] * 14
    s2 = [114.5] + [117.0] * 9 + [112.5, 110.0, 110.0, 107.5, 102.5, 100.0, 100.0, 97.5]
    s3 = [95.0] * 11 + [100.0 - (2.5 + 5.0 * k) * TB for k in range(6, -1, -1)]
    return {1: np.array(s1), 2: np.array(s2), 3: np.array(s3)}


def supplies(profiles, floor=40.0):
    return {n: float((p - floor).sum()) * D * D * ROWS for n, p in profiles.items()}


def test_platform_levels_benches_and_walls_by_hand():
    dem, fl, mining, ref = strip_plan()
    prof = hand_profiles()
    sup = supplies(prof)
    res = traditional_landform(dem, fl, mining, ref, sup, D, D, face_angle=45.0,
                               berm_width=10.0)
    np.testing.assert_allclose(res.levels[1:], [112.0, 117.0, 95.0], atol=1e-9)
    z = res.landform
    for n, (a, b) in enumerate([(10, 28), (28, 46), (46, 64)], 1):
        for r in range(ROWS):
            np.testing.assert_allclose(z[r, a:b], prof[n], atol=1e-9, err_msg=f"strip {n}")
    # each strip holds its own supply (exactly: the level is solved per strip)
    vols = lf.strip_volumes(z, fl, ref, D * D, 4)
    for n in (1, 2, 3):
        assert vols[n] == pytest.approx(sup[n], rel=1e-12)
    assert np.nanmax(res.strip_error) < 1e-12 and np.nanmax(res.plan_error) < 1e-12
    assert res.groups == [] and np.allclose(res.wall_angle[1:], 8.0)
    assert res.top_elevation == pytest.approx(117.0)
    assert np.array_equal(z[ref == 0], dem[ref == 0])
    # faces at the face angle: full face steps rise one cell x tan(45) = 5 m
    row = z[1]
    assert row[11] - row[10] == pytest.approx(D * 1.0)
    # the wall below the ground at 8 degrees: one cell x tan(8 deg) per cell
    np.testing.assert_allclose(np.diff(row[57:64]), D * TB, rtol=1e-12)
    # the design-quality figures come with the result
    assert res.quality.cells == ROWS * 54 - 2 * 54 - 2 * (ROWS - 2)
    assert res.quality.spikes == 0


def test_faces_and_berms_at_the_lift_levels_on_a_fine_grid():
    # one strip on flat ground, platform well above it: the benches descend from the
    # platform to the ground on every side, berms at the lift levels 40 + 10 k
    d, H, alpha, B = 2.0, 10.0, 33.0, 10.0
    rows, cols = 120, 200
    r, c = np.indices((rows, cols))
    dem = np.full((rows, cols), 100.0)
    floor = np.full((rows, cols), 40.0)
    ref = np.where((r >= 10) & (r < 110) & (c >= 10) & (c < 190), 1, 0).astype(np.int32)
    n = int(ref.sum())
    res = traditional_landform(dem, floor, np.zeros_like(ref), ref, {1: n * d * d * 75.0}, d,
                               d, bench_height=H, face_angle=alpha, berm_width=B)
    z = res.landform
    assert res.strip_error[1] < 1e-12
    prof = z[60, 10:100]
    dz = np.diff(prof)
    assert np.all(dz >= -1e-9)
    tana = np.tan(np.radians(alpha))
    steps = dz[dz > 1e-6]
    full = steps[steps > 0.99 * d * tana]
    assert full.size >= 10
    np.testing.assert_allclose(full, d * tana, rtol=1e-9)
    assert steps.max() <= d * tana + 1e-9
    # berms: runs of >= 3 equal cells below the platform lie on lift levels 110, 120, ...
    levels, widths, start = [], [], 0
    for i in range(1, len(prof) + 1):
        if i == len(prof) or abs(prof[i] - prof[start]) > 1e-9:
            if i - start >= 3:
                levels.append(prof[start])
                widths.append((i - start) * d)
            start = i
    assert levels[-1] == pytest.approx(res.levels[1], abs=1e-9)
    berms = np.array(levels[:-1])
    assert berms.size >= 2
    np.testing.assert_allclose((berms - 40.0) / H, np.round((berms - 40.0) / H), atol=1e-9)
    np.testing.assert_allclose(np.diff(berms), H, atol=1e-9)
    for w in widths[:-1]:
        assert abs(w - B) <= d + 1e-9


def test_a_strip_that_cannot_hold_its_supply_shares_its_neighbours_platform():
    dem, fl, mining, ref = strip_plan()
    prof = hand_profiles()
    sup = supplies(prof)
    sup[1] *= 1.25      # 1.25 x 71 m above the floor: strip 1's benches meet before that
    # (sharing alone: the other ADAPT steps, tried first by default, are tested below)
    res = traditional_landform(dem, fl, mining, ref, sup, D, D, face_angle=45.0,
                               berm_width=10.0, adapt=("walls", "share"))
    assert res.groups == [[1, 2]]
    T = res.levels[1]
    assert res.levels[2] == T and res.levels[3] == pytest.approx(95.0, abs=1e-9)
    vols = lf.strip_volumes(res.landform, fl, ref, D * D, 4)
    assert vols[1] + vols[2] == pytest.approx(sup[1] + sup[2], rel=1e-12)
    assert vols[3] == pytest.approx(sup[3], rel=1e-12)
    np.testing.assert_allclose(res.landform[:, 46:64], np.tile(prof[3], (ROWS, 1)), atol=1e-9)
    assert res.strip_error[1] < 1e-12 and res.strip_error[2] < 1e-12
    assert res.plan_error[1] > 0.01
    # the shared platform: benches from the ground (west) and from strip 3 (east), no
    # drop at the seam between strips 1 and 2; by hand, the staircases of
    # hand_profiles() capped at T
    row = res.landform[1, 10:46]
    west = [100.0 + 10.0 * (i // 4) + (2.5, 7.5, 10.0, 10.0)[i % 4] for i in range(14)]
    east = [97.5, 100.0, 100.0] + west[:13]
    assert 132.5 < T < 137.5
    np.testing.assert_allclose(row[:14], np.minimum(T, west), atol=1e-9)
    np.testing.assert_allclose(row[::-1][:16], np.minimum(T, east), atol=1e-9)
    assert np.all(np.isclose(row[14:-16], T))
    with pytest.raises(InputError, match=r"period 1 .*benches in lifts of 10 m.*ADAPT"):
        traditional_landform(dem, fl, mining, ref, sup, D, D, face_angle=45.0,
                             berm_width=10.0, adapt=False)


def test_strips_merge_up_to_one_platform_then_stop_with_a_clear_error():
    # 125 m of earth above the floor in every strip (ground 60 m above it), 45 degree
    # faces without berms: no strip holds it alone, all three share one platform; with
    # 130 m not even that (nor the single-platform design tried last) holds it
    dem, fl, mining, ref = strip_plan()
    sup = {n: 125.0 * 18 * D * D * ROWS for n in (1, 2, 3)}
    share = ("walls", "share")      # no encroaching benches (tested below)
    res = traditional_landform(dem, fl, mining, ref, sup, D, D, face_angle=45.0,
                               berm_width=0.0, adapt=share)
    assert res.design == "strips" and res.groups == [[1, 2, 3]]
    assert len(set(res.levels[1:])) == 1
    vols = lf.strip_volumes(res.landform, fl, ref, D * D, 4)
    assert vols[1:].sum() == pytest.approx(3 * sup[1], rel=1e-12)
    assert vols[1] == pytest.approx(vols[3], rel=1e-12) and vols[2] > vols[1]
    sup = {n: 130.0 * 18 * D * D * ROWS for n in (1, 2, 3)}
    with pytest.raises(InputError, match=r"even as one platform over the whole dump.*"
                                         r"single-platform design, tried last.*does not fit"):
        traditional_landform(dem, fl, mining, ref, sup, D, D, face_angle=45.0,
                             berm_width=0.0, adapt=share)
    with pytest.raises(InputError, match=r"period 1 .*benches in lifts"):
        traditional_landform(dem, fl, mining, ref, sup, D, D, face_angle=45.0,
                             berm_width=0.0, adapt=False)


def test_walls_steepen_where_the_supply_is_below_the_8_degree_walls():
    # strip 3 alone (cols 46-63, ground 100 m on both sides) with 45 m of earth above the
    # floor at 40 m: 8 degree walls from the ground would hold more than 45 m on average
    # (every cell 100 - d tan 8 > 85 m, d <= 42.5 m), so its walls are at the face angle,
    # 45 degrees: cells 100 - d = 97.5, 92.5, 87.5, 82.5 from each edge above T, the 10
    # others at T: 10 T + 2 (97.5 + 92.5 + 87.5 + 82.5) = 18 x 85  ->  T = 81.0 m
    # (below 82.5, above 77.5, so exactly four wall cells a side)
    dem, fl, mining, ref = strip_plan()
    ref[ref < 3] = 0
    sup = {3: 45.0 * 18 * D * D * ROWS}
    res = traditional_landform(dem, fl, mining, ref, sup, D, D, face_angle=45.0,
                               berm_width=10.0)
    assert res.wall_angle[3] == pytest.approx(45.0) and res.groups == []
    assert res.levels[3] == pytest.approx(81.0, abs=1e-9)
    wall = [97.5, 92.5, 87.5, 82.5]
    np.testing.assert_allclose(res.landform[:, 46:64],
                               np.tile(wall + [81.0] * 10 + wall[::-1], (ROWS, 1)), atol=1e-9)
    vols = lf.strip_volumes(res.landform, fl, ref, D * D, 4)
    assert vols[3] == pytest.approx(sup[3], rel=1e-12)
    with pytest.raises(InputError, match=r"period 3 .*as little as.*8 degrees"):
        traditional_landform(dem, fl, mining, ref, sup, D, D, face_angle=45.0,
                             berm_width=10.0, adapt=False)


def test_floor_above_the_dem_is_named_not_the_berms():
    dem, fl, mining, ref = strip_plan(ground=100.0, floor=140.0)
    sup = {1: 1e6, 2: 1e6, 3: 1e6}
    with pytest.raises(InputError, match=r"seam floor \(FLOOR\) is above the pre-mining") as e:
        traditional_landform(dem, fl, mining, ref, sup, D, D, adapt=False)
    assert "berm" not in str(e.value)


def test_single_platform_option_is_the_old_design():
    dem, fl, mining, ref = strip_plan()
    sup = supplies(hand_profiles())
    res = traditional_landform(dem, fl, mining, ref, sup, D, D, design="single",
                               face_angle=45.0, berm_width=10.0)
    z = res.landform
    dump = ref > 0
    total = sum(sup.values())
    assert float(((z[dump] - fl[dump]) * D * D).sum()) == pytest.approx(total, rel=1e-9)
    # one flat top at T over the middle, benches from the dump's west and east edges
    # only (rows run to the grid edge): T - 10 k berms, faces 5 m per 5 m cell
    T = res.top_elevation
    assert np.all(np.isclose(z[:, 37], T)) and np.allclose(res.levels[1:], T)
    row = z[1, 10:37]
    assert np.all(np.diff(row) >= -1e-9)
    flats = {round(v, 9) for v in row if np.isclose(row, v).sum() >= 2}
    assert all(abs(((T - v) / 10.0) - round((T - v) / 10.0)) < 1e-9 for v in flats)
    with pytest.raises(InputError, match="Unknown TDL design"):
        traditional_landform(dem, fl, mining, ref, sup, D, D, design="steps")


def test_clip_level_is_exact():
    rng = np.random.default_rng(3)
    lo = rng.uniform(0, 10, 500)
    hi = lo + rng.uniform(0, 20, 500) * (rng.random(500) > 0.2)
    for frac in (0.0, 0.13, 0.5, 0.97, 1.0):
        target = lo.sum() + frac * (hi.sum() - lo.sum())
        t = clip_level(lo, hi, target)[0]
        assert np.clip(t, lo, hi).sum() == pytest.approx(target, rel=1e-12, abs=1e-9)
    assert np.isnan(clip_level(lo, hi, hi.sum() * 1.01)[0])
    assert np.isnan(clip_level(lo, hi, lo.sum() * 0.99)[0])


def test_benches_encroach_on_the_lower_neighbours_platform_by_hand():
    # strips 2 (cols 28-45) and 3 (cols 46-63) only, ground 100 m around, 45 degree faces,
    # B = 10 m, H = 10 m (P = 20 m, z0 = 40 m; G and X as in hand_profiles()).  Strip 3
    # holds hand_profiles()'s supply: T3 = 95 m (below the ground).  Strip 2, settled after
    # it, rises from the ground (west, X(100) = 120) and from strip 3's 95 m (east,
    # X(95) = 105): inside itself it holds at most 1257.5 m x cell per row (69.9 m above
    # the floor on average), less than its 1347.  Its toe moves east onto strip 3's
    # platform one cell at a time: with k cells of strip 3 under its benches the region
    # (18 + k cells) has its east edge at col 46 + k, W_i = min(122.5 + 5 i,
    # 107.5 + 5 (17 + k - i)), and the capacity per row (own cells above the floor plus
    # the zone above 95) is 1282.5, 1310, 1337.5, 1370 for k = 1 .. 4: k = 4.  Then by
    # hand G over the region is
    hi = [102.5, 107.5, 110, 110, 112.5, 117.5, 120, 120, 122.5, 127.5,      # west part
          122.5, 120, 120, 117.5, 112.5, 110, 110, 107.5,                    # east part
          102.5, 100, 100, 97.5]                                             # on strip 3
    # and for T in [117.5, 120] the seven cells i = 6 .. 12 stand at T, the others at hi:
    # 777.5 + 7 (T - 40) + 20 = 1347  ->  T = 118.5 m.
    dem, fl, mining, ref = strip_plan()
    ref[ref == 1] = 0
    prof = hand_profiles()
    per_row = 1347.0
    sup = {2: per_row * D * D * ROWS, 3: supplies(prof)[3]}
    res = traditional_landform(dem, fl, mining, ref, sup, D, D, face_angle=45.0,
                               berm_width=10.0)
    assert res.groups == [] and res.levels[3] == pytest.approx(95.0, abs=1e-9)
    assert res.levels[2] == pytest.approx(118.5, abs=1e-9)
    expect2 = np.minimum(118.5, hi[:18])
    expect3 = np.concatenate([hi[18:], prof[3][4:]])
    for r in range(ROWS):
        np.testing.assert_allclose(res.landform[r, 28:46], expect2, atol=1e-9)
        np.testing.assert_allclose(res.landform[r, 46:64], expect3, atol=1e-9)
    # strip 2's earth: 1327 per row on its cells + 20 on strip 3's four cells = its supply
    assert res.encroached[2] == 4 * ROWS and res.encroached[3] == 0
    assert res.berm[2] == pytest.approx(10.0) and res.berm[3] == pytest.approx(10.0)
    assert res.held[2] == pytest.approx(sup[2], rel=1e-12)
    assert res.held[3] == pytest.approx(sup[3], rel=1e-12)
    assert res.strip_error[2] < 1e-12 and res.strip_error[3] < 1e-12
    vols = lf.strip_volumes(res.landform, fl, ref, D * D, 4)
    assert vols[2] == pytest.approx(1327.0 * D * D * ROWS, rel=1e-12)
    assert vols[3] == pytest.approx(sup[3] + 20.0 * D * D * ROWS, rel=1e-12)
    assert vols[2] + vols[3] == pytest.approx(sup[2] + sup[3], rel=1e-12)
    # without encroaching (sharing only) the two strips share one platform instead
    res = traditional_landform(dem, fl, mining, ref, sup, D, D, face_angle=45.0,
                               berm_width=10.0, adapt=("walls", "share"))
    assert res.groups == [[2, 3]]


def test_a_higher_neighbour_settled_first_drops_by_a_face_inside_the_strip():
    # strip 2 of strip_plan() after strip 1 was settled at 112 m (on a hillside a strip
    # settled later can stand lower than its neighbour along part of their seam): the
    # drop from strip 1 is a face at the face angle (45 degrees) inside strip 2,
    # 112 - d at d = 2.5, 7.5, ... from the seam; with 40 m of earth above the floor
    # (40 m) on the 12 cells below the face and T = 80 m, the face stands on the six
    # cells 109.5, 104.5, 99.5, 94.5, 89.5, 84.5 (the next, 79.5, is below T):
    # supply per row (582 - 6 x 40) + 12 x 40 = 822 m x cell.  The benches
    # from strip 1 (X(112) = 142, G >= 114.5 on strip 2) do not bound it.
    dem, fl, mining, ref = strip_plan()
    ground = np.where(ref > 0, np.nan, dem)
    benches = Benches(40.0, 10.0, 1.0, 10.0, float(TB))
    window = (slice(0, ROWS), slice(27, 47))
    geo = StripGeometry(2, window, ref, ground, fl, D, D, benches)
    surface = np.full(ref.shape, np.nan)
    surface[ref == 1] = 112.0
    geo.add_neighbour(1, surface)
    top, lo, hi, vmin, vmax = geo.level(benches, 822.0 * D * D * ROWS, D * D)
    assert top == pytest.approx(80.0, abs=1e-9)
    face = [109.5, 104.5, 99.5, 94.5, 89.5, 84.5]
    z = np.clip(top, lo, hi).reshape(ROWS, 18)
    np.testing.assert_allclose(z, np.tile(face + [80.0] * 12, (ROWS, 1)), atol=1e-9)
    # on the floor the face runs on down to 44.5 m (i = 13): v_min per row = 342 +
    # (39.5 + 34.5 + ... + 4.5) = 342 + 176
    assert vmin == pytest.approx(518.0 * D * D * ROWS, rel=1e-12)
    # a new settling starts without it
    geo.reset(benches)
    assert np.all(np.isneginf(geo.wall))
