"""core.haul: lifts, pairing by cumulative volume and the mean haul distance (eq. 13)."""
import math

import numpy as np
import pytest

from hpcs_landform.core import haul
from hpcs_landform.core.errors import InputError

# a 4 x 12 grid of 10 m cells; x centres 5, 15, ..., 115; y centres 35, 25, 15, 5
SHAPE = (4, 12)
X = 5.0 + 10.0 * np.arange(12)
Y = 35.0 - 10.0 * np.arange(4)
AREA = 100.0


def blank():
    return (np.zeros(SHAPE, np.int32), np.zeros(SHAPE, np.int32),
            np.full(SHAPE, 100.0), np.full(SHAPE, 10.0))


def test_pair_volumes_by_cumulative_volume():
    si, di, vol = haul.pair_volumes([3.0, 5.0], [4.0, 4.0])
    assert list(si) == [0, 1, 1] and list(di) == [0, 0, 1]
    assert np.allclose(vol, [3.0, 1.0, 4.0])
    # unequal totals: only the smaller is paired
    si, di, vol = haul.pair_volumes([10.0], [4.0, 4.0])
    assert list(di) == [0, 1] and vol.sum() == 8.0


def test_two_period_uniform_blocks_by_hand():
    """Period 1: mining strip cols 8-9 (x 85, 95 -> 90), surface 135, coal top
    110 -> overburden 25 m: lifts from the top [125,135] 8000 m3 at z 130,
    [115,125] 8000 at z 120, [110,115] 4000 at z 112.5.  Refilling strip cols
    2-5 (x 40), floor 100, landform 112.5: lifts from the floor [100,110]
    16000 at z 105, [110,112.5] 4000 at z 111.25.  Pieces: 8000 top -> bottom
    lift, 8000 second -> bottom lift, 4000 third -> second lift.
    Period 2: mining cols 10-11 (x 110), surface 120: one lift 8000 at z 115;
    refilling cols 6-7 (x 70), landform 110: one lift 8000 at z 105."""
    mining, refilling, floor, thick = blank()
    dem = np.full(SHAPE, 150.0)
    land = np.full(SHAPE, 150.0)
    mining[:, 8:10] = 1
    dem[:, 8:10] = 135.0
    refilling[:, 2:6] = 1
    land[:, 2:6] = 112.5
    mining[:, 10:12] = 2
    dem[:, 10:12] = 120.0
    refilling[:, 6:8] = 2
    land[:, 6:8] = 110.0
    res = haul.haul_distance(dem, floor, thick, land, mining, refilling, X, Y, AREA,
                             bench_height=10.0, k=1.0)
    d1 = [math.hypot(50, 25), math.hypot(50, 15), math.hypot(50, 1.25)]
    p1 = (8000 * d1[0] + 8000 * d1[1] + 4000 * d1[2]) / 20000
    p2 = math.hypot(40, 10)
    r1, r2 = res.periods
    assert (r1["source_lifts"], r1["destination_lifts"]) == (3, 2)
    assert r1["supply"] == pytest.approx(20000) and r1["moved"] == pytest.approx(20000)
    assert r1["mean_distance"] == pytest.approx(p1, rel=1e-12)
    assert r2["mean_distance"] == pytest.approx(p2, rel=1e-12)
    assert res.mean_distance == pytest.approx((20000 * p1 + 8000 * p2) / 28000, rel=1e-12)
    m = res.moves[0]
    assert m["src"] == pytest.approx((90.0, 20.0, 130.0)) and m["dst"] == pytest.approx(
        (40.0, 20.0, 105.0))
    assert [(m["src_lift"], m["dst_lift"]) for m in res.moves] == [(1, 1), (2, 1), (3, 2),
                                                                    (1, 1)]
    # the moved volumes add up to the supply
    assert sum(m["volume"] for m in res.moves) == pytest.approx(28000)
    assert res.diagnostics["supply"] == pytest.approx(28000)


def test_partial_top_lift_centre_by_hand():
    """Mining strip: col 8 surface 135, col 9 surface 125 (4 rows), coal top
    110.  Lifts from 135 down: [125,135] only col 8 (4000 m3, x 85, z 130);
    [115,125] both (8000, x 90, z 120); [110,115] both (4000, x 90, z 112.5).
    Refilling cols 2-5, rows 0-1 only (x 40, y 30), floor 100, landform 120:
    8 cells x 20 m = 16000 m3 in two lifts [100,110] and [110,120] of 8000
    each, at z 105 and 115."""
    mining, refilling, floor, thick = blank()
    dem = np.full(SHAPE, 150.0)
    land = np.full(SHAPE, 150.0)
    mining[:, 8] = 3
    mining[:, 9] = 3
    dem[:, 8] = 135.0
    dem[:, 9] = 125.0
    refilling[0:2, 2:6] = 3
    land[0:2, 2:6] = 120.0
    res = haul.haul_distance(dem, floor, thick, land, mining, refilling, X, Y, AREA,
                             bench_height=10.0, k=1.0)
    # pieces: 4000 (L1 -> D1), 4000 (L2 -> D1), 4000 (L2 -> D2), 4000 (L3 -> D2)
    s = [(85, 20, 130), (90, 20, 120), (90, 20, 112.5)]
    d = [(40, 30, 105), (40, 30, 115)]
    dist = lambda a, b: math.dist(a, b)  # noqa: E731
    expect = (dist(s[0], d[0]) + dist(s[1], d[0]) + dist(s[1], d[1]) + dist(s[2], d[1])) / 4
    assert res.mean_distance == pytest.approx(expect, rel=1e-12)
    assert [m["volume"] for m in res.moves] == pytest.approx([4000] * 4)
    assert res.moves[0]["src"] == pytest.approx(s[0])


def test_k_scales_supply_not_centres():
    """k = 2: 8 cells x 10 m of overburden give 16000 m3 of spoil, which fill
    16 cells x 10 m; distance between (90, 20, 115) and (40, 20, 105)."""
    mining, refilling, floor, thick = blank()
    dem = np.full(SHAPE, 150.0)
    land = np.full(SHAPE, 150.0)
    mining[:, 8:10] = 1
    dem[:, 8:10] = 120.0
    refilling[:, 2:6] = 1
    land[:, 2:6] = 110.0
    res = haul.haul_distance(dem, floor, thick, land, mining, refilling, X, Y, AREA,
                             bench_height=10.0, k=2.0)
    assert res.periods[0]["supply"] == pytest.approx(16000)
    assert res.periods[0]["moved"] == pytest.approx(16000)
    assert res.mean_distance == pytest.approx(math.hypot(50, 10))


def test_room_differing_from_supply_is_scaled():
    """Supply 8 cells x 20 m = 16000 m3 (lifts [120,130] at z 125 and
    [110,120] at z 115, x 90); room 16 cells x 5 m = 8000 m3 (one lift
    [100,105] at z 102.5, x 40).  All the supply goes into the room's shape:
    moved 16000, each source lift to the one destination lift."""
    mining, refilling, floor, thick = blank()
    dem = np.full(SHAPE, 150.0)
    land = np.full(SHAPE, 150.0)
    mining[:, 8:10] = 1
    dem[:, 8:10] = 130.0
    refilling[:, 2:6] = 1
    land[:, 2:6] = 105.0
    res = haul.haul_distance(dem, floor, thick, land, mining, refilling, X, Y, AREA)
    r = res.periods[0]
    assert (r["supply"], r["demand"], r["moved"]) == pytest.approx((16000, 8000, 16000))
    assert r["demand_ratio"] == pytest.approx(0.5)
    assert r["mean_distance"] == pytest.approx((math.hypot(50, 22.5) + math.hypot(50, 12.5)) / 2)
    # room twice the supply: supply 8 cells x 12.5 m = 10000 m3 in lifts
    # [112.5,122.5] (8000, z 117.5) and [110,112.5] (2000, z 111.25); room
    # [100,110] (16000, z 105) and [110,112.5] (4000, z 111.25) scaled by 1/2
    # to 8000 and 2000: the top source lift fills the bottom room lift, the
    # second source lift the top room lift (level: 50 m apart).
    land[:, 2:6] = 112.5
    dem[:, 8:10] = 122.5
    r = haul.haul_distance(dem, floor, thick, land, mining, refilling, X, Y, AREA).periods[0]
    assert (r["supply"], r["demand"], r["moved"]) == pytest.approx((10000, 20000, 10000))
    expect = (8000 * math.hypot(50, 12.5) + 2000 * 50.0) / 10000
    assert r["mean_distance"] == pytest.approx(expect)


def test_moved_volume_equals_supply_on_an_irregular_plan():
    """Rough surfaces; each refilling strip's landform holds exactly its
    period's supply (a level fill); moved = supply = k sum(dem - floor - h) A."""
    rng = np.random.default_rng(7)
    shape = (30, 40)
    x = np.arange(40) * 30.0 + 15
    y = 900.0 - np.arange(30) * 30.0 - 15
    dem = 200 + 40 * rng.random(shape)
    floor = 100 + 10 * rng.random(shape)
    thick = 5 + 5 * rng.random(shape)
    mining = np.zeros(shape, np.int32)
    refilling = np.zeros(shape, np.int32)
    k = 1.2
    land = dem.copy()
    for p in range(1, 5):
        mining[:, 20 + 3 * p:23 + 3 * p] = p
        refilling[:, 3 * p:3 * p + 3] = p
    for p in range(1, 5):
        supply = k * (dem - floor - thick)[mining == p].sum() * 900.0
        cells = refilling == p
        # level h with sum(h - floor) * 900 = supply (all cells below h here)
        h = (supply / 900.0 + floor[cells].sum()) / cells.sum()
        land[cells] = h
    res = haul.haul_distance(dem, floor, thick, land, mining, refilling, x, y, 900.0,
                             bench_height=10.0, k=k)
    supply = k * (dem - floor - thick)[mining > 0].sum() * 900.0
    assert sum(r["moved"] for r in res.periods) == pytest.approx(supply, rel=1e-9)
    assert sum(m["volume"] for m in res.moves) == pytest.approx(supply, rel=1e-9)
    assert all(abs(r["demand_ratio"] - 1) < 1e-9 for r in res.periods)
    # every distance is at least the horizontal gap between the strips' edges
    assert min(m["distance"] for m in res.moves) >= 30.0 * (20 - 6 + 1)


def test_coverage_from_fine_labels_by_hand():
    """A 2 x 2 coarse window at (1, 3) of a 4 x 6 grid, labels on a grid 2 x finer:
    period 1 covers the left coarse column fully and 1 of 4 sub-cells of
    (1, 4); period 2 the other 3 sub-cells of (1, 4)."""
    fine = np.zeros((4, 4), np.int32)
    fine[:, 0:2] = 1
    fine[0, 2] = 1
    fine[0, 3] = 2
    fine[1, 2:4] = 2
    cells, periods, share = haul.coverage_from_fine_labels(fine, 2, (1, 3), (4, 6))
    got = {(int(c), int(p)): float(w) for c, p, w in zip(cells, periods, share)}
    assert got == {(1 * 6 + 3, 1): 1.0, (2 * 6 + 3, 1): 1.0, (1 * 6 + 4, 1): 0.25,
                   (1 * 6 + 4, 2): 0.75}


def test_fractional_strip_by_hand():
    """The mining strip holds all of column 8 and half of column 9 (area
    shares 1 and 0.5): supply (4 + 2) cells x 100 m2 x 20 m = 12000 m3 in two
    lifts of 6000 at z 125 and 115, centre x = (85 x 1 + 95 x 0.5) / 1.5;
    the refilling strip holds a quarter of columns 2-5 (4 x 4 x 0.25 cells):
    room 4 cells x 100 m2 x 30 m = 12000 m3, lifts [100,110], [110,120],
    [120,130] of 4000 at x 40."""
    mining, refilling, floor, thick = blank()
    dem = np.full(SHAPE, 130.0)
    land = np.full(SHAPE, 130.0)
    idx = np.arange(48).reshape(SHAPE)
    mc = np.concatenate([idx[:, 8], idx[:, 9]])
    mw = np.concatenate([np.ones(4), np.full(4, 0.5)])
    fc = idx[:, 2:6].ravel()
    res = haul.haul_distance(dem, floor, thick, land, (mc, np.ones(8, int), mw),
                             (fc, np.ones(16, int), np.full(16, 0.25)), X, Y, AREA)
    r = res.periods[0]
    assert (r["supply"], r["demand"], r["moved"]) == pytest.approx((12000, 12000, 12000))
    xs = (85 * 1 + 95 * 0.5) / 1.5
    # pieces: 4000 (S1 z125 -> D1 z105), 2000 (S1 -> D2 z115), 2000 (S2 z115 -> D2),
    # 4000 (S2 -> D3 z125)
    d = lambda dz: math.hypot(xs - 40, dz)  # noqa: E731
    expect = (4000 * d(20) + 2000 * d(10) + 2000 * d(0) + 4000 * d(10)) / 12000
    assert r["mean_distance"] == pytest.approx(expect, rel=1e-12)
    # whole cells as coverage = the same as labels
    mining[:, 8:10] = 1
    refilling[:, 2:6] = 1
    a = haul.haul_distance(dem, floor, thick, land, mining, refilling, X, Y, AREA)
    cov = lambda lab: (np.flatnonzero(lab), lab.ravel()[lab.ravel() > 0],  # noqa: E731
                       np.ones(int((lab > 0).sum())))
    b = haul.haul_distance(dem, floor, thick, land, cov(mining), cov(refilling), X, Y, AREA)
    assert a.mean_distance == b.mean_distance and a.periods == b.periods


def test_errors():
    mining, refilling, floor, thick = blank()
    dem = np.full(SHAPE, 150.0)
    mining[:, 8] = 1
    refilling[:, 2] = 1
    bad = thick.copy()
    bad[0, 8] = -1
    with pytest.raises(InputError, match="negative"):
        haul.haul_distance(dem, floor, bad, dem, mining, refilling, X, Y, AREA)
    hole = dem.copy()
    hole[1, 2] = np.nan
    with pytest.raises(InputError, match="landform has no data in 1 cell"):
        haul.haul_distance(dem, floor, thick, hole, mining, refilling, X, Y, AREA)
    with pytest.raises(InputError, match="bench height"):
        haul.haul_distance(dem, floor, thick, dem, mining, refilling, X, Y, AREA, bench_height=0)
    with pytest.raises(InputError, match="No earth is moved"):
        haul.haul_distance(dem, floor, thick, floor, mining, refilling, X, Y, AREA)
