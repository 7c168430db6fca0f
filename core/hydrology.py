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

The expensive graph steps run in scipy's compiled code (connected components,
minimum spanning tree, Dijkstra); the rest is whole-array numpy.  Paths along
the flow tree are followed by pointer jumping (``ptr = ptr[ptr]``), so a
path of length L costs log2(L) array passes instead of a Python loop.
"""
import numpy as np
from scipy import sparse
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
    pv = _padded(valid, False)
    out = np.zeros_like(valid)
    for dr, dc in OFFSETS:
        out |= ~_view(pv, dr, dc)
    return out & valid


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
    zv = z[valid]
    if float(zv.max()) == float(zv.min()):
        raise InputError(
            f"{what} is flat (every valid cell is {float(zv.min()):g}); there is no relief "
            "to route water over. Check that the right raster and band were chosen.")


# --------------------------------------------------------------------------
# D8 steepest descent
# --------------------------------------------------------------------------

def steepest_descent(z, dx, dy, outlets=None, equal_fallback=False):
    """Steepest-slope D8 receiver of every cell.

    Returns (receivers, direction index 0..7 or -1).  Receivers are flat
    indices; ``N`` for outlets and nodata; the cell itself where no neighbour
    is strictly lower (pit or flat).  With ``equal_fallback`` such a cell links
    to its first equal-elevation neighbour instead (used to merge flats).
    """
    rows, cols = z.shape
    n = z.size
    valid = np.isfinite(z)
    if outlets is None:
        outlets = outlet_mask(z)
    zp = _padded(z, np.nan)
    dist = neighbour_distances(dx, dy)
    best = np.zeros(z.shape, dtype=np.float64)   # only strictly positive slopes count
    kbest = np.full(z.shape, -1, dtype=np.int8)
    tmp = np.empty(z.shape, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        for k, (dr, dc) in enumerate(OFFSETS):
            np.subtract(z, _view(zp, dr, dc), out=tmp)
            tmp /= dist[k]
            better = tmp > best          # nan compares False
            best[better] = tmp[better]
            kbest[better] = k
        if equal_fallback:
            for k, (dr, dc) in enumerate(OFFSETS):
                eq = (kbest == -1) & (z == _view(zp, dr, dc))
                kbest[eq] = k + 8        # mark equal links apart from descents
    idx = np.arange(n, dtype=np.int64).reshape(z.shape)
    rec = idx.copy()
    offs = np.array([dr * cols + dc for dr, dc in OFFSETS] * 2, dtype=np.int64)
    has = kbest >= 0
    rec[has] = idx[has] + offs[kbest[has]]
    rec[outlets | ~valid] = n
    kbest = np.where(kbest >= 8, -1, kbest).astype(np.int8)
    kbest[outlets | ~valid] = -1
    return rec.ravel(), kbest


# --------------------------------------------------------------------------
# Depression filling
# --------------------------------------------------------------------------

def fill_depressions(z, progress=None):
    """Fill every depression to its spill level (no gradient is imposed).

    The result is the unique surface a priority-flood (Barnes et al. 2014,
    epsilon = 0) gives: every cell is raised to the lowest level at which water
    can leave the grid, ``fill(c) = min over paths c -> outside of the highest
    cell on the path`` (edges and nodata neighbours are the outside).

    Method (exact, no iteration): cells are grouped into descent basins, each
    cell linked to its steepest lower (or an equal) neighbour; the minimax
    problem is then solved on the much smaller graph of basins, whose edge
    weight is the lowest pass max(z_a, z_b) between two basins, by a minimum
    spanning tree.  For a cell c of basin B, fill(c) = max(z(c), spill(B)),
    because the descent path from c to B's pit never rises above z(c).
    """
    progress = as_progress(progress)
    z = np.asarray(z, dtype=np.float64)
    n = z.size
    valid = np.isfinite(z)
    outlets = outlet_mask(z)
    rec, _ = steepest_descent(z, 1.0, 1.0, outlets, equal_fallback=True)
    progress(20)
    # basins = weakly connected components of the descent forest (+ outside node n)
    src = np.arange(n, dtype=np.int64)
    keep = rec != src
    g = sparse.csr_matrix((np.ones(int(keep.sum()), dtype=np.int8), (src[keep], rec[keep])),
                          shape=(n + 1, n + 1))
    ncomp, comp = csgraph.connected_components(g, directed=True, connection="weak")
    del g
    outside = comp[n]
    progress(45)
    zr = z.ravel()
    ca, cb, cw = [], [], []
    for dr, dc in HALF_OFFSETS:
        a, b = _pairs(z.shape, dr, dc)
        la, lb = comp[a], comp[b]
        m = (la != lb) & valid.ravel()[a] & valid.ravel()[b]
        if m.any():
            ca.append(la[m]); cb.append(lb[m])
            cw.append(np.maximum(zr[a[m]], zr[b[m]]))
    spill = np.full(ncomp, -np.inf)
    if ca:
        ca = np.concatenate(ca); cb = np.concatenate(cb); cw = np.concatenate(cw)
        lo, hi = np.minimum(ca, cb), np.maximum(ca, cb)
        key = lo * np.int64(ncomp) + hi
        order = np.lexsort((cw, key))          # by key, then weight: first of a key is its min
        key, cw = key[order], cw[order]
        first = np.ones(key.size, dtype=bool)
        first[1:] = key[1:] != key[:-1]
        key, cw = key[first], cw[first]
        lo, hi = key // ncomp, key % ncomp
        # exact ranks as positive weights (the MST only compares them)
        levels, rank = np.unique(cw, return_inverse=True)
        w = rank.astype(np.float64) + 1.0
        progress(60)
        graph = sparse.csr_matrix((w, (lo, hi)), shape=(ncomp, ncomp))
        mst = csgraph.minimum_spanning_tree(graph).tocoo()
        del graph
        order, pred = csgraph.breadth_first_order(mst, outside, directed=False,
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
        spill[outside] = -np.inf
    progress(90)
    filled = np.maximum(zr, spill[comp[:n]]).reshape(z.shape)
    filled[~valid] = np.nan
    progress(100)
    return filled


# --------------------------------------------------------------------------
# Flats (Barnes, Lehman & Mulla 2014)
# --------------------------------------------------------------------------

def _grid_graph(shape, node_mask, pair_ok):
    """Symmetric unit-weight graph of 8-adjacent cells both in ``node_mask``.

    ``pair_ok(a, b)`` filters the pairs (flat indices); nodes are flat indices.
    """
    n = node_mask.size
    nm = node_mask.ravel()
    rows_, cols_ = [], []
    for dr, dc in HALF_OFFSETS:
        a, b = _pairs(shape, dr, dc)
        m = nm[a] & nm[b]
        a, b = a[m], b[m]
        m = pair_ok(a, b)
        rows_.append(a[m]); cols_.append(b[m])
    a = np.concatenate(rows_); b = np.concatenate(cols_)
    data = np.ones(2 * a.size, dtype=np.float64)
    return sparse.csr_matrix((data, (np.concatenate([a, b]), np.concatenate([b, a]))),
                             shape=(n, n))


def _multi_source_steps(graph, sources, n):
    """Steps (8-adjacency) from the nearest source; inf where unreachable."""
    if sources.size == 0:
        return np.full(n, np.inf)
    return csgraph.dijkstra(graph, directed=True, indices=sources, unweighted=True,
                            min_only=True)


def flat_gradient(filled, dx, dy, outlets=None):
    """Barnes et al. (2014) flat mask: the surface water follows across flats.

    Returns (noflow mask, gradient G) where G is defined on flat cells:
    G = 2 * d_low + (H - d_high), d_low the steps to the nearest low edge (a
    cell of the flat's elevation that already drains), d_high the steps from
    the nearest high edge (a flat cell next to higher ground), H the largest
    d_high of that flat.  Every flat cell has a neighbour in its flat with a
    strictly lower G, so flow always leaves the flat, towards lower ground
    and away from higher ground.
    """
    z = filled
    n = z.size
    valid = np.isfinite(z)
    if outlets is None:
        outlets = outlet_mask(z)
    rec, k = steepest_descent(z, dx, dy, outlets)
    noflow = (k < 0) & valid & ~outlets
    if not noflow.any():
        return noflow, None
    zp = _padded(z, np.nan)
    nfp = _padded(noflow, False)
    low_edge = np.zeros_like(noflow)
    high_edge = np.zeros_like(noflow)
    with np.errstate(invalid="ignore"):
        for dr, dc in OFFSETS:
            zn = _view(zp, dr, dc)
            low_edge |= _view(nfp, dr, dc) & (zn == z)
            high_edge |= zn > z
    low_edge &= ~noflow & valid
    high_edge &= noflow
    zr = z.ravel()
    eq = lambda a, b: zr[a] == zr[b]  # noqa: E731
    g_low = _grid_graph(z.shape, noflow | low_edge,
                        lambda a, b: eq(a, b) & (noflow.ravel()[a] | noflow.ravel()[b]))
    d_low = _multi_source_steps(g_low, np.flatnonzero(low_edge), n)
    del g_low
    g_flat = _grid_graph(z.shape, noflow, eq)
    d_high = _multi_source_steps(g_flat, np.flatnonzero(high_edge), n)
    _, label = csgraph.connected_components(g_flat, directed=True, connection="weak")
    del g_flat
    nf = noflow.ravel()
    fin = nf & np.isfinite(d_high)
    height = np.zeros(label.max() + 1)
    np.maximum.at(height, label[fin], d_high[fin])
    away = np.where(fin, height[label] - np.where(fin, d_high, 0), 0.0)
    if not np.all(np.isfinite(d_low[nf])):
        raise RuntimeError("a flat has no outlet; fill the DEM first")
    grad = np.zeros(n)
    grad[nf] = 2.0 * d_low[nf] + away[nf]
    return noflow, grad.reshape(z.shape)


def flow_directions(filled, dx, dy, progress=None):
    """D8 receivers on a depression-filled DEM, with flats resolved.

    Returns (receivers, esri_codes): receivers are flat indices (``N`` = out
    of the grid); codes are uint8 ESRI codes, 0 for outlets, 255 for nodata.
    Every valid cell gets a receiver: off flats the steepest downslope
    neighbour; on flats the steepest descent of the Barnes gradient among the
    neighbours of the same elevation.
    """
    progress = as_progress(progress)
    z = np.asarray(filled, dtype=np.float64)
    valid = np.isfinite(z)
    outlets = outlet_mask(z)
    rec, k = steepest_descent(z, dx, dy, outlets)
    progress(30)
    noflow = (k < 0) & valid & ~outlets
    if noflow.any():
        _, grad = flat_gradient(z, dx, dy, outlets)
        progress(80)
        rows, cols = z.shape
        gp = _padded(np.where(noflow, grad, 0.0), np.inf)
        zp = _padded(z, np.nan)
        dist = neighbour_distances(dx, dy)
        best = np.zeros(z.shape)
        kf = np.full(z.shape, -1, dtype=np.int8)
        for kk, (dr, dc) in enumerate(OFFSETS):
            same = _view(zp, dr, dc) == z
            s = (grad - _view(gp, dr, dc)) / dist[kk]
            better = noflow & same & (s > best)
            best[better] = s[better]
            kf[better] = kk
        if np.any(noflow & (kf < 0)):
            raise RuntimeError("flat resolution left a cell without receiver")
        k = np.where(noflow, kf, k)
        idx = np.flatnonzero(noflow)
        offs = np.array([dr * cols + dc for dr, dc in OFFSETS], dtype=np.int64)
        rec[idx] = idx + offs[kf.ravel()[idx]]
    codes = np.zeros(z.shape, dtype=np.uint8)
    has = k >= 0
    codes[has] = CODES[k[has]]
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

def accumulate(receivers, weights=None):
    """Flow accumulation: the sum of ``weights`` over every cell draining
    through a cell, the cell itself included (weights default to 1: cells).

    Exact, by binary doubling of the receiver map P: the total is
    (I + P)(I + P^2)(I + P^4)... w = sum_k P^k w, one bincount per factor,
    so a longest flow path of L cells costs log2(L) passes over the grid.
    The receiver graph must be a forest draining to ``N`` (no cycles).
    """
    rec = np.asarray(receivers, dtype=np.int64)
    n = rec.size
    acc = np.ones(n, dtype=np.float64) if weights is None else \
        np.array(weights, dtype=np.float64).ravel()
    active = np.flatnonzero(rec < n)
    ptr = rec[active]
    # iterate: acc += P^(2^j) acc, restricted to cells whose 2^j-th successor exists
    while active.size:
        add = np.bincount(ptr, weights=acc[active], minlength=n + 1)[:n]
        acc += add
        # successor 2^(j+1) = successor 2^j of successor 2^j
        full = np.full(n + 1, n, dtype=np.int64)
        full[active] = ptr
        nxt = full[ptr]
        keep = nxt < n
        active, ptr = active[keep], nxt[keep]
    return acc


def first_downstream(receivers, stop):
    """Index of the first cell at or downstream of each cell where ``stop`` is
    True, following the receivers; ``N`` where the path leaves the grid first.
    """
    rec = np.asarray(receivers, dtype=np.int64)
    n = rec.size
    st = np.asarray(stop, dtype=bool).ravel()
    ptr = np.empty(n + 1, dtype=np.int64)
    ptr[:n] = np.where(st, np.arange(n), rec)
    ptr[n] = n
    while True:
        nxt = ptr[ptr]
        if np.array_equal(nxt, ptr):
            return ptr[:n]
        ptr = nxt


def downstream_distance(receivers, dx, dy, shape):
    """Length in metres of the step from each cell to its receiver (0 = out)."""
    rec = np.asarray(receivers, dtype=np.int64)
    n = rec.size
    cols = shape[1]
    idx = np.arange(n, dtype=np.int64)
    inside = rec < n
    d = np.zeros(n)
    dr = rec[inside] // cols - idx[inside] // cols
    dc = rec[inside] % cols - idx[inside] % cols
    d[inside] = np.hypot(dr * dy, dc * dx)
    return d


def topological_order(receivers):
    """Cells ordered from the outlets upstream (each receiver before its donors).

    Breadth-first over the donor tree from the virtual outside node; returns
    (order, receivers of order).  Used by solvers that sweep along the flow.
    """
    rec = np.asarray(receivers, dtype=np.int64)
    n = rec.size
    donors = sparse.csr_matrix((np.ones(n, dtype=np.int8), (rec, np.arange(n))),
                               shape=(n + 1, n + 1))
    order = csgraph.breadth_first_order(donors, n, directed=True,
                                        return_predecessors=False)
    return order[1:]


# --------------------------------------------------------------------------
# Channels, ridges, links and catchments
# --------------------------------------------------------------------------

def channel_links(receivers, channels):
    """Channel links and the catchment of each.

    A link is a stretch of channel between channel heads, junctions and the
    grid edge: it ends at the cell whose receiver is a junction (a channel
    cell fed by two or more channel cells) or out of the grid.  Links are
    numbered 1..n in the order of their end cells (row-major).  Every cell is
    given the id of the link its flow path first reaches; cells whose path
    leaves the grid without touching a channel get 0.

    Returns (link id per channel cell (0 elsewhere), catchment id per cell).
    """
    rec = np.asarray(receivers, dtype=np.int64)
    n = rec.size
    ch = np.asarray(channels, dtype=bool).ravel()
    ch_rec = np.where(ch, rec, n)
    ndonors = np.bincount(ch_rec, minlength=n + 1)
    junction = np.zeros(n + 1, dtype=bool)
    junction[:n] = ch & (ndonors[:n] >= 2)
    rec_ch = np.zeros(n + 1, dtype=bool)
    rec_ch[:n] = ch
    # an end cell drains out, into a junction, or off the channel network
    end = ch & ((rec == n) | junction[rec] | ~rec_ch[rec])
    ids = np.zeros(n + 1, dtype=np.int64)
    ends = np.flatnonzero(end)
    ids[ends] = np.arange(1, ends.size + 1)
    to_end = first_downstream(rec, end)
    link = np.where(ch, ids[to_end], 0)
    to_channel = first_downstream(rec, ch)
    catchment = np.zeros(n, dtype=np.int64)
    reach = to_channel < n
    catchment[reach] = link[to_channel[reach]]
    return link, catchment


def invert_dem(z):
    """max(z) - z, for ridges: ridges of z are the channels of the inverse."""
    return np.nanmax(z) - z


def condition(z, dx, dy, progress=None):
    """Fill, resolve flats, route and accumulate: (filled, receivers, codes, accumulation)."""
    progress = as_progress(progress)
    filled = fill_depressions(z, progress.sub(0, 40))
    rec, codes = flow_directions(filled, dx, dy, progress.sub(40, 80))
    acc = accumulate(rec)
    acc[~np.isfinite(z).ravel()] = np.nan
    progress(100)
    return filled, rec, codes, acc.reshape(z.shape)
