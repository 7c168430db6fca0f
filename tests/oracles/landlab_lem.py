"""Landlab oracle for the landscape evolution model (runs in .venv-oracles).

Usage: ``.venv-oracles/bin/python tests/oracles/landlab_lem.py IN.npz OUT.npz [IN2 OUT2 ...]``
(several cases in one process save Landlab's import time).

IN.npz holds ``z`` (2-D, row 0 = north, nan = nodata), ``dx`` (m, square
cells), ``years``, ``dt``, ``K`` (for unit discharge q = Q / dx), ``m``,
``n``, ``runoff`` (m/yr), ``D`` (m^2/yr).  Landlab 2.11 runs, every step,
FlowAccumulator (D8, DepressionFinderAndRouter, runoff_rate) ->
FastscapeEroder (discharge = surface_water__discharge, K_sp = K / dx^m, the
detachment-limited Braun-Willett solver) -> LinearDiffuser.  Boundary
conditions match the plugin's: the grid perimeter and every cell next to a
nodata cell are FIXED_VALUE, nodata cells CLOSED.  OUT.npz gets ``z`` (final
surface, same orientation), ``seconds`` (wall time of the time loop) and
``landlab`` (the version).

Written independently of the plugin (it imports nothing from it).
"""
import sys
import time

import numpy as np


def main(src, dst):
    import landlab
    from landlab import NodeStatus, RasterModelGrid
    from landlab.components import FastscapeEroder, FlowAccumulator, LinearDiffuser

    data = np.load(src)
    z = np.array(data["z"], dtype=np.float64)
    dx = float(data["dx"])
    years, dt = float(data["years"]), float(data["dt"])
    k, m, n = float(data["K"]), float(data["m"]), float(data["n"])
    runoff, diff = float(data["runoff"]), float(data["D"])

    rows, cols = z.shape
    # Landlab's row 0 is the south edge
    zl = np.flipud(z)
    nodata = ~np.isfinite(zl)
    fixed = np.zeros_like(nodata)
    fixed[0, :] = fixed[-1, :] = fixed[:, 0] = fixed[:, -1] = True
    padded = np.pad(nodata, 1, constant_values=False)
    for dr in (-1, 0, 1):
        for dc in (-1, 0, 1):
            fixed |= padded[1 + dr:1 + dr + rows, 1 + dc:1 + dc + cols]
    fixed &= ~nodata

    grid = RasterModelGrid((rows, cols), xy_spacing=(dx, dx))
    elev = grid.add_zeros("topographic__elevation", at="node")
    elev[:] = np.where(nodata, 0.0, zl).ravel()
    status = np.full(rows * cols, NodeStatus.CORE, dtype=grid.status_at_node.dtype)
    status[fixed.ravel()] = NodeStatus.FIXED_VALUE
    status[nodata.ravel()] = NodeStatus.CLOSED
    grid.status_at_node[:] = status

    fa = FlowAccumulator(grid, flow_director="FlowDirectorD8", runoff_rate=runoff,
                         depression_finder="DepressionFinderAndRouter", routing="D8")
    sp = FastscapeEroder(grid, K_sp=k / dx ** m, m_sp=m, n_sp=n,
                         discharge_field="surface_water__discharge")
    ld = LinearDiffuser(grid, linear_diffusivity=diff)

    t = 0.0
    nsteps = int(np.ceil(years / dt - 1e-9))
    start = time.perf_counter()
    for _ in range(nsteps):
        ts = min(dt, years - t)
        fa.run_one_step()
        sp.run_one_step(ts)
        if diff > 0:
            ld.run_one_step(ts)
        t += ts
    seconds = time.perf_counter() - start
    out = elev.reshape(rows, cols).copy()
    out[nodata] = np.nan
    np.savez(dst, z=np.flipud(out), seconds=seconds, landlab=landlab.__version__)


if __name__ == "__main__":
    args = sys.argv[1:]
    if not args or len(args) % 2:
        sys.exit("usage: landlab_lem.py IN.npz OUT.npz [IN2.npz OUT2.npz ...]")
    for i in range(0, len(args), 2):
        main(args[i], args[i + 1])
