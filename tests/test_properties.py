"""Property-based tests (Hypothesis) of the cores on random small inputs.

Hydrology: random DEMs of small integer heights (so flats and pits are
common) with random nodata cells.  Depression filling is compared with an
independent priority-flood written here (Barnes et al. 2014, epsilon 0);
D8 routing must drain every valid cell out of the grid without climbing;
accumulation must conserve cells (what leaves the grid is the number of
valid cells).

Delineation: random mine areas, directions and strip widths on small grids.
The strips of a plan must be disjoint and tile the mine along the mining
direction, and the volumes must add up to the eq. 6 / eq. 8 sums over the
mine cells computed here directly.

Runs are kept small (max_examples 50, no deadline) so CI stays fast.
"""
import heapq

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from hpcs_landform.core import hydrology as hy
from hpcs_landform.core.errors import InputError
from hpcs_landform.core.subareas import delineate

SETTINGS = settings(max_examples=50, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
OFFSETS8 = [(-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1)]


@st.composite
def dems(draw):
    """A small DEM of integer heights 0..4 (many flats and pits) with random
    nodata cells, accepted by hydrology.check_dem."""
    rows = draw(st.integers(3, 14))
    cols = draw(st.integers(3, 14))
    z = np.array(draw(st.lists(st.integers(0, 4), min_size=rows * cols,
                               max_size=rows * cols)), dtype=float).reshape(rows, cols)
    holes = np.array(draw(st.lists(st.booleans(), min_size=rows * cols, max_size=rows * cols)))
    density = draw(st.sampled_from([0.0, 0.1, 0.3]))
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 16)))
    nodata = holes.reshape(rows, cols) & (rng.random((rows, cols)) < density)
    z[nodata] = np.nan
    try:
        hy.check_dem(z)
    except InputError:
        assume(False)
    return z


def priority_flood(z):
    """Independent reference: Barnes et al. (2014) priority-flood, epsilon 0.
    Seeds are the valid cells on the grid edge or next to nodata."""
    rows, cols = z.shape
    valid = np.isfinite(z)
    out = np.where(valid, z, np.nan)
    done = ~valid
    heap = []
    for r in range(rows):
        for c in range(cols):
            if not valid[r, c]:
                continue
            edge = r in (0, rows - 1) or c in (0, cols - 1)
            near = any(0 <= r + dr < rows and 0 <= c + dc < cols and not valid[r + dr, c + dc]
                       for dr, dc in OFFSETS8)
            if edge or near:
                heapq.heappush(heap, (z[r, c], r, c))
                done[r, c] = True
    while heap:
        h, r, c = heapq.heappop(heap)
        for dr, dc in OFFSETS8:
            rr, cc = r + dr, c + dc
            if 0 <= rr < rows and 0 <= cc < cols and not done[rr, cc]:
                done[rr, cc] = True
                out[rr, cc] = max(z[rr, cc], h)
                heapq.heappush(heap, (out[rr, cc], rr, cc))
    return out


@SETTINGS
@given(dems())
def test_fill_is_the_priority_flood_and_never_lowers(z):
    filled = hy.fill_depressions(z)
    valid = np.isfinite(z)
    assert np.array_equal(np.isfinite(filled), valid)
    assert np.all(filled[valid] >= z[valid])
    np.testing.assert_array_equal(filled[valid], priority_flood(z)[valid])


@SETTINGS
@given(dems())
def test_every_valid_cell_drains_out_without_climbing(z):
    filled, rec, codes, acc = hy.condition(z, 10.0, 10.0)
    n = z.size
    valid = np.isfinite(z).ravel()
    rec = np.asarray(rec).ravel()
    inside = valid & (rec < n)
    # never uphill, and only to valid cells
    assert np.all(valid[rec[inside]])
    f = filled.ravel()
    assert np.all(f[rec[inside]] <= f[inside])
    # the cells draining out of the grid are the outlets (edge or next to nodata)
    out = valid & (rec >= n)
    assert np.array_equal(out, hy.outlet_mask(z).ravel())
    # following the receivers from every valid cell reaches the outside
    cur = np.where(valid, np.arange(n), n)
    ext = np.append(rec, n)
    for _ in range(n + 1):
        cur = ext[cur]
    assert np.all(cur == n)
    # the ESRI codes agree with the receivers
    code_rec = np.asarray(hy.receivers_from_codes(codes)).ravel()
    assert np.array_equal(code_rec[valid], rec[valid])


@SETTINGS
@given(dems())
def test_accumulation_conserves_cells(z):
    _, rec, _, acc = hy.condition(z, 10.0, 10.0)
    n = z.size
    valid = np.isfinite(z).ravel()
    rec = np.asarray(rec).ravel()
    a = acc.ravel()
    assert np.all(a[valid] >= 1)
    assert np.all(np.isnan(a[~valid]))
    # every valid cell leaves the grid exactly once
    assert a[valid & (rec >= n)].sum() == valid.sum()
    # A(c) = 1 + the sum over the donors of c
    donors = np.bincount(rec[valid & (rec < n)], weights=a[valid & (rec < n)], minlength=n + 1)
    np.testing.assert_allclose(a[valid], 1.0 + donors[:n][valid])


@st.composite
def mines(draw):
    """A random mine on a small grid: its mask, surfaces, direction and strips."""
    rows = draw(st.integers(8, 24))
    cols = draw(st.integers(8, 24))
    cell = draw(st.sampled_from([5.0, 10.0]))
    r0 = draw(st.integers(1, rows - 6))
    c0 = draw(st.integers(1, cols - 6))
    r1 = draw(st.integers(r0 + 4, rows - 1))
    c1 = draw(st.integers(c0 + 4, cols - 1))
    mask = np.zeros((rows, cols), bool)
    mask[r0:r1, c0:c1] = True
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 16)))
    # a ragged mine: knock out some border cells of the rectangle
    if draw(st.booleans()):
        ragged = rng.random((rows, cols)) < 0.3
        border = mask & ~np.pad(mask[1:-1, 1:-1] & mask[:-2, 1:-1] & mask[2:, 1:-1]
                                & mask[1:-1, :-2] & mask[1:-1, 2:], 1)
        mask &= ~(border & ragged)
    z = 200.0 + rng.random((rows, cols)) * 10.0
    floor = z - 20.0 - rng.random((rows, cols)) * 20.0
    thick = rng.random((rows, cols)) * 3.0
    azimuth = draw(st.floats(0.0, 359.0))
    return dict(mask=mask, z=z, floor=floor, thick=thick, cell=cell, azimuth=azimuth,
                k=draw(st.floats(1.0, 1.5)), width_share=draw(st.floats(0.05, 0.25)))


@SETTINGS
@given(mines())
def test_strips_tile_the_mine_and_volumes_add_up(m):
    cell, z, floor, thick, mask = m["cell"], m["z"], m["floor"], m["thick"], m["mask"]
    transform = (1000.0, cell, 0.0, 5000.0, 0.0, -cell)
    dem_max, dem_min = z + 5.0, z - 5.0
    # the along length is at least the shorter side of the mine's box
    rr, cc = np.nonzero(mask)
    span = cell * min(rr.ptp() + 1, cc.ptp() + 1)
    width = max(cell, m["width_share"] * span)
    try:
        res = delineate(z, dem_max, dem_min, floor, thick, mask, transform,
                        azimuth=m["azimuth"], strip_width=width, pit_length=2 * width,
                        k=m["k"], optimize_plan=False)
    except InputError as exc:
        # the only refusal allowed here: a pit that does not fit the mine
        assert "not shorter than the mine area" in str(exc)
        assume(False)
    plan = res.original
    length = res.frame.length
    f, mm = np.asarray(plan.f), np.asarray(plan.m)
    # disjoint and covering: edges increase; box cut [0, m0], mining strips
    # [m_n, m_n+1] up to the end; refilling strips [f_n, f_n+1] from 0 to the
    # final pit [f_N, length]
    assert f[0] == pytest.approx(0.0, abs=1e-9)
    assert np.all(np.diff(f) > 0) and np.all(np.diff(mm) > 0)
    assert mm[-1] == pytest.approx(length, rel=1e-12)
    assert np.all(mm >= f)
    cell_area = cell * cell
    supply = (m["k"] * np.maximum(z - thick - floor, 0.0) * cell_area)[mask].sum()
    fmin = (np.maximum(dem_min - floor, 0.0) * cell_area)[mask].sum()
    fmax = (np.maximum(dem_max - floor, 0.0) * cell_area)[mask].sum()
    # (oblique strips integrate a piecewise-quadratic profile: about 1e-8
    # relative rounding on these sums, so 1e-6 is the bound)
    assert res.box_cut_supply + plan.v_supply.sum() == pytest.approx(supply, rel=1e-6)
    assert plan.v_fmin.sum() + res.final_pit_fmin == pytest.approx(fmin, rel=1e-6)
    assert res.total_fmax <= fmax * (1 + 1e-9)
    assert np.all(plan.v_supply >= -1e-9) and np.all(plan.v_fmin >= -1e-9)
