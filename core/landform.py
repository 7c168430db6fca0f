"""Shared parts of the landform step (docs/method.md section 5, "Landforms").

Definitions used by the near-natural (``core.nearnatural``) and the
traditional (``core.terrace``) landforms, so that both keep the same final pit:

* mine area: cells with a mining or a refilling label;
* dump: cells with a refilling label (period of the refilling strip a_fn);
* final pit: cells with a mining label and no refilling label (mined, never
  refilled).  Its surface is the pit geometry: the seam floor H_d at the
  bottom and walls at the working-side, end-wall and dump-side angles (the
  paper's 20, 13 and 8 degrees, section 2.1 / Fig. 8) rising to dem_or;
* outside the mine area every landform equals dem_or (eq. 1, class 5).

Volumes follow eq. 6 to 8: a cell holds (z - H_fd) * L_t^2 above the floor.
"""
import math

import numpy as np
from scipy import ndimage

from .errors import InputError
from .grid import Grid, mask_box, rasterize_labels, require_data, require_floor_below

#: default wall angles of the final pit (degrees): working side, end walls, dump side
PIT_ANGLES = (20.0, 13.0, 8.0)


# --------------------------------------------------------------------------
# checks and zones
# --------------------------------------------------------------------------

def check_same_shape(**arrays):
    """Stop unless every given array has the same 2-D shape."""
    shapes = {k: np.shape(v) for k, v in arrays.items() if v is not None}
    ref = next(iter(shapes.values()))
    bad = {k: s for k, s in shapes.items() if s != ref}
    if len(ref) != 2 or bad:
        raise InputError("The rasters are not on one grid: "
                         + ", ".join(f"{k} {s[0]} x {s[1]}" if len(s) == 2 else f"{k} {s}"
                                     for k, s in shapes.items())
                         + ". Resample them onto the DEM's grid and run again.")
    return ref


def mine_zones(mining, refilling):
    """(dump, pit, mine) boolean masks from the strip label rasters.

    dump = refilling label > 0; pit = mining label > 0 and no refilling
    label (the final pit); mine = dump or pit.
    """
    mining = np.asarray(mining)
    refilling = np.asarray(refilling)
    dump = refilling > 0
    pit = (mining > 0) & ~dump
    return dump, pit, dump | pit


def supply_by_period(refilling, supply):
    """Supply array indexed by period (0..max label) from a dict or sequence.

    Every refilling strip present in ``refilling`` must have a finite
    supply >= 0 (eq. 6, already multiplied by k).
    """
    nmax = int(np.max(refilling)) if np.size(refilling) else 0
    if isinstance(supply, dict):
        keys = [int(k) for k, v in supply.items() if v is not None and int(k) >= 0]
        out = np.full(max([nmax] + keys) + 1, np.nan)
        for k, v in supply.items():
            if int(k) >= 0 and v is not None:
                out[int(k)] = float(v)
    else:
        s = np.asarray(supply, dtype=np.float64)
        out = np.full(max(nmax + 1, len(s)), np.nan)
        out[:len(s)] = s
    present = np.unique(refilling[refilling > 0])
    missing = [int(p) for p in present if not np.isfinite(out[p])]
    if missing:
        raise InputError(
            "No supply volume for the refilling strip(s) of period "
            + ", ".join(map(str, missing[:10])) + (" ..." if len(missing) > 10 else "")
            + ". Give v_supply (m3, eq. 6) for every period, e.g. the sub-area layer of "
            "'Mining/refilling sub-area delineation'.")
    bad = [int(p) for p in present if out[p] < 0]
    if bad:
        raise InputError(f"Negative supply volume for period(s) {bad[:10]}; the supply "
                         "V_g of eq. 6 must be >= 0.")
    return out


def apportion_supply(fine_labels, factor, labels, supply):
    """Re-apportion each strip polygon's supply to the rasterised strips by area.

    A cell belongs to the strip containing its centre, so where strips are
    not much wider than a cell the labelled strips hold more or less area than
    the polygons (a 90 m strip on 80 m cells gets one or two columns).  The
    supply of polygon m is shared among the labelled strips n in proportion
    to the area of m falling in cells labelled n:

        S'_n = sum_m S_m a(m, n) / sum_n' a(m, n')

    fine_labels: the polygons rasterised on a grid ``factor`` times finer
    (period of the polygon containing each sub-cell centre); labels: the
    cell labels.  The total supply is kept exactly.  Returns the new supply
    array (same length as ``supply``).
    """
    sup = np.asarray(supply, dtype=np.float64)
    f = int(factor)
    lab = np.asarray(labels).astype(np.int64)
    fl = np.asarray(fine_labels).astype(np.int64)
    if f <= 1:
        return sup.copy()
    rows, cols = lab.shape
    fl = fl[:rows * f, :cols * f]
    parent = np.repeat(np.repeat(lab, f, axis=0), f, axis=1)
    n = max(len(sup), int(lab.max()) + 1, int(fl.max()) + 1)
    m = (fl > 0) & (parent > 0)
    counts = np.bincount(fl[m] * n + parent[m], minlength=n * n).reshape(n, n)
    area = counts.sum(axis=1)
    s = np.zeros(n)
    s[:len(sup)] = np.where(np.isfinite(sup), sup, 0.0)
    have = area > 0
    out = np.zeros(n)
    out += (counts[have] * (s[have] / area[have])[:, None]).sum(axis=0)
    # polygons that cover no labelled cell keep their supply (merged later)
    keep = ~have
    out[keep] += s[keep]
    res = np.full(len(sup), np.nan)
    res[:] = out[:len(sup)]
    res[~np.isfinite(sup) & (out[:len(sup)] == 0)] = np.nan
    return res


def apportioned_supply(refilling, wkbs, periods, grid, supply, max_cells=2e7):
    """Supply per labelled strip of ``refilling`` (period of the refilling strip
    containing each cell centre), shared by polygon area (:func:`apportion_supply`):
    the refilling polygons (WKB ``wkbs``, their ``periods``) are rasterised on a
    grid up to 8 times finer.  ``supply``: V_g per period, as
    :func:`supply_by_period` takes it."""
    arr = supply_by_period(refilling, supply)
    rows, cols = grid.shape
    factor = int(max(1, min(8, math.sqrt(max_cells / float(rows * cols)))))
    if factor <= 1 or not np.any(refilling > 0):
        return arr
    # the finer grid over the strips' bounding box only: a sub-cell outside the
    # labelled cells never counts (same shares as over the whole grid)
    r, c = np.nonzero(refilling > 0)
    r0, r1, c0, c1 = int(r.min()), int(r.max()) + 1, int(c.min()), int(c.max()) + 1
    x0, dx, _, y0, _, dy = grid.transform
    fine = Grid((x0 + c0 * dx, dx / factor, 0.0, y0 + r0 * dy, 0.0, dy / factor),
                ((r1 - r0) * factor, (c1 - c0) * factor), grid.crs_wkt)
    labels = rasterize_labels(wkbs, periods, fine)
    return apportion_supply(labels, factor, refilling[r0:r1, c0:c1], arr)


def merge_empty_strips(refilling, supply):
    """Move the supply of refilling periods that cover no cell to the nearest period
    that does (the next one, else the previous one), so no earth is lost when strips
    are narrower than a cell.  Returns (supply array, list of (from, to) periods)."""
    sup = np.array(supply, dtype=np.float64, copy=True)
    n = len(sup)
    have = np.bincount(np.asarray(refilling)[np.asarray(refilling) > 0], minlength=n)[:n] > 0
    have[0] = False
    cells = np.nonzero(have)[0]
    moved = []
    if cells.size == 0:
        return sup, moved
    for p in range(1, n):
        if have[p] or not np.isfinite(sup[p]) or sup[p] == 0:
            continue
        later = cells[cells > p]
        q = int(later[0]) if later.size else int(cells[cells < p][-1])
        sup[q] += sup[p]
        sup[p] = 0.0
        moved.append((p, q))
    return sup, moved


def strip_volumes(z, floor, labels, cell_area, nlabels=None):
    """Volume above the floor of every strip: sum (z - H_fd) L_t^2 (eq. 7/8 form)."""
    lab = np.asarray(labels)
    m = lab > 0
    n = (int(lab.max()) + 1) if nlabels is None else int(nlabels)
    return np.bincount(lab[m], weights=(z[m] - floor[m]) * cell_area, minlength=n)


def volume_errors(z, floor, labels, supply, cell_area):
    """Relative volume error |V_n - S_n| / S_n of every strip present (nan elsewhere).

    For a strip with zero supply the error is V_n / (cells x L_t^2 x 1 m).
    """
    lab = np.asarray(labels)
    sup = np.asarray(supply, dtype=np.float64)
    n = len(sup)
    vol = strip_volumes(z, floor, lab, cell_area, n)
    cnt = np.bincount(lab[lab > 0], minlength=n)
    den = np.where(sup > 0, sup, np.maximum(cnt, 1) * cell_area)
    err = np.abs(vol - sup) / den
    err[cnt == 0] = np.nan
    err[0] = np.nan
    return err


# --------------------------------------------------------------------------
# slope (Horn 1981, as ArcGIS "Slope", which the paper used)
# --------------------------------------------------------------------------

_KX = np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])
_KY = np.array([[-1.0, -2.0, -1.0], [0.0, 0.0, 0.0], [1.0, 2.0, 1.0]])


def horn_gradient(z, dx, dy):
    """(dz/dx, dz/dy) by Horn's 3 x 3 stencil; edges replicated, nodata
    neighbours take the centre's value."""
    z = np.asarray(z, dtype=np.float64)
    valid = np.isfinite(z)
    if valid.all():
        gx = ndimage.correlate(z, _KX, mode="nearest") / (8.0 * dx)
        gy = ndimage.correlate(z, _KY, mode="nearest") / (8.0 * dy)
        return gx, gy
    base = np.where(valid, z, 0.0)
    p = np.pad(base, 1, mode="edge")
    pv = np.pad(valid, 1, mode="edge")
    rows, cols = z.shape
    gx = np.zeros_like(base)
    gy = np.zeros_like(base)
    for dr in (-1, 0, 1):
        for dc in (-1, 0, 1):
            if dr == 0 and dc == 0:
                continue
            v = p[1 + dr:1 + dr + rows, 1 + dc:1 + dc + cols]
            m = pv[1 + dr:1 + dr + rows, 1 + dc:1 + dc + cols]
            v = np.where(m, v, base)
            gx += _KX[dr + 1, dc + 1] * v
            gy += _KY[dr + 1, dc + 1] * v
    gx /= 8.0 * dx
    gy /= 8.0 * dy
    gx[~valid] = np.nan
    gy[~valid] = np.nan
    return gx, gy


def hillshade(z, dx, dy, azimuth=315.0, altitude=45.0):
    """Lambertian hillshade 0..1 of z (sun at ``azimuth`` degrees clockwise from
    north, ``altitude`` degrees above the horizon), for figures; nan where z is
    nan.  Gradients by central differences with the real cell sizes."""
    z = np.asarray(z, dtype=np.float64)
    valid = np.isfinite(z)
    zz = np.where(valid, z, np.nanmean(z) if valid.any() else 0.0)
    gy, gx = np.gradient(zz, dy, dx)
    slope = np.arctan(np.hypot(gx, gy))
    aspect = np.arctan2(-gx, gy)
    az, alt = np.radians(azimuth), np.radians(altitude)
    hs = np.sin(alt) * np.cos(slope) + np.cos(alt) * np.sin(slope) * np.cos(az - aspect)
    hs = np.clip(hs, 0.0, 1.0)
    hs[~valid] = np.nan
    return hs


def slope_degrees(z, dx, dy):
    """Slope angle in degrees (Horn), nan where z is nodata."""
    gx, gy = horn_gradient(z, dx, dy)
    return np.degrees(np.arctan(np.hypot(gx, gy)))


def mean_slope_gradient(z, mask, dx, dy):
    """(mean slope in degrees over ``mask``, d(mean slope)/dz per cell).

    The mean is exactly that of :func:`slope_degrees`; the derivative is the
    adjoint of Horn's stencil (nodata filled with the nearest valid value;
    exact away from the grid edge and from nodata).
    """
    z = np.asarray(z, dtype=np.float64)
    n = max(int(mask.sum()), 1)
    sx, sy = horn_gradient(z, dx, dy)
    mean = float(np.degrees(np.arctan(np.hypot(sx[mask], sy[mask]))).sum() / n)
    valid = np.isfinite(z)
    if not valid.all():
        _, (ir, ic) = ndimage.distance_transform_edt(~valid, return_indices=True)
        z = z[ir, ic]
    gx = ndimage.correlate(z, _KX, mode="nearest") / (8.0 * dx)
    gy = ndimage.correlate(z, _KY, mode="nearest") / (8.0 * dy)
    g = np.hypot(gx, gy)
    with np.errstate(invalid="ignore", divide="ignore"):
        w = np.where(mask & (g > 0), 1.0 / ((1.0 + g * g) * np.maximum(g, 1e-300)), 0.0)
    w *= np.degrees(1.0) / n
    # adjoint of correlate(., K) is correlate(., K flipped) = convolve(., K)
    grad = (ndimage.convolve(w * gx, _KX, mode="constant") / (8.0 * dx)
            + ndimage.convolve(w * gy, _KY, mode="constant") / (8.0 * dy))
    return mean, grad


# --------------------------------------------------------------------------
# geometry of the plan
# --------------------------------------------------------------------------

def cell_xy(shape, dx, dy):
    """x (east) and y (north) of the cell centres in metres, origin at cell (0, 0)."""
    rows, cols = shape
    x = (np.arange(cols) + 0.5) * dx
    y = -(np.arange(rows) + 0.5) * dy
    return np.broadcast_to(x, shape), np.broadcast_to(y[:, None], shape)


def mining_axis(mining, refilling, dx, dy):
    """Unit vector (east, north) of the mining advance, from the labels.

    The period increases along the mining direction, so the least-squares
    direction of the strip centroids against their period is the axis; with
    a single period, the direction from the dump's centroid to the pit's.
    Falls back to due west (the paper's azimuth 270) when nothing decides.
    """
    x, y = cell_xy(np.shape(mining), dx, dy)
    for lab in (np.asarray(mining), np.asarray(refilling)):
        m = lab > 0
        if not m.any():
            continue
        n = int(lab.max()) + 1
        cnt = np.bincount(lab[m], minlength=n).astype(float)
        have = cnt > 0
        if have.sum() < 2:
            continue
        cx = np.bincount(lab[m], weights=x[m], minlength=n)[have] / cnt[have]
        cy = np.bincount(lab[m], weights=y[m], minlength=n)[have] / cnt[have]
        p = np.nonzero(have)[0].astype(float)
        p = p - p.mean()
        v = np.array([(p * (cx - cx.mean())).sum(), (p * (cy - cy.mean())).sum()])
        if np.hypot(*v) > 0:
            return v / np.hypot(*v)
    dump, pit, _ = mine_zones(mining, refilling)
    if dump.any() and pit.any():
        v = np.array([x[pit].mean() - x[dump].mean(), y[pit].mean() - y[dump].mean()])
        if np.hypot(*v) > 0:
            return v / np.hypot(*v)
    return np.array([-1.0, 0.0])


def edt(mask_targets, dx, dy, indices=False):
    """Euclidean distance (m) of every cell to the nearest ``mask_targets`` cell."""
    if not np.any(mask_targets):
        d = np.full(np.shape(mask_targets), np.inf)
        return (d, None) if indices else d
    return ndimage.distance_transform_edt(~np.asarray(mask_targets), sampling=(dy, dx),
                                          return_indices=indices)


def pit_surface(dem_or, floor, mining, refilling, dx, dy, angles=PIT_ANGLES, axis=None):
    """Surface of the final pit (cells mined and not refilled), nan elsewhere.

    Walls are planes rising at the side's angle from the floor to dem_or of
    the rim: the rim cells (outside the pit, next to it) are split into the
    dump side (refilled cells), the working side (the outward direction
    within 45 degrees of the mining advance) and the end walls (the rest).
    For each side s, z_s = dem_or(rim cell) - L_s tan(A_s) with L_s the
    distance to that side's nearest rim cell (Fig. 8's wall geometry), and
    pit = min(dem_or, max(H_d, max_s z_s)).
    """
    dump, pit, _ = mine_zones(mining, refilling)
    out = np.full(np.shape(dem_or), np.nan)
    if not pit.any():
        return out
    if axis is None:
        axis = mining_axis(mining, refilling, dx, dy)
    # on the pit's bounding box with 3 cells of margin (the rim is 1 cell away): the
    # distance transforms follow the pit's size, not the grid's
    win = mask_box(pit, 3)
    dem = np.asarray(dem_or, dtype=np.float64)
    ref = dem[win]
    if not np.isfinite(ref).all():
        ref = np.where(np.isfinite(ref), ref, np.nanmax(dem))
    out[win] = _pit_walls(ref, np.asarray(floor, dtype=np.float64)[win], dump[win], pit[win],
                          dx, dy, angles, axis)
    return out


def _pit_walls(ref, floor, dump, pit, dx, dy, angles, axis):
    """:func:`pit_surface` on a box around the pit (``ref``: dem_or with data
    everywhere); nan off the pit."""
    out = np.full(pit.shape, np.nan)
    rim = ndimage.binary_dilation(pit, structure=np.ones((3, 3), bool)) & ~pit
    # outward direction at a rim cell: from its nearest pit cell to it
    _, (ir, ic) = edt(pit, dx, dy, indices=True)
    rr, cc = np.indices(pit.shape)
    vx = (cc - ic) * dx
    vy = -(rr - ir) * dy
    norm = np.hypot(vx, vy)
    with np.errstate(invalid="ignore", divide="ignore"):
        cosang = (vx * axis[0] + vy * axis[1]) / norm
    sides = {
        "dump": rim & dump,
        "working": rim & ~dump & (cosang >= np.cos(np.radians(45.0))),
    }
    sides["end"] = rim & ~dump & ~sides["working"]
    a_work, a_end, a_dump = (float(a) for a in angles)
    tans = {"working": np.tan(np.radians(a_work)), "end": np.tan(np.radians(a_end)),
            "dump": np.tan(np.radians(a_dump))}
    wall = np.full(pit.shape, -np.inf)
    for side, cells in sides.items():
        if not cells.any():
            continue
        d, (jr, jc) = edt(cells, dx, dy, indices=True)
        zs = ref[jr, jc] - d * tans[side]
        wall = np.maximum(wall, zs)
    z = np.minimum(ref, np.maximum(floor, wall))
    out[pit] = z[pit]
    return out


def assemble(dem_or, dump_surface, pit, dump, pit_z):
    """The landform: dem_or outside, ``pit_z`` on the final pit, the dump surface on the dump."""
    z = np.array(dem_or, dtype=np.float64, copy=True)
    z[pit] = pit_z[pit]
    z[dump] = dump_surface[dump]
    return z


def prepare_plan(dem_or, floor, mining, refilling):
    """Common inputs of the landform builders, checked.

    Returns (dem_or, floor, mining, refilling, dump, pit, mine): float64
    surfaces, int64 labels and the zones of :func:`mine_zones`.  Stops when no
    refilling strip covers a cell, or when the DEM or the floor has no data
    inside the mine area.
    """
    dem_or = np.asarray(dem_or, dtype=np.float64)
    floor = np.asarray(floor, dtype=np.float64)
    mining = np.asarray(mining).astype(np.int64)
    refilling = np.asarray(refilling).astype(np.int64)
    dump, pit, mine = mine_zones(mining, refilling)
    if not dump.any():
        raise InputError("No refilling strip covers a cell of the DEM; nothing to build.")
    check_inside("The pre-mining DEM (INPUT)", dem_or, mine)
    check_inside("The seam floor (FLOOR)", floor, mine)
    require_floor_below(dem_or, floor, mine, "the mine area (mined and refilled strips)")
    return dem_or, floor, mining, refilling, dump, pit, mine


def check_inside(name, array, mask):
    """Stop when ``array`` has no data on a cell of ``mask``."""
    require_data(name, array, mask, "the mine area (mined and refilled strips)")


def seam_pairs(labels, mask=None):
    """4-neighbour cell pairs (flat indices a, b) on different strips, both labelled."""
    lab = np.asarray(labels)
    ok = lab > 0 if mask is None else (lab > 0) & mask
    idx = np.arange(lab.size).reshape(lab.shape)
    pa, pb, dist = [], [], []
    for (sa, sb, axis) in (((slice(None), slice(None, -1)), (slice(None), slice(1, None)), 1),
                           ((slice(None, -1), slice(None)), (slice(1, None), slice(None)), 0)):
        m = ok[sa] & ok[sb] & (lab[sa] != lab[sb])
        pa.append(idx[sa][m])
        pb.append(idx[sb][m])
        dist.append(np.full(int(m.sum()), axis, dtype=np.int8))
    return np.concatenate(pa), np.concatenate(pb), np.concatenate(dist)


def max_seam_slope(z, labels, dx, dy, mask=None):
    """Largest |z_a - z_b| / distance over 4-neighbour pairs across strip seams (degrees)."""
    a, b, ax = seam_pairs(labels, mask)
    if a.size == 0:
        return 0.0
    zf = np.asarray(z).ravel()
    d = np.where(ax == 1, dx, dy)
    return float(np.degrees(np.arctan(np.max(np.abs(zf[a] - zf[b]) / d))))
