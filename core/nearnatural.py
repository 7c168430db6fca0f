"""Near-natural landform (NNDL / MNNDL) of the HPCS model (METHOD.md section 5).

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
step where two strips meet.  Instead tau is the smoothest field over the
whole dump - least Dirichlet energy sum (d tau / d)^2 over neighbouring
cells - whose strip volumes equal the supplies, with tau in [0, 1] on the
strips whose supply is within [V_fmin, V_fmax].  The volumes are linearised
(J = dz/dtau), the equality-constrained problem is one sparse KKT system,
cells of bounded strips that leave [0, 1] are fixed at the bound (active
set), and a few Newton rounds absorb the kinks; then a per-strip correction
c_n b(x) (b ramps from ~0 at the seams to 1 half a strip width inside)
makes every volume exact.  With equal tau_n this is tau = tau_n everywhere:
the closed form.  A strip exactly at V_fmin or V_fmax could only be dem_min or
dem_max itself, with a step at its seams; there continuity wins and the
bounds are dropped.

Slope mitigation (the paper's "slope mitigation optimisation module": earth
is redistributed between the catchment units of a refilling strip toward the
lowest slope): the units are (strip, catchment) pieces, each with a bump
phi_u (1 inside, ramping to ~0 at the unit's border).  The design variables
a_u move tau by a_u phi_u.  A pass takes the gradient of the mean slope
(Horn's stencil and its adjoint) with respect to a_u, projects it so that
every strip's volume is unchanged to first order (sum_u a_u w_u = 0 per
strip), steps along it with backtracking, restores the volumes exactly, and
accepts the step only if the mean slope over the dump decreased and no
4-neighbour pair across a seam rose above the slope bound (a pair already
above it before the mitigation: by more than 0.1 degree).  So the mean slope
never rises and the volumes stay exact.
"""
from dataclasses import dataclass, field

import numpy as np
from scipy import ndimage

from . import landform as lf
from .errors import InputError, as_progress


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


def _smoothest_blend(lap, lab, idx, tau0, bounded, target, volumes, slope_of, area, h,
                     progress, newton=3, active=30):
    """The smoothest tau field (least Dirichlet energy sum (grad tau)^2) whose strip
    volumes equal the targets, with tau in [0, 1] on the ``bounded`` cells.

    Volumes are linearised around the current field (J = dz/dtau) and the
    equality-constrained least-energy problem is solved as one sparse KKT
    system; bounded cells that leave [0, 1] are fixed at the bound and the
    system solved again (active set).  A few Newton rounds absorb the kinks
    (floor, regime changes); the caller restores the volumes exactly.
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
            L_ff = lap[fi][:, fi]
            rhs_t = -(lap[fi][:, np.nonzero(fixed)[0]] @ new[fixed]) if fixed.any() \
                else np.zeros(fi.size)
            sol = _solve_kkt(L_ff, C, rhs_t, b, new[fi])
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


def near_natural_landform(dem_or, dem_max, dem_min, floor, mining, refilling, supply,
                          dx, dy, catchments=None, mitigation=True,
                          slope_bound=25.0, pit_angles=lf.PIT_ANGLES, passes=12,
                          progress=None):
    """The HPCS near-natural landform on the whole grid (see the module doc).

    dem_or, dem_max, dem_min, floor: 2-D float arrays (m, nan = nodata) on one
    grid; dem_max >= dem_min on the dump.  mining, refilling: int label
    rasters (period of the strip containing each cell, 0 = none).  supply:
    V_g per period (dict or array indexed by period, m3, already times k),
    the spoil that refills strip a_fn.  catchments: int raster (channel
    extraction's CATCHMENTS) for the slope mitigation.  slope_bound
    (degrees): a mitigation step may not lift a seam above this (a seam
    already above it: by more than 0.1 degree); paper: A_max = 25.
    """
    progress = as_progress(progress)
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
    sup, moved = lf.merge_empty_strips(refilling, lf.supply_by_period(refilling, supply))
    nper = len(sup)
    area = dx * dy
    lab = refilling[dump]
    zmin, zmax, zf = dem_min[dump], dem_max[dump], floor[dump]
    delta = zmax - zmin
    h = float(delta.mean()) if delta.mean() > 1e-9 else 1.0

    def volumes(tau_cells):
        z = _surface(tau_cells, zmin, zmax, zf, h)
        return np.bincount(lab, weights=(z - zf) * area, minlength=nper)

    present = np.bincount(lab, minlength=nper) > 0
    present[0] = False
    idx = np.nonzero(present)[0]
    target = sup[idx]
    v_fmin = volumes(np.zeros_like(zmin))
    v_fmax = volumes(np.ones_like(zmin))
    progress(5)

    # 1. closed-form blend per strip
    def vol_tau(p):
        t = np.zeros(nper)
        t[idx] = p
        return volumes(t[lab])[idx]
    lo0 = -(np.max(np.maximum(zmin - zf, 0.0)) / h) - 1.0
    strip_tau = np.full(nper, np.nan)
    strip_tau[idx] = _bisect(vol_tau, target, np.full(idx.size, lo0), np.full(idx.size, 1.0),
                             progress)
    tol = 1e-9 * np.maximum(target, 1.0)
    feasible = np.zeros(nper, bool)
    feasible[idx] = (v_fmin[idx] - tol <= target) & (target <= v_fmax[idx] + tol)
    tight = np.zeros(nper, bool)
    tight[idx] = (np.abs(target - v_fmin[idx]) <= tol) | (np.abs(target - v_fmax[idx]) <= tol)
    progress(15)

    axis = lf.mining_axis(mining, refilling, dx, dy)
    width = _strip_width(refilling, axis, dx, dy)
    # the natural steepness of the surfaces across the seams (not caused by the joins)
    a, b, axp = lf.seam_pairs(refilling, dump)
    dist = np.where(axp == 1, dx, dy)
    natural = 0.0
    if a.size:
        for s in (dem_min, dem_max):
            sf = s.ravel()
            natural = max(natural, float(np.degrees(np.arctan(
                np.max(np.abs(sf[a] - sf[b]) / dist)))))
    limit = max(float(slope_bound), natural)

    pit_z = lf.pit_surface(dem_or, floor, mining, refilling, dx, dy, pit_angles, axis)

    def assemble(tau_cells):
        full = np.full(shape, np.nan)
        full[dump] = _surface(tau_cells, zmin, zmax, zf, h)
        return lf.assemble(dem_or, full, pit, dump, pit_z)

    # a strip exactly at V_fmin or V_fmax fits inside the bounds only as dem_min or
    # dem_max itself, with a step at its seams: continuity wins, no bounds there
    bounded = (feasible & ~tight)[lab]
    lap = _laplacian(dump, dx, dy)
    tau_s = _smoothest_blend(lap, lab, idx, strip_tau[lab], bounded, target,
                             lambda t: volumes(t)[idx],
                             lambda t: _dz_dtau(t, zmin, zmax, zf, h), area, h, progress)
    bump = _border_bump(refilling, dump, 0.5 * width, dx, dy)[dump]
    lo_c = np.where(bounded, np.minimum(0.0, tau_s), -np.inf)
    hi_c = np.where(bounded, np.maximum(1.0, tau_s), np.inf)

    def restore(base, lo_c=lo_c, hi_c=hi_c):
        """tau = clip(base + c_n bump, lo, hi) with every strip's volume exact."""
        def vol_c(cv):
            c = np.zeros(nper)
            c[idx] = cv
            t = np.clip(base + c[lab] * bump, lo_c, hi_c)
            return volumes(t)[idx]
        cv = _bisect(vol_c, target, np.full(idx.size, -1.0), np.full(idx.size, 1.0),
                     progress)
        miss = np.abs(vol_c(cv) - target) > 1e-9 * np.maximum(target, 1.0)
        if miss.any():
            # out of reach inside the bounds: drop them for that strip
            off = np.isin(lab, idx[miss])
            return restore(base, np.where(off, -np.inf, lo_c), np.where(off, np.inf, hi_c))
        c = np.zeros(nper)
        c[idx] = cv
        return np.clip(base + c[lab] * bump, lo_c, hi_c)

    tau = restore(tau_s)
    z = assemble(tau)
    progress(35)

    slope_mask = dump
    mean0, _ = lf.mean_slope_gradient(z, slope_mask, dx, dy)
    diag = {"h": h, "feasible": feasible, "axis": axis, "seam_limit": limit,
            "passes_accepted": 0, "merged_periods": moved}

    # 2. slope mitigation between catchment units of each strip
    if mitigation and catchments is not None and passes > 0:
        cat = np.asarray(catchments)
        catv = np.where(np.isfinite(cat), cat, 0).astype(np.int64)[dump]
        catv = np.maximum(catv, 0)
        key = lab * (int(catv.max()) + 1) + catv
        ukeys, unit = np.unique(key, return_inverse=True)
        nunit = ukeys.size
        ustrip = (ukeys // (int(catv.max()) + 1)).astype(np.int64)
        unit_full = np.zeros(shape, np.int64)
        unit_full[dump] = unit + 1
        phi = _border_bump(unit_full, dump, max(0.25 * width, min(dx, dy)), dx, dy)[dump]
        # the mitigation keeps every cell inside [dem_min, dem_max], or inside the band
        # it was already in where the strip's supply forced it out ("uplifted" / "sunk")
        lo_m = np.where(np.isfinite(lo_c), lo_c, np.minimum(0.0, tau))
        hi_m = np.where(np.isfinite(hi_c), hi_c, np.maximum(1.0, tau))
        current = mean0
        # no seam may rise above the bound, nor one already above it more than 0.1 degree
        pa, pb, pax = lf.seam_pairs(refilling, dump)
        pdist = np.where(pax == 1, dx, dy)

        def pair_slopes(zz):
            zr = zz.ravel()
            return np.degrees(np.arctan(np.abs(zr[pa] - zr[pb]) / pdist))
        before = pair_slopes(z)
        seam_cap = np.where(before > limit, before + 0.1, limit + 1e-9)
        sub = progress.sub(35, 95)
        for p in range(int(passes)):
            sub(100.0 * p / passes)
            _, gz = lf.mean_slope_gradient(z, slope_mask, dx, dy)
            dzt = _dz_dtau(tau, zmin, zmax, zf, h)
            g_u = np.bincount(unit, weights=gz[dump] * dzt * phi, minlength=nunit)
            w_u = np.bincount(unit, weights=dzt * phi, minlength=nunit) * area
            num = np.bincount(ustrip, weights=g_u * w_u, minlength=nper)
            den = np.bincount(ustrip, weights=w_u * w_u, minlength=nper)
            lam = np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)
            d_u = -(g_u - lam[ustrip] * w_u)
            if not np.any(np.abs(d_u) > 0):
                break
            alpha = 0.5 / np.max(np.abs(d_u))
            accepted = False
            for _ in range(10):
                trial = restore(tau + alpha * d_u[unit] * phi, lo_m, hi_m)
                zt = assemble(trial)
                mt, _ = lf.mean_slope_gradient(zt, slope_mask, dx, dy)
                if mt < current - 1e-9 and np.all(pair_slopes(zt) <= seam_cap):
                    tau, z, current = trial, zt, mt
                    accepted = True
                    diag["passes_accepted"] += 1
                    break
                alpha *= 0.5
            if not accepted:
                break
        diag["units"] = nunit
    progress(95)

    slope = lf.slope_degrees(z, dx, dy)
    vols = lf.strip_volumes(z, floor, refilling, area, nper)
    errs = lf.volume_errors(z, floor, refilling, sup, area)
    tau_full = np.full(shape, np.nan)
    tau_full[dump] = tau
    mean1 = float(np.nanmean(slope[dump]))
    res = NearNaturalResult(
        landform=z, tau=tau_full, dump=dump, pit=pit, supply=sup, v_fmin=v_fmin,
        v_fmax=v_fmax, volumes=vols, volume_errors=errs, strip_tau=strip_tau,
        mean_slope=mean1, max_slope=float(np.nanmax(slope[dump])),
        mean_slope_before=float(mean0),
        max_seam_slope=lf.max_seam_slope(z, refilling, dx, dy, dump),
        strip_width=float(width), diagnostics=diag)
    progress(100)
    return res
