"""Raster hydrology on a D8 grid, vectorised with numpy/scipy.

Conventions (docs/method.md, section 1):

* Elevations are float64 arrays with ``nan`` for nodata.
* Cells on the grid edge and cells next to a nodata cell are *outlets*: they
  drain out of the grid (ESRI code 0).
* Receivers are flat indices into ``z.ravel()``; the value ``N = z.size`` means
  "out of the grid" (outlets and nodata cells).
* D8 by steepest slope: drop / distance, with the real cell width ``dx`` and
  height ``dy``; a diagonal is ``hypot(dx, dy)`` long.  Ties go to the first
  neighbour in ESRI code order: E, SE, S, SW, W, NW, N, NE.
* ESRI codes: 1 E, 2 SE, 4 S, 8 SW, 16 W, 32 NW, 64 N, 128 NE, 0 out of grid.

The expensive graph steps run in scipy's compiled code (breadth-first order,
connected components, minimum spanning tree); the rest is whole-array numpy.
Paths along the flow tree are followed by pointer jumping (``ptr = ptr[ptr]``),
so a path of length L costs log2(L) array passes instead of a Python loop, or
swept level by level in breadth-first order (accumulation).  Flat indices are
int32 while N + 1 < 2^31; the 8-neighbour loops run over cache-sized row
blocks, and whole-grid gathers on int32 indices over chunks of them (numpy
copies int32 indices to intp before gathering).  benchmarks/README.md has
the timings against RichDEM.
"""
import numpy as np
from scipy import ndimage, sparse
from scipy.sparse import csgraph

from .errors import InputError, as_progress

#: (row offset, column offset) of the 8 neighbours in ESRI code order.
OFFSETS = ((0, 1), (1, 1), (1, 0), (1, -1), (0, -1), (-1, -1), (-1, 0), (-1, 1))
#: ESRI/ArcGIS direction codes in the same order.
CODES = np.array([1, 2, 4, 8, 16, 32, 64, 128], dtype=np.uint8)
#: Four "forward" neighbours; with their opposites they give every 8-adjacency once.
HALF_OFFSETS = OFFSETS[:4]


def neighbour_distances(dx, dy):
    """Distance in metres to each of the 8 neighbours (ESRI order)."""
    diag = float(np.hypot(dx, dy))
    return np.array([dx, diag, dy, diag, dx, diag, dy, diag], dtype=np.float64)


def _padded(a, fill):
    p = np.empty((a.shape[0] + 2, a.shape[1] + 2), dtype=a.dtype)
    p[...] = fill
    p[1:-1, 1:-1] = a
    return p


def _view(padded, dr, dc):
    """View of the neighbour at (dr, dc) for every cell of the unpadded grid."""
    rows, cols = padded.shape[0] - 2, padded.shape[1] - 2
    return padded[1 + dr:1 + dr + rows, 1 + dc:1 + dc + cols]


def _pairs(shape, dr, dc):
    """Flat indices (a, b) of every pair of cells b = a + (dr, dc) inside the grid."""
    rows, cols = shape
    idx = np.arange(rows * cols, dtype=np.int64).reshape(shape)
    r0, r1 = max(0, -dr), rows - max(0, dr)
    c0, c1 = max(0, -dc), cols - max(0, dc)
    a = idx[r0:r1, c0:c1]
    b = idx[r0 + dr:r1 + dr, c0 + dc:c1 + dc]
    return a.ravel(), b.ravel()


def valid_mask(z):
    return np.isfinite(z)


def outlet_mask(z):
    """Valid cells on the grid edge or next to a nodata cell (they drain out)."""
    valid = np.isfinite(z)
    out = np.zeros(valid.shape, dtype=bool)
    out[[0, -1], :] = True
    out[:, [0, -1]] = True
    if not valid.all():
        out |= ndimage.binary_dilation(~valid, structure=np.ones((3, 3), dtype=bool))
    out &= valid
    return out


def check_dem(z, what="the DEM"):
    """Stop with a clear message on inputs no hydrology can be computed on."""
    if z.ndim != 2:
        raise InputError(f"{what} must be a single-band 2-D raster.")
    rows, cols = z.shape
    if rows < 3 or cols < 3:
        raise InputError(
            f"{what} is only {rows} x {cols} cells; flow routing needs at least 3 x 3 cells "
            "(one interior cell). Use a larger raster or a finer cell size.")
    valid = np.isfinite(z)
    nvalid = int(valid.sum())
    if nvalid == 0:
        raise InputError(f"{what} has no valid cells (every cell is nodata). "
                         "Check the band and the nodata value.")
    if nvalid < 9:
        raise InputError(f"{what} has only {nvalid} valid cells; at least 9 are needed.")
    zmin, zmax = float(np.nanmin(z)), float(np.nanmax(z))   # no copy of the valid cells
    if not (np.isfinite(zmin) and np.isfinite(zmax)):       # +-inf cells: leave them out
        zmin, zmax = float(z[valid].min()), float(z[valid].max())
    if zmax == zmin:
        raise InputError(
            f"{what} is flat (every valid cell is {zmin:g}); there is no relief "
            "to route water over. Check that the right raster and band were chosen.")


# --------------------------------------------------------------------------
# D8 steepest descent
# --------------------------------------------------------------------------

def _index_dtype(n):
    """int32 flat indices (half the memory and bandwidth) when N + 1 fits."""
    return np.int32 if n + 1 < 2 ** 31 else np.int64


def _flat_offsets(cols, dtype=np.int64):
    """Flat-index offsets of the 8 neighbours (ESRI order)."""
    return np.array([dr * cols + dc for dr, dc in OFFSETS], dtype=dtype)


#: cells per row block in the neighbour loops: the temporaries of a block stay
#: in the CPU cache, which makes those loops 2-3x faster than whole-grid passes
BLOCK_CELLS = 1 << 15


def _row_blocks(rows, cols):
    """(r0, r1) row ranges covering the interior rows 1 .. rows - 2."""
    step = max(1, BLOCK_CELLS // max(cols, 1))
    for r0 in range(1, rows - 1, step):
        yield r0, min(rows - 1, r0 + step)


def _steepest_k(z, dx, dy):
    """Direction index (0..7) of the steepest strictly positive slope
    (z - z_k) / d_k of every interior cell, -1 where no neighbour is lower;
    -1 on the edge ring.  Ties keep the first direction in ESRI order."""
    rows, cols = z.shape
    kbest = np.full(z.shape, -1, dtype=np.int8)
    if rows < 3 or cols < 3:
        return kbest
    dist = neighbour_distances(dx, dy)
    step = max(1, BLOCK_CELLS // cols)
    best_ = np.empty((step, cols - 2), dtype=np.float64)
    tmp_ = np.empty((step, cols - 2), dtype=np.float64)
    better_ = np.empty((step, cols - 2), dtype=bool)
    with np.errstate(invalid="ignore"):
        for r0, r1 in _row_blocks(rows, cols):
            h = r1 - r0
            best, tmp, better = best_[:h], tmp_[:h], better_[:h]
            best[...] = 0.0                     # only strictly positive slopes count
            zc = z[r0:r1, 1:-1]
            kc = kbest[r0:r1, 1:-1]
            for k, (dr, dc) in enumerate(OFFSETS):
                np.subtract(zc, z[r0 + dr:r1 + dr, 1 + dc:cols - 1 + dc], out=tmp)
                np.divide(tmp, dist[k], out=tmp)
                np.greater(tmp, best, out=better)      # nan compares False
                np.copyto(best, tmp, where=better)
                np.copyto(kc, k, where=better)
    return kbest


def _steepest_k_padded(z, dist):
    """_steepest_k for every cell of a small array (nan beyond its edge)."""
    zp = _padded(z, np.nan)
    best = np.zeros(z.shape, dtype=np.float64)
    kbest = np.full(z.shape, -1, dtype=np.int8)
    with np.errstate(invalid="ignore"):
        for k, (dr, dc) in enumerate(OFFSETS):
            tmp = (z - _view(zp, dr, dc)) / dist[k]
            better = tmp > best
            best[better] = tmp[better]
            kbest[better] = k
    return kbest


def _steepest_k_all(z, dx, dy):
    """_steepest_k including the edge ring (edge cells look at their
    neighbours inside the grid only)."""
    rows, cols = z.shape
    dist = neighbour_distances(dx, dy)
    if rows < 3 or cols < 3:
        return _steepest_k_padded(z, dist)
    kbest = _steepest_k(z, dx, dy)
    kbest[0, :] = _steepest_k_padded(z[:2, :], dist)[0]
    kbest[-1, :] = _steepest_k_padded(z[-2:, :], dist)[-1]
    kbest[:, 0] = _steepest_k_padded(z[:, :2], dist)[:, 0]
    kbest[:, -1] = _steepest_k_padded(z[:, -2:], dist)[:, -1]
    return kbest


def _lookup(k, table, out=None, chunk=1 << 20):
    """table[k + 1] for direction indices k (int8, -1..7), in chunks (no
    full-size index temporaries)."""
    kr = k.ravel()
    if out is None:
        out = np.empty(kr.size, dtype=table.dtype)
    for s in range(0, kr.size, chunk):
        e = min(kr.size, s + chunk)
        idx = kr[s:e].astype(np.intp)
        idx += 1
        table.take(idx, out=out[s:e])
    return out


def _receivers_from_k(k, n, cols, dtype=np.int64, out=None):
    """Receivers from direction indices (-1 = out of the grid: N)."""
    tab = np.zeros(9, dtype=dtype)
    tab[0] = n
    tab[1:] = _flat_offsets(cols, dtype)
    rec = _lookup(k, tab, out)
    kr = k.ravel()
    for s in range(0, n, 1 << 20):                 # rec = index + offset, N where k < 0
        e = min(n, s + (1 << 20))
        part = rec[s:e]
        np.add(part, np.arange(s, e, dtype=dtype), out=part, where=kr[s:e] >= 0)
    return rec


def steepest_descent(z, dx, dy, outlets=None, equal_fallback=False):
    """Steepest-slope D8 receiver of every cell.

    Returns (receivers, direction index 0..7 or -1).  Receivers are flat
    indices; ``N`` for outlets and nodata; the cell itself where no neighbour
    is strictly lower (pit or flat).  With ``equal_fallback`` such a cell links
    to its first equal-elevation neighbour instead (used to merge flats).
    """
    z = np.asarray(z, dtype=np.float64)
    rows, cols = z.shape
    n = z.size
    valid = np.isfinite(z)
    if outlets is None:
        outlets = outlet_mask(z)
    kbest = _steepest_k_all(z, dx, dy)
    sink = outlets | ~valid
    kbest[sink] = -1
    klink = kbest
    if equal_fallback:
        klink = kbest.copy()
        zp = _padded(z, np.nan)
        for k, (dr, dc) in enumerate(OFFSETS):
            eq = (klink == -1) & (z == _view(zp, dr, dc)) & ~sink
            klink[eq] = k
    rec = _receivers_from_k(klink, n, cols)
    pits = (klink.ravel() < 0) & ~sink.ravel()
    rec[pits] = np.flatnonzero(pits)
    return rec, kbest


# --------------------------------------------------------------------------
# Depression filling
# --------------------------------------------------------------------------

def _lowest_k(z):
    """Direction index of the lowest strictly lower neighbour of every
    interior cell (-1 when none is lower, and on the edge ring)."""
    rows, cols = z.shape
    kmin = np.full(z.shape, -1, dtype=np.int8)
    if rows < 3 or cols < 3:
        return kmin
    step = max(1, BLOCK_CELLS // cols)
    zmin_ = np.empty((step, cols - 2), dtype=np.float64)
    lower_ = np.empty((step, cols - 2), dtype=bool)
    for r0, r1 in _row_blocks(rows, cols):
        h = r1 - r0
        zmin, lower = zmin_[:h], lower_[:h]
        zmin[...] = z[r0:r1, 1:-1]
        kc = kmin[r0:r1, 1:-1]
        for k, (dr, dc) in enumerate(OFFSETS):
            zn = z[r0 + dr:r1 + dr, 1 + dc:cols - 1 + dc]
            np.less(zn, zmin, out=lower)               # nan compares False
            np.copyto(zmin, zn, where=lower)
            np.copyto(kc, k, where=lower)
    return kmin


#: indices per chunk of a whole-array gather: numpy converts int32 indices to
#: intp, and a chunk's converted copy stays in the CPU cache (2x faster)
TAKE_CHUNK = 1 << 16


def _gather(a, idx, out):
    """out[:] = a[idx] (1-D), chunk by chunk."""
    for s in range(0, idx.size, TAKE_CHUNK):
        np.take(a, idx[s:s + TAKE_CHUNK], out=out[s:s + TAKE_CHUNK])
    return out


def _scatter(out, idx, vals):
    """out[idx] = vals (1-D), chunk by chunk."""
    for s in range(0, idx.size, TAKE_CHUNK):
        out[idx[s:s + TAKE_CHUNK]] = vals[s:s + TAKE_CHUNK]
    return out


def _jump(ptr, out):
    """out = ptr[ptr], chunk by chunk; returns how many entries differ from ptr."""
    moved = 0
    for s in range(0, ptr.size, TAKE_CHUNK):
        p, o = ptr[s:s + TAKE_CHUNK], out[s:s + TAKE_CHUNK]
        np.take(ptr, p, out=o)
        moved += np.count_nonzero(o != p)
    return moved


def _roots(ptr, copy=True):
    """Follow ``ptr`` (a forest whose roots point to themselves) to the roots,
    by pointer jumping: log2(longest path) gathers, into a reused buffer
    (``copy=False``: ``ptr`` itself is used as one of the two buffers).
    Whole-array jumps (in chunks: :func:`_jump`) run while more than 1/8 of
    the cells still move; the last, few cells then jump in place on their own
    (an index list costs several whole-array operations per round; switching
    at 1/4 or 1/8 measures the same, at 1/16 or 1/32 slower)."""
    if copy:
        ptr = ptr.copy()
    buf = np.empty_like(ptr)
    while True:
        moved = _jump(ptr, buf)
        ptr, buf = buf, ptr
        if moved * 8 <= ptr.size:
            break
    _jump(ptr, buf)
    act = np.flatnonzero(buf != ptr)
    del buf
    while act.size:
        nxt = ptr.take(ptr.take(act))
        ptr[act] = nxt
        act = act[ptr.take(nxt) != nxt]
    return ptr


class _Basins:
    """Descent basins of a DEM (state of :func:`fill_depressions`).

    label: basin id of every cell (2-D, 0 = the outside: outlets, nodata and
    every cell that descends to them; 1..nbas: the pits' basins); ncomp =
    nbas + 1 basins in all.  ``progress``: the fill's progress callback.
    """

    def __init__(self, z, progress):
        self.z = z
        self.progress = progress
        self.label, self.ncomp = self._label(z)

    def _label(self, z):
        """Each cell linked to its lowest strictly lower neighbour; pointer
        jumping finds its pit; touching pits are one basin."""
        rows, cols = z.shape
        n = z.size
        it = _index_dtype(n)
        sink = outlet_mask(z)
        sink |= ~np.isfinite(z)                      # outlets and nodata drain out
        kmin = _lowest_k(z)
        kmin[sink] = -1
        pit = kmin < 0
        pit &= ~sink
        del sink
        # descent forest on N + 1 nodes (node N = outside); pits point to themselves
        ptr = np.empty(n + 1, dtype=it)
        _receivers_from_k(kmin, n, cols, it, out=ptr[:n])
        pits = np.flatnonzero(pit)
        ptr[pits] = pits
        ptr[n] = n
        del kmin, pits
        self.progress(15)
        root = _roots(ptr, copy=False)
        del ptr
        self.progress(40)
        # basin ids: touching pits are one basin (adjacent pits have the same
        # elevation, as neither is lower than the other): 8-connected components
        # of the pit mask, 1..nbas; the outside (and nodata) is basin 0
        lut = np.empty(n + 1, dtype=it)
        nbas = ndimage.label(pit, structure=np.ones((3, 3), dtype=bool),
                             output=lut[:n].reshape(z.shape))
        lut[n] = 0
        del pit
        label = _gather(lut, root[:n], np.empty(n, dtype=it)).reshape(z.shape)
        return label, nbas + 1

    def passes(self):
        """(lo, hi, w): every pair of adjacent basins lo < hi and its lowest
        pass w = min over adjacent cells a, b of max(z_a, z_b).  On the flat
        index the E, SE, S, SW neighbours are +1, +cols+1, +cols, +cols-1;
        pairs that wrap around a row join two edge cells, both in the outside
        basin, so they drop out with the equal labels, as do pairs with nodata
        (also outside)."""
        cols = self.z.shape[1]
        zr = self.z.ravel()
        lab = self.label.ravel()
        n = lab.size
        ca, cb, cw = [lab[:0]], [lab[:0]], [zr[:0]]
        for off in (1, cols + 1, cols, cols - 1):
            if not 0 < off < n:
                continue
            a = np.flatnonzero(lab[:n - off] != lab[off:])
            b = a + off
            ca.append(lab.take(a)); cb.append(lab.take(b))
            cw.append(np.maximum(zr.take(a), zr.take(b)))
        ca = np.concatenate(ca).astype(np.int64)
        cb = np.concatenate(cb).astype(np.int64)
        cw = np.concatenate(cw)
        ok = ~np.isnan(cw)
        if not ok.all():                         # (cannot happen: nodata is outside)
            ca, cb, cw = ca[ok], cb[ok], cw[ok]
        if not ca.size:
            return None
        ncomp = np.int64(self.ncomp)
        key = np.minimum(ca, cb) * ncomp + np.maximum(ca, cb)
        del ca, cb
        order = np.argsort(key)                # group the pairs of each basin pair
        key, cw = key[order], cw[order]
        starts = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1])))
        cw = np.minimum.reduceat(cw, starts)   # the lowest pass of each pair
        key = key[starts]
        return key // ncomp, key % ncomp, cw

    def spill(self):
        """Spill level of every basin (-inf for the outside): the minimax pass
        on the path to the outside in the minimum spanning tree of the basin
        graph (edge weights: the exact ranks of the lowest passes)."""
        ncomp = self.ncomp
        spill = np.full(ncomp, -np.inf)
        pairs = self.passes()
        if pairs is None:
            return spill
        lo, hi, cw = pairs
        levels, rank = np.unique(cw, return_inverse=True)
        w = rank.astype(np.float64) + 1.0      # positive: the MST only compares them
        self.progress(65)
        graph = sparse.csr_matrix((w, (lo, hi)), shape=(ncomp, ncomp))
        mst = csgraph.minimum_spanning_tree(graph).tocoo()
        del graph
        order, pred = csgraph.breadth_first_order(mst, 0, directed=False,
                                                  return_predecessors=True)
        # weight of the tree edge from each basin to its predecessor
        wpred = np.full(ncomp, -1, dtype=np.int64)   # rank index; -1 = none
        u, v, r = mst.row, mst.col, mst.data.astype(np.int64) - 1
        vu = pred[v] == u
        wpred[v[vu]] = r[vu]
        wpred[u[~vu]] = r[~vu]
        ptr = np.where(pred < 0, np.arange(ncomp), pred)
        val = wpred
        while True:                                   # max along the tree path
            val = np.maximum(val, val[ptr])
            nxt = ptr[ptr]
            if np.array_equal(nxt, ptr):
                break
            ptr = nxt
        spill = np.where(val >= 0, levels[np.maximum(val, 0)], -np.inf)
        spill[0] = -np.inf                            # the outside
        return spill


def fill_depressions(z, progress=None):
    """Fill every depression to its spill level (no gradient is imposed).

    The result is the unique surface a priority-flood (Barnes et al. 2014,
    epsilon = 0) gives: every cell is raised to the lowest level at which water
    can leave the grid, ``fill(c) = min over paths c -> outside of the highest
    cell on the path`` (edges and nodata neighbours are the outside).

    Method (exact, no iteration): cells are grouped into descent basins, each
    cell linked to its lowest strictly lower neighbour (pointer jumping finds
    the basin's pit; equal-elevation pits are merged); the minimax problem is
    then solved on the much smaller graph of basins, whose edge weight is the
    lowest pass max(z_a, z_b) between two basins, by a minimum spanning tree
    (:class:`_Basins`).  For a cell c of basin B, fill(c) = max(z(c),
    spill(B)), because the descent path from c to B's pit never rises above
    z(c).
    """
    progress = as_progress(progress)
    z = np.asarray(z, dtype=np.float64)
    basins = _Basins(z, progress)
    progress(55)
    spill = basins.spill()
    progress(90)
    filled = np.empty(z.shape)                        # nan stays nan in the maximum
    _gather(spill, basins.label.ravel(), filled.ravel())
    del basins
    np.maximum(z, filled, out=filled)
    progress(100)
    return filled


# --------------------------------------------------------------------------
# Flats (Barnes, Lehman & Mulla 2014)
# --------------------------------------------------------------------------

def _flat_bfs(state, start, offs, on_level=None):
    """Steps through the flat cells (8-adjacency) from a start set.

    state: int32 (N,) grid, -1 on flat cells, -2 elsewhere; on return the flat
    cells hold their steps from ``start`` (flat indices, step 0), -1 where
    unreachable.  Level-synchronous: each level gathers the 8 neighbours of the
    frontier, keeps the flat cells not reached yet and de-duplicates them in
    O(size), ``state`` itself being the owner table (each candidate writes its
    position; the cells of the next frontier are then overwritten with their
    step).  ``on_level(d, cells)`` is called per level.
    Adjacent flat cells always have the same elevation (a flat cell has no
    lower neighbour), so no elevation test is needed inside the flats.
    """
    count = np.arange(0, dtype=state.dtype)          # 0, 1, 2, ...: grown as needed
    front = start
    d = 0
    while front.size:
        state[front] = d
        if on_level is not None:
            on_level(d, front)
        d += 1
        cand = (front[:, None] + offs[None, :]).ravel()
        cand = cand[state.take(cand) == -1]
        if cand.size > np.iinfo(state.dtype).max:     # positions would not fit
            front = np.unique(cand)
            continue
        if cand.size > count.size:
            count = np.arange(max(cand.size, 2 * count.size), dtype=state.dtype)
        pos = count[:cand.size]
        state[cand] = pos
        front = cand[state.take(cand) == pos]
    return state


def _flat_cells(z, noflow):
    """Barnes gradient on the flat cells.

    ``noflow``: valid, non-outlet cells without a lower neighbour (they must
    not lie on the grid edge: all 8 neighbours exist).  Returns (flat indices
    of the m noflow cells (sorted), their gradient G, neighbour flat-index
    offsets).  Breadth-first searches on the grid itself: no graph is built.
    """
    cols = z.shape[1]
    zr = z.ravel()
    nfr = noflow.ravel()
    nf = np.flatnonzero(nfr)
    offs = _flat_offsets(cols, nf.dtype)
    zc = zr.take(nf)
    high_edge = np.zeros(nf.size, dtype=bool)
    low_next = np.zeros(nf.size, dtype=bool)
    for k in range(8):
        j = nf + offs[k]
        zj = zr.take(j)
        high_edge |= zj > zc
        # next to a low edge: an equal cell that drains (is not flat)
        low_next |= (zj == zc) & ~nfr.take(j)
    del zc, zj, j
    state = np.where(nfr, np.int32(-1), np.int32(-2))
    _flat_bfs(state, nf[low_next], offs)
    d_low = state.take(nf)
    if np.any(d_low < 0):
        raise RuntimeError("a flat has no outlet; fill the DEM first")
    # flats: connected sets of flat cells (labels 1..); H = the last step of
    # the search from the high edges that reaches each flat
    lab, nlab = ndimage.label(noflow, structure=np.ones((3, 3), dtype=bool))
    lab = lab.ravel()
    height = np.zeros(nlab + 1)

    def _top(d, cells):
        height[lab.take(cells)] = d              # levels only grow: the last is the max

    state[nf] = -1
    _flat_bfs(state, nf[high_edge], offs, _top)
    d_high = state.take(nf)
    del state
    away = np.where(d_high >= 0, height.take(lab.take(nf)) - d_high, 0.0)
    grad = 2.0 * (d_low + 1.0) + away
    return nf, grad, offs


def flat_gradient(filled, dx, dy, outlets=None):
    """Barnes et al. (2014) flat mask: the surface water follows across flats.

    Returns (noflow mask, gradient G) where G is defined on flat cells:
    G = 2 * d_low + (H - d_high), d_low the steps to the nearest low edge (a
    cell of the flat's elevation that already drains), d_high the steps from
    the nearest high edge (a flat cell next to higher ground), H the largest
    d_high of that flat.  Every flat cell has a neighbour in its flat with a
    strictly lower G, so flow always leaves the flat, towards lower ground
    and away from higher ground.  G is 0 off the flats; None when there are
    no flats.
    """
    z = np.asarray(filled, dtype=np.float64)
    valid = np.isfinite(z)
    if outlets is None:
        outlets = outlet_mask(z)
    noflow = (_steepest_k_all(z, dx, dy) < 0) & valid & ~outlets
    if not noflow.any():
        return noflow, None
    ring = np.zeros(z.shape, dtype=bool)
    ring[[0, -1], :] = True
    ring[:, [0, -1]] = True
    if (noflow & ring).any():
        # caller's outlets leave flat cells on the edge: work on a grid padded with nodata
        zp, nfp = _padded(z, np.nan), _padded(noflow, False)
        nf, g, *_ = _flat_cells(zp, nfp)
        grad = np.zeros(zp.shape)
        grad.ravel()[nf] = g
        return noflow, np.ascontiguousarray(grad[1:-1, 1:-1])
    nf, g, *_ = _flat_cells(z, noflow)
    grad = np.zeros(z.size)
    grad[nf] = g
    return noflow, grad.reshape(z.shape)


#: flats covering more than 1 / FLAT_GRID_SHARE of the grid choose their
#: directions by whole-grid block passes instead of gathers
FLAT_GRID_SHARE = 8


def _flat_directions_grid(z, g, dist):
    """Direction index of the steepest descent of G (``g``, 0 off the flats)
    towards an equal neighbour, for the interior flat cells; -1 elsewhere."""
    rows, cols = z.shape
    kf = np.full(z.shape, -1, dtype=np.int8)
    step = max(1, BLOCK_CELLS // cols)
    best_ = np.empty((step, cols - 2))
    tmp_ = np.empty((step, cols - 2))
    better_ = np.empty((step, cols - 2), dtype=bool)
    eq_ = np.empty((step, cols - 2), dtype=bool)
    with np.errstate(invalid="ignore"):
        for r0, r1 in _row_blocks(rows, cols):
            h = r1 - r0
            best, tmp, better, eq = best_[:h], tmp_[:h], better_[:h], eq_[:h]
            best[...] = 0.0
            zc, gc = z[r0:r1, 1:-1], g[r0:r1, 1:-1]
            kc = kf[r0:r1, 1:-1]
            for k, (dr, dc) in enumerate(OFFSETS):
                rs, cs = slice(r0 + dr, r1 + dr), slice(1 + dc, cols - 1 + dc)
                np.subtract(gc, g[rs, cs], out=tmp)
                np.divide(tmp, dist[k], out=tmp)
                np.greater(tmp, best, out=better)
                np.equal(z[rs, cs], zc, out=eq)
                better &= eq      # (off the flats G = 0, so no slope of G is > 0 there)
                np.copyto(best, tmp, where=better)
                np.copyto(kc, k, where=better)
    return kf


def flow_directions(filled, dx, dy, progress=None, compact=False):
    """D8 receivers on a depression-filled DEM, with flats resolved.

    Returns (receivers, esri_codes): receivers are flat indices (``N`` = out
    of the grid), int64, or with ``compact`` int32 when N + 1 < 2^31 (half
    the memory); codes are uint8 ESRI codes, 0 for outlets, 255 for nodata.
    Every valid cell gets a receiver: off flats the steepest downslope
    neighbour; on flats the steepest descent of the Barnes gradient among the
    neighbours of the same elevation.
    """
    progress = as_progress(progress)
    z = np.asarray(filled, dtype=np.float64)
    n = z.size
    rows, cols = z.shape
    valid = np.isfinite(z)
    sink = outlet_mask(z)
    sink |= ~valid
    k = _steepest_k(z, dx, dy)
    k[sink] = -1
    progress(30)
    noflow = k < 0
    noflow &= ~sink
    if noflow.any():
        nf, grad, offs = _flat_cells(z, noflow)
        progress(80)
        # steepest descent of G among the equal neighbours (G = 0 on cells
        # that drain); first of the steepest in ESRI order
        gfull = np.zeros(n)
        gfull[nf] = grad
        dist = neighbour_distances(dx, dy)
        if nf.size * FLAT_GRID_SHARE > n:
            # large flats: whole-grid passes in row blocks beat gathers
            kf = _flat_directions_grid(z, gfull.reshape(z.shape), dist).ravel()[nf]
        else:
            zr = z.ravel()
            zc = zr.take(nf)
            best = np.zeros(nf.size)
            kf = np.full(nf.size, -1, dtype=np.int8)
            s = np.empty(nf.size)
            better = np.empty(nf.size, dtype=bool)
            for kk in range(8):
                j = nf + offs[kk]
                np.subtract(grad, gfull.take(j), out=s)
                np.divide(s, dist[kk], out=s)
                np.greater(s, best, out=better)
                better &= zr.take(j) == zc
                np.copyto(best, s, where=better)
                kf[better] = kk
            del best, better, zc, s, j
        del gfull
        if np.any(kf < 0):
            raise RuntimeError("flat resolution left a cell without receiver")
        k.ravel()[nf] = kf
    rec = _receivers_from_k(k, n, cols, _index_dtype(n) if compact else np.int64)
    tab = np.zeros(9, dtype=np.uint8)
    tab[1:] = CODES
    codes = _lookup(k, tab).reshape(z.shape)
    codes[~valid] = 255
    progress(100)
    return rec, codes


def receivers_from_codes(codes):
    """Receivers (flat indices, N = out) from an ESRI direction raster.

    0 and nodata (255 or any other value) drain out; a code pointing off the
    grid also drains out.
    """
    codes = np.asarray(codes)
    rows, cols = codes.shape
    n = codes.size
    rec = np.full(n, n, dtype=np.int64)
    r, c = np.divmod(np.arange(n, dtype=np.int64), cols)
    flat = codes.ravel()
    for (dr, dc), code in zip(OFFSETS, CODES):
        m = flat == code
        rr, cc = r[m] + dr, c[m] + dc
        inside = (rr >= 0) & (rr < rows) & (cc >= 0) & (cc < cols)
        tgt = np.full(rr.size, n, dtype=np.int64)
        tgt[inside] = rr[inside] * cols + cc[inside]
        rec[m] = tgt
    return rec


# --------------------------------------------------------------------------
# Along the flow tree
# --------------------------------------------------------------------------

def _donor_levels(receivers):
    """Breadth-first order of the donor tree from the outside node N.

    Returns (order: the N + 1 nodes, N first, level by level; ndon: the number
    of donors of each node of ``order``, in that order; bounds: level l is
    order[bounds[l]:bounds[l + 1]]).  Level l + 1 is the concatenation of the
    donor lists of the nodes of level l, so the donors of a node are
    contiguous.  The donor lists come from one compiled counting sort (CSC to
    CSR); each level is gathered with a handful of whole-array operations.
    Raises ValueError when some cell never drains out (a cycle).
    """
    rec = np.asarray(receivers)
    n = rec.size
    it = _index_dtype(n)
    # one column per cell with its receiver as the row; as CSR: donors per row
    donors = sparse.csc_matrix((np.ones(n, dtype=np.int8), rec.astype(it, copy=False),
                                np.append(np.arange(n + 1, dtype=it), it(n))),
                               shape=(n + 1, n + 1)).tocsr()
    indptr, indices = donors.indptr, donors.indices
    del donors
    order = np.empty(n + 1, dtype=indices.dtype)
    ndon = np.empty(n + 1, dtype=indptr.dtype)
    order[0] = n
    bounds = [0, 1]
    ends = indptr[1:]
    ramp = np.arange(0, dtype=np.int64)               # 0, 1, 2, ...: grown as needed
    while True:                                       # (few calls per level: thousands of levels)
        b, e = bounds[-2], bounds[-1]
        level = order[b:e]
        cnt = ndon[b:e]
        last = ends.take(level)
        np.subtract(last, indptr.take(level), out=cnt)   # donors per node
        cum = np.cumsum(cnt, dtype=np.int64)
        tot = int(cum[-1])
        if tot == 0 or e + tot > n + 1:
            break
        # positions in `indices` of the donor lists, concatenated: position
        # first + (j - start) for the j-th donor of the level, where
        # first - start = (last - cnt) - (cum - cnt) = last - cum
        np.subtract(last, cum, out=cum)
        src = np.repeat(cum, cnt)
        if tot > ramp.size:
            ramp = np.arange(max(tot, 2 * ramp.size), dtype=np.int64)
        src += ramp[:tot]
        indices.take(src, out=order[e:e + tot])
        bounds.append(e + tot)
    if bounds[-1] != n + 1:
        raise ValueError("the receivers contain a cycle: some cells never drain out")
    return order, ndon, bounds


def flow_levels(receivers):
    """The breadth-first levels of the donor tree (order, ndon, bounds: see
    :func:`_donor_levels`), to share between :func:`accumulate` and
    :func:`channel_links` (computed once per set of receivers)."""
    return _donor_levels(receivers)


def accumulate(receivers, weights=None, *, levels=None):
    """Flow accumulation: the sum of ``weights`` over every cell draining
    through a cell, the cell itself included (weights default to 1: cells).

    A(c) = w(c) + sum of A(d) over the donors d of c, swept from the sources
    down: cells are put in breadth-first order from the outlets, which groups
    them by their number of steps to the outside; the levels are summed from
    the farthest one inwards, one vectorised segment sum (``np.add.reduceat``)
    per level, as the donors of a cell are contiguous in the next level.
    Cell counts (no weights) are summed exactly in int32 while N < 2^31.
    The receiver graph must be a forest draining to ``N`` (no cycles).
    ``levels``: :func:`flow_levels` of the receivers, when already computed.
    """
    rec = np.asarray(receivers)
    n = rec.size
    order, ndon, bounds = _donor_levels(rec) if levels is None else levels
    if weights is None:
        acc = np.ones(n + 1, dtype=_index_dtype(n))
    else:
        acc = np.empty(n + 1, dtype=np.float64)
        acc[1:] = np.asarray(weights, dtype=np.float64).ravel().take(order[1:])
    acc[0] = 0
    for lev in range(len(bounds) - 3, -1, -1):
        b, e, f = bounds[lev], bounds[lev + 1], bounds[lev + 2]
        cnt = ndon[b:e]
        if weights is None:          # whole counts: one bincount (exact below 2^53)
            parent = np.repeat(np.arange(e - b, dtype=np.intp), cnt)
            acc[b:e] += np.bincount(parent, weights=acc[e:f], minlength=e - b).astype(acc.dtype)
            continue
        has = np.flatnonzero(cnt)
        starts = np.cumsum(cnt, dtype=np.int64)
        starts -= cnt
        acc[b + has] += np.add.reduceat(acc[e:f], starts.take(has))
    out = np.empty(n + 1, dtype=np.float64)
    _scatter(out, order, acc)
    return out[:n]


def _sweep_down(levels, seed):
    """v(c) = seed(c) where seed(c) != 0, else v(receiver of c); v = 0 out of the
    grid.  One pass over the breadth-first levels (receivers before donors): each
    level repeats its nodes' values over their contiguous donor lists.
    ``seed`` (N + 1 values) is overwritten with v (memory: no second grid)."""
    order, ndon, bounds = levels
    n = order.size - 1
    val = np.empty(n + 1, dtype=seed.dtype)           # in breadth-first order
    val[0] = 0
    for lev in range(len(bounds) - 2):
        b, e, f = bounds[lev], bounds[lev + 1], bounds[lev + 2]
        v = np.repeat(val[b:e], ndon[b:e])
        s = seed.take(order[e:f])
        np.copyto(v, s, where=s != 0)
        val[e:f] = v
    _scatter(seed, order, val)
    return seed[:n]


def first_downstream(receivers, stop):
    """Index of the first cell at or downstream of each cell where ``stop`` is
    True, following the receivers; ``N`` where the path leaves the grid first.
    """
    rec = np.asarray(receivers)
    n = rec.size
    it = _index_dtype(n)
    st = np.asarray(stop, dtype=bool).ravel()
    ptr = np.empty(n + 1, dtype=it)
    ptr[:n] = rec
    stops = np.flatnonzero(st)
    ptr[stops] = stops.astype(it, copy=False)
    del stops
    ptr[n] = n
    return _roots(ptr, copy=False)[:n]   # stop cells and N point to themselves: the roots


def downstream_distance(receivers, dx, dy, shape, cells=None):
    """Length in metres of the step from each cell to its receiver (0 = out).
    With ``cells`` (flat indices), ``receivers`` are those cells' receivers and
    the lengths are for those cells only."""
    rec = np.asarray(receivers, dtype=np.int64)
    n = int(shape[0]) * int(shape[1])
    cols = shape[1]
    idx = np.arange(n, dtype=np.int64) if cells is None else np.asarray(cells, dtype=np.int64)
    inside = rec < n
    d = np.zeros(rec.size)
    dr = rec[inside] // cols - idx[inside] // cols
    dc = rec[inside] % cols - idx[inside] % cols
    d[inside] = np.hypot(dr * dy, dc * dx)
    return d


def topological_order(receivers):
    """Cells ordered from the outlets upstream (each receiver before its donors).

    Breadth-first over the donor tree from the virtual outside node; returns
    the order (flat indices).  Used by solvers that sweep along the flow.
    """
    order, _, _ = _donor_levels(receivers)
    return order[1:].copy()


# --------------------------------------------------------------------------
# Channels, ridges, links and catchments
# --------------------------------------------------------------------------

def channel_links(receivers, channels, *, levels=None):
    """Channel links and the catchment of each.

    A link is a stretch of channel between channel heads, junctions and the
    grid edge: it ends at the cell whose receiver is a junction (a channel
    cell fed by two or more channel cells) or out of the grid.  Links are
    numbered 1..n in the order of their end cells (row-major).  Every cell is
    given the id of the link its flow path first reaches; cells whose path
    leaves the grid without touching a channel get 0.

    Returns (link id per channel cell (0 elsewhere), catchment id per cell),
    int32 when N + 1 < 2^31.  Work on the channel cells, plus one sweep down
    the breadth-first levels (``levels``: :func:`flow_levels` of the
    receivers, computed here when not given): a cell takes its own id if it
    ends a link, else the value of its receiver, which is the id of the link
    for a channel cell and the catchment for any other cell.
    """
    rec = np.asarray(receivers)
    n = rec.size
    it = _index_dtype(n)
    ch = np.asarray(channels, dtype=bool).ravel()
    cells = np.flatnonzero(ch)
    rc = rec.take(cells)
    # junctions: channel cells that receive two or more channel cells (a sort of
    # the channel cells' receivers, no grid-sized count)
    srt = np.sort(rc)
    twice = srt[1:][srt[1:] == srt[:-1]]
    del srt
    rec_ch = np.zeros(n + 1, dtype=bool)
    rec_ch[:n] = ch
    junction = np.zeros(n + 1, dtype=bool)
    junction[twice] = True
    junction &= rec_ch
    del twice
    # an end cell drains out, into a junction, or off the channel network
    is_end = (rc == n) | junction.take(rc) | ~rec_ch.take(rc)
    del junction, rc, rec_ch
    ends = cells[is_end]                              # sorted: row-major
    del is_end
    ids = np.zeros(n + 1, dtype=it)
    ids[ends] = np.arange(1, ends.size + 1, dtype=it)
    del ends
    if levels is None:
        levels = _donor_levels(rec)
    catchment = _sweep_down(levels, ids)              # (ids overwritten)
    del ids
    link = np.zeros(n, dtype=it)
    np.copyto(link, catchment, where=ch)
    return link, catchment


def invert_dem(z):
    """max(z) - z, for ridges: ridges of z are the channels of the inverse."""
    return np.nanmax(z) - z


def condition(z, dx, dy, progress=None, compact=False, *, with_levels=False):
    """Fill, resolve flats, route and accumulate: (filled, receivers, codes, accumulation).
    ``compact``: int32 receivers (see :func:`flow_directions`); ``with_levels``:
    the receivers' :func:`flow_levels` as a fifth item (for :func:`channel_links`)."""
    progress = as_progress(progress)
    filled = fill_depressions(z, progress.sub(0, 40))
    rec, codes = flow_directions(filled, dx, dy, progress.sub(40, 80), compact=compact)
    levels = flow_levels(rec)
    acc = accumulate(rec, levels=levels)
    if not with_levels:
        del levels
    acc[~np.isfinite(z).ravel()] = np.nan
    progress(100)
    out = filled, rec, codes, acc.reshape(z.shape)
    return out + (levels,) if with_levels else out
