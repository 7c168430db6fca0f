"""Maximum and minimum earthwork surfaces (paper section 1.1.2, eq. 1 to 5,
Fig. 3(b) to 6; docs/method.md section 3).

Solved in the paper's order, for the maximum surface ``dem_max`` and the
minimum surface ``dem_min`` side by side:

1. eq. 1 - classes 1, 1.5, 5 (fixed, confluence, boundary) keep ``dem_or``;
2. eq. 2 - semi-fixed channels: the original profile is rescaled so that
   the drop from the channel head ``o`` to the anchor ``c`` is
   ``L(o, c) tan A`` (``A`` = SEMI_A_MAX for dem_max, SEMI_A_MIN for dem_min);
3. eq. 3 - watershed cells: ``min_k (h_k + L_k tan A_max)`` (dem_max) and
   ``max_k (h_k + L_k tan A_min)`` (dem_min) over the catchments ``k`` in the
   cell's 3 x 3 window, ``h_k`` the elevation of the nearest known cell of
   catchment ``k`` and ``L_k`` its straight horizontal distance in metres;
4. eq. 4 - floating channel cells: ``min_k (h_k - L_k tan A_min)`` (dem_max)
   and ``max_k (h_k - L_k tan A_max)`` (dem_min), watershed cells now known;
5. eq. 5 - class-0 cells: ``n`` sweeps of the 3 x 3 mean (known cells held),
   or the converged limit, the discrete harmonic surface (sparse solve).

The paper's max/min in eq. 3 and 4 can put dem_min above dem_max where two
catchments of very different height meet; the plugin then lowers dem_min to
dem_max on that cell (counted in ``clipped``) so that the pair always bounds
a feasible band.  Eq. 5 is monotone, so the band holds on class-0 cells too.

Slope limit (docs/method.md section 3, on by default): equations 2 to 4 fix
line values cell by cell, and where they disagree with each other or with
the fixed cells by more than the slope allows, eq. 5 only smooths around a
spike.  After each of eq. 2, 3 and 4 (held cells) and after eq. 5 (every
solved cell) ``slope_limit`` makes dem_max the largest surface below the
equations' values, and dem_min the smallest above them, on which no step
between 8-neighbours rises more than tan(A_max) x its length or the
pre-mining DEM's own rise there (``StepCosts``), both within the band the
fixed cells allow; exact envelopes by raster passes (``lower_envelope``).
The automatic semi-fixed angles are robust percentiles of the natural ones.
"""
from dataclasses import dataclass, field

import numpy as np
from scipy import ndimage, sparse
from scipy.sparse import csgraph
from scipy.sparse import linalg as spla

from . import classify as cl
from . import hydrology as hy
from .errors import InputError, as_progress
from .grid import mask_box
from .quality import design_quality

#: interpolation methods for eq. 5, in the order of the algorithm's enum
INTERPOLATIONS = ("sweeps", "converged")
#: the standard maximum slope angle of a dump (paper: 25 degrees)
DEFAULT_A_MAX = 25.0
#: the automatic semi-fixed angles are the p-th and (100 - p)-th percentiles
#: of the natural head-to-anchor angles (robust extremes, not single samples)
DEFAULT_PERCENTILE = 10.0

KNOWN_EQ1 = (cl.FIXED, cl.CONFLUENCE, cl.BOUNDARY)
#: up to this many unknowns eq. 5's converged surface is solved directly
#: (SuperLU); above, by Jacobi-preconditioned conjugate gradients
DIRECT_MAX = 20000


@dataclass
class EarthworkSurfaces:
    dem_max: np.ndarray
    dem_min: np.ndarray
    a_max: float               # degrees, eq. 3 (dem_max) and eq. 4 (dem_min)
    a_min_low: float           # smallest A_min used on a cell (degrees)
    a_min_high: float          # largest A_min used on a cell (degrees)
    semi_a_max: float          # eq. 2 angle of dem_max (degrees)
    semi_a_min: float          # eq. 2 angle of dem_min (degrees)
    sweeps: int                # n used by eq. 5 (0 with the converged solve)
    sweeps_rule: int           # n by the paper's rule
    interpolation: str
    clipped: int = 0           # cells where dem_min was lowered to dem_max
    unanchored: int = 0        # class-2 cells without a known anchor (solved as class 4)
    info: dict = field(default_factory=dict)
    limited_max: int = 0       # cells of the area whose dem_max the slope limit changed
    limited_min: int = 0       # cells of the area whose dem_min the slope limit changed
    #: core.quality.Quality of 'pnl', 'dem_max', 'dem_min' over the area
    #: (spikes against tan(A_max) x cell, Horn and step mean slopes)
    quality: dict = field(default_factory=dict)


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------

def slope_degrees(z, dx, dy, block=512):
    """Slope angle (degrees) by Horn's 3 x 3 method; nodata neighbours take
    the centre's value, edges are replicated.  Computed in strips of
    ``block`` rows so the temporary arrays stay small on large grids."""
    z = np.asarray(z, dtype=np.float64)
    rows, cols = z.shape
    out = np.empty(z.shape)
    valid_all = np.isfinite(z)
    for r0 in range(0, rows, block):
        r1 = min(r0 + block, rows)
        a0, a1 = max(r0 - 1, 0), min(r1 + 1, rows)
        zs, vs = z[a0:a1], valid_all[a0:a1]
        base = np.where(vs, zs, 0.0)
        # pad: one row above/below (edge rows of the grid replicate), one column each side
        top = 1 if r0 == 0 else 0
        bot = 1 if r1 == rows else 0
        p = np.pad(base, ((top, bot), (1, 1)), mode="edge")
        pv = np.pad(vs, ((top, bot), (1, 1)), mode="edge")
        n = r1 - r0
        c0 = base[r0 - a0:r0 - a0 + n]

        def nb(dr, dc):
            v = p[1 + dr:1 + dr + n, 1 + dc:1 + dc + cols]
            m = pv[1 + dr:1 + dr + n, 1 + dc:1 + dc + cols]
            return np.where(m, v, c0)
        gx = nb(-1, 1) + 2 * nb(0, 1) + nb(1, 1) - nb(-1, -1) - 2 * nb(0, -1) - nb(1, -1)
        gy = nb(1, -1) + 2 * nb(1, 0) + nb(1, 1) - nb(-1, -1) - 2 * nb(-1, 0) - nb(-1, 1)
        gx /= 8.0 * dx
        gy /= 8.0 * dy
        out[r0:r1] = np.degrees(np.arctan(np.hypot(gx, gy)))
    out[~valid_all] = np.nan
    return out


def catchment_mean_slope(slope, catchments):
    """Mean slope angle (degrees) of every catchment id 0..max (nan if empty)."""
    cat = np.asarray(catchments)
    ok = (cat >= 0) & np.isfinite(slope)
    m = int(cat.max()) + 1 if cat.size and cat.max() >= 0 else 1
    s = np.bincount(cat[ok], weights=slope[ok], minlength=m)
    c = np.bincount(cat[ok], minlength=m)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(c > 0, s / np.maximum(c, 1), np.nan)


def walk_to_exit(receivers, chain, step):
    """For every cell: the first cell at or below it that is not in ``chain``
    (``N`` if the path leaves the grid first) and the flow-path length to it.

    ``step`` is the length of each cell's step to its receiver (metres,
    ``hydrology.downstream_distance``).  Pointer jumping: log2(L) passes.
    """
    rec = np.asarray(receivers, dtype=np.int64)
    n = rec.size
    ch = np.asarray(chain, dtype=bool).ravel()
    ptr = np.arange(n + 1, dtype=np.int64)
    dist = np.zeros(n + 1)
    act = np.flatnonzero(ch)
    ptr[act] = rec[act]
    dist[act] = np.asarray(step, dtype=np.float64)[act]
    while act.size:
        p = ptr[act]
        dist[act] = dist[act] + dist[p]
        ptr[act] = ptr[p]
        act = act[ptr[act] != ptr[ptr[act]]]
    return ptr[:n], dist[:n]


def chain_heads(receivers, chain, dist):
    """For every ``chain`` cell x, the chain cell upstream of x (x included,
    connected through chain cells) with the largest ``dist``; ties to the
    larger flat index.  -1 off the chain.

    With ``dist`` = path length to the anchor this is the source of the
    longest flow path through x: the channel head (origin) ``o`` of eq. 2.
    Pointer jumping on the successor map, a group maximum per pass:
    B_{k+1}(x) = max(B_k(x), max{B_k(w) : succ^(2^k)(w) = x}).
    """
    rec = np.asarray(receivers, dtype=np.int64)
    n = rec.size
    ch = np.asarray(chain, dtype=bool).ravel()
    cells = np.flatnonzero(ch)
    head = np.full(n, -1, dtype=np.int64)
    if cells.size == 0:
        return head
    order = cells[np.lexsort((cells, dist[cells]))]      # ascending key
    best = np.full(n + 1, -1, dtype=np.int64)
    best[order] = np.arange(order.size)
    chx = np.concatenate([ch, [False]])
    succ = np.full(n + 1, n, dtype=np.int64)
    r = rec[cells]
    succ[cells] = np.where(chx[r], r, n)
    act = cells
    while True:
        t = succ[act]
        keep = t < n
        act, t = act[keep], t[keep]
        if act.size == 0:
            break
        vals = best[act]
        o = np.lexsort((vals, t))
        ts, vs = t[o], vals[o]
        last = np.ones(ts.size, dtype=bool)
        last[:-1] = ts[1:] != ts[:-1]
        tt, vv = ts[last], vs[last]
        best[tt] = np.maximum(best[tt], vv)
        succ[act] = succ[t]
    head[cells] = order[best[cells]]
    return head


def nearest_known_by_catchment(targets, known, catchments, dx, dy):
    """Nearest known cell of every catchment adjacent to each target cell.

    targets: flat indices; known: bool grid; catchments: int grid (-1 none).
    A catchment is adjacent to a target when it occurs in the target's
    3 x 3 window (paper Fig. 5 and 6, ``S_area``).  Returns arrays over the
    (target, catchment) pairs: position of the target in ``targets``, the
    catchment id, the straight horizontal distance in metres to the nearest
    known cell of that catchment (inf if it has none) and that cell's flat
    index (-1 if none).  One exact Euclidean distance transform
    (``sampling=(dy, dx)``) per adjacent catchment, on the catchment's
    bounding box grown by one cell, so the cost follows the grid size.
    """
    cat = np.asarray(catchments, dtype=np.int64)
    rows, cols = cat.shape
    targets = np.asarray(targets, dtype=np.int64)
    nt = targets.size
    empty = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), np.zeros(0, np.int64))
    if nt == 0:
        return empty
    tr, tc = np.divmod(targets, cols)
    tps, labs = [], []
    for dr in (-1, 0, 1):
        for dc in (-1, 0, 1):
            rr, cc = tr + dr, tc + dc
            ok = (rr >= 0) & (rr < rows) & (cc >= 0) & (cc < cols)
            pos = np.flatnonzero(ok)
            lab = cat[rr[ok], cc[ok]]
            good = lab >= 0
            tps.append(pos[good])
            labs.append(lab[good])
    key = np.unique(np.concatenate(labs) * np.int64(nt) + np.concatenate(tps))
    if key.size == 0:
        return empty
    labs, tps = key // nt, key % nt                      # sorted by catchment
    dist = np.full(key.size, np.inf)
    near = np.full(key.size, -1, dtype=np.int64)
    objects = ndimage.find_objects(cat + 1)
    starts = np.flatnonzero(np.r_[True, labs[1:] != labs[:-1]])
    stops = np.r_[starts[1:], labs.size]
    for s, e in zip(starts, stops):
        lab = int(labs[s])
        sl = objects[lab] if lab < len(objects) else None
        if sl is None:
            continue
        r0, r1 = max(sl[0].start - 1, 0), min(sl[0].stop + 1, rows)
        c0, c1 = max(sl[1].start - 1, 0), min(sl[1].stop + 1, cols)
        sub_known = known[r0:r1, c0:c1] & (cat[r0:r1, c0:c1] == lab)
        if not sub_known.any():
            continue
        d, (ir, ic) = ndimage.distance_transform_edt(~sub_known, sampling=(dy, dx),
                                                     return_indices=True)
        lr, lc = tr[tps[s:e]] - r0, tc[tps[s:e]] - c0
        dist[s:e] = d[lr, lc]
        near[s:e] = (ir[lr, lc] + r0) * np.int64(cols) + (ic[lr, lc] + c0)
    return tps, labs, dist, near


def _group_reduce(pos, values, nt, how):
    """Per target min or max of values (nan where a target has no value)."""
    out = np.full(nt, np.nan)
    ok = np.isfinite(values)
    pos, values = pos[ok], values[ok]
    if pos.size == 0:
        return out
    o = np.argsort(pos, kind="stable")
    pos, values = pos[o], values[o]
    starts = np.flatnonzero(np.r_[True, pos[1:] != pos[:-1]])
    red = (np.minimum if how == "min" else np.maximum).reduceat(values, starts)
    out[pos[starts]] = red
    return out


def sweeps_by_rule(classes):
    """The paper's n for eq. 5: twice the largest distance, in cells, from a
    fixed channel cell (class 1 or 1.5) of the area to its nearest watershed
    cell (class 3), rounded up.  When the area has no fixed or no watershed
    cell: twice the largest distance in cells from a class-0 cell to its
    nearest known cell.  At least 1."""
    cls = np.asarray(classes)
    ws = cls == cl.WATERSHED
    fixed = (cls == cl.FIXED) | (cls == cl.CONFLUENCE)
    other = cls == cl.OTHER
    if ws.any() and fixed.any():
        sl = mask_box(ws | fixed, 0)
        d = ndimage.distance_transform_edt(~ws[sl])
        far = float(d[fixed[sl]].max())
    elif other.any():
        known = np.isfinite(cls) & ~other
        if not known.any():
            return 1
        d = ndimage.distance_transform_edt(~known)
        far = float(d[other].max())
    else:
        return 1
    return max(1, 2 * int(np.ceil(far - 1e-9)))


def _box3(a, out=None, tmp=None):
    """Sum over each cell's 3 x 3 window (zero outside the array); ``out``
    and ``tmp`` are optional buffers of a's shape (no allocation then)."""
    out = np.empty_like(a) if out is None else out
    tmp = np.empty_like(a) if tmp is None else tmp
    if a.shape[0] == 1:
        tmp[...] = a
    else:
        np.add(a[:-2], a[1:-1], out=tmp[1:-1])
        tmp[1:-1] += a[2:]
        np.add(a[0], a[1], out=tmp[0])
        np.add(a[-2], a[-1], out=tmp[-1])
    if a.shape[1] == 1:
        out[...] = tmp
    else:
        np.add(tmp[:, :-2], tmp[:, 1:-1], out=out[:, 1:-1])
        out[:, 1:-1] += tmp[:, 2:]
        np.add(tmp[:, 0], tmp[:, 1], out=out[:, 0])
        np.add(tmp[:, -2], tmp[:, -1], out=out[:, -1])
    return out


def fuzzy_interpolation(surface, free, n, progress=None):
    """Eq. 5: ``n`` sweeps of the 3 x 3 mean over the ``free`` cells, every
    other valid cell held; nan cells are left out of the means.  The mean
    includes the centre (the paper's ``average(S_area(i, j))`` of
    ``dem_f^(n-1)``).  Start values are the input's (dem_or in the solver).
    Works on the bounding box of the free cells (one cell of margin), with
    preallocated buffers: four array passes and one masked copy per sweep."""
    progress = as_progress(progress)
    out = np.array(surface, dtype=np.float64)
    if n <= 0 or not free.any():
        return out
    sl = mask_box(free, 1)
    x = out[sl]
    valid = np.isfinite(x)
    f = free[sl] & valid
    count = _box3(valid.astype(np.float64))
    inv = np.zeros_like(count)
    np.divide(1.0, count, out=inv, where=f)
    xv = np.where(valid, x, 0.0)
    s = np.empty_like(xv)
    tmp = np.empty_like(xv)
    every = max(1, n // 50)
    for k in range(n):
        _box3(xv, s, tmp)
        s *= inv
        np.copyto(xv, s, where=f)
        if k % every == 0:
            progress(100.0 * k / n)
        else:
            progress.check()
    x[f] = xv[f]
    out[sl] = x
    progress(100)
    return out


def _cg(mat, rhs, x0, progress, rtol=1e-13, maxiter=None):
    """Conjugate gradients on the SPD system, Jacobi preconditioned, started
    from ``x0``; stops at a residual of ``rtol`` times that of ``x0 = 0``."""
    d = mat.diagonal()
    pre = spla.LinearOperator(mat.shape, matvec=lambda v: v / d, dtype=np.float64)
    calls = [0]
    limit = maxiter or max(1000, 20 * int(np.sqrt(mat.shape[0])))

    def tick(_x):
        calls[0] += 1
        if calls[0] % 50 == 0:
            progress(min(99.0, 100.0 * calls[0] / limit))
        else:           # cancel within one iteration on large grids
            progress.check()
    bnorm = float(np.linalg.norm(rhs)) or 1.0
    x, info = spla.cg(mat, rhs, x0=x0, tol=0.0, atol=rtol * bnorm, maxiter=limit, M=pre,
                      callback=tick)
    if info > 0:
        raise RuntimeError(f"the harmonic solve did not converge in {info} iterations")
    return x


def harmonic_fill(surface, free, progress=None):
    """Converged eq. 5: the discrete harmonic surface, the fixed point of the
    3 x 3 mean (each free cell = mean of its valid 8 neighbours, known cells
    held): the sparse system (deg_i x_i - sum_j x_j = sum of known
    neighbours) solved directly (SuperLU) up to DIRECT_MAX unknowns, else by
    conjugate gradients (the matrix is symmetric positive definite) to a
    residual of 1e-13 of the right-hand side.  A group of free cells with no
    known neighbour keeps its input values."""
    progress = as_progress(progress)
    out = np.array(surface, dtype=np.float64)
    if not free.any():
        return out
    sl = mask_box(free, 1)
    x = out[sl]
    valid = np.isfinite(x)
    f = free[sl] & valid
    shape = x.shape
    fflat = f.ravel()
    unknown = np.flatnonzero(fflat)
    m = unknown.size
    itype = np.int32 if m < 2 ** 31 - 1 else np.int64
    idx = np.full(x.size, -1, dtype=itype)
    idx[unknown] = np.arange(m, dtype=itype)
    xf = x.ravel()
    vflat = valid.ravel()
    deg = np.zeros(m)
    nknown = np.zeros(m)
    rhs = np.zeros(m)
    ri, ci = [], []
    for dr, dc in hy.OFFSETS:
        a, b = hy._pairs(shape, dr, dc)
        keep = fflat[a] & vflat[b]
        a, b = a[keep], b[keep]
        ia = idx[a]
        deg += np.bincount(ia, minlength=m)
        kb = fflat[b]
        ri.append(ia[kb]); ci.append(idx[b[kb]])
        nknown += np.bincount(ia[~kb], minlength=m)
        rhs += np.bincount(ia[~kb], weights=xf[b[~kb]], minlength=m)
        del a, b, keep, ia, kb
    diag = np.arange(m, dtype=itype)
    ri.append(diag); ci.append(diag)
    ri = np.concatenate(ri); ci = np.concatenate(ci)
    data = np.full(ri.size, -1.0)
    data[ri.size - m:] = deg
    progress(20)
    # deg_i x_i - sum over free neighbours x_j = sum over known neighbours
    mat = sparse.csr_matrix((data, (ri, ci)), shape=(m, m))
    del ri, ci, data
    # groups of free cells that touch no known cell have no unique solution
    ncomp, comp = csgraph.connected_components(mat, directed=False)
    touches = np.zeros(ncomp, dtype=bool)
    touches[comp[nknown > 0]] = True
    solvable = touches[comp]
    del comp
    sol = x.ravel()[unknown].copy()
    if solvable.any():
        if solvable.all():
            s, sub = slice(None), mat
        else:
            s = np.flatnonzero(solvable)
            sub = mat[s][:, s]
        if m <= DIRECT_MAX:
            sol[s] = spla.spsolve(sub.tocsc(), rhs[s])
        else:
            sol[s] = _cg(sub, rhs[s], sol[s], progress.sub(20, 90))
    progress(90)
    xf = xf.copy()
    xf[unknown] = sol
    out[sl] = xf.reshape(shape)
    progress(100)
    return out


# --------------------------------------------------------------------------
# slope-limited held values (docs/method.md section 3, "slope limit")
# --------------------------------------------------------------------------

def _row_envelope(g, fwd, bwd):
    """1-D lower envelope along a row: min over k of g[k] + C(k -> j), the
    cost of the steps from k to j; ``fwd`` / ``bwd`` the running costs of the
    steps to the right / to the left (C(k -> j) = fwd[j] - fwd[k] for k < j,
    bwd[k] - bwd[j] for k > j), as two running minima."""
    left = np.minimum.accumulate(g - fwd) + fwd
    right = np.minimum.accumulate((g + bwd)[::-1])[::-1] - bwd
    return np.minimum(left, right)


class StepCosts:
    """How much the slope limit lets a surface rise over each 8-neighbour step
    of a grid: ``t`` x the step's length (dx, dy, hypot(dx, dy)), or the rise
    of ``ground`` along the step where that is larger (nan ground: ``t`` x
    length); ground None: always ``t`` x length.  So the ground itself always
    obeys it (where the ground is gentler than ``t`` the limit is plain
    ``t`` x length).  Arrays, ``_f`` for steps forward (to the next column or
    row) and ``_b`` backward: ``along`` running costs along each row (rows x
    cols), ``down`` between rows r and r + 1 (rows-1 x cols), ``diag`` between
    (r, c) and (r+1, c+1), ``anti`` between (r, c+1) and (r+1, c), forward =
    downward (rows-1 x cols-1); ``step`` the single steps along the rows
    (rows x cols-1).  ``margin`` (metres) is taken off every
    ``t`` x length allowance (not off the ground's rises)."""

    def __init__(self, shape, t, dx, dy, ground=None, margin=0.0):
        self.t, self.dx, self.dy, self.ground = float(t), float(dx), float(dy), ground
        self.uniform = ground is None
        gz = np.zeros(shape) if ground is None else np.asarray(ground, dtype=np.float64)
        sx, sy, sd = (t * dx - margin, t * dy - margin, t * float(np.hypot(dx, dy)) - margin)

        def pair(hi, lo, s):            # rise from lo to hi, and back
            d = hi - lo
            return np.fmax(d, s), np.fmax(-d, s)
        zero = np.zeros((shape[0], 1))
        self.step_f, self.step_b = pair(gz[:, 1:], gz[:, :-1], sx)      # along the rows
        self.along_f = np.concatenate([zero, np.cumsum(self.step_f, axis=1)], axis=1)
        self.along_b = np.concatenate([zero, np.cumsum(self.step_b, axis=1)], axis=1)
        self.down_f, self.down_b = pair(gz[1:], gz[:-1], sy)
        self.diag_f, self.diag_b = pair(gz[1:, 1:], gz[:-1, :-1], sd)
        self.anti_f, self.anti_b = pair(gz[1:, :-1], gz[:-1, 1:], sd)

    def reversed(self):
        """Every step's cost in the other direction (the ground upside down):
        the costs of the dual, upper envelope."""
        if getattr(self, "_reversed", None) is not None:
            return self._reversed
        out = StepCosts.__new__(StepCosts)
        out.__dict__.update(self.__dict__)
        out._reversed = self
        self._reversed = out
        out.ground = None if self.ground is None else -np.asarray(self.ground)
        for k in ("along", "step", "down", "diag", "anti"):
            setattr(out, k + "_f", getattr(self, k + "_b"))
            setattr(out, k + "_b", getattr(self, k + "_f"))
        return out


def lower_envelope(h, costs, progress=None, max_passes=50):
    """min over cells y of ``h[y] + D(y -> x)`` for every cell x.

    ``h``: finite at the source cells, +inf elsewhere (those cells only pass
    the envelope on); D: the cheapest 8-connected path from y to x, each step
    costing what ``costs`` (a :class:`StepCosts`) allows.  Raster passes, rows
    down then up, each row finished by the exact 1-D envelope along it.  With
    uniform costs one pair of passes is exact (a cheapest 8-connected path can
    take its row changes first and its steps along the row last); otherwise
    pairs are repeated until nothing changes (at most ``max_passes``).
    """
    progress = as_progress(progress)
    out = np.array(h, dtype=np.float64)
    rows = out.shape[0]
    every = max(1, 1000000 // max(out.shape[1], 1))       # about 0.1 s of work
    c = costs
    out[0] = _row_envelope(out[0], c.along_f[0], c.along_b[0])
    for k in range(max_passes):
        before = None if c.uniform else out.copy()
        for i, r in enumerate(range(1, rows)):            # down: from row r - 1
            prev = out[r - 1]
            cand = prev + c.down_f[r - 1]
            np.minimum(cand[1:], prev[:-1] + c.diag_f[r - 1], out=cand[1:])
            np.minimum(cand[:-1], prev[1:] + c.anti_f[r - 1], out=cand[:-1])
            np.minimum(cand, out[r], out=cand)
            out[r] = _row_envelope(cand, c.along_f[r], c.along_b[r])
            if i % every == 0:
                progress(min(99.0, 50.0 * (k + i / rows)))
        for i, r in enumerate(range(rows - 2, -1, -1)):   # up: from row r + 1
            prev = out[r + 1]
            cand = prev + c.down_b[r]
            np.minimum(cand[:-1], prev[1:] + c.diag_b[r], out=cand[:-1])
            np.minimum(cand[1:], prev[:-1] + c.anti_b[r], out=cand[1:])
            np.minimum(cand, out[r], out=cand)
            out[r] = _row_envelope(cand, c.along_f[r], c.along_b[r])
            if i % every == 0:
                progress(min(99.0, 50.0 * (k + 0.5 + i / rows)))
        if c.uniform or not np.any(out < before - 1e-9) or _settled(out, c):
            break
    progress(100)
    return out


def _settled(out, c, tol=1e-9):
    """True when no cell of ``out`` can be lowered through one of its eight
    neighbours (out[y] + cost(y -> x) < out[x] - tol nowhere): then ``out`` is
    the fixed point of the passes, and another pair would change nothing."""
    pairs = ((out[:, :-1] + c.step_f, out[:, 1:]), (out[:, 1:] + c.step_b, out[:, :-1]),
             (out[:-1] + c.down_f, out[1:]), (out[1:] + c.down_b, out[:-1]),
             (out[:-1, :-1] + c.diag_f, out[1:, 1:]), (out[1:, 1:] + c.diag_b, out[:-1, :-1]),
             (out[:-1, 1:] + c.anti_f, out[1:, :-1]), (out[1:, :-1] + c.anti_b, out[:-1, 1:]))
    return not any(np.any(cand < target - tol) for cand, target in pairs)


def upper_envelope(h, costs, progress=None):
    """The dual of ``lower_envelope``: max over y of ``h[y] - D(x -> y)``
    (``h`` -inf off the sources): the smallest surface above h that no step
    lets rise more than its cost."""
    g = np.where(np.isfinite(h), -np.asarray(h, dtype=np.float64), np.inf)
    return -lower_envelope(g, costs.reversed(), progress)


def fixed_band(z, fixed, costs, progress=None):
    """The band the fixed cells allow: (lo, hi), lo(x) = max over fixed y of
    (z(y) - D(x -> y)) and hi(x) = min over fixed y of (z(y) + D(y -> x)): a
    cell outside it stands below or above some fixed cell by more than the
    slope limit allows."""
    progress = as_progress(progress)
    on = np.asarray(fixed, dtype=bool) & np.isfinite(z)
    hi = lower_envelope(np.where(on, z, np.inf), costs, progress.sub(0, 50))
    lo = upper_envelope(np.where(on, z, -np.inf), costs, progress.sub(50, 100))
    return lo, hi


def slope_limit(surface, held, fixed, costs, *, upper=False, band=None, changed=None,
                progress=None):
    """Slope-limit the ``held`` cells of ``surface`` (in place; returns the
    number of held cells that moved by more than 1 mm).  ``costs``: the
    :class:`StepCosts` of the grid (the allowance of each step).

    1. Clip every held cell into the band of the ``fixed`` cells
       (``fixed_band``): no held cell above or below a fixed cell by more
       than the allowance D of the path between them.
    2. dem_max (``upper`` False): the lower envelope over the sources y =
       fixed | held,  x <- min over y of (z(y) + D(x, y)), the largest surface
       below z whose steps stay within their allowance; dem_min (``upper``
       True) the dual upper envelope  x <- max over y of (z(y) - D(x, y)).
    The envelope is 1-Lipschitz in D, so afterwards no held cell stands above
    or below a neighbouring held cell by more than the step's allowance; where
    the fixed cells agree with D (always, when D allows the ground's own
    drops) it also stays in their band.  Fixed cells never change; other cells
    pass the envelope on.  ``band``: (lo, hi) if already computed;
    ``changed``: a bool array of the grid's shape, set where a cell changed.
    """
    progress = as_progress(progress)
    held = np.asarray(held, dtype=bool) & np.isfinite(surface)
    if not held.any():
        return 0
    fixed = np.asarray(fixed, dtype=bool) & ~held
    lo, hi = fixed_band(surface, fixed, costs, progress.sub(0, 50)) if band is None else band
    before = surface[held]
    x = np.minimum(np.maximum(before, lo[held]), hi[held])
    h = np.full(surface.shape, -np.inf if upper else np.inf)
    src = fixed & np.isfinite(surface)
    h[src] = surface[src]
    h[held] = x
    envelope = upper_envelope if upper else lower_envelope
    env = envelope(h, costs, progress.sub(50, 100))[held]
    x = np.maximum(x, env) if upper else np.minimum(x, env)
    # keep a cell's own value where the envelope only rounds it (1e-10 relative);
    # count (and mark in ``changed``) the cells that moved by more than 1 mm
    moved = np.abs(x - before)
    tol = 1e-10 * (1.0 + float(np.max(np.abs(before))))
    surface[held] = np.where(moved > tol, x, before)
    change = moved > 1e-3
    if changed is not None:
        changed[held] |= change
    return int(change.sum())


# --------------------------------------------------------------------------
# eq. 2, semi-fixed channels
# --------------------------------------------------------------------------

def semi_fixed_geometry(z, receivers, semi, known, dx, dy):
    """Anchor ``c``, head ``o`` and flow-path lengths of eq. 2.

    For every semi-fixed cell: the anchor is the first cell below the run of
    semi-fixed cells (a confluence or the exit cell outside the area); the
    head is the source of the longest semi-fixed flow path through the cell
    (``chain_heads``); ``L(i, c)`` and ``L(o, c)`` are flow-path lengths in
    metres (D8 steps, diagonal ``hypot(dx, dy)``).  Returns a dict of flat
    arrays over all cells plus ``anchored`` (the anchor is a known cell).
    """
    rec = np.asarray(receivers, dtype=np.int64)
    n = rec.size
    step = hy.downstream_distance(rec, dx, dy, z.shape)
    anchor, dist = walk_to_exit(rec, semi, step)
    knownx = np.concatenate([np.asarray(known).ravel(), [False]])
    anchored = semi.ravel() & knownx[anchor]
    head = chain_heads(rec, semi.ravel(), dist)
    return {"anchor": anchor, "dist": dist, "head": head, "anchored": anchored, "n": n,
            "step": step}


def eq2_profile(z, geom, cells, angle_deg):
    """Eq. 2 on the flat ``cells``:
    dem = (z_i - z_c) L(o, c) tan A / (z_o - z_c) + z_c.
    Where the head is not above the anchor (a flat run) the drop is spread
    by length: dem = z_c + L(i, c) tan A."""
    zf = np.asarray(z, dtype=np.float64).ravel()
    c = geom["anchor"][cells]
    o = geom["head"][cells]
    zc, zo, zi = zf[c], zf[o], zf[cells]
    lo, li = geom["dist"][o], geom["dist"][cells]
    t = np.tan(np.radians(angle_deg))
    denom = zo - zc
    with np.errstate(invalid="ignore", divide="ignore"):
        v = np.where(denom > 0, (zi - zc) * lo * t / np.where(denom > 0, denom, 1.0) + zc,
                     zc + li * t)
    return v


def natural_semi_angles(z, receivers, classes, catchments, geom, dx, dy):
    """Head-to-anchor slope angles (degrees) of the natural semi-fixed
    channels of the area and its surroundings, on dem_or.

    Area: every head of a semi-fixed channel, atan((z_o - z_c) / L(o, c)).
    Surroundings: the first-order channels outside the area in the
    catchments the area touches, head to the first junction below it (where
    such a channel would meet a larger one).  Outside the area the channel
    mask is recovered as accumulation >= the smallest accumulation of a
    channel cell of the area (the channel threshold).  Angles <= 0 (a head
    not above its anchor on dem_or: a pit or a flat of the DEM) are left out."""
    zf = np.asarray(z, dtype=np.float64).ravel()
    cls = np.asarray(classes).ravel()
    rec = np.asarray(receivers, dtype=np.int64)
    n = rec.size
    semi = np.flatnonzero(geom["anchored"])
    heads = semi[geom["head"][semi] == semi]
    c = geom["anchor"][heads]
    with np.errstate(invalid="ignore", divide="ignore"):
        inside = np.degrees(np.arctan2(zf[heads] - zf[c], geom["dist"][heads]))
    valid = np.isfinite(zf)
    chan_cls = np.isin(cls, (cl.FIXED, cl.CONFLUENCE, cl.SEMI_FIXED, cl.FLOATING))
    outside = np.zeros(0)
    if chan_cls.any():
        acc = hy.accumulate(rec)
        t = acc[chan_cls].min()
        chan = valid & (acc >= t)
        recc = np.where(chan, rec, n)
        nd = np.bincount(recc, minlength=n + 1)[:n]
        junction = chan & (nd >= 2)
        head_out = chan & (nd == 0) & (cls == cl.BOUNDARY)
        cat = np.asarray(catchments).ravel()
        in_area = np.isfinite(cls) & (cls != cl.BOUNDARY)
        touched = np.zeros(int(max(cat.max(), 0)) + 2, dtype=bool)
        ca = cat[in_area]
        touched[ca[ca >= 0]] = True
        head_out &= (cat >= 0) & touched[np.maximum(cat, 0)]
        end, dist = walk_to_exit(rec, chan & ~junction, geom["step"])
        hs = np.flatnonzero(head_out)
        e = end[hs]
        ok = (e < n) & junction[np.minimum(e, n - 1)] & (dist[hs] > 0)
        hs, e = hs[ok], e[ok]
        outside = np.degrees(np.arctan2(zf[hs] - zf[e], dist[hs]))
    a = np.concatenate([inside, outside])
    # a head not above its anchor is a pit or flat of the DEM, not a channel slope
    return a[np.isfinite(a) & (a > 0)]


# --------------------------------------------------------------------------
# the solver
# --------------------------------------------------------------------------

def _check_angle(name, value, lo=0.0, hi=90.0):
    if value is None:
        return None
    v = float(value)
    if not np.isfinite(v) or v < lo or v >= hi:
        raise InputError(f"{name} must be an angle in degrees from {lo:g} to below {hi:g}; "
                         f"got {value}.")
    return v


def earthwork_surfaces(z, classes, receivers, catchments, dx, dy, *, a_max=DEFAULT_A_MAX,
                       a_min=None, semi_a_max=None, semi_a_min=None,
                       interpolation="converged", sweeps=None, progress=None, limit_slopes=True,
                       percentile=DEFAULT_PERCENTILE):
    """The maximum and minimum earthwork surfaces (eq. 1 to 5), solved in the
    order 1, 1.5, 5 -> 2 -> 3 -> 4 -> 0 of the paper's Fig. 3(b).

    z: dem_or (nan = nodata); classes: codes of ``classify.classify_cells``;
    receivers: flat D8 receivers (N = out); catchments: int ids (-1 or nan =
    none); dx, dy: cell size in metres.  Angles in degrees; None = automatic:
    ``a_min`` per cell, the smallest mean slope angle of the catchments in
    the cell's 3 x 3 window; ``semi_a_max`` / ``semi_a_min`` the (100 -
    ``percentile``)-th / ``percentile``-th percentile of the natural
    head-to-anchor angles (``natural_semi_angles``; robust extremes, not
    single samples), the largest capped at ``a_max``.  ``interpolation``
    'converged' (the default: the limit the paper's n sweeps approach, which
    does not depend on the cell size; at the paper's lower bound for n the
    sweeps stop tens of metres short of it) or 'sweeps' (the paper's n
    sweeps; ``sweeps`` None = the paper's rule).  ``limit_slopes``: after each of eq. 2, 3 and 4 the held
    cells, and after eq. 5 every solved cell, are slope-limited
    (``slope_limit``: dem_max by the lower envelope, dem_min by the upper one,
    both kept in the band of the fixed cells): no step of either surface may
    rise more than tan(a_max) x its length, or the pre-mining DEM's own rise
    there where that is steeper (``StepCosts``); fixed cells never change.
    False gives the paper's equations alone.  The result's ``quality`` holds
    ``core.quality.design_quality`` of PNL, dem_max and dem_min over the area
    (spikes against tan(a_max) x cell).
    """
    progress = as_progress(progress)
    s = _Solve(z, classes, receivers, catchments, dx, dy, a_max, a_min, semi_a_max,
               semi_a_min, interpolation, sweeps, percentile)
    s.limit_slopes = bool(limit_slopes)
    progress(2)
    s.semi_fixed(progress.sub(2, 25))
    s.slope = slope_degrees(s.z, dx, dy)
    s.mean_slope = catchment_mean_slope(s.slope, s.cat)
    s.eq34(cl.WATERSHED, progress.sub(25, 42))
    s.eq34(cl.FLOATING, progress.sub(42, 52))
    if s.a_min_used:
        allmin = np.concatenate(s.a_min_used)
        a_lo, a_hi = float(allmin.min()), float(allmin.max())
    else:
        a_lo = a_hi = float(s.a_min) if s.a_min is not None else float("nan")
    n_used, n_rule = s.eq5(progress.sub(52, 97))
    box = mask_box(s.area, 2)
    quality = {name: design_quality(v[box], s.area[box], dx, dy, angle=s.a_max)
               for name, v in (("pnl", s.z), ("dem_max", s.dmax), ("dem_min", s.dmin))}
    progress(100)
    return EarthworkSurfaces(s.dmax, s.dmin, s.a_max, a_lo, a_hi, s.semi_a_max, s.semi_a_min,
                             n_used, n_rule, s.interpolation, s.clipped, s.unanchored, s.info,
                             limited_max=s.limited[0], limited_min=s.limited[1],
                             quality=quality)


def _check_grids(z, classes, catchments, receivers):
    """The class, catchment and receiver arrays, on the DEM's grid."""
    shape = z.shape
    cls = np.asarray(classes, dtype=np.float64)
    if cls.shape != shape:
        raise InputError(f"The class raster is {cls.shape[0]} x {cls.shape[1]} cells, the "
                         f"DEM {shape[0]} x {shape[1]}; use the classes computed on this "
                         "DEM.")
    cat = np.asarray(catchments, dtype=np.float64)
    if cat.shape != shape:
        raise InputError("The catchment raster is not on the DEM's grid.")
    rec = np.asarray(receivers, dtype=np.int64).ravel()
    if rec.size != z.size:
        raise InputError("The flow directions are not on the DEM's grid.")
    return cls, cat, rec


def _check_class_codes(cv):
    """The classes of the valid DEM cells are all class codes."""
    if np.isnan(cv).any():
        raise InputError("The class raster has nodata on valid DEM cells; compute the "
                         "classes on this DEM (hpcs:classifycells).")
    bad = ~np.isin(cv, cl.CODES)
    if bad.any():
        raise InputError(f"The class raster holds {np.unique(cv[bad])[:5]}, which are not "
                         "class codes 0, 1, 1.5, 2, 3, 4, 5; use the output of "
                         "hpcs:classifycells.")


def _check_counts(sweeps, percentile):
    """SWEEPS (None or >= 1) and the percentile of the automatic angles (0..50)."""
    if sweeps is not None and (not np.isfinite(sweeps) or int(sweeps) < 1):
        raise InputError(f"The number of sweeps must be a whole number >= 1; got {sweeps}.")
    p = float(percentile)
    if not np.isfinite(p) or not 0.0 <= p <= 50.0:
        raise InputError(f"The percentile of the automatic angles must be from 0 (the "
                         f"single extremes) to 50 (the median); got {percentile}.")
    return p


class _Solve:
    """State of one earthwork-surface solve: the inputs checked, both surfaces
    and the mask of cells known so far (``known``), grown step by step."""

    def __init__(self, z, classes, receivers, catchments, dx, dy, a_max, a_min, semi_a_max,
                 semi_a_min, interpolation, sweeps, percentile):
        z = np.asarray(z, dtype=np.float64)
        cls, cat, rec = _check_grids(z, classes, catchments, receivers)
        if interpolation not in INTERPOLATIONS:
            raise InputError(f"Unknown interpolation '{interpolation}'; use one of "
                             f"{INTERPOLATIONS}.")
        valid = np.isfinite(z)
        _check_class_codes(cls[valid])
        self.cls = np.where(valid, cls, np.nan)
        self.area = valid & (self.cls != cl.BOUNDARY)
        if not self.area.any():
            raise InputError("The class raster has no cell inside the reshaping area (every "
                             "cell is boundary, class 5).")
        self._set_angles(a_max, a_min, semi_a_max, semi_a_min)
        p = _check_counts(sweeps, percentile)
        self.percentile, self.sweeps, self.interpolation = p, sweeps, interpolation
        self.z, self.rec, self.valid, self.dx, self.dy = z, rec, valid, float(dx), float(dy)
        self.cat = np.where(np.isfinite(cat), cat, -1).astype(np.int64)
        self.cat[~valid] = -1
        # eq. 1: fixed, confluence and boundary cells keep dem_or
        self.known = np.isin(self.cls, KNOWN_EQ1)
        self.fixed = self.known.copy()
        self.dmax = np.where(self.known, z, np.nan)
        self.dmin = self.dmax.copy()
        self.clipped, self.unanchored, self.limited = 0, 0, [0, 0]
        self.changed = None
        self.info, self.a_min_used = {}, []
        self.limit_slopes = True
        self.box = self.band = None

    def _set_angles(self, a_max, a_min, semi_a_max, semi_a_min):
        """A_max (default DEFAULT_A_MAX), A_min <= A_max and the semi-fixed angles, checked."""
        a_max = _check_angle("A_max", a_max)
        self.a_max = DEFAULT_A_MAX if a_max is None else a_max
        self.a_min = _check_angle("A_min", a_min)
        if self.a_min is not None and self.a_min > self.a_max:
            raise InputError(f"A_min ({self.a_min:g} deg) is larger than A_max "
                             f"({self.a_max:g} deg); the minimum surface would rise above the "
                             "maximum one.")
        self.semi_a_max = _check_angle("Semi-fixed A_max", semi_a_max)
        self.semi_a_min = _check_angle("Semi-fixed A_min", semi_a_min)

    def semi_fixed(self, progress):
        """Eq. 2 on the semi-fixed cells, with the automatic angles."""
        z, rec, cls = self.z, self.rec, self.cls
        semi = cls == cl.SEMI_FIXED
        geom = semi_fixed_geometry(z, rec, semi, self.known, self.dx, self.dy)
        unanchored = semi.ravel() & ~geom["anchored"]
        if unanchored.any():      # classes from other flow directions: solve as floating
            cls.ravel()[unanchored] = cl.FLOATING
            semi = cls == cl.SEMI_FIXED
            geom = semi_fixed_geometry(z, rec, semi, self.known, self.dx, self.dy)
        self.unanchored = int(unanchored.sum())
        progress(50)
        natural = natural_semi_angles(z, rec, cls, self.cat, geom, self.dx, self.dy)
        self.info["natural_semi_angles"] = natural.size
        if natural.size:
            lo, hi = np.percentile(natural, (self.percentile, 100.0 - self.percentile))
            self.info["natural_semi_range"] = (float(natural.min()), float(natural.max()))
        if self.semi_a_max is None:
            self.semi_a_max = float(np.clip(hi, 0.0, self.a_max)) if natural.size else self.a_max
        if self.semi_a_min is None:
            self.semi_a_min = float(np.clip(lo, 0.0, self.semi_a_max)) if natural.size else 0.0
        if self.semi_a_min > self.semi_a_max:
            raise InputError(f"The semi-fixed A_min ({self.semi_a_min:g} deg) is larger than "
                             f"the semi-fixed A_max ({self.semi_a_max:g} deg).")
        sc = np.flatnonzero(semi.ravel())
        self.dmax.ravel()[sc] = eq2_profile(z, geom, sc, self.semi_a_max)
        self.dmin.ravel()[sc] = eq2_profile(z, geom, sc, self.semi_a_min)
        self.hold(semi, progress.sub(60, 100))

    def hold(self, mask, progress):
        """The cells of ``mask`` are solved: band them, slope-limit every held
        cell so far against the known ones (if asked), and mark them known."""
        self.clipped += _clip(self.dmax, self.dmin, mask)
        self.known |= mask
        if not self.limit_slopes:
            return
        self.limit(self.known & ~self.fixed, progress)

    def eq34(self, code, progress):
        """Eq. 3 (watershed) or eq. 4 (floating) on the cells of class ``code``."""
        tmask = self.cls == code
        targets = np.flatnonzero(tmask.ravel())
        if targets.size == 0:
            return
        shape, known = self.z.shape, self.known
        pos, labs, dist, near = nearest_known_by_catchment(targets, known, self.cat, self.dx,
                                                           self.dy)
        progress(40)
        nt = targets.size
        if self.a_min is None:
            amin_t = _group_reduce(pos, self.mean_slope[labs], nt, "min")
            spare = np.nanpercentile(self.mean_slope, self.percentile)
            amin_t = np.where(np.isfinite(amin_t), amin_t, spare)
        else:
            amin_t = np.full(nt, self.a_min)
        amin_t = np.minimum(amin_t, self.a_max)
        self.a_min_used.append(amin_t)
        ta = np.tan(np.radians(self.a_max))
        tmin = np.tan(np.radians(amin_t))[pos]
        ok = near >= 0
        hmax = np.where(ok, self.dmax.ravel()[np.maximum(near, 0)], np.nan)
        hmin = np.where(ok, self.dmin.ravel()[np.maximum(near, 0)], np.nan)
        if code == cl.WATERSHED:
            vmax = _group_reduce(pos, hmax + dist * ta, nt, "min")
            vmin = _group_reduce(pos, hmin + dist * tmin, nt, "max")
        else:
            vmax = _group_reduce(pos, hmax - dist * tmin, nt, "min")
            vmin = _group_reduce(pos, hmin - dist * ta, nt, "max")
        lost = ~np.isfinite(vmax)
        if lost.any():        # no known cell in any adjacent catchment: nearest known cell
            d, (ir, ic) = ndimage.distance_transform_edt(~known, sampling=(self.dy, self.dx),
                                                         return_indices=True)
            r, c = np.divmod(targets[lost], shape[1])
            nk = ir[r, c] * shape[1] + ic[r, c]
            dl = d[r, c]
            sign = 1.0 if code == cl.WATERSHED else -1.0
            tl = np.tan(np.radians(amin_t[lost]))
            amax_l, amin_l = (ta, tl) if code == cl.WATERSHED else (tl, ta)
            vmax[lost] = self.dmax.ravel()[nk] + sign * dl * amax_l
            vmin[lost] = self.dmin.ravel()[nk] + sign * dl * amin_l
            self.info[f"fallback_{int(code)}"] = int(lost.sum())
        self.dmax.ravel()[targets] = vmax
        self.dmin.ravel()[targets] = vmin
        self.hold(tmask, progress.sub(50, 100))

    def eq5(self, progress):
        """Eq. 5 on the class-0 cells; returns (n used, n by the paper's rule)."""
        z, valid = self.z, self.valid
        free = valid & (self.cls == cl.OTHER)
        n_rule = sweeps_by_rule(self.cls)
        self.dmax[free] = z[free]
        self.dmin[free] = z[free]
        if self.interpolation == "sweeps":
            n_used = int(self.sweeps) if self.sweeps is not None else n_rule
            self.dmax = fuzzy_interpolation(self.dmax, free, n_used, progress.sub(0, 40))
            self.dmin = fuzzy_interpolation(self.dmin, free, n_used, progress.sub(40, 80))
        else:
            n_used = 0
            self.dmax = harmonic_fill(self.dmax, free, progress.sub(0, 40))
            self.dmin = harmonic_fill(self.dmin, free, progress.sub(40, 80))
        self.dmax[~valid] = np.nan
        self.dmin[~valid] = np.nan
        # rounding in the means must not break the band
        self.dmin[free] = np.minimum(self.dmin[free], self.dmax[free])
        if self.limit_slopes:
            self.limit_all(progress.sub(80, 100))
        return n_used, n_rule

    def limit_all(self, progress):
        """The slope limit on every solved cell of the area after eq. 5:
        dem_max becomes the largest surface below it, dem_min the smallest
        above it, with no step steeper than its allowance (fixed cells as they
        are)."""
        self.info["limited_after_eq5"] = self.limit(self.area & ~self.fixed, progress)
        self.limited = [int(m.sum()) for m in self.changed]

    def limit(self, cells, progress):
        """``slope_limit`` of the ``cells`` of both surfaces (dem_max by the
        lower envelope, dem_min by the upper one) on the area's bounding box,
        then dem_min <= dem_max; returns the two counts of changed cells."""
        if self.box is None:
            self.box = b = mask_box(self.area, 1)
            self.costs = StepCosts(self.z[b].shape, self.t_limit(), self.dx, self.dy,
                                   self.z[b], margin=self.margin(self.z[b]))
            self.band = fixed_band(self.z[b], self.fixed[b], self.costs, progress.sub(0, 30))
            self.changed = [np.zeros(self.z[b].shape, dtype=bool) for _ in range(2)]
        b = self.box
        out = [slope_limit(surf[b], cells[b], self.fixed[b], self.costs, upper=upper,
                           band=self.band, changed=self.changed[k],
                           progress=progress.sub(30 + 35 * k, 65 + 35 * k))
               for k, (surf, upper) in enumerate(((self.dmax, False), (self.dmin, True)))]
        self.clipped += _clip(self.dmax, self.dmin, cells)
        return out

    def t_limit(self):
        """The slope bound of the limit: tan(A_max)."""
        return float(np.tan(np.radians(self.a_max)))

    def margin(self, z):
        """Metres taken off each step's tan(A_max) x length, so that rounding,
        also to float32 on output, cannot lift a limited step over the spike
        measure's tan(A_max) x cell: two float32 spacings at the largest
        elevation (0.12 mm at 1000 m), at least 1e-9 of a step."""
        top = float(np.nanmax(np.abs(z))) if np.isfinite(z).any() else 0.0
        return max(2.0 * float(np.spacing(np.float32(top))),
                   1e-9 * self.t_limit() * min(self.dx, self.dy))


def _clip(dmax, dmin, mask):
    """Lower dem_min to dem_max where it is above (returns the count)."""
    over = mask & (dmin > dmax)
    dmin[over] = dmax[over]
    return int(over.sum())
