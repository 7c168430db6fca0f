"""core.lem, core.rusle, core.erosion: hand-computed cases and the Landlab cross-check.

The Landlab oracle runs in its own venv (.venv-oracles, numpy 2; `make oracles`)
as a subprocess: tests/oracles/landlab_lem.py.  If that venv is missing the
cross-check FAILS (it is never skipped) with the command to run.
"""
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from hpcs_landform.core import erosion, lem, rusle
from hpcs_landform.core.errors import Cancelled, InputError, Progress
from hpcs_landform.core.grid import read_raster
from hpcs_landform.core.hydrology import (
    fill_depressions,
    flat_gradient,
    outlet_mask,
    steepest_descent,
    topological_order,
)

ROOT = Path(__file__).resolve().parents[1]
ORACLE_PY = ROOT / ".venv-oracles" / "bin" / "python"
ORACLE = ROOT / "tests" / "oracles" / "landlab_lem.py"

#: elevation agreement with Landlab, m (see docs/method.md section 6): both
#: engines solve the same discrete equations on the same D8 tree, so they differ
#: by floating-point round-off (about 1e-12 m here) for n = 1, and by Landlab's
#: Brent tolerance (xtol 1e-12 on the normalised height) for n != 1; a micrometre
#: is far above both and far below any erosion signal (mm).
TOL = 1e-6


# --------------------------------------------------------------------------
# fixtures: a conditioned real DEM and a synthetic dump
# --------------------------------------------------------------------------

def condition(z, dx, dy, seed=0):
    """Pit- and tie-free version of ``z`` so that both engines route alike:
    +-1 mm noise (breaks D8 ties), fill, then a tiny Barnes gradient (eps per
    step, eps from 1e-6 m down until no pit is left) on the filled flats."""
    rng = np.random.default_rng(seed)
    z = z + rng.uniform(-1e-3, 1e-3, z.shape)
    f = fill_depressions(z)
    flats, grad = flat_gradient(f, dx, dy)
    if grad is None:
        return f
    noise = rng.uniform(0, 1, z.shape)
    for eps in 10.0 ** -np.arange(6, 12):
        g = f + np.where(flats, eps * (grad + 1e-3 * noise), 0.0)
        _, k = steepest_descent(g, dx, dy)
        if not ((k < 0) & np.isfinite(g) & ~outlet_mask(g)).any():
            return g
    raise AssertionError("conditioning left pits")


def dump_mound(rows=60, cols=70, dx=10.0, height=30.0, seed=1):
    """A flat-topped waste dump on a plain: platform graded 1 % to the east,
    batters 1:3 (18.4 degrees), plain sloping 0.5 % to the south."""
    y, x = np.mgrid[0:rows, 0:cols] * dx
    cx, cy = x.mean(), y.mean()
    hx, hy = 0.25 * cols * dx, 0.25 * rows * dx          # platform half sizes
    dist = np.maximum(np.maximum(np.abs(x - cx) - hx, np.abs(y - cy) - hy), 0.0)
    mound = np.maximum(height - dist / 3.0, 0.0) - 0.01 * (x - cx) * (dist == 0)
    plain = 100.0 - 0.005 * y
    return condition(plain + mound, dx, dx, seed)


@pytest.fixture(scope="module")
def hugo(data_dir):
    z, g = read_raster(data_dir / "landlab_hugo_site.tif")
    return condition(z, g.dx, g.dy), g.dx


@pytest.fixture(scope="module")
def landlab_runs(hugo, tmp_path_factory):
    """Every Landlab case in one subprocess (one import of Landlab)."""
    if not ORACLE_PY.exists():
        pytest.fail("The Landlab oracle venv is missing: run `make oracles` (it creates "
                    f"{ORACLE_PY.parent.parent} with landlab 2.11), then run the tests again.")
    tmp = tmp_path_factory.mktemp("landlab")
    zh, dxh = hugo
    cases = {
        "hugo_n1": (zh, dxh, dict(years=5.0, dt=1.0, K=5e-3, m=0.5, n=1.0, runoff=0.5,
                                  D=0.01)),
        "hugo_n1.5": (zh, dxh, dict(years=4.0, dt=2.0, K=5e-3, m=0.5, n=1.5, runoff=0.5,
                                    D=0.01)),
        # the dump: fresh-spoil defaults but a 30x erodibility so that 5 steps
        # give centimetres; the last step is a half one
        "mound": (dump_mound(), 10.0, dict(years=4.5, dt=1.0, K=1.5e-2, m=0.5, n=1.0,
                                           runoff=0.05, D=0.01)),
        # diffusion alone with 3 full sub-steps of 0.3 yr and a 0.1 yr remainder
        "mound_diffusion": (dump_mound(), 10.0, dict(years=2.0, dt=1.0, K=0.0, m=0.5,
                                                     n=1.0, runoff=0.05, D=50.0)),
    }
    args = []
    for name, (z, dx, p) in cases.items():
        np.savez(tmp / f"{name}_in.npz", z=z, dx=dx, **p)
        args += [str(tmp / f"{name}_in.npz"), str(tmp / f"{name}_out.npz")]
    proc = subprocess.run([str(ORACLE_PY), str(ORACLE)] + args, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return {name: (z, dx, p, np.load(tmp / f"{name}_out.npz"))
            for name, (z, dx, p) in cases.items()}


@pytest.mark.parametrize("case", ["hugo_n1", "hugo_n1.5", "mound", "mound_diffusion"])
def test_same_elevation_change_as_landlab(landlab_runs, case):
    z, dx, p, out = landlab_runs[case]
    assert str(out["landlab"]).startswith("2.11")
    res = lem.evolve(z, dx, dx, years=p["years"], dt=p["dt"], erodibility=p["K"], m=p["m"],
                     n=p["n"], runoff=p["runoff"], diffusivity=p["D"], settling_velocity=0.0)
    theirs = out["z"] - z
    ours = res.change
    valid = np.isfinite(z)
    assert np.array_equal(np.isfinite(theirs), valid)
    # a real signal: centimetres of change, and lowering at many cells
    assert np.nanmax(np.abs(theirs)) > 0.01
    assert (theirs[valid] < -1e-4).sum() > 50
    assert np.nanmax(np.abs(ours - theirs)) <= TOL
    # the budget closes to round-off
    b = res.budget["grid"]
    assert abs(b["residual"]) <= 1e-9 * max(b["eroded"], 1.0)


# --------------------------------------------------------------------------
# hand-computed cases
# --------------------------------------------------------------------------

def _channel(length=6):
    """3 x length grid: the middle row is a channel draining west to column 0
    (fixed), the edge rows are high walls."""
    z = np.full((3, length), 50.0)
    z[1] = np.arange(length, dtype=float)
    return z


def test_implicit_stream_power_by_hand():
    z = _channel()
    dx = 10.0
    k, m, dt, r = 2e-2, 0.5, 3.0, 0.4
    res = lem.evolve(z, dx, dx, years=dt, dt=dt, erodibility=k, m=m, n=1.0, runoff=r,
                     diffusivity=0.0, settling_velocity=0.0)
    # by hand: free cells are columns 1..4 of row 1; cell c drains (5 - c) cells
    h = z[1].copy()
    for c in range(1, 5):                  # from the outlet upstream
        q = r * (5 - c) * dx * dx / dx     # unit discharge, m^2/yr
        f = k * q ** m * dt / dx
        h[c] = (h[c] + f * h[c - 1]) / (1 + f)
    assert np.allclose(res.elevation[1], h, rtol=0, atol=1e-12)
    assert np.array_equal(res.elevation[[0, 2]], z[[0, 2]])
    # detachment-limited: all eroded volume is exported off the grid
    lost = float((z[1] - h).sum()) * dx * dx
    assert res.budget["grid"]["eroded"] == pytest.approx(lost, rel=1e-12)
    assert res.budget["grid"]["exported"] == pytest.approx(lost, rel=1e-12)


def test_deposition_davy_lague_by_hand():
    z = _channel()
    dx = 10.0
    k, m, dt, r, v = 2e-2, 0.5, 1.0, 0.4, 0.3
    res = lem.evolve(z, dx, dx, years=dt, dt=dt, erodibility=k, m=m, n=1.0, runoff=r,
                     diffusivity=0.0, settling_velocity=v)
    h = z[1].copy()
    e = np.zeros(6)
    for c in range(1, 5):
        q = r * (5 - c) * dx
        f = k * q ** m * dt / dx
        new = (h[c] + f * h[c - 1]) / (1 + f)
        e[c] = h[c] - new
        h[c] = new
    # sediment swept downstream: Qs_c = (Qs_in + e a) / (1 + V a / Q), d = V Qs / Q
    a = dx * dx
    qs_in = 0.0
    dep = np.zeros(6)
    for c in range(4, 0, -1):
        big_q = r * (5 - c) * a * dt       # m^3 of water over the step
        qs = (qs_in + e[c] * a) / (1 + v * a * dt / big_q)
        dep[c] = v * qs / big_q * dt       # thickness, m
        qs_in = qs
    assert np.allclose(res.elevation[1], h + dep, rtol=0, atol=1e-12)
    assert np.allclose(res.deposition[1], dep, atol=1e-14)
    assert res.budget["grid"]["exported"] == pytest.approx(qs_in, rel=1e-12)
    assert abs(res.budget["grid"]["residual"]) < 1e-9


def test_diffusion_one_step_by_hand():
    z = np.zeros((5, 5))
    z[2, 2] = 1.0
    dx, dy, d = 10.0, 8.0, 0.5
    dt = 0.1 * min(dx, dy) ** 2 / d       # below the 0.15 sub-step: one explicit step
    res = lem.evolve(z + 10.0, dx, dy, years=dt, dt=dt, erodibility=0.0, runoff=0.0,
                     diffusivity=d, settling_velocity=0.0)
    want = np.zeros((5, 5))
    want[2, 2] = 1.0 - d * dt * (2 / dx ** 2 + 2 / dy ** 2)
    want[2, 1] = want[2, 3] = d * dt / dx ** 2
    want[1, 2] = want[3, 2] = d * dt / dy ** 2
    assert np.allclose(res.change, want - z, atol=1e-14)
    # volume conserved: nothing reaches the fixed edge in one step
    assert res.budget["grid"]["exported"] == pytest.approx(0.0, abs=1e-12)


def test_diffusion_sub_steps_follow_the_analytic_gaussian():
    # a Gaussian hill h = A s0^2 / s^2 exp(-r^2 / 2 s^2), s^2 = s0^2 + 2 D t, solves
    # dh/dt = D laplacian(h); one 40-yr step is split into 53 stable sub-steps
    cell, s0, amp, d, t = 5.0, 30.0, 10.0, 5.0, 40.0
    y, x = (np.mgrid[0:51, 0:51] - 25.0) * cell
    r2 = x ** 2 + y ** 2
    z = 100.0 + amp * np.exp(-r2 / (2 * s0 ** 2))
    res = lem.evolve(z, cell, cell, years=t, dt=t, erodibility=0.0, runoff=0.0,
                     diffusivity=d, settling_velocity=0.0)
    s2 = s0 ** 2 + 2 * d * t
    exact = amp * s0 ** 2 / s2 * np.exp(-r2 / (2 * s2)) + 100.0 - z
    inner = r2 < (60.0 ** 2)
    peak = abs(exact[25, 25])
    assert peak > 2.0
    assert np.max(np.abs(res.change - exact)[inner]) < 0.01 * peak


def test_large_step_stays_stable_and_monotone():
    z = dump_mound(30, 30, seed=4)
    res = lem.evolve(z, 10.0, 10.0, years=1000.0, dt=500.0, erodibility=0.05, runoff=0.5,
                     diffusivity=0.0, settling_velocity=0.0)
    assert np.all(np.isfinite(res.elevation))
    # implicit scheme: no cell is lowered below the plain's lowest edge
    assert np.nanmin(res.elevation) >= np.nanmin(z) - 1e-9
    assert np.nanmax(res.change) <= 1e-12          # detachment-limited, no diffusion


@pytest.mark.parametrize("v, d", [(0.0, 0.0), (0.0, 0.3), (0.05, 0.3), (1.0, 0.01)])
def test_mass_balance_closes(hugo, v, d):
    z, dx = hugo
    area = np.zeros(z.shape, dtype=bool)
    area[10:40, 20:60] = True
    res = lem.evolve(z, dx, dx, years=6.0, dt=1.5, erodibility=5e-3, runoff=0.5,
                     diffusivity=d, settling_velocity=v, area=area)
    for key in ("grid", "area"):
        b = res.budget[key]
        # eroded and deposited from the elevations, exported from the fluxes
        change = res.change[area] if key == "area" else res.change[np.isfinite(z)]
        net = -float(np.nansum(change)) * dx * dx
        assert b["eroded"] - b["deposited"] == pytest.approx(net, rel=1e-12, abs=1e-9)
        assert abs(b["residual"]) <= 1e-9 * b["eroded"]
        assert b["eroded"] > 0
    if v > 0:
        assert res.budget["grid"]["deposited"] > 0


def test_flow_levels_agree_with_topological_order():
    z = dump_mound(25, 30, seed=2)
    from hpcs_landform.core.hydrology import flow_directions
    rec, _ = flow_directions(z, 10.0, 10.0)
    order, starts = lem.flow_levels(rec)
    depth = np.empty(rec.size, dtype=int)
    for k in range(starts.size - 1):
        depth[order[starts[k]:starts[k + 1]]] = k
    inside = rec < rec.size
    assert np.all(depth[inside] == depth[rec[inside]] + 1)
    assert np.all(depth[~inside] == 0)
    # same set of cells as a breadth-first order from the outside
    assert sorted(topological_order(rec)) == list(range(rec.size))


def test_progress_and_cancel_per_step():
    z = dump_mound(20, 20)
    seen = []
    lem.evolve(z, 10.0, 10.0, years=4.0, dt=1.0, progress=seen.append)
    assert seen[-1] == 100 and [25.0, 50.0, 75.0] == [s for s in seen if 0 < s < 100]
    calls = []

    def cancelled():
        calls.append(1)
        return len(calls) > 2
    with pytest.raises(Cancelled):
        lem.evolve(z, 10.0, 10.0, years=50.0, dt=1.0, progress=Progress(None, cancelled))
    assert len(calls) == 3


@pytest.mark.parametrize("kw, message", [
    (dict(years=0.0), "years"), (dict(dt=-1.0), "time step"), (dict(years=1.0, dt=2.0),
                                                                 "longer than the run"),
    (dict(n=0.0), "slope exponent"), (dict(diffusivity=-1.0), "diffusivity")])
def test_bad_parameters(kw, message):
    with pytest.raises(InputError, match=message):
        lem.evolve(dump_mound(10, 10), 10.0, 10.0, **kw)


# --------------------------------------------------------------------------
# RUSLE
# --------------------------------------------------------------------------

def test_rusle_uniform_plane_by_hand():
    rows, cols, cell, s = 12, 8, 10.0, 0.15
    z = 200.0 - s * cell * np.arange(rows)[:, None] + np.zeros((rows, cols))
    r_, k_, c_, p_, rho, years = 300.0, 0.04, 0.04, 0.8, 1.5, 10.0
    res = rusle.rusle(z, cell, cell, factors=rusle.RusleFactors(R=r_, K=k_, C=c_, P=p_,
                                                              bulk_density=rho, years=years))
    # Desmet & Govers (1996) on a plane dipping south: row i has i cells above it,
    # aspect due south (x = 1); McCool S for tan >= 0.09
    theta = np.arctan(s)
    st = np.sin(theta)
    beta = (st / 0.0896) / (3 * st ** 0.8 + 0.56)
    m = beta / (1 + beta)
    i = np.arange(rows)
    lfac = ((i * cell ** 2 + cell ** 2) ** (m + 1) - (i * cell ** 2) ** (m + 1)) / \
        (cell ** (m + 2) * 22.13 ** m)
    sfac = 16.8 * st - 0.5
    a = r_ * k_ * lfac * sfac * c_ * p_
    assert np.allclose(res.loss, a[:, None], rtol=1e-12)
    vol = a.sum() * cols * cell * cell / 1e4 / rho * years
    assert res.budget["grid"]["eroded"] == pytest.approx(vol, rel=1e-12)


def test_rusle_gentle_plane_and_raster_factors():
    z = 50.0 - 0.05 * 10.0 * np.arange(10)[:, None] + np.zeros((10, 6))
    c_map = np.full(z.shape, 0.04)
    c_map[:, :3] = 0.02
    res = rusle.rusle(z, 10.0, 10.0, factors=rusle.RusleFactors(C=c_map))
    st = np.sin(np.arctan(0.05))
    # tan < 0.09: S = 10.8 sin + 0.03
    assert res.ls[5, 4] / res.ls[5, 4] == 1.0
    ref = rusle.rusle(z, 10.0, 10.0, factors=rusle.RusleFactors(C=0.04))
    assert np.allclose(res.loss[:, :3], ref.loss[:, :3] / 2, rtol=1e-12)
    assert np.allclose(res.loss[:, 3:], ref.loss[:, 3:], rtol=1e-12)
    # the top row has no contributing area: L = (D / 22.13)^m
    beta = (st / 0.0896) / (3 * st ** 0.8 + 0.56)
    m = beta / (1 + beta)
    assert res.ls[0, 2] == pytest.approx((10.0 / 22.13) ** m * (10.8 * st + 0.03), rel=1e-12)


def test_rusle_progress_and_cancel():
    z = dump_mound(20, 20)
    seen = []
    rusle.rusle(z, 10.0, 10.0, progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == 100
    with pytest.raises(Cancelled):
        rusle.rusle(z, 10.0, 10.0, progress=Progress(None, lambda: True))


def test_rusle_bad_factor():
    z = np.arange(25.0).reshape(5, 5)
    with pytest.raises(InputError, match="negative"):
        rusle.rusle(z, 1.0, 1.0, factors=rusle.RusleFactors(K=-0.1))
    with pytest.raises(InputError, match="same grid"):
        rusle.rusle(z, 1.0, 1.0, factors=rusle.RusleFactors(C=np.ones((4, 4))))


# --------------------------------------------------------------------------
# the comparison
# --------------------------------------------------------------------------

def test_compare_ranks_planes_by_steepness():
    cell = 10.0
    rows, cols = 15, 10

    def plane(s):
        return 300.0 - s * cell * np.arange(rows)[:, None] + np.zeros((rows, cols))
    forms = [("PNL", plane(0.10)), ("steep", plane(0.25)), ("gentle", plane(0.04))]
    area = np.zeros((rows, cols), dtype=bool)
    area[2:12, 2:8] = True
    strips = [("1", area & (np.arange(rows)[:, None] < 7)),
              ("2", area & (np.arange(rows)[:, None] >= 7))]
    out = erosion.compare_landforms(forms, cell, cell, area, strips, model="rusle",
                                    years=10.0, bulk_density=1.5)
    ranks = {lf.name: lf.rank for lf in out.landforms}
    assert ranks == {"gentle": 1, "PNL": 2, "steep": 3}
    for (name, z), lf in zip(forms, out.landforms):
        r = rusle.rusle(z, cell, cell, factors=rusle.RusleFactors(years=10.0))
        vol = float(r.volume[area].sum())
        assert lf.eroded == pytest.approx(vol, rel=1e-12)
        # mean loss: t/ha/yr over the 0.6 ha area
        assert lf.mean_loss == pytest.approx(vol * 1.5 / 0.6 / 10.0, rel=1e-12)
        assert lf.strips.sum() == pytest.approx(vol, rel=1e-12)
    diff = out.minus_reference()
    assert set(diff) == {"steep", "gentle"}
    assert np.all(diff["steep"] > 0) and np.all(diff["gentle"] < 0)


def test_compare_lem_budget_and_strips():
    z = dump_mound(30, 36, seed=5)
    z2 = z.copy()
    z2[8:22, 8:28] += 5.0            # a higher platform: steeper batters
    area = np.zeros(z.shape, dtype=bool)
    area[5:25, 5:31] = True
    strips = [(str(i), area & (np.arange(36)[None, :] // 12 == i)) for i in range(3)]
    out = erosion.compare_landforms([("PNL", z), ("TDL", z2)], 10.0, 10.0, area, strips,
                                    model="lem", years=3.0, dt=1.0,
                                    lem_parameters=dict(erodibility=5e-3, runoff=0.2))
    for lf in out.landforms:
        assert abs(lf.residual) <= 1e-9 * lf.eroded
        assert lf.strips.sum() == pytest.approx(lf.eroded - lf.deposited, rel=1e-9)
    assert out.reference == "PNL"
    with pytest.raises(InputError, match="same name"):
        erosion.compare_landforms([("a", z), ("a", z)], 10.0, 10.0, area)


def test_simulation_window_by_hand():
    mask = np.zeros((40, 30), dtype=bool)
    mask[10:13, 5:9] = True                       # rows 10-12, columns 5-8
    strip = np.zeros_like(mask)
    strip[20, 7] = True
    # dy = 20 m: ceil(35 / 20) = 2 rows; dx = 10 m: ceil(35 / 10) = 4 columns
    rows, cols = erosion.simulation_window([mask], 10.0, 20.0, 35.0)
    assert (rows, cols) == (slice(8, 15), slice(1, 13))
    # the sub-areas widen the box; the grid clips it
    rows, cols = erosion.simulation_window([mask, strip], 10.0, 20.0, 60.0)
    assert (rows, cols) == (slice(7, 24), slice(0, 15))
    assert erosion.simulation_window([mask], 10.0, 10.0, 0.0) == (slice(10, 13), slice(5, 9))
    assert erosion.simulation_window([mask], 10.0, 10.0, None) == (slice(0, 40), slice(0, 30))
    assert erosion.simulation_window([mask], 10.0, 10.0, 1e6) == (slice(0, 40), slice(0, 30))
    with pytest.raises(InputError, match="buffer"):
        erosion.simulation_window([mask], 10.0, 10.0, -1.0)


def test_buffer_simulates_the_window_only():
    """With a buffer the model runs on the window alone, with its edge as base
    level: the same as evolving the cropped surface directly."""
    z = dump_mound(50, 60, seed=3)
    area = np.zeros(z.shape, dtype=bool)
    area[20:30, 22:36] = True
    p = dict(erodibility=5e-3, runoff=0.2)
    out = erosion.compare_landforms([("PNL", z)], 10.0, 10.0, area, model="lem", years=3.0,
                                    lem_parameters=p, buffer=50.0)
    assert out.window == (slice(15, 35), slice(17, 41))
    direct = lem.evolve(z[15:35, 17:41], 10.0, 10.0, years=3.0, area=area[15:35, 17:41], **p)
    lf = out.landforms[0]
    assert lf.change.shape == (20, 24)
    assert np.array_equal(lf.change, direct.change)
    assert lf.eroded == direct.budget["area"]["eroded"]
    # the window's edge is fixed
    assert np.all(lf.change[[0, -1], :] == 0) and np.all(lf.change[:, [0, -1]] == 0)
    whole = erosion.compare_landforms([("PNL", z)], 10.0, 10.0, area, model="lem",
                                      years=3.0, lem_parameters=p, buffer=None)
    assert whole.window == (slice(0, 50), slice(0, 60))
    assert whole.landforms[0].change.shape == z.shape
    # RUSLE factor rasters are cropped with the landforms
    kmap = np.full(z.shape, 0.04)
    kmap[:, 30:] = 0.08
    r = erosion.compare_landforms([("PNL", z)], 10.0, 10.0, area, model="rusle",
                                  rusle_parameters=dict(K=kmap), buffer=50.0)
    d = rusle.rusle(z[15:35, 17:41], 10.0, 10.0,
                    factors=rusle.RusleFactors(K=kmap[15:35, 17:41]), area=area[15:35, 17:41])
    assert r.landforms[0].eroded == pytest.approx(d.budget["area"]["eroded"], rel=1e-12)


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))
