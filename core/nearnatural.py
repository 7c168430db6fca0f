"""Near-natural landform (NNDL / MNNDL) of the HPCS model (docs/method.md section 5).

In every refilling strip a_fn the surface lies between the minimum and the
maximum earthwork surfaces (dem_min, dem_max of eq. 1 to 5) and holds exactly
the strip's supply V_g (eq. 6) above the seam floor H_fd (the volume of eq. 7
and 8 evaluated on the landform):

    z(tau) = max(H_fd, dem_min + clip(tau, 0, 1) (dem_max - dem_min)
                       + max(tau - 1, 0) h + min(tau, 0) h)

tau in [0, 1] is the blend of the two surfaces (V_fmin <= V_g <= V_fmax);
beyond, the surface is dem_max raised ("uplifted") or dem_min lowered
("sunk") by a uniform offset (tau - 1) h or tau h, h the mean of
dem_max - dem_min over the dump, and never below the floor.  Per strip,
sum (z(tau_n) - H_fd) L_t^2 = V_g(a_mn) is monotone and piecewise linear in
tau_n and is solved exactly (bisection on the breakpoints, then the linear
piece).

Seams: per strip the closed form is a constant tau_n, which would leave a
step where two strips meet.  Instead one field over the whole dump holds every
strip's supply exactly.  Default (``blend="natural"``): the surface whose
departure from the pristine landform, y = z - dem_or, is smoothest - least
Dirichlet energy sum (y_i - y_j)^2 / d^2 over 4-neighbour pairs of the dump
and between the dump and the natural ground around it (not the final pit;
there y = 0) - so the landform keeps PNL's shape, channels and ridges wherever
the band allows, shifted by the gentlest offset.  ``blend="surface"``: the
same with y = z, the gentlest surface outright (least sum of squared one-cell
step gradients), which fills channels too.  Both with sum over strip n of
(z - H_fd) L_t^2 = V_g(a_mn) and z in [dem_min, dem_max] on the strips whose
supply is within [V_fmin, V_fmax]; an uplifted strip (V_g > V_fmax) keeps
only z >= dem_min, a sunk one (V_g < V_fmin) only z <= dem_max, and
z >= H_fd everywhere.  The volumes are linear in z, so this is a convex
quadratic programme: one sparse KKT system, cells that leave their bounds are
fixed there, fixed cells whose multiplier has the wrong sign are released,
until the KKT conditions hold (active set).  Aiming at z rather than at the
blend matters because dem_max and dem_min are rough (held line values of
eq. 2 to 4): a smooth blend of two rough surfaces is rough, while a
least-energy surface cuts their spikes and fills their pits wherever the band
allows.  tau is then read back from z.  The former field (``blend="tau"``) is
the smoothest tau - least sum (d tau / d)^2 - with the same volumes and tau
in [0, 1] on the bounded strips (volumes linearised, J = dz/dtau, a few
Newton rounds); with equal tau_n it is the closed form.  Either way a
per-strip correction c_n b(x) (b ramps from ~0 at the seams to 1 half a strip
width inside) then makes every volume exact to rounding.  A strip exactly at
V_fmin or V_fmax could only be dem_min or dem_max itself, with a step at its
seams; there continuity wins and the bounds are dropped.

Slope mitigation (the paper's "slope mitigation optimisation module": earth
is redistributed between the catchment units of a refilling strip toward the
lowest slope): the units are (strip, catchment) pieces, each with a bump
phi_u (1 inside, ramping to ~0 at the unit's border).  The design variables
a_u move tau by a_u phi_u.  The objective is the smooth centre-inclusive mean
slope over the dump (:func:`smooth_step_slope`: per cell the angle of the mean
of its four one-cell step gradients, |s| read as sqrt(eps^2 + s^2)), which,
unlike Horn's stencil, sees the cell itself, so spikes, pits and checkerboards
raise it.  A pass takes its exact gradient (adjoint) with respect to a_u,
projects it so that every strip's volume is unchanged to first order
(sum_u a_u w_u = 0 per strip), steps along it with backtracking, restores the
volumes exactly, and accepts the step only if the objective fell, and neither
the step slope nor the Horn slope (core.quality, over the dump's interior;
Horn also over the whole dump) nor the spike count rose, and no 4-neighbour
pair across a seam rose above the slope bound (a pair already above it before
the mitigation: by more than 0.1 degree).  So the mitigation cannot lower one
measure by roughening, the volumes stay exact and the bands hold.
"""
from dataclasses import dataclass, field

import numpy as np
from scipy import ndimage

from . import landform as lf
from .errors import InputError, as_progress
from .grid import mask_box
from .quality import Quality, design_quality


@dataclass
class NearNaturalResult:
    landform: np.ndarray          # full grid: dem_or outside, pit, dump surface
    tau: np.ndarray               # blend parameter on the dump (nan elsewhere)
    dump: np.ndarray              # bool
    pit: np.ndarray               # bool
    supply: np.ndarray            # per period
    v_fmin: np.ndarray            # per period (eq. 8 without k)
    v_fmax: np.ndarray            # per period (eq. 7 without k)
    volumes: np.ndarray           # per period, of the landform
    volume_errors: np.ndarray     # per period, relative
    strip_tau: np.ndarray         # per period, before smoothing
    mean_slope: float             # degrees, over the dump
    max_slope: float
    mean_slope_before: float      # before slope mitigation
    max_seam_slope: float         # degrees, steepest 4-neighbour step across a seam
    strip_width: float            # metres, median along the mining axis
    quality: Quality = None       # design quality over the dump (core.quality), final
    quality_before: Quality = None  # the same before the slope mitigation
    diagnostics: dict = field(default_factory=dict)

    @property
    def volume_error_max(self):
        e = self.volume_errors[np.isfinite(self.volume_errors)]
        return float(e.max()) if e.size else 0.0


def _surface(tau, zmin, zmax, floor, h):
    t = np.clip(tau, 0.0, 1.0)
    z = zmin + t * (zmax - zmin) + np.maximum(tau - 1.0, 0.0) * h + np.minimum(tau, 0.0) * h
    return np.maximum(z, floor)


def _dz_dtau(tau, zmin, zmax, floor, h):
    z = _surface(tau, zmin, zmax, floor, h)
    inner = (tau > 0.0) & (tau < 1.0)
    return np.where(z > floor, np.where(inner, zmax - zmin, h), 0.0)


def _bisect(volume, target, lo, hi, progress=None, iters=200):
    """Per-label root of volume(p) = target for nondecreasing piecewise-linear
    volume(p) (p, target: arrays over labels).  lo, hi are expanded until they
    bracket the root; the answer is the linear piece through the final bracket."""
    lo = np.array(lo, dtype=np.float64)
    hi = np.array(hi, dtype=np.float64)
    vlo, vhi = volume(lo), volume(hi)
    for _ in range(80):
        need_lo = vlo > target
        need_hi = vhi < target
        if not (need_lo.any() or need_hi.any()):
            break
        span = np.maximum(hi - lo, 1.0)
        lo = np.where(need_lo, lo - span, lo)
        hi = np.where(need_hi, hi + span, hi)
        vlo, vhi = volume(lo), volume(hi)
    scale = np.maximum(np.abs(target), 1.0)
    for i in range(iters):
        if progress is not None and i % 16 == 0:
            progress.check()
        mid = 0.5 * (lo + hi)
        vm = volume(mid)
        up = vm < target
        lo = np.where(up, mid, lo)
        vlo = np.where(up, vm, vlo)
        hi = np.where(up, hi, mid)
        vhi = np.where(up, vhi, vm)
        if np.all((hi - lo) <= 1e-15 * np.maximum(np.abs(hi), 1.0)) or \
                np.all(np.minimum(target - vlo, vhi - target) <= 1e-13 * scale):
            break
    with np.errstate(invalid="ignore", divide="ignore"):
        f = np.where(vhi > vlo, (target - vlo) / (vhi - vlo), 0.5)
    return lo + np.clip(f, 0.0, 1.0) * (hi - lo)


def _strip_width(labels, axis, dx, dy):
    """Median extent of the strips along the mining axis (m)."""
    x, y = lf.cell_xy(labels.shape, dx, dy)
    m = labels > 0
    s = x[m] * axis[0] + y[m] * axis[1]
    lab = labels[m]
    n = int(labels.max()) + 1
    smax = ndimage.maximum(s, lab, index=np.arange(n))
    smin = ndimage.minimum(s, lab, index=np.arange(n))
    present = np.bincount(lab, minlength=n) > 0
    step = abs(axis[0]) * dx + abs(axis[1]) * dy
    w = (np.asarray(smax) - np.asarray(smin))[present] + step
    return float(np.median(w)) if w.size else max(dx, dy)


def _border_bump(labels, mask, width, dx, dy):
    """1 inside each labelled region, ramping to about 0 at its border with
    another labelled region of ``mask`` (cells next to a different label
    get 0.5 cell / width)."""
    lab = np.where(mask, labels, 0)
    border = np.zeros(lab.shape, bool)
    for sa, sb in (((slice(None), slice(None, -1)), (slice(None), slice(1, None))),
                   ((slice(None, -1), slice(None)), (slice(1, None), slice(None)))):
        diff = mask[sa] & mask[sb] & (lab[sa] != lab[sb])
        border[sa] |= diff
        border[sb] |= diff
    if not border.any():
        return np.where(mask, 1.0, 0.0)
    d = lf.edt(border, dx, dy)
    half = 0.5 * min(dx, dy)
    return np.where(mask, np.clip((d + half) / max(width, 2 * half), 0.0, 1.0), 0.0)


def _laplacian(mask, dx, dy):
    """Weighted graph Laplacian of the 4-neighbour grid on ``mask`` cells (in the
    order of ``array[mask]``): tau^T L tau = sum over edges (dtau / d)^2, the
    discrete Dirichlet energy."""
    from scipy import sparse
    n = int(mask.sum())
    order = np.full(mask.shape, -1, np.int64)
    order[mask] = np.arange(n)
    rows, cols, vals = [], [], []
    for sa, sb, w in (((slice(None), slice(None, -1)), (slice(None), slice(1, None)), 1 / dx ** 2),
                      ((slice(None, -1), slice(None)), (slice(1, None), slice(None)), 1 / dy ** 2)):
        m = mask[sa] & mask[sb]
        i, j = order[sa][m], order[sb][m]
        rows += [i, j, i, j]
        cols += [i, j, j, i]
        vals += [np.full(i.size, w), np.full(i.size, w), np.full(i.size, -w), np.full(i.size, -w)]
    return sparse.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                             shape=(n, n))


def _solve_kkt(L_ff, C, r, b, prev, batch=32):
    """min tau^T L tau / 2 - r^T tau + eps |tau - prev|^2 / 2 subject to C tau = b.

    By the Schur complement: one sparse LU of A = L + eps I (eps tiny, so the
    pure-Neumann Laplacian becomes definite and the result is unique), then
    S mu = C A^-1 (r + eps prev) - b with S = C A^-1 C^T (m x m, m strips,
    built in batches of right-hand sides) and tau = A^-1 (r + eps prev - C^T mu).
    Returns None when the system is singular.
    """
    from scipy import sparse
    from scipy.sparse.linalg import splu
    n = L_ff.shape[0]
    diag = L_ff.diagonal()
    eps = 1e-9 * (float(diag.max()) if diag.size and diag.max() > 0 else 1.0)
    A = (L_ff + eps * sparse.identity(n, format="csr")).tocsc()
    try:
        lu = splu(A, permc_spec="MMD_AT_PLUS_A", diag_pivot_thresh=0.0,
                  options={"SymmetricMode": True})
    except RuntimeError:
        return None
    rr = r + eps * prev
    y0 = lu.solve(rr)
    m = C.shape[0]
    Ct = C.T.tocsc()
    S = np.empty((m, m))
    for k0 in range(0, m, batch):
        k1 = min(m, k0 + batch)
        Y = lu.solve(Ct[:, k0:k1].toarray())
        S[:, k0:k1] = C @ Y
    try:
        mu = np.linalg.solve(S, C @ y0 - b)
    except np.linalg.LinAlgError:
        return None
    tau = lu.solve(rr - Ct @ mu)
    return tau if np.all(np.isfinite(tau)) else None


def _smoothest_blend(energy, lab, idx, tau0, bounded, target, volumes, slope_of, area, h,
                     progress, newton=3, active=30):
    """The tau field of least energy whose strip volumes equal the targets, with
    tau in [0, 1] on the ``bounded`` cells.

    ``energy(tau)`` gives the quadratic model (Q, r) of the energy around tau,
    E ~ tau^T Q tau / 2 - r^T tau (the Dirichlet energy of tau, or of the
    surface z(tau): see :func:`_tau_energy`, :func:`_surface_energy`).  Volumes
    are linearised around the current field (J = dz/dtau) and the
    equality-constrained problem is solved as one sparse KKT system; bounded
    cells that leave [0, 1] are fixed at the bound and the system solved again
    (active set).  A few Newton rounds absorb the kinks (floor, regime
    changes); the caller restores the volumes exactly.
    """
    from scipy import sparse
    tau = tau0.astype(np.float64).copy()
    n = tau.size
    pos = np.full(int(lab.max()) + 1, -1, np.int64)
    pos[idx] = np.arange(idx.size)
    row_of = pos[lab]
    for _ in range(newton):
        progress.check()
        jac = np.maximum(slope_of(tau), 1e-3 * h) * area
        rhs_v = target - volumes(tau) + np.bincount(row_of, weights=jac * tau,
                                                   minlength=idx.size)
        Q, r = energy(tau)
        fixed = np.zeros(n, bool)
        new = tau.copy()
        for _ in range(active):
            free = ~fixed
            fi = np.nonzero(free)[0]
            if fi.size == 0:
                break
            C = sparse.csr_matrix((jac[fi], (row_of[fi], np.arange(fi.size))),
                                  shape=(idx.size, fi.size))
            keep = np.bincount(row_of[fi], minlength=idx.size) > 0
            C = C[keep]
            b = (rhs_v - np.bincount(row_of[fixed], weights=jac[fixed] * new[fixed],
                                     minlength=idx.size))[keep]
            Q_ff = Q[fi][:, fi]
            rhs_t = r[fi] - (Q[fi][:, np.nonzero(fixed)[0]] @ new[fixed]) if fixed.any() \
                else r[fi]
            sol = _solve_kkt(Q_ff, C, rhs_t, b, new[fi])
            if sol is None:
                break
            new[fi] = sol
            viol = bounded & free & ((new < 0.0) | (new > 1.0))
            if not viol.any():
                break
            new[viol] = np.clip(new[viol], 0.0, 1.0)
            fixed |= viol
        if not np.all(np.isfinite(new)):
            break
        tau = np.where(bounded, np.clip(new, 0.0, 1.0), new)
    return tau


def _tau_energy(lap):
    """Energy model of the 'tau' blend: the Dirichlet energy of tau itself."""
    zero = np.zeros(lap.shape[0])
    return lambda tau: (lap, zero)


@dataclass
class _QP:
    """The least-energy surface's quadratic programme (see :func:`_gentlest_surface`):
    min z^T Q z / 2 - s^T z, sum over strip n of z = rhs_n, lo <= z <= hi."""
    Q: object                # sparse, n x n
    s: np.ndarray
    row_of: np.ndarray       # constraint row (strip) of every cell
    m: int                   # number of constraints
    rhs: np.ndarray
    lo: np.ndarray
    hi: np.ndarray

    def solve_free(self, z, fixed):
        """The equality-constrained minimiser on the free cells, the fixed ones held at
        z (None when singular)."""
        from scipy import sparse
        fi = np.nonzero(~fixed)[0]
        C = sparse.csr_matrix((np.ones(fi.size), (self.row_of[fi], np.arange(fi.size))),
                              shape=(self.m, fi.size))
        keep = np.bincount(self.row_of[fi], minlength=self.m) > 0
        b = (self.rhs - np.bincount(self.row_of[fixed], weights=z[fixed],
                                    minlength=self.m))[keep]
        Qf = self.Q[fi]
        r = self.s[fi] - (Qf[:, np.nonzero(fixed)[0]] @ z[fixed]) if fixed.any() \
            else self.s[fi]
        return fi, _solve_kkt(Qf[:, fi], C[keep], r, b, z[fi])

    def wrong_sign(self, z, fixed, fi):
        """Fixed cells whose multiplier has the wrong sign: at the lower bound
        dE/dz_i < mu_n (it would rather rise), at the upper one > mu_n."""
        grad = self.Q @ z - self.s
        cnt = np.bincount(self.row_of[fi], minlength=self.m)
        mu = np.bincount(self.row_of[fi], weights=grad[fi], minlength=self.m) \
            / np.maximum(cnt, 1)
        scale = 1e-9 * (np.abs(grad).max() + 1e-300)
        gap = grad - mu[self.row_of]
        has = (cnt > 0)[self.row_of]
        return fixed & has & (((z <= self.lo) & (gap < -scale))
                              | ((z >= self.hi) & (gap > scale)))

    def starved(self, z, fixed, fi):
        """A strip with every cell fixed has no equation left: where its volume is
        short (over), its cells at the lower (upper) bound."""
        cnt = np.bincount(self.row_of[fi], minlength=self.m)
        short = self.rhs - np.bincount(self.row_of, weights=z, minlength=self.m)
        tol = 1e-9 * np.maximum(np.abs(self.rhs), 1.0)
        lift = ((cnt == 0) & (short > tol))[self.row_of]
        drop = ((cnt == 0) & (short < -tol))[self.row_of]
        return fixed & ((lift & (z <= self.lo)) | (drop & (z >= self.hi)))


def _qp_primal_dual(qp, z0, progress, iters=60):
    """Primal-dual active set (Hintermueller, Ito & Kunisch 2003) on ``qp``: each
    round solves the KKT system on the free cells, then fixes every free cell that
    left its bounds and releases every fixed cell whose multiplier has the wrong
    sign, both at once, until neither happens: the KKT point, in a few rounds
    whatever the grid size.  Returns (z, rounds), z None when a system is singular,
    or False when the sets still changed after ``iters`` rounds."""
    lo, hi = qp.lo, qp.hi
    pinned = hi <= lo
    z = np.clip(z0, lo, hi)
    fixed = pinned.copy()
    for k in range(iters):
        progress.check()
        if fixed.all():
            return np.clip(z, lo, hi), k
        fi, sol = qp.solve_free(z, fixed)
        if sol is None:
            return None, k
        z[fi] = sol
        viol = ~fixed & ((z < lo) | (z > hi))
        release = (qp.wrong_sign(z, fixed, fi) | qp.starved(z, fixed, fi)) & ~pinned
        if not (viol.any() or release.any()):
            return np.clip(z, lo, hi), k + 1
        z[viol] = np.clip(z[viol], lo[viol], hi[viol])
        fixed = (fixed | viol) & ~release
    return False, iters


def _qp_active_set(qp, z0, progress, active=400):
    """Primal active set on ``qp`` (the fallback when the primal-dual rounds do not
    settle): first every cell that leaves its bounds is fixed there until none does;
    then, from that feasible surface, fixed cells whose multiplier has the wrong sign
    are released and each step toward the new solution is cut where a cell meets its
    bound (fixed there), so the energy falls at every step."""
    lo, hi = qp.lo, qp.hi
    n = z0.size
    fixed = np.zeros(n, bool)
    z = np.clip(z0, lo, hi)
    feasible = False
    sticky = np.zeros(n, bool)
    released = np.zeros(n, bool)
    for _ in range(active):
        progress.check()
        if fixed.all():
            break
        fi, sol = qp.solve_free(z, fixed)
        if sol is None:
            return None
        if feasible:
            d = sol - z[fi]
            with np.errstate(invalid="ignore", divide="ignore"):
                ratio = np.where(d < 0, (lo[fi] - z[fi]) / d,
                                 np.where(d > 0, (hi[fi] - z[fi]) / d, np.inf))
            ratio = np.maximum(ratio, 0.0)
            alpha = min(1.0, float(ratio.min()))
            z[fi] += alpha * d
            if alpha < 1.0:
                block = fi[ratio <= alpha]
                z[block] = np.clip(z[block], lo[block], hi[block])
                fixed[block] = True
                if alpha == 0.0:
                    # a released cell pushed straight back: keep it fixed from now on,
                    # so that the set cannot cycle
                    sticky[block[released[block]]] = True
                continue
        else:
            z[fi] = sol
            viol = ~fixed & ((z < lo) | (z > hi))
            if viol.any():
                z[viol] = np.clip(z[viol], lo[viol], hi[viol])
                fixed |= viol
                continue
            feasible = True
        release = qp.wrong_sign(z, fixed, fi) & ~sticky
        if not release.any():
            break
        fixed &= ~release
        released = release
    return np.clip(z, lo, hi)


def _gentlest_surface(lap, wb, s, lab, idx, rhs, lo, hi, z0, progress, diag=None):
    """The surface z of least Dirichlet energy whose strip volumes are exact, inside
    per-cell bounds (cells in the order of array[dump]; the 'natural' blend
    passes z - dem_or, its bounds and volumes shifted alike, and ground z_g = 0):

        min  E(z) = sum over 4-neighbour pairs of the dump (z_i - z_j)^2 / d^2
                  + sum over (dump cell i, ground neighbour g) (z_i - z_g)^2 / d^2
        s.t. sum over strip n of z = rhs_n  (V_g / L^2 + sum H_fd: eq. 7/8 on z),
             lo <= z <= hi,

    the sum of the squared one-cell step gradients of the landform (ground = the
    natural surface around the dump, not the final pit).  E = z^T (L + B) z
    - 2 s^T z + const (L the dump's graph Laplacian, B = diag(wb), s = the sum of
    z_g / d^2 over each cell's ground neighbours); the volumes are linear in z,
    so this is a convex quadratic programme, solved as sparse KKT systems on the
    free cells: by primal-dual active set rounds (:func:`_qp_primal_dual`), or,
    should those not settle, by the primal active set (:func:`_qp_active_set`).
    Both stop at the KKT point.  Returns None when a system is singular.
    """
    from scipy import sparse
    pos = np.full(int(lab.max()) + 1, -1, np.int64)
    pos[idx] = np.arange(idx.size)
    qp = _QP((lap + sparse.diags(wb)).tocsr(), s, pos[lab], idx.size, rhs, lo, hi)
    z, rounds = _qp_primal_dual(qp, z0, progress)
    if diag is not None:
        diag["qp_rounds"] = rounds
        diag["qp_fallback"] = z is False
    if z is False:
        z = _qp_active_set(qp, z0, progress)
    return z


def _tau_of(z, zmin, zmax, h):
    """The blend tau whose surface (see :func:`_surface`) is z (z >= the floor)."""
    delta = zmax - zmin
    with np.errstate(invalid="ignore", divide="ignore"):
        inner = np.where(delta > 0, (z - zmin) / np.where(delta > 0, delta, 1.0), 0.0)
    return np.where(z > zmax, 1.0 + (z - zmax) / h,
                    np.where(z < zmin, (z - zmin) / h, np.clip(inner, 0.0, 1.0)))


def _ground_neighbours(z, dump, pit, dx, dy):
    """(w_b, s) of :class:`_SurfaceEnergy` per dump cell (order of array[dump])."""
    ground = ~dump & ~pit & np.isfinite(z)
    zg = np.where(ground, z, 0.0)
    p_g = np.pad(ground, 1, constant_values=False)
    p_z = np.pad(zg, 1)
    rows, cols = z.shape
    wb = np.zeros(z.shape)
    s = np.zeros(z.shape)
    for dr, dc, d in ((0, 1, dx), (0, -1, dx), (1, 0, dy), (-1, 0, dy)):
        g = p_g[1 + dr:1 + dr + rows, 1 + dc:1 + dc + cols]
        wb += g / d ** 2
        s += p_z[1 + dr:1 + dr + rows, 1 + dc:1 + dc + cols] * g / d ** 2
    return wb[dump], s[dump]


#: eps of the smooth step slope (a gradient, m/m): |s| becomes sqrt(eps^2 + s^2)
STEP_EPS = 1e-3
_STEPS = ((0, 1), (0, -1), (1, 0), (-1, 0))      # E, W, S, N neighbour offsets


def smooth_step_slope(z, mask, dx, dy, *, ignore=None, eps=STEP_EPS):
    """(F, dF/dz): the smooth centre-inclusive mean slope (degrees) over ``mask``,

        F = mean over i in mask of atan( 1/4 sum_k sqrt(eps^2 + ((z_i - z_k) / d_k)^2) )

    over the four one-cell steps k (E, W, N, S; d_k = dx or dy): the smooth form
    of core.quality.step_slope (each |step| read at most eps too high).  A step
    to a cell off the grid, without data or in ``ignore`` counts as 0.  Unlike
    Horn's slope, it sees the cell itself: a spike or a checkerboard raises it.
    dF/dz is exact (the adjoint of the four differences); F in degrees.
    """
    z = np.asarray(z, dtype=np.float64)
    mask = np.asarray(mask, bool)
    n = max(int(mask.sum()), 1)
    ok = np.isfinite(z) if ignore is None else np.isfinite(z) & ~np.asarray(ignore, bool)
    zz = np.where(ok, z, 0.0)
    rows, cols = z.shape
    pz, pok = np.pad(zz, 1), np.pad(ok, 1, constant_values=False)
    steps = []
    for dr, dc in _STEPS:
        d = dx if dr == 0 else dy
        nb = pz[1 + dr:1 + dr + rows, 1 + dc:1 + dc + cols]
        valid = ok & pok[1 + dr:1 + dr + rows, 1 + dc:1 + dc + cols]
        steps.append((np.where(valid, (zz - nb) / d, 0.0), d))
    terms = [np.sqrt(eps * eps + s * s) for s, _ in steps]
    g = sum(terms) / 4.0
    value = float(np.degrees(np.arctan(g[mask])).sum() / n)
    w = np.where(mask, np.degrees(1.0) / (n * 4.0 * (1.0 + g * g)), 0.0)
    grad = np.zeros((rows + 2, cols + 2))
    for (dr, dc), (s, d), t in zip(_STEPS, steps, terms):
        q = w * s / (t * d)
        grad[1:-1, 1:-1] += q
        grad[1 + dr:1 + dr + rows, 1 + dc:1 + dc + cols] -= q
    return value, grad[1:-1, 1:-1]


@dataclass
class _Dump:
    """The dump's cells (in the order of array[dump]), their strips and bands,
    and how a blend field tau becomes the landform (shared by every stage)."""
    lab: np.ndarray
    zmin: np.ndarray
    zmax: np.ndarray
    zf: np.ndarray
    h: float
    area: float
    nper: int
    idx: np.ndarray          # periods with cells
    target: np.ndarray       # their supplies
    bump: np.ndarray         # per cell, ~0 at the seams, 1 half a strip width inside
    grid: dict               # dem_or, pit, dump, pit_z on the full grid

    def surface(self, tau):
        return _surface(tau, self.zmin, self.zmax, self.zf, self.h)

    def slope(self, tau):
        return _dz_dtau(tau, self.zmin, self.zmax, self.zf, self.h)

    def volumes(self, tau):
        z = self.surface(tau)
        return np.bincount(self.lab, weights=(z - self.zf) * self.area, minlength=self.nper)

    def assemble(self, tau):
        g = self.grid
        full = np.full(g["dump"].shape, np.nan)
        full[g["dump"]] = self.surface(tau)
        return lf.assemble(g["dem_or"], full, g["pit"], g["dump"], g["pit_z"])

    def restore(self, base, lo_c, hi_c, progress):
        """tau = clip(base + c_n bump, lo, hi) with every strip's volume exact
        (c_n by bisection); a strip out of reach inside its bounds drops them."""
        idx, target = self.idx, self.target

        def field(cv):
            c = np.zeros(self.nper)
            c[idx] = cv
            return np.clip(base + c[self.lab] * self.bump, lo_c, hi_c)
        cv = _bisect(lambda cv: self.volumes(field(cv))[idx], target,
                     np.full(idx.size, -1.0), np.full(idx.size, 1.0), progress)
        miss = np.abs(self.volumes(field(cv))[idx] - target) > 1e-9 * np.maximum(target, 1.0)
        if miss.any():
            off = np.isin(self.lab, idx[miss])
            return self.restore(base, np.where(off, -np.inf, lo_c),
                                np.where(off, np.inf, hi_c), progress)
        return field(cv)


def _quality(z, dump, dx, dy):
    """core.quality.design_quality of z over the dump (on its box: the measures read
    3 x 3 windows and one-cell steps of the dump's cells, all within 2 cells)."""
    sl = mask_box(dump, 2)
    return design_quality(z[sl], dump[sl], dx, dy)


@dataclass
class _Units:
    """Catchment units (strip x catchment) of the slope mitigation."""
    unit: np.ndarray         # unit index per dump cell
    strip: np.ndarray        # period of every unit
    phi: np.ndarray          # bump per dump cell (1 inside a unit, ~0 at its border)
    lo: np.ndarray           # tau bounds per dump cell
    hi: np.ndarray


def _catchment_units(catchments, refilling, dump, tau, lo_c, hi_c, width, dx, dy):
    cat = np.asarray(catchments, dtype=np.float64)
    catv = np.maximum(np.where(np.isfinite(cat), cat, 0), 0).astype(np.int64)[dump]
    lab = refilling[dump]
    key = lab * (int(catv.max()) + 1) + catv
    ukeys, unit = np.unique(key, return_inverse=True)
    unit_full = np.zeros(dump.shape, np.int64)
    unit_full[dump] = unit + 1
    phi = _border_bump(unit_full, dump, max(0.25 * width, min(dx, dy)), dx, dy)[dump]
    # every cell stays inside [dem_min, dem_max], or inside the band it was already
    # in where the strip's supply forced it out ("uplifted" / "sunk")
    lo = np.where(np.isfinite(lo_c), lo_c, np.minimum(0.0, tau))
    hi = np.where(np.isfinite(hi_c), hi_c, np.maximum(1.0, tau))
    return _Units(unit, (ukeys // (int(catv.max()) + 1)).astype(np.int64), phi, lo, hi)


def _mitigate(st, units, tau, seam, dx, dy, *, passes, progress, eps=STEP_EPS):
    """Slope mitigation between catchment units (projected descent, see the module doc).

    Returns (tau, landform, accepted passes).  ``seam`` = (a, b, distance, cap):
    the 4-neighbour pairs across strip seams and the largest angle each may take.
    """
    g = st.grid
    win = mask_box(g["dump"], 2)
    dump, pit = g["dump"][win], g["pit"][win]
    pa, pb, pdist, cap = seam
    nunit = units.strip.size

    def seams_ok(zz):
        zr = zz.ravel()
        return np.all(np.degrees(np.arctan(np.abs(zr[pa] - zr[pb]) / pdist)) <= cap)

    def measures(zz):
        zw = zz[win]
        f, gr = smooth_step_slope(zw, dump, dx, dy, ignore=pit, eps=eps)
        return f, gr[dump], zw
    z = st.assemble(tau)
    cur, grad, zw = measures(z)
    qual = design_quality(zw, dump, dx, dy)
    horn = float(np.mean(lf.slope_degrees(zw, dx, dy)[dump]))
    accepted = 0
    for p in range(int(passes)):
        progress(100.0 * p / passes)
        dzt = st.slope(tau)
        g_u = np.bincount(units.unit, weights=grad * dzt * units.phi, minlength=nunit)
        w_u = np.bincount(units.unit, weights=dzt * units.phi, minlength=nunit) * st.area
        num = np.bincount(units.strip, weights=g_u * w_u, minlength=st.nper)
        den = np.bincount(units.strip, weights=w_u * w_u, minlength=st.nper)
        lam = np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)
        d_u = -(g_u - lam[units.strip] * w_u)
        if not np.any(np.abs(d_u) > 0):
            break
        alpha = 0.5 / np.max(np.abs(d_u))
        for _ in range(10):
            trial = st.restore(tau + alpha * d_u[units.unit] * units.phi, units.lo,
                               units.hi, progress)
            zt = st.assemble(trial)
            ft, gt, zw = measures(zt)
            if ft < cur - 1e-12 and seams_ok(zt):
                qt = design_quality(zw, dump, dx, dy)
                ht = float(np.mean(lf.slope_degrees(zw, dx, dy)[dump]))
                if (qt.step_slope <= qual.step_slope + 1e-12 and qt.spikes <= qual.spikes
                        and qt.horn_slope <= qual.horn_slope + 1e-12 and ht <= horn + 1e-12):
                    tau, z, cur, grad, qual, horn = trial, zt, ft, gt, qt, ht
                    accepted += 1
                    break
            alpha *= 0.5
        else:
            break
    return tau, z, accepted


def _blend_field(st, blend, strip_tau, bounded, tight, v_fmin, v_fmax, dx, dy, progress,
                 diag=None):
    """tau over the dump cells by the chosen blend (module doc), volumes nearly exact."""
    g = st.grid
    dump, pit, dem_or = g["dump"], g["pit"], g["dem_or"]
    lab, idx, nper = st.lab, st.idx, st.nper
    lap = _laplacian(dump, dx, dy)
    if blend in ("surface", "natural"):
        # bounds in z: never below dem_min where the strip has more than V_fmin, never
        # above dem_max where it has less than V_fmax (a tight strip: neither), never
        # below the floor
        sup = np.zeros(nper)
        sup[idx] = st.target
        tol = 1e-9 * np.maximum(sup, 1.0)
        above_min = ((sup > v_fmin + tol) & ~tight)[lab]
        below_max = ((sup < v_fmax - tol) & ~tight)[lab]
        zr = dem_or[dump] if blend == "natural" else np.zeros(lab.size)
        lo_z = np.where(above_min, np.maximum(st.zmin, st.zf), st.zf) - zr
        hi_z = np.where(below_max, st.zmax, np.inf) - zr
        rhs = st.target / st.area + np.bincount(lab, weights=st.zf - zr, minlength=nper)[idx]
        ground = dem_or - dem_or if blend == "natural" else dem_or
        zs = _gentlest_surface(lap, *_ground_neighbours(ground, dump, pit, dx, dy), lab, idx,
                               rhs, lo_z, hi_z, st.surface(strip_tau[lab]) - zr, progress,
                               diag)
        if zs is not None:
            return _tau_of(zs + zr, st.zmin, st.zmax, st.h)
    return _smoothest_blend(_tau_energy(lap), lab, idx, strip_tau[lab], bounded, st.target,
                            lambda t: st.volumes(t)[idx], st.slope, st.area, st.h, progress)


def _seam_cap(z, refilling, dump, dx, dy, limit):
    """Seam pairs and the steepest angle each may take during the mitigation: the
    slope bound, or (a pair already above it) its angle plus 0.1 degree."""
    pa, pb, pax = lf.seam_pairs(refilling, dump)
    pdist = np.where(pax == 1, dx, dy)
    zr = z.ravel()
    before = np.degrees(np.arctan(np.abs(zr[pa] - zr[pb]) / pdist))
    return pa, pb, pdist, np.where(before > limit, before + 0.1, limit + 1e-9)


def _natural_seam_angle(dem_min, dem_max, refilling, dump, dx, dy):
    """Steepest step of dem_min or dem_max across a seam (degrees): not caused by the joins."""
    a, b, axp = lf.seam_pairs(refilling, dump)
    if not a.size:
        return 0.0
    dist = np.where(axp == 1, dx, dy)
    return max(float(np.degrees(np.arctan(np.max(np.abs(s.ravel()[a] - s.ravel()[b]) / dist))))
               for s in (dem_min, dem_max))


def _closed_form(st, v_fmin, v_fmax, progress):
    """Per strip: the constant blend tau_n that holds V_g, and whether V_g is inside
    [V_fmin, V_fmax] (``feasible``) or on one of them (``tight``)."""
    idx, target, nper = st.idx, st.target, st.nper

    def vol_tau(p):
        t = np.zeros(nper)
        t[idx] = p
        return st.volumes(t[st.lab])[idx]
    lo0 = -(np.max(np.maximum(st.zmin - st.zf, 0.0)) / st.h) - 1.0
    strip_tau = np.full(nper, np.nan)
    strip_tau[idx] = _bisect(vol_tau, target, np.full(idx.size, lo0), np.full(idx.size, 1.0),
                             progress)
    tol = 1e-9 * np.maximum(target, 1.0)
    feasible = np.zeros(nper, bool)
    feasible[idx] = (v_fmin[idx] - tol <= target) & (target <= v_fmax[idx] + tol)
    tight = np.zeros(nper, bool)
    tight[idx] = (np.abs(target - v_fmin[idx]) <= tol) | (np.abs(target - v_fmax[idx]) <= tol)
    return strip_tau, feasible, tight


@dataclass(frozen=True)
class NearNaturalSettings:
    """The settings of :func:`near_natural_landform` (paper section 1.2).

    mitigation: run the slope mitigation (needs the catchments; default on).
    slope_bound (degrees): a mitigation step may not lift a seam above this
    (a seam already above it: by more than 0.1 degree); paper: A_max = 25.
    pit_angles: the final pit's wall angles (degrees, as in
    :data:`landform.PIT_ANGLES`).  passes: the number of mitigation passes
    (default 40).  blend: the field over the dump (module doc): "natural"
    (default: least Dirichlet energy of z - dem_or), "surface" (of z: the
    sum of its squared one-cell steps) or "tau" (of the blend tau).
    """
    mitigation: bool = True
    slope_bound: float = 25.0
    pit_angles: tuple = lf.PIT_ANGLES
    passes: int = 40
    blend: str = "natural"


def near_natural_landform(dem_or, dem_max, dem_min, floor, mining, refilling, supply,
                          dx, dy, *, catchments=None, settings=NearNaturalSettings(),
                          progress=None):
    """The HPCS near-natural landform on the whole grid (see the module doc).

    dem_or, dem_max, dem_min, floor: 2-D float arrays (m, nan = nodata) on one
    grid; dem_max >= dem_min on the dump.  mining, refilling: int label
    rasters (period of the strip containing each cell, 0 = none).  supply:
    V_g per period (dict or array indexed by period, m3, already times k),
    the spoil that refills strip a_fn.  catchments: int raster (channel
    extraction's CATCHMENTS) for the slope mitigation.  settings: a
    :class:`NearNaturalSettings` (mitigation, slope bound, pit angles,
    passes, blend).
    """
    progress = as_progress(progress)
    blend = settings.blend
    if blend not in ("surface", "natural", "tau"):
        raise InputError(f"blend must be 'surface', 'natural' or 'tau', not {blend!r}.")
    shape = lf.check_same_shape(INPUT=dem_or, SURFACE_MAX=dem_max, SURFACE_MIN=dem_min,
                                FLOOR=floor, mining=mining, refilling=refilling,
                                CATCHMENTS=catchments)
    dem_max = np.asarray(dem_max, dtype=np.float64)
    dem_min = np.asarray(dem_min, dtype=np.float64)
    dem_or, floor, mining, refilling, dump, pit, mine = lf.prepare_plan(
        dem_or, floor, mining, refilling)
    lf.check_inside("The maximum surface (SURFACE_MAX)", dem_max, dump)
    lf.check_inside("The minimum surface (SURFACE_MIN)", dem_min, dump)
    inverted = dump & (dem_max < dem_min - 1e-6)
    if inverted.any():
        raise InputError(f"SURFACE_MAX is below SURFACE_MIN on {int(inverted.sum())} cell(s) "
                         "of the dump; check that the two surfaces were not swapped.")
    # everything below touches the mine and a few cells around it only: it runs on
    # the mine's bounding box (3 cells of margin, more than any stencil reaches), so
    # its cost follows the dump, not the grid.  The mining axis and the strip width
    # are taken on the whole grid (their sums in the grid's own coordinates).
    axis = lf.mining_axis(mining, refilling, dx, dy)
    width = _strip_width(refilling, axis, dx, dy)
    win = mask_box(mine, 3)
    cut = [None if a is None else np.ascontiguousarray(a[win])
           for a in (dem_or, dem_max, dem_min, floor, mining, refilling, catchments)]
    pit_dem = cut[0]
    if not np.isfinite(pit_dem).all():
        # the pit's walls rise to the DEM's highest value where the rim has no data
        pit_dem = np.where(np.isfinite(pit_dem), pit_dem, np.nanmax(dem_or))
    res = _design(*cut, supply, dx, dy, axis=axis, width=width, pit_dem=pit_dem,
                  mitigation=settings.mitigation, slope_bound=settings.slope_bound,
                  pit_angles=settings.pit_angles, passes=settings.passes, blend=blend,
                  progress=progress)
    landform = np.array(dem_or, dtype=np.float64, copy=True)
    landform[win] = res.landform
    tau = np.full(shape, np.nan)
    tau[win] = res.tau
    res.landform, res.tau, res.dump, res.pit = landform, tau, dump, pit
    progress(100)
    return res


def _dump_state(dem_or, dem_max, dem_min, floor, mining, refilling, supply, dx, dy, *,
                axis, width, pit_dem, pit_angles):
    """The dump's cells and bands (:class:`_Dump`), the supply per period and the
    periods whose supply moved (no cell)."""
    dump, pit, _ = lf.mine_zones(mining, refilling)
    sup, moved = lf.merge_empty_strips(refilling, lf.supply_by_period(refilling, supply))
    nper, lab = len(sup), refilling[dump]
    delta = dem_max[dump] - dem_min[dump]
    present = np.bincount(lab, minlength=nper) > 0
    present[0] = False
    idx = np.nonzero(present)[0]
    st = _Dump(lab, dem_min[dump], dem_max[dump], floor[dump],
               float(delta.mean()) if delta.mean() > 1e-9 else 1.0, dx * dy, nper, idx,
               sup[idx], _border_bump(refilling, dump, 0.5 * width, dx, dy)[dump],
               dict(dem_or=dem_or, pit=pit, dump=dump,
                    pit_z=lf.pit_surface(pit_dem, floor, mining, refilling, dx, dy,
                                         pit_angles, axis)))
    return st, sup, moved


def _design(dem_or, dem_max, dem_min, floor, mining, refilling, catchments, supply, dx, dy,
            *, axis, width, pit_dem, mitigation, slope_bound, pit_angles, passes, blend,
            progress):
    """:func:`near_natural_landform` on checked inputs (on the mine's box)."""
    st, sup, moved = _dump_state(dem_or, dem_max, dem_min, floor, mining, refilling, supply,
                                 dx, dy, axis=axis, width=width, pit_dem=pit_dem,
                                 pit_angles=pit_angles)
    dump, pit, lab, area = st.grid["dump"], st.grid["pit"], st.lab, st.area
    v_fmin = st.volumes(np.zeros(lab.size))
    v_fmax = st.volumes(np.ones(lab.size))
    progress(5)
    # 1. closed-form blend per strip
    strip_tau, feasible, tight = _closed_form(st, v_fmin, v_fmax, progress)
    progress(15)
    # 2. one field over the dump, no steps at the seams, every volume exact.  A strip
    # exactly at V_fmin or V_fmax fits inside the bounds only as dem_min or dem_max
    # itself, with a step at its seams: continuity wins, no bounds there
    bounded = (feasible & ~tight)[lab]
    qp_diag = {}
    tau_s = _blend_field(st, blend, strip_tau, bounded, tight, v_fmin, v_fmax, dx, dy,
                         progress, qp_diag)
    lo_c = np.where(bounded, np.minimum(0.0, tau_s), -np.inf)
    hi_c = np.where(bounded, np.maximum(1.0, tau_s), np.inf)
    tau = st.restore(tau_s, lo_c, hi_c, progress)
    z = st.assemble(tau)
    progress(35)
    quality0 = _quality(z, dump, dx, dy)
    mean0 = float(np.nanmean(lf.slope_degrees(z, dx, dy)[dump]))
    limit = max(float(slope_bound), _natural_seam_angle(dem_min, dem_max, refilling, dump,
                                                        dx, dy))
    diag = {"h": st.h, "feasible": feasible, "axis": axis, "seam_limit": limit,
            "passes_accepted": 0, "merged_periods": moved, "blend": blend,
            "step_objective_before": smooth_step_slope(z, dump, dx, dy, ignore=pit)[0],
            **qp_diag}
    # 3. slope mitigation between catchment units of each strip
    if mitigation and catchments is not None and passes > 0:
        units = _catchment_units(catchments, refilling, dump, tau, lo_c, hi_c, width, dx, dy)
        tau, z, diag["passes_accepted"] = _mitigate(
            st, units, tau, _seam_cap(z, refilling, dump, dx, dy, limit), dx, dy,
            passes=passes, progress=progress.sub(35, 95))
        diag["units"] = units.strip.size
    diag["step_objective"] = smooth_step_slope(z, dump, dx, dy, ignore=pit)[0]
    progress(95)
    slope = lf.slope_degrees(z, dx, dy)
    tau_box = np.full(dump.shape, np.nan)
    tau_box[dump] = tau
    nper = len(sup)
    return NearNaturalResult(
        landform=z, tau=tau_box, dump=dump, pit=pit, supply=sup, v_fmin=v_fmin,
        v_fmax=v_fmax, volumes=lf.strip_volumes(z, floor, refilling, area, nper),
        volume_errors=lf.volume_errors(z, floor, refilling, sup, area), strip_tau=strip_tau,
        mean_slope=float(np.nanmean(slope[dump])), max_slope=float(np.nanmax(slope[dump])),
        mean_slope_before=mean0,
        max_seam_slope=lf.max_seam_slope(z, refilling, dx, dy, dump),
        strip_width=float(width), quality=_quality(z, dump, dx, dy),
        quality_before=quality0, diagnostics=diag)
