"""Core hydrology (core/hydrology.py): hand-checked grids, RichDEM, independent checks.

Every expected value here is derived by hand in the test, by an independent
re-implementation written in the test (plain loops / a different vectorisation),
or by another engine (richdem2).  No QGIS.
"""
import math
import os
import sys
from collections import deque

import numpy as np
import pytest

from hpcs_landform.core import grid as gr
from hpcs_landform.core import hydrology as hy
from hpcs_landform.core.errors import InputError

DATA = os.path.join(os.path.dirname(__file__), "data")
REAL_DEMS = ["jacksboro_fault_dem_utm16n_80m.tif", "r_stars_olinda_dem_utm25s.tif",
             "landlab_hugo_site.tif", "lidar_dem_1m_crop200.tif"]

# ESRI code of each (row, col) step, written out by hand
CODE_OF = {(0, 1): 1, (1, 1): 2, (1, 0): 4, (1, -1): 8,
           (0, -1): 16, (-1, -1): 32, (-1, 0): 64, (-1, 1): 128}
STEP_OF = {v: k for k, v in CODE_OF.items()}
ORDER = [(0, 1), (1, 1), (1, 0), (1, -1), (0, -1), (-1, -1), (-1, 0), (-1, 1)]  # E..NE


def _read(name):
    return gr.read_raster(os.path.join(DATA, name))


def _richdem_fill(z):
    import richdem as rd
    nd = -9999.0
    assert not np.any(z[np.isfinite(z)] == nd)
    r = rd.rdarray(np.where(np.isfinite(z), z, nd).astype(np.float64), no_data=nd)
    out = np.array(rd.FillDepressions(r, epsilon=False), dtype=np.float64)
    out[~np.isfinite(z)] = np.nan
    return out


def _follow_to_exit(rec, n, max_steps):
    """Follow receivers from every cell in plain Python; assert no cycle."""
    for start in range(n):
        c, steps = start, 0
        while c != n:
            c = int(rec[c])
            steps += 1
            assert steps <= max_steps, f"cycle through cell {start}"


def _kahn_accumulation(rec, n):
    """Accumulation by a topological sweep (Kahn's algorithm) in plain Python."""
    indeg = [0] * n
    for c in range(n):
        if rec[c] < n:
            indeg[int(rec[c])] += 1
    acc = [1.0] * n
    queue = deque(c for c in range(n) if indeg[c] == 0)
    seen = 0
    while queue:
        c = queue.popleft()
        seen += 1
        r = int(rec[c])
        if r < n:
            acc[r] += acc[c]
            indeg[r] -= 1
            if indeg[r] == 0:
                queue.append(r)
    assert seen == n, "the receiver graph has a cycle"
    return np.array(acc)


def _slopes_stack(z, dx, dy):
    """(8, rows, cols) slope to each neighbour (E..NE), nan off-grid; written
    independently of core.hydrology with explicit index arithmetic."""
    rows, cols = z.shape
    out = np.full((8,) + z.shape, np.nan)
    diag = math.sqrt(dx * dx + dy * dy)
    for k, (dr, dc) in enumerate(ORDER):
        dist = diag if dr and dc else (dx if dr == 0 else dy)
        for r in range(rows):
            rr = r + dr
            if not 0 <= rr < rows:
                continue
            c0, c1 = max(0, -dc), min(cols, cols - dc)
            out[k, r, c0:c1] = (z[r, c0:c1] - z[rr, c0 + dc:c1 + dc]) / dist
    return out


def _interior_nonflat(z):
    """Cells off the edge, not next to nodata, with a strictly lower neighbour."""
    rows, cols = z.shape
    ok = np.zeros(z.shape, dtype=bool)
    ok[1:-1, 1:-1] = True
    fin = np.isfinite(z)
    for dr, dc in ORDER:
        sh = np.zeros(z.shape, dtype=bool)
        sh[max(0, -dr):rows - max(0, dr), max(0, -dc):cols - max(0, dc)] = \
            fin[max(0, dr):rows - max(0, -dr), max(0, dc):cols - max(0, -dc)]
        ok &= sh
    return ok & fin


# ---------------------------------------------------------------------------
# hand-checked small grids
# ---------------------------------------------------------------------------

def test_tilted_plane_directions_and_accumulation():
    rows, cols = 6, 7
    r, c = np.mgrid[0:rows, 0:cols].astype(float)
    z = 100.0 - 2.0 * r - 1.0 * c
    # interior cell: E drop 1 (slope 1), S drop 2 (slope 2), SE drop 3 over
    # sqrt(2) (slope 2.12), others rise -> SE (code 2)
    rec, codes = hy.flow_directions(z, 1.0, 1.0)
    exp_codes = np.zeros((rows, cols), dtype=np.uint8)
    exp_codes[1:-1, 1:-1] = 2
    assert np.array_equal(codes, exp_codes)
    n = rows * cols
    exp_rec = np.full(n, n)
    for i in range(1, rows - 1):
        for j in range(1, cols - 1):
            exp_rec[i * cols + j] = (i + 1) * cols + (j + 1)
    assert np.array_equal(rec, exp_rec)
    # accumulation: cell (i, j) collects itself and the diagonal chain
    # (i-k, j-k) of interior cells, k = 1 .. min(i, j) - 1
    acc = hy.accumulate(rec).reshape(rows, cols)
    exp = np.array([[1 + max(0, min(i, j) - 1) for j in range(cols)] for i in range(rows)],
                   dtype=float)
    assert np.array_equal(acc, exp)
    # a plane has no depression: filling changes nothing
    assert np.array_equal(hy.fill_depressions(z), z)


def test_non_square_cells_change_the_steepest_choice():
    rows, cols = 5, 5
    r, c = np.mgrid[0:rows, 0:cols].astype(float)
    z = 100.0 - 2.0 * r - 1.0 * c
    # dx = 1, dy = 3: E 1/1 = 1; S 2/3 = 0.667; SE 3/sqrt(10) = 0.949 -> E
    _, codes = hy.flow_directions(z, 1.0, 3.0)
    assert np.all(codes[1:-1, 1:-1] == 1)
    # dx = 3, dy = 1: E 1/3; S 2/1 = 2; SE 3/sqrt(10) = 0.949 -> S
    _, codes = hy.flow_directions(z, 3.0, 1.0)
    assert np.all(codes[1:-1, 1:-1] == 4)
    # dx = dy = 1: SE 2.12 beats S 2 -> SE
    _, codes = hy.flow_directions(z, 1.0, 1.0)
    assert np.all(codes[1:-1, 1:-1] == 2)


def test_cone_flows_radially_outward_and_accumulation_is_symmetric():
    size = 12                       # apex between the four centre cells: no tie anywhere
    r, c = np.mgrid[0:size, 0:size].astype(float)
    centre = (size - 1) / 2.0
    dist = np.hypot(r - centre, c - centre)
    z = 100.0 - dist
    rec, codes = hy.flow_directions(z, 1.0, 1.0)
    n = z.size
    inner = np.zeros(z.shape, dtype=bool)
    inner[1:-1, 1:-1] = True
    d = dist.ravel()
    cells = np.flatnonzero(inner.ravel())
    assert np.all(rec[cells] < n)
    assert np.all(d[rec[cells]] > d[cells])             # every step moves away from the apex
    # on the diagonals through the apex the step is exactly radial
    for i in range(1, size - 1):
        exp = 2 if i > centre else 32                    # SE below/right, NW above/left
        assert codes[i, i] == exp
        exp = 8 if i > centre else 128                   # anti-diagonal: SW / NE
        assert codes[i, size - 1 - i] == exp
    acc = hy.accumulate(rec).reshape(z.shape)
    assert np.array_equal(acc, acc.T)
    assert np.array_equal(acc, np.rot90(acc))
    assert np.array_equal(acc, np.fliplr(acc))
    # all interior cells end on the edge: edge cells collect the whole interior
    assert acc[~inner].sum() == z.size


def test_pit_is_filled_to_its_spill_level():
    z = np.array([[9, 9, 9, 9, 9, 9, 9],
                  [9, 8, 8, 8, 8, 8, 9],
                  [9, 8, 2, 5, 1, 4, 9],
                  [9, 8, 8, 8, 8, 8, 0],
                  [9, 9, 9, 9, 9, 9, 9]], dtype=float)
    # (2,5)=4 spills to the outlet 0 at (3,6); the pit 1 at (2,4) spills over
    # it at 4; the pit 2 at (2,2) must cross the 5 at (2,3): filled to 5
    exp = z.copy()
    exp[2, 4] = 4.0
    exp[2, 2] = 5.0
    f = hy.fill_depressions(z)
    assert np.array_equal(f, exp)
    assert np.array_equal(f, _richdem_fill(z))


def test_simple_pit_ring_spill():
    z = np.full((5, 5), 9.0)
    z[1:4, 1:4] = 5.0
    z[2, 2] = 1.0
    z[2, 4] = 8.0               # the lowest edge cell next to the pit
    exp = z.copy()
    exp[1:4, 1:4] = 8.0         # every pit cell can only leave over 8
    assert np.array_equal(hy.fill_depressions(z), exp)


def test_flat_valley_by_hand():
    # 5 x 7: a flat at 5 in rows 1-3, cols 1-5, higher ground (9) around it,
    # and a low edge of outlets at 5 in column 0 rows 1-3.
    z = np.full((5, 7), 9.0)
    z[1:4, 0:6] = 5.0
    rec, codes = hy.flow_directions(z, 1.0, 1.0)
    # Barnes: d_low(r, c) = c; high edges are rows 1 and 3 and (2, 5); so
    # d_high = 1 on (2, 1..4), 0 elsewhere, H = 1, G = 2 d_low + (H - d_high):
    # row 1/3: 2c + 1, row 2: 2c for c <= 4, 11 at (2, 5).
    noflow, g = hy.flat_gradient(z, 1.0, 1.0)
    exp_nf = np.zeros(z.shape, dtype=bool)
    exp_nf[1:4, 1:6] = True
    assert np.array_equal(noflow, exp_nf)
    exp_g = np.zeros(z.shape)
    for c in range(1, 6):
        exp_g[1, c] = exp_g[3, c] = 2 * c + 1
        exp_g[2, c] = 2 * c
    exp_g[2, 5] = 11
    assert np.array_equal(g[exp_nf], exp_g[exp_nf])
    # steepest descent of G: row 2 W (drop 2 over 1 beats 1/sqrt 2);
    # (1, c >= 2) SW (drop 3/sqrt 2 = 2.12 > W 2); (1, 1) W (drop 3 to the low edge)
    exp = np.zeros(z.shape, dtype=np.uint8)
    exp[2, 1:6] = 16
    exp[1, 1], exp[3, 1] = 16, 16
    exp[1, 2:6] = 8
    exp[3, 2:6] = 32
    assert np.array_equal(codes, exp)
    acc = hy.accumulate(rec).reshape(z.shape)
    # row 2 collects 3 cells per column from the east: 4, 7, 10, 13, then 14 on the edge
    assert [acc[2, c] for c in range(5, -1, -1)] == [1, 4, 7, 10, 13, 14]
    assert acc[1, 0] == 2 and acc[3, 0] == 2


def _check_resolved(z, dx, dy):
    """Properties every direction grid on a filled DEM must have."""
    f = hy.fill_depressions(z)
    rec, codes = hy.flow_directions(f, dx, dy)
    n = f.size
    rows, cols = f.shape
    valid = np.isfinite(f).ravel()
    inner = _interior_nonflat(np.where(np.isfinite(f), 0.0, np.nan)).ravel()  # off edge/nodata
    cells = np.flatnonzero(valid & inner)
    assert np.all(rec[cells] < n)                            # every cell gets a receiver
    assert np.all(rec[cells] != cells)
    # a receiver is an 8-neighbour, never higher; equal only on flats
    dr = rec[cells] // cols - cells // cols
    dc = rec[cells] % cols - cells % cols
    assert np.all((np.abs(dr) <= 1) & (np.abs(dc) <= 1))
    fr = f.ravel()
    assert np.all(fr[rec[cells]] <= fr[cells])
    # codes agree with the receivers
    for i, cell in enumerate(cells[:: max(1, cells.size // 2000)]):
        step = STEP_OF[int(codes.ravel()[cell])]
        assert rec[cell] == cell + step[0] * cols + step[1]
    # no cycles: pointer jumping reaches N within log2(n) + 2 doublings
    ptr = np.append(rec, n)
    for _ in range(int(math.log2(n)) + 2):
        ptr = ptr[ptr]
    assert np.all(ptr[:n] == n)
    # Barnes gradient: each flat cell drains to an equal cell of lower G
    noflow, g = hy.flat_gradient(f, dx, dy)
    nf = np.flatnonzero(noflow.ravel())
    if nf.size:
        gg = np.where(noflow, g, 0.0).ravel()
        assert np.all(fr[rec[nf]] == fr[nf])
        assert np.all(gg[rec[nf]] < gg[nf])
    return f, rec, codes, noflow


def test_plateau_and_valley_are_resolved():
    # a mesa: flat top at 20 on a cone-ish base; a flat valley floor at 5 with
    # one lower outlet on the south edge
    z = np.full((15, 15), 30.0)
    z[1:-1, 1:-1] = 10.0
    z[3:12, 3:12] = 20.0                         # plateau
    z[6:9, 6:9] = 25.0                           # a bump on the plateau
    z[1:-1, 1:3] = 5.0                           # flat valley on the west
    z[-1, 1] = 4.0                               # its outlet
    f, rec, codes, noflow = _check_resolved(z, 1.0, 1.0)
    assert noflow[5, 5] and noflow[1, 1]
    # the whole valley floor drains through the outlet (14, 1)
    n = z.size
    to_out = hy.first_downstream(rec, np.arange(n) == 14 * 15 + 1)
    valley = np.zeros(z.shape, dtype=bool)
    valley[1:-1, 1:3] = True
    assert np.all(to_out[valley.ravel()] == 14 * 15 + 1)


def test_real_flats_are_resolved():
    for name in ("lidar_dem_1m_crop200.tif", "landlab_hugo_site.tif"):
        z, g = _read(name)
        _, _, _, noflow = _check_resolved(z, g.dx, g.dy)
        assert noflow.sum() > 50                        # the test exercises real flats


def test_flat_direction_paths_agree(monkeypatch):
    # large flats choose directions by whole-grid block passes, small ones by
    # gathers on the flat cells: both must give the same receivers, and both
    # must pass the property checks
    z, g = _read("jacksboro_fault_dem_utm16n_80m.tif")
    zq = np.round(z / 25.0) * 25.0                   # integer-like DEM: large flats
    for dem in (zq, _read("lidar_dem_1m_crop200.tif")[0]):
        f = hy.fill_depressions(dem)
        out = []
        for share in (0, 10 ** 9):                   # never / always the grid passes
            monkeypatch.setattr(hy, "FLAT_GRID_SHARE", share)
            out.append(hy.flow_directions(f, 80.0, 60.0))
            _check_resolved(dem, 80.0, 60.0)
        assert np.array_equal(out[0][0], out[1][0])
        assert np.array_equal(out[0][1], out[1][1])


def _plain_flat_steps(mask, starts):
    """Steps from ``starts`` through the True cells of ``mask`` (8-adjacency),
    by a plain queue; -1 where unreachable."""
    rows, cols = mask.shape
    steps = np.full(mask.shape, -1)
    queue = deque()
    for s in starts:
        steps[divmod(int(s), cols)] = 0
        queue.append(divmod(int(s), cols))
    while queue:
        r, c = queue.popleft()
        for dr, dc in ORDER:
            rr, cc = r + dr, c + dc
            if mask[rr, cc] and steps[rr, cc] < 0:
                steps[rr, cc] = steps[r, c] + 1
                queue.append((rr, cc))
    return steps


def test_flat_bfs_matches_a_plain_queue():
    # the searches de-duplicate the frontier with the state grid as the owner
    # table; an int8 state makes the candidates outnumber its positions, which
    # takes the np.unique path
    rng = np.random.default_rng(5)
    for trial in range(6):
        mask = rng.random((30, 41)) < 0.65
        mask[[0, -1], :] = False
        mask[:, [0, -1]] = False
        nf = np.flatnonzero(mask)
        starts = nf[rng.random(nf.size) < 0.03]
        expected = _plain_flat_steps(mask, starts).ravel()[nf]
        for dtype in (np.int32, np.int8):
            state = np.where(mask.ravel(), dtype(-1), dtype(-2))
            hy._flat_bfs(state, starts, hy._flat_offsets(41))
            assert np.array_equal(state[nf].astype(np.int64), expected), (trial, dtype)


def test_chunked_gathers_agree(monkeypatch):
    # pointer jumping, basin labels, the filled DEM and the accumulation gather in
    # chunks of TAKE_CHUNK indices: many small chunks (the last one partial) must
    # give the same arrays as one chunk
    z, g = _read("jacksboro_fault_dem_utm16n_80m.tif")
    stop = np.zeros(z.size, dtype=bool)
    stop[::37] = True
    for dem in (z, hy.invert_dem(z)):
        out = []
        for chunk in (1 << 30, 997):
            monkeypatch.setattr(hy, "TAKE_CHUNK", chunk)
            f = hy.fill_depressions(dem)
            rec, codes = hy.flow_directions(f, g.dx, g.dy, compact=True)
            out.append((f, rec, codes, hy.accumulate(rec), hy.first_downstream(rec, stop)))
        for a, b in zip(*out):
            assert a.dtype == b.dtype and np.array_equal(a, b, equal_nan=a.dtype.kind == "f")


def test_nodata_holes_drain_out():
    rows, cols = 9, 9
    r, c = np.mgrid[0:rows, 0:cols].astype(float)
    z = 50.0 - r - 0.5 * c
    z[4, 4] = np.nan
    z[3, 6] = 1.0                               # a pit away from the hole: it is filled
    z[5, 5] = 1.0                               # a pit next to the hole: it drains into it
    filled, rec, codes, acc = hy.condition(z, 1.0, 1.0)
    n = z.size
    assert codes[4, 4] == 255 and rec[4 * cols + 4] == n and np.isnan(acc[4, 4])
    assert np.isnan(filled[4, 4])
    for dr, dc in ORDER:
        assert codes[4 + dr, 4 + dc] == 0
        assert rec[(4 + dr) * cols + 4 + dc] == n
    assert filled[5, 5] == 1.0                   # next to nodata: an outlet, not filled
    assert filled[3, 6] > 1.0                    # an interior pit is filled
    # its spill level by hand: the lowest of its 8 neighbours' ... paths out; the
    # plane falls to the south-east, so the pit fills to its lowest neighbour
    nb = [z[3 + dr, 6 + dc] for dr, dc in ORDER]
    assert filled[3, 6] == min(nb)
    # nothing else is a depression on the plane
    other = np.isfinite(z)
    other[3, 6] = False
    assert np.array_equal(filled[other], z[other])
    # (RichDEM treats an interior nodata hole as a wall, not an outlet, and
    # would fill (5, 5) to 41: the project's convention differs there.)


def test_exact_ties_follow_the_documented_order():
    def centre_code(nbrs):
        z = np.full((3, 3), 9.0)
        z[1, 1] = 5.0
        for (dr, dc), v in nbrs.items():
            z[1 + dr, 1 + dc] = v
        _, codes = hy.flow_directions(z, 1.0, 1.0)
        return int(codes[1, 1])
    # four cardinal neighbours at 4 (slope 1), diagonals at 9: E wins
    assert centre_code({(0, 1): 4, (1, 0): 4, (0, -1): 4, (-1, 0): 4}) == 1
    # S, W and N tie: S (before W and N)
    assert centre_code({(1, 0): 4, (0, -1): 4, (-1, 0): 4}) == 4
    # W and N tie: W
    assert centre_code({(0, -1): 4, (-1, 0): 4}) == 16
    # all four diagonals at 3 (slope 2/sqrt 2): SE
    assert centre_code({(1, 1): 3, (1, -1): 3, (-1, -1): 3, (-1, 1): 3}) == 2
    # NW and NE tie: NW
    assert centre_code({(-1, -1): 3, (-1, 1): 3}) == 32
    # N alone among equals of 8 ties
    assert centre_code({k: 4 for k in [(-1, 0)]}) == 64
    # equal slopes everywhere: with dx=dy=1 a drop of 1 cardinal vs sqrt(2) diagonal
    z = np.full((3, 3), 5.0 - 1.0)
    for dr, dc in ORDER:
        if dr and dc:
            z[1 + dr, 1 + dc] = 5.0 - math.sqrt(2.0)
    z[1, 1] = 5.0
    _, codes = hy.flow_directions(z, 1.0, 1.0)
    s = [(5.0 - z[1 + dr, 1 + dc]) / (math.sqrt(2.0) if dr and dc else 1.0) for dr, dc in ORDER]
    assert codes[1, 1] == CODE_OF[ORDER[int(np.argmax(s))]]   # first of the maxima


def test_steepest_descent_with_caller_outlets_routes_edge_cells():
    # with no outlets given, edge cells look at their in-grid neighbours
    rows, cols = 4, 5
    r, c = np.mgrid[0:rows, 0:cols].astype(float)
    z = 100.0 - 2.0 * r - 1.0 * c
    rec, k = hy.steepest_descent(z, 1.0, 1.0, outlets=np.zeros(z.shape, dtype=bool))
    # top-left corner: E 1, S 2, SE 3/sqrt 2 = 2.12 -> SE (index 1)
    assert k[0, 0] == 1 and rec[0] == 1 * cols + 1
    # bottom row: only E is lower (slope 1) -> E (index 0)
    assert np.all(k[-1, :-1] == 0)
    # right column: only S is lower -> S (index 2); the corner is a pit: itself
    assert np.all(k[:-1, -1] == 2)
    assert k[-1, -1] == -1 and rec[rows * cols - 1] == rows * cols - 1


def test_flat_gradient_with_caller_outlets_on_the_edge():
    z = np.array([[9, 9, 9, 9, 9],
                  [5, 5, 5, 5, 4],
                  [9, 9, 9, 9, 9]], dtype=float)
    out = np.zeros(z.shape, dtype=bool)
    out[1, 4] = True                     # the only outlet: the 4
    noflow, g = hy.flat_gradient(z, 1.0, 1.0, outlets=out)
    # (1, 3) drains to the 4: the low edge; (1, 0..2) are the flat, all next
    # to higher ground (d_high = 0, H = 0): G = 2 d_low = 6, 4, 2
    exp = np.zeros(z.shape, dtype=bool)
    exp[1, :3] = True
    assert np.array_equal(noflow, exp)
    assert list(g[1, :3]) == [6.0, 4.0, 2.0]
    assert np.all(g[~exp] == 0)


def test_accumulate_rejects_cycles():
    n = 4
    rec = np.array([1, 0, 3, n])                  # 0 <-> 1 never drain out
    with pytest.raises(ValueError, match="cycle"):
        hy.accumulate(rec)


@pytest.mark.parametrize("shape", [(1, 1), (1, 5), (5, 1), (2, 2), (2, 6)])
def test_grids_without_interior_cells(shape):
    # every cell is on the edge: all are outlets, nothing to fill or route
    z = np.arange(float(np.prod(shape))).reshape(shape)[::-1].copy()
    z[0, 0] = 3.5
    filled, rec, codes, acc = hy.condition(z, 1.0, 1.0)
    assert np.array_equal(filled, z)
    assert np.all(rec == z.size) and np.all(codes == 0) and np.all(acc == 1.0)


def test_check_dem_errors():
    with pytest.raises(InputError, match="2 x 5"):
        hy.check_dem(np.zeros((2, 5)))
    with pytest.raises(InputError, match="no valid cells"):
        hy.check_dem(np.full((5, 5), np.nan))
    with pytest.raises(InputError, match="flat"):
        hy.check_dem(np.full((5, 5), 3.0))
    with pytest.raises(InputError, match="2-D"):
        hy.check_dem(np.zeros(10))
    z = np.full((5, 5), np.nan)
    z[0, :4] = [1, 2, 3, 4]
    with pytest.raises(InputError, match="only 4 valid"):
        hy.check_dem(z)
    hy.check_dem(np.arange(9.0).reshape(3, 3))          # the smallest usable DEM


# ---------------------------------------------------------------------------
# real DEMs against independent computations
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", REAL_DEMS)
def test_fill_equals_richdem(name):
    z, _ = _read(name)
    f = hy.fill_depressions(z)
    rd = _richdem_fill(z)
    assert np.array_equal(f, rd, equal_nan=True)
    if name.startswith("lidar"):
        assert np.nanmax(f - z) > 5.0          # large closed depressions were filled


@pytest.mark.parametrize("name", REAL_DEMS)
def test_d8_equals_direct_steepest_slope(name):
    z, g = _read(name)
    f = hy.fill_depressions(z)
    _, codes = hy.flow_directions(f, g.dx, g.dy)
    s = _slopes_stack(f, g.dx, g.dy)
    best = np.nanmax(np.where(np.isnan(s), -np.inf, s), axis=0)
    ok = _interior_nonflat(f) & (best > 0)
    k = np.argmax(np.where(np.isnan(s), -np.inf, s), axis=0)       # first maximum
    exp = np.array([CODE_OF[o] for o in ORDER], dtype=np.uint8)[k]
    assert ok.sum() > 0.5 * np.isfinite(f).sum()
    assert np.array_equal(codes[ok], exp[ok])


def test_d8_non_square_real_dem():
    z, g = _read("r_stars_olinda_dem_utm25s.tif")
    f = hy.fill_depressions(z)
    dx, dy = 90.0, 30.0
    _, codes = hy.flow_directions(f, dx, dy)
    s = _slopes_stack(f, dx, dy)
    sm = np.where(np.isnan(s), -np.inf, s)
    ok = _interior_nonflat(f) & (sm.max(axis=0) > 0)
    exp = np.array([CODE_OF[o] for o in ORDER], dtype=np.uint8)[np.argmax(sm, axis=0)]
    assert np.array_equal(codes[ok], exp[ok])
    _, codes_sq = hy.flow_directions(f, 90.0, 90.0)
    assert np.any(codes_sq[ok] != codes[ok])      # the cell shape matters


@pytest.mark.parametrize("name", REAL_DEMS)
def test_accumulation_equals_topological_sweep(name):
    z, g = _read(name)
    f = hy.fill_depressions(z)
    rec, _ = hy.flow_directions(f, g.dx, g.dy)
    acc = hy.accumulate(rec)
    assert np.array_equal(acc, _kahn_accumulation(rec, rec.size))
    w = np.linspace(0.5, 2.0, rec.size)
    accw = hy.accumulate(rec, weights=w)
    # weighted: by the same sweep, with weights
    order = hy.topological_order(rec)
    exp = w.copy()
    for c in order[::-1]:
        if rec[c] < rec.size:
            exp[rec[c]] += exp[c]
    assert np.allclose(accw, exp, rtol=1e-12, atol=0)


def test_receivers_from_codes_round_trip():
    z, g = _read("landlab_hugo_site.tif")
    filled, rec, codes, _ = hy.condition(z, g.dx, g.dy)
    assert np.array_equal(hy.receivers_from_codes(codes), rec)


def test_rotation_by_90_degrees():
    z, g = _read("jacksboro_fault_dem_utm16n_80m.tif")
    rows, cols = z.shape
    f0, rec0, codes0, acc0 = hy.condition(z, g.dx, g.dy)
    zr = np.rot90(z)                                 # counter-clockwise
    f1, rec1, codes1, acc1 = hy.condition(zr, g.dy, g.dx)
    assert np.array_equal(f1, np.rot90(f0))
    # a step (dr, dc) becomes (-dc, dr) after np.rot90
    rot_code = {CODE_OF[(dr, dc)]: CODE_OF[(-dc, dr)] for dr, dc in ORDER}
    rot_code[0], rot_code[255] = 0, 255
    mapped = np.vectorize(rot_code.get, otypes=[np.uint8])(np.rot90(codes0))
    s = _slopes_stack(f0, g.dx, g.dy)
    sm = np.sort(np.where(np.isnan(s), -np.inf, s), axis=0)
    untied = _interior_nonflat(f0) & (sm[-1] > 0) & (sm[-1] != sm[-2])
    assert untied.sum() > 0.5 * z.size
    assert np.array_equal(codes1[np.rot90(untied)], mapped[np.rot90(untied)])
    # directions may differ only on flats and exact ties (the tie-breaking order)
    differ = codes1 != mapped
    noflow0, _ = hy.flat_gradient(f0, g.dx, g.dy)
    tied = np.isfinite(f0) & (sm[-1] == sm[-2])
    assert np.all(np.rot90(noflow0 | tied)[differ])
    # accumulation is the rotated one wherever no differing cell is upstream
    up1 = hy.accumulate(rec1, weights=differ.ravel().astype(float)).reshape(differ.shape)
    back = np.rot90(differ, -1).ravel().astype(float)          # the same cells, unrotated
    up0 = np.rot90(hy.accumulate(rec0, weights=back).reshape(z.shape))
    clean = (up0 == 0) & (up1 == 0)
    assert clean.sum() > 0.9 * z.size
    assert np.array_equal(acc1[clean], np.rot90(acc0)[clean])


# ---------------------------------------------------------------------------
# flow-tree helpers, links and catchments
# ---------------------------------------------------------------------------

def _hand_network():
    """A 4 x 5 grid (n = 20) with receivers given by hand (not from a DEM).

    channel: 0->1->2<-3<-4, 2->7->8->out, 12->7, 16->15 (off-network), 19->out
    other:   5->0, 6->5, 9->4, 10->out, 11->12, 13->11, 14->8, 15->14,
             17->2, 18->19
    """
    n = 20
    rec = np.array([1, 2, 7, 2, 3,
                    0, 5, 8, n, 4,
                    n, 12, 7, 11, 8,
                    14, 15, 2, 19, n])
    ch = np.zeros(n, dtype=bool)
    ch[[0, 1, 2, 3, 4, 7, 8, 12, 16, 19]] = True
    return rec, ch


def test_channel_links_and_catchments_by_hand():
    rec, ch = _hand_network()
    link, catch = hy.channel_links(rec, ch)
    # junctions: 2 (fed by 1 and 3) and 7 (fed by 2 and 12).
    # link ends: receiver a junction (1, 3, 2, 12), out of grid (8, 19), or
    # off the channels (16) -> in row-major order 1, 2, 3, 8, 12, 16, 19 = ids 1..7
    exp_link = np.zeros(20, dtype=int)
    exp_link[[0, 1]] = 1
    exp_link[2] = 2
    exp_link[[3, 4]] = 3
    exp_link[[7, 8]] = 4
    exp_link[12] = 5
    exp_link[16] = 6
    exp_link[19] = 7
    assert np.array_equal(link, exp_link)
    exp_catch = exp_link.copy()
    exp_catch[[5, 6]] = 1        # 6->5->0
    exp_catch[9] = 3             # 9->4
    exp_catch[10] = 0            # leaves the grid without a channel
    exp_catch[[11, 13]] = 5      # 13->11->12
    exp_catch[[14, 15]] = 4      # 15->14->8
    exp_catch[17] = 2            # 17->2
    exp_catch[18] = 7            # 18->19
    assert np.array_equal(catch, exp_catch)


def test_first_downstream_and_topological_order():
    rec, ch = _hand_network()
    n = rec.size
    fd = hy.first_downstream(rec, ch)
    for c in range(n):                                  # plain walk
        x = c
        while x != n and not ch[x]:
            x = rec[x]
        assert fd[c] == x
    z, g = _read("landlab_hugo_site.tif")
    _, rec, _, _ = hy.condition(z, g.dx, g.dy)
    n = rec.size
    order = hy.topological_order(rec)
    assert np.array_equal(np.sort(order), np.arange(n))   # a permutation of the cells
    pos = np.empty(n, dtype=np.int64)
    pos[order] = np.arange(n)
    inside = rec < n
    assert np.all(pos[rec[inside]] < pos[inside])          # receivers come first
    stop = np.zeros(n, dtype=bool)
    stop[::7] = True
    fd = hy.first_downstream(rec, stop)
    for c in range(0, n, 3):
        x = c
        while x != n and not stop[x]:
            x = rec[x]
        assert fd[c] == x
    _follow_to_exit(rec, n, n)


def test_downstream_distance():
    n = 9
    rec = np.array([1, 5, n, 4, 8, 8, 3, 4, n])      # 3 x 3
    d = hy.downstream_distance(rec, 2.0, 3.0, (3, 3))
    exp = [2.0, math.hypot(2, 3), 0, 2.0, math.hypot(2, 3), 3.0, 3.0, 3.0, 0]
    assert np.allclose(d, exp)


def test_core_does_not_import_qgis():
    import subprocess
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    code = ("import sys, types; pkg = types.ModuleType('hpcs_landform'); "
            "pkg.__path__ = [%r]; sys.modules['hpcs_landform'] = pkg; "
            "import hpcs_landform.core.hydrology, hpcs_landform.core.threshold; "
            "bad = [m for m in sys.modules if m.startswith(('qgis', 'PyQt'))]; "
            "assert not bad, bad" % root)
    subprocess.run([sys.executable, "-c", code], check=True)
