"""Traditional terraced landform (TDL; METHOD.md section 5, the paper's "step-like" dump).

The dump (refilled cells) is shaped as benches of height H with faces at the
face angle alpha and horizontal berms of width B, under a flat top platform
at elevation T; the final pit is the same as for the near-natural landform
(``landform.pit_surface``) and the landform equals dem_or elsewhere.

Construction (vectorised): d = distance from the dump's edge (distance
transform), z_e = dem_or at the nearest cell outside the dump, and the
"cone" c = z_e + d H / P rises inward with the mean gradient of the
staircase, P = H / tan(alpha) + B the horizontal period of one bench.  With
y = c - T (<= 0 below the top), k = floor(y / H) and q = (y - k H) P / H the
horizontal position inside the period,

    z = max(H_fd, min(T, T + k H + min(H, q tan(alpha))))

so the berms lie at T - H, T - 2 H, ... (every bench exactly H high, the
lowest one cut by the ground), the faces rise at alpha and the top platform
is flat at T.  T is found by bisection so that the volume above the floor,
sum (z - H_fd) L_t^2 over the dump, equals the total supply sum V_g (eq. 6):
the same earth as the near-natural landforms.
"""
from dataclasses import dataclass

import numpy as np

from . import landform as lf
from .errors import InputError, as_progress


@dataclass
class TerraceResult:
    landform: np.ndarray
    dump: np.ndarray
    pit: np.ndarray
    top_elevation: float
    volume: float
    total_supply: float
    mean_slope: float
    max_slope: float

    @property
    def volume_error(self):
        return abs(self.volume - self.total_supply) / max(self.total_supply, 1e-300)


def terrace_surface(cone, top, floor, bench_height, face_angle, berm_width):
    """z = max(floor, min(T, T + k H + min(H, q tan alpha))) (see the module doc)."""
    H = float(bench_height)
    tana = np.tan(np.radians(float(face_angle)))
    P = H / tana + float(berm_width)
    y = np.minimum(cone - top, 0.0)
    k = np.floor(y / H)
    q = (y - k * H) * (P / H)
    z = top + k * H + np.minimum(H, q * tana)
    return np.maximum(floor, np.minimum(top, z))


def traditional_landform(dem_or, floor, mining, refilling, supply, dx, dy, bench_height=10.0,
                         face_angle=33.0, berm_width=30.0, pit_angles=lf.PIT_ANGLES,
                         progress=None):
    """The terraced landform holding the total supply (see the module doc).

    supply: V_g per period (dict or array indexed by period); the dump holds
    their sum over the refilling strips present.  bench_height (m),
    face_angle (degrees, 0 < alpha < 90), berm_width (m, >= 0).
    """
    progress = as_progress(progress)
    shape = lf.check_same_shape(INPUT=dem_or, FLOOR=floor, mining=mining, refilling=refilling)
    if not bench_height > 0:
        raise InputError("The bench height must be > 0 m.")
    if not 0 < face_angle < 90:
        raise InputError("The face angle must be between 0 and 90 degrees.")
    if not berm_width >= 0:
        raise InputError("The berm width must be >= 0 m.")
    dem_or, floor, mining, refilling, dump, pit, mine = lf.prepare_plan(
        dem_or, floor, mining, refilling)
    sup, _ = lf.merge_empty_strips(refilling, lf.supply_by_period(refilling, supply))
    present = np.unique(refilling[dump])
    total = float(sup[present].sum())
    area = dx * dy
    progress(5)

    outside = ~dump
    d, (ir, ic) = lf.edt(outside, dx, dy, indices=True)
    if not outside.any():
        raise InputError("The dump covers the whole grid; give a DEM that extends beyond it.")
    ref = np.where(np.isfinite(dem_or), dem_or, np.nanmin(dem_or[mine]))
    z_edge = ref[ir, ic][dump]
    dd = np.maximum(d[dump] - 0.5 * min(dx, dy), 0.0)
    H = float(bench_height)
    P = H / np.tan(np.radians(float(face_angle))) + float(berm_width)
    cone = z_edge + dd * (H / P)
    zf = floor[dump]

    def volume(top):
        return float(((terrace_surface(cone, top, zf, H, face_angle, berm_width) - zf)
                      * area).sum())

    # the top platform must exist: T <= max(cone), where the benches from every edge meet
    lo = float(zf.min())
    hi = float(cone.max())
    if volume(hi) < total:
        raise InputError(
            f"The supply ({total:.6g} m3) does not fit in a terraced dump rising from the "
            f"edge of the refilled area: benches of {H:g} m with {face_angle:g} degree faces "
            f"and {berm_width:g} m berms hold at most {volume(hi):.6g} m3 there. Use "
            "narrower berms, steeper faces or higher benches.")
    vlo, vhi = volume(lo), volume(hi)
    for i in range(200):
        if i % 16 == 0:
            progress(5 + 80 * i / 200)
        mid = 0.5 * (lo + hi)
        vm = volume(mid)
        if vm < total:
            lo, vlo = mid, vm
        else:
            hi, vhi = mid, vm
        if hi - lo <= 1e-12 * max(abs(hi), 1.0) or abs(vm - total) <= 1e-12 * max(total, 1.0):
            break
    # V is linear in T between breakpoints: finish on the bracket's linear piece
    top = lo + (total - vlo) / (vhi - vlo) * (hi - lo) if vhi > vlo else 0.5 * (lo + hi)
    if abs(volume(top) - total) > abs(volume(mid) - total):
        top = mid
    surf = np.full(shape, np.nan)
    surf[dump] = terrace_surface(cone, top, zf, H, face_angle, berm_width)
    pit_z = lf.pit_surface(dem_or, floor, mining, refilling, dx, dy, pit_angles)
    z = lf.assemble(dem_or, surf, pit, dump, pit_z)
    slope = lf.slope_degrees(z, dx, dy)
    progress(100)
    return TerraceResult(landform=z, dump=dump, pit=pit, top_elevation=float(top),
                         volume=float(((z[dump] - floor[dump]) * area).sum()),
                         total_supply=total, mean_slope=float(np.nanmean(slope[dump])),
                         max_slope=float(np.nanmax(slope[dump])))
