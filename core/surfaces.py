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
"""
from dataclasses import dataclass, field

import numpy as np
from scipy import ndimage, sparse
from scipy.sparse import csgraph
from scipy.sparse import linalg as spla

from . import classify as cl
from . import hydrology as hy
from .errors import InputError, as_progress

#: interpolation methods for eq. 5, in the order of the algorithm's enum
INTERPOLATIONS = ("sweeps", "converged")
#: the standard maximum slope angle of a dump (paper: 25 degrees)
DEFAULT_A_MAX = 25.0

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


def _bbox(mask, margin=1):
    rr = np.flatnonzero(mask.any(axis=1))
    cc = np.flatnonzero(mask.any(axis=0))
    rows, cols = mask.shape
    return (slice(max(rr[0] - margin, 0), min(rr[-1] + 1 + margin, rows)),
            slice(max(cc[0] - margin, 0), min(cc[-1] + 1 + margin, cols)))


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
        sl = _bbox(ws | fixed, 0)
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
    sl = _bbox(free, 1)
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
    sl = _bbox(free, 1)
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


def earthwork_surfaces(z, classes, receivers, catchments, dx, dy, a_max=DEFAULT_A_MAX,
                       a_min=None, semi_a_max=None, semi_a_min=None, interpolation="sweeps",
                       sweeps=None, progress=None):
    """The maximum and minimum earthwork surfaces (eq. 1 to 5), solved in the
    order 1, 1.5, 5 -> 2 -> 3 -> 4 -> 0 of the paper's Fig. 3(b).

    z: dem_or (nan = nodata); classes: codes of ``classify.classify_cells``;
    receivers: flat D8 receivers (N = out); catchments: int ids (-1 or nan =
    none); dx, dy: cell size in metres.  Angles in degrees; None = automatic:
    ``a_min`` per cell, the smallest mean slope angle of the catchments in
    the cell's 3 x 3 window; ``semi_a_max`` / ``semi_a_min`` the largest /
    smallest natural head-to-anchor angle (``natural_semi_angles``), the
    largest capped at ``a_max``.  ``interpolation`` 'sweeps' (the paper's n
    sweeps; ``sweeps`` None = the paper's rule) or 'converged'.
    """
    progress = as_progress(progress)
    z = np.asarray(z, dtype=np.float64)
    shape = z.shape
    cls = np.asarray(classes, dtype=np.float64)
    if cls.shape != shape:
        raise InputError(f"The class raster is {cls.shape[0]} x {cls.shape[1]} cells, the DEM "
                         f"{shape[0]} x {shape[1]}; use the classes computed on this DEM.")
    cat = np.asarray(catchments, dtype=np.float64)
    if cat.shape != shape:
        raise InputError("The catchment raster is not on the DEM's grid.")
    rec = np.asarray(receivers, dtype=np.int64).ravel()
    if rec.size != z.size:
        raise InputError("The flow directions are not on the DEM's grid.")
    if interpolation not in INTERPOLATIONS:
        raise InputError(f"Unknown interpolation '{interpolation}'; use one of {INTERPOLATIONS}.")
    valid = np.isfinite(z)
    cv = cls[valid]
    if np.isnan(cv).any():
        raise InputError("The class raster has nodata on valid DEM cells; compute the classes "
                         "on this DEM (hpcs:classifycells).")
    bad = ~np.isin(cv, cl.CODES)
    if bad.any():
        raise InputError(f"The class raster holds {np.unique(cv[bad])[:5]}, which are not class "
                         "codes 0, 1, 1.5, 2, 3, 4, 5; use the output of hpcs:classifycells.")
    cls = np.where(valid, cls, np.nan)
    area = valid & (cls != cl.BOUNDARY)
    if not area.any():
        raise InputError("The class raster has no cell inside the reshaping area (every cell "
                         "is boundary, class 5).")
    a_max = _check_angle("A_max", a_max)
    if a_max is None:
        a_max = DEFAULT_A_MAX
    a_min = _check_angle("A_min", a_min)
    if a_min is not None and a_min > a_max:
        raise InputError(f"A_min ({a_min:g} deg) is larger than A_max ({a_max:g} deg); the "
                         "minimum surface would rise above the maximum one.")
    semi_a_max = _check_angle("Semi-fixed A_max", semi_a_max)
    semi_a_min = _check_angle("Semi-fixed A_min", semi_a_min)
    if sweeps is not None and (not np.isfinite(sweeps) or int(sweeps) < 1):
        raise InputError(f"The number of sweeps must be a whole number >= 1; got {sweeps}.")
    catv = np.where(np.isfinite(cat), cat, -1).astype(np.int64)
    del cat
    catv[~valid] = -1

    # ---- eq. 1 --------------------------------------------------------
    known = np.isin(cls, KNOWN_EQ1)
    dmax = np.where(known, z, np.nan)
    dmin = dmax.copy()
    progress(2)

    # ---- eq. 2 --------------------------------------------------------
    semi = cls == cl.SEMI_FIXED
    geom = semi_fixed_geometry(z, rec, semi, known, dx, dy)
    unanchored = semi.ravel() & ~geom["anchored"]
    if unanchored.any():      # classes from other flow directions: solve as floating
        cls.ravel()[unanchored] = cl.FLOATING
        semi = cls == cl.SEMI_FIXED
        geom = semi_fixed_geometry(z, rec, semi, known, dx, dy)
    progress(12)
    natural = natural_semi_angles(z, rec, cls, catv, geom, dx, dy)
    info = {"natural_semi_angles": natural.size}
    if semi_a_max is None:
        semi_a_max = float(np.clip(natural.max(), 0.0, a_max)) if natural.size else a_max
    if semi_a_min is None:
        semi_a_min = float(np.clip(natural.min(), 0.0, semi_a_max)) if natural.size else 0.0
    if semi_a_min > semi_a_max:
        raise InputError(f"The semi-fixed A_min ({semi_a_min:g} deg) is larger than the "
                         f"semi-fixed A_max ({semi_a_max:g} deg).")
    sc = np.flatnonzero(semi.ravel())
    dmax.ravel()[sc] = eq2_profile(z, geom, sc, semi_a_max)
    dmin.ravel()[sc] = eq2_profile(z, geom, sc, semi_a_min)
    clipped = _clip(dmax, dmin, semi)
    del geom
    known |= semi
    progress(25)

    # ---- eq. 3 and eq. 4 ------------------------------------------------
    slope = slope_degrees(z, dx, dy)
    mean_slope = catchment_mean_slope(slope, catv)
    a_min_used = []
    ta = np.tan(np.radians(a_max))
    for code, sub in ((cl.WATERSHED, progress.sub(25, 45)), (cl.FLOATING, progress.sub(45, 55))):
        tmask = cls == code
        targets = np.flatnonzero(tmask.ravel())
        if targets.size == 0:
            continue
        pos, labs, dist, near = nearest_known_by_catchment(targets, known, catv, dx, dy)
        sub(70)
        nt = targets.size
        if a_min is None:
            amin_t = _group_reduce(pos, mean_slope[labs], nt, "min")
            amin_t = np.where(np.isfinite(amin_t), amin_t, np.nanmin(mean_slope))
        else:
            amin_t = np.full(nt, a_min)
        amin_t = np.minimum(amin_t, a_max)
        a_min_used.append(amin_t)
        tmin = np.tan(np.radians(amin_t))[pos]
        ok = near >= 0
        hmax = np.where(ok, dmax.ravel()[np.maximum(near, 0)], np.nan)
        hmin = np.where(ok, dmin.ravel()[np.maximum(near, 0)], np.nan)
        if code == cl.WATERSHED:
            vmax = _group_reduce(pos, hmax + dist * ta, nt, "min")
            vmin = _group_reduce(pos, hmin + dist * tmin, nt, "max")
        else:
            vmax = _group_reduce(pos, hmax - dist * tmin, nt, "min")
            vmin = _group_reduce(pos, hmin - dist * ta, nt, "max")
        lost = ~np.isfinite(vmax)
        if lost.any():        # no known cell in any adjacent catchment: nearest known cell
            d, (ir, ic) = ndimage.distance_transform_edt(~known, sampling=(dy, dx),
                                                         return_indices=True)
            tl = targets[lost]
            r, c = np.divmod(tl, shape[1])
            nk = ir[r, c] * shape[1] + ic[r, c]
            dl = d[r, c]
            sign = 1.0 if code == cl.WATERSHED else -1.0
            amax_l = ta if code == cl.WATERSHED else np.tan(np.radians(amin_t[lost]))
            amin_l = np.tan(np.radians(amin_t[lost])) if code == cl.WATERSHED else ta
            vmax[lost] = dmax.ravel()[nk] + sign * dl * amax_l
            vmin[lost] = dmin.ravel()[nk] + sign * dl * amin_l
            info[f"fallback_{int(code)}"] = int(lost.sum())
        dmax.ravel()[targets] = vmax
        dmin.ravel()[targets] = vmin
        clipped += _clip(dmax, dmin, tmask)
        known |= tmask
        sub(100)
    if a_min_used:
        allmin = np.concatenate(a_min_used)
        a_lo, a_hi = float(allmin.min()), float(allmin.max())
    else:
        a_lo = a_hi = float(a_min) if a_min is not None else float("nan")

    # ---- eq. 5 ------------------------------------------------------------
    free = valid & (cls == cl.OTHER)
    n_rule = sweeps_by_rule(cls)
    dmax[free] = z[free]
    dmin[free] = z[free]
    if interpolation == "sweeps":
        n_used = int(sweeps) if sweeps is not None else n_rule
        dmax = fuzzy_interpolation(dmax, free, n_used, progress.sub(55, 77))
        dmin = fuzzy_interpolation(dmin, free, n_used, progress.sub(77, 99))
    else:
        n_used = 0
        dmax = harmonic_fill(dmax, free, progress.sub(55, 77))
        dmin = harmonic_fill(dmin, free, progress.sub(77, 99))
    dmax[~valid] = np.nan
    dmin[~valid] = np.nan
    # rounding in the means must not break the band
    dmin[free] = np.minimum(dmin[free], dmax[free])
    progress(100)
    return EarthworkSurfaces(dmax, dmin, a_max, a_lo, a_hi, semi_a_max, semi_a_min, n_used,
                             n_rule, interpolation, clipped, int(unanchored.sum()), info)


def _clip(dmax, dmin, mask):
    """Lower dem_min to dem_max where it is above (returns the count)."""
    over = mask & (dmin > dmax)
    dmin[over] = dmax[over]
    return int(over.sum())
