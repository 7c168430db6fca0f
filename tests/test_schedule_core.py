"""core.schedule: the earthwork schedule (construction sequence of the eq. 13 haul model)."""
import math

import numpy as np
import pytest

from hpcs_landform.core import schedule
from hpcs_landform.core.errors import Cancelled, InputError, Progress

SHAPE = (4, 12)          # 10 m cells; x centres 5..115, y centres 35..5
X = 5.0 + 10.0 * np.arange(12)
Y = 35.0 - 10.0 * np.arange(4)
AREA = 100.0


def two_periods():
    """Period 1: mining cols 8-9 (x 90), surface 135, coal top 110 -> 25 m of
    overburden (8 cells: 800 m2): lifts from the top [125,135] 8000 m3,
    [115,125] 8000, [110,115] 4000. Refilling cols 2-5 (x 40, 16 cells), floor
    100, landform 112.5: lifts from the floor [100,110] 16000, [110,112.5] 4000.
    Period 2: mining cols 10-11 (x 110), surface 120 -> one lift [110,120]
    8000 m3; refilling cols 6-7 (x 70), landform 110 -> one lift [100,110]."""
    mining = np.zeros(SHAPE, np.int32)
    refilling = np.zeros(SHAPE, np.int32)
    floor, thick = np.full(SHAPE, 100.0), np.full(SHAPE, 10.0)
    dem, land = np.full(SHAPE, 150.0), np.full(SHAPE, 150.0)
    mining[:, 8:10], dem[:, 8:10] = 1, 135.0
    refilling[:, 2:6], land[:, 2:6] = 1, 112.5
    mining[:, 10:12], dem[:, 10:12] = 2, 120.0
    refilling[:, 6:8], land[:, 6:8] = 2, 110.0
    return dem, floor, thick, land, mining, refilling


def test_schedule_by_hand():
    s = schedule.earthwork_schedule(*two_periods(), X, Y, AREA, bench_height=10.0, k=1.0)
    # steps of period 1, in stripping order (lift centres: z 130, 120, 112.5 at x 90;
    # 105 and 111.25 at x 40; same mean y)
    want = [(1, 1, 1, 1, 125, 135, 100, 110, 8000, math.hypot(50, 25)),
            (1, 2, 2, 1, 115, 125, 100, 110, 8000, math.hypot(50, 15)),
            (1, 3, 3, 2, 110, 115, 110, 112.5, 4000, math.hypot(50, 1.25)),
            (2, 1, 1, 1, 110, 120, 100, 110, 8000, math.hypot(40, 10))]
    assert len(s.steps) == len(want)
    for got, w in zip(s.steps, want):
        assert (got["period"], got["step"], got["src_lift"], got["dst_lift"]) == w[:4]
        assert (got["src_bottom"], got["src_top"], got["dst_bottom"], got["dst_top"]) == \
            pytest.approx(w[4:8])
        assert got["volume"] == pytest.approx(w[8])
        assert got["distance"] == pytest.approx(w[9], rel=1e-12)
    assert [st["cumulative"] for st in s.steps] == pytest.approx([8000, 16000, 20000, 8000])
    p1, p2 = s.periods
    assert (p1["moved"], p1["supply"], p1["room"]) == pytest.approx((20000, 20000, 20000))
    assert (p1["src_top"], p1["src_bottom"], p1["dst_bottom"], p1["dst_top"]) == \
        pytest.approx((135, 110, 100, 112.5))
    assert (p1["source_lifts"], p1["destination_lifts"], p1["steps"]) == (3, 2, 3)
    m1 = (8000 * want[0][9] + 8000 * want[1][9] + 4000 * want[2][9]) / 20000
    assert p1["mean_distance"] == pytest.approx(m1, rel=1e-12)
    assert p2["moved"] == pytest.approx(8000) and p2["mean_distance"] == pytest.approx(
        math.hypot(40, 10))
    assert s.mean_distance == pytest.approx((20000 * m1 + 8000 * math.hypot(40, 10)) / 28000)


def test_k_scales_the_volumes_not_the_lift_elevations():
    """k = 1.2: each bank lift gives 1.2 x its volume (eq. 6); the room (20000 m3)
    is scaled to the supply (24000), so the elevations stay those of k = 1."""
    s = schedule.earthwork_schedule(*two_periods(), X, Y, AREA, bench_height=10.0, k=1.2)
    p1 = s.periods[0]
    assert p1["supply"] == pytest.approx(24000) and p1["moved"] == pytest.approx(24000)
    assert p1["room"] == pytest.approx(20000)
    assert (p1["src_top"], p1["src_bottom"], p1["dst_bottom"], p1["dst_top"]) == \
        pytest.approx((135, 110, 100, 112.5))
    assert sum(st["volume"] for st in s.steps if st["period"] == 1) == pytest.approx(24000)


def test_bad_input_and_cancel():
    dem, floor, thick, land, mining, refilling = two_periods()
    with pytest.raises(InputError, match="bench height"):
        schedule.earthwork_schedule(dem, floor, thick, land, mining, refilling, X, Y, AREA,
                                    bench_height=0.0)
    with pytest.raises(Cancelled):
        schedule.earthwork_schedule(dem, floor, thick, land, mining, refilling, X, Y, AREA,
                                    progress=Progress(is_cancelled=lambda: True))
