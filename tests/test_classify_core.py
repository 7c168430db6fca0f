"""core.classify: the paper's cell classes on hand-made grids (Fig. 4, 6) and
the rules of docs/method.md section 2."""
import numpy as np
import pytest

from hpcs_landform.core import classify as cl
from hpcs_landform.core.errors import InputError
from hpcs_landform.core.hydrology import receivers_from_codes

E, SE, S, SW, W, NW, N, NE = 1, 2, 4, 8, 16, 32, 64, 128


def fig4_grid():
    """7 x 7 cells; area = rows 1-5, cols 1-5.

    A fixed channel runs down column 1 from row 0 (outside) to row 6
    (outside).  A semi-fixed channel starts at (4, 4), goes NW to (3, 3), W to
    (3, 2) and W into the fixed cell (3, 1), the confluence; a tributary
    starts at (2, 3) and joins it at (3, 3) from the north.
    """
    codes = np.zeros((7, 7), dtype=np.int64)      # every other cell drains out
    codes[0:6, 1] = S
    codes[4, 4] = NW
    codes[3, 3] = W
    codes[3, 2] = W
    codes[2, 3] = S
    channels = np.zeros((7, 7), dtype=bool)
    channels[:, 1] = True
    channels[[4, 3, 3, 2], [4, 3, 2, 3]] = True
    area = np.zeros((7, 7), dtype=bool)
    area[1:6, 1:6] = True
    z = np.full((7, 7), 120.0)
    z[:, 1] = 103.0 - np.arange(7)                 # (3, 1) = 100
    z[3, 2], z[3, 3], z[4, 4], z[2, 3] = 102.0, 105.0, 110.0, 107.0
    return z, area, receivers_from_codes(codes), channels


def test_fig4_fixed_confluence_semi_fixed():
    z, area, rec, ch = fig4_grid()
    ridges = np.zeros_like(ch)
    c = cl.classify_cells(z, area, rec, ch, ridges)
    expect = np.where(area, 0.0, 5.0)
    expect[[1, 2, 4, 5], 1] = 1.0
    expect[3, 1] = 1.5
    expect[[3, 3, 4, 2], [2, 3, 4, 3]] = 2.0
    assert np.array_equal(c, expect)
    counts = cl.class_counts(c)
    assert counts[cl.FIXED] == 4 and counts[cl.CONFLUENCE] == 1 and counts[cl.SEMI_FIXED] == 4
    assert counts[cl.BOUNDARY] == 49 - 25 and counts[cl.OTHER] == 25 - 9


def test_watershed_is_ridge_but_not_channel():
    z, area, rec, ch = fig4_grid()
    ridges = np.zeros_like(ch)
    ridges[1, 3:6] = True          # a ridge line in the area
    ridges[2, 3] = True            # also a channel cell: stays a channel
    ridges[0, 3] = True            # outside the area: boundary
    c = cl.classify_cells(z, area, rec, ch, ridges)
    assert np.all(c[1, 3:6] == 3.0)
    assert c[2, 3] == 2.0
    assert c[0, 3] == 5.0


def test_channel_with_upstream_end_in_area_exiting_is_semi_fixed():
    """A channel that starts in the area and leaves it: the exit cell is its anchor."""
    codes = np.zeros((6, 6), dtype=np.int64)
    codes[2, 2:5] = E        # (2,2) -> (2,3) -> (2,4) -> (2,5) outside
    ch = np.zeros((6, 6), dtype=bool)
    ch[2, 2:6] = True
    area = np.zeros((6, 6), dtype=bool)
    area[1:5, 1:5] = True
    c = cl.classify_cells(np.zeros((6, 6)) + np.arange(6), area, receivers_from_codes(codes), ch,
                          np.zeros_like(ch))
    assert np.all(c[2, 2:5] == 2.0)
    assert c[2, 5] == 5.0
    assert not np.any(c == 1.5)      # no confluence: the anchor is the exit cell


def test_fig6_floating_channels():
    """Floating: a channel whose path ends inside the area - it leaves the DEM
    from inside the area (the area touches the edge), or it drains into a
    non-channel cell of the area (a broken channel mask)."""
    codes = np.zeros((6, 6), dtype=np.int64)
    codes[3:5, 2] = S        # (3,2) -> (4,2) -> (5,2), the last row: drains out
    codes[5, 2] = S          # points off the grid
    codes[1, 4] = S          # (1,4) -> (2,4), which is no channel
    ch = np.zeros((6, 6), dtype=bool)
    ch[3:6, 2] = True
    ch[1, 4] = True
    area = np.zeros((6, 6), dtype=bool)
    area[1:6, 1:6] = True    # touches the south edge
    z = np.arange(36.0).reshape(6, 6)
    c = cl.classify_cells(z, area, receivers_from_codes(codes), ch, np.zeros_like(ch))
    assert np.all(c[3:6, 2] == 4.0)
    assert c[1, 4] == 4.0
    assert cl.class_counts(c)[cl.FLOATING] == 4


def test_channel_reentering_area_is_fixed_and_nodata_stays_nan():
    codes = np.zeros((5, 8), dtype=np.int64)
    codes[2, 0:7] = E
    ch = np.zeros((5, 8), dtype=bool)
    ch[2, :] = True
    area = np.zeros((5, 8), dtype=bool)
    area[1:4, 1:3] = True
    area[1:4, 4:7] = True    # two pieces; the channel leaves and re-enters
    z = np.ones((5, 8))
    z[0, 0] = np.nan
    c = cl.classify_cells(z, area, receivers_from_codes(codes), ch, np.zeros_like(ch))
    assert np.all(c[2, [1, 2, 4, 5, 6]] == 1.0)
    assert np.isnan(c[0, 0])
    assert np.all(c[2, [0, 3, 7]] == 5.0)


@pytest.mark.parametrize("case, message", [
    ("empty", "covers no valid cell"),
    ("all", "covers every valid cell"),
    ("shape", "same grid"),
])
def test_bad_inputs(case, message):
    z, area, rec, ch = fig4_grid()
    if case == "empty":
        area = np.zeros_like(area)
    elif case == "all":
        area = np.ones_like(area)
    else:
        ch = ch[:5]
    with pytest.raises(InputError, match=message):
        cl.classify_cells(z, area, rec, ch, np.zeros((7, 7), bool))
