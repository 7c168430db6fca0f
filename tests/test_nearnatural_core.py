"""Near-natural landform: the gentlest-surface blend and the slope mitigation on a
centre-inclusive slope (docs/method.md section 5).

Expected values are derived here by hand: the smooth step slope's gradient
against finite differences, a V-shaped channel whose Horn slope a spike lowers,
the KKT conditions of the least-energy surface, volumes summed cell by cell.
"""
import numpy as np
import pytest
from test_landform_core import AREA, D, hand_volumes, make_plan, run_nn, step_energy

from hpcs_landform.core import quality
from hpcs_landform.core.nearnatural import STEP_EPS, smooth_step_slope


def q(z, mask):
    return quality.design_quality(z, mask, D, D)


# --------------------------------------------------------------------------
# the objective
# --------------------------------------------------------------------------

def test_smooth_step_slope_gradient_matches_finite_differences():
    rng = np.random.default_rng(5)
    z = np.cumsum(rng.standard_normal((18, 22)), axis=1) * 3.0 + rng.standard_normal((18, 22))
    mask = np.zeros(z.shape, bool)
    mask[3:15, 4:19] = True
    ignore = np.zeros(z.shape, bool)
    ignore[8:11, 19:21] = True           # steps into these count as 0 (the final pit)
    z[0, 0] = np.nan                     # nodata off the mask
    dx, dy = 10.0, 7.0
    f0, g = smooth_step_slope(z, mask, dx, dy, ignore=ignore)
    # the value by hand: angle of the mean of the four smooth steps, in degrees
    zz = np.where(np.isfinite(z) & ~ignore, z, np.nan)
    acc = np.zeros(z.shape)
    for dr, dc, d in ((0, 1, dx), (0, -1, dx), (1, 0, dy), (-1, 0, dy)):
        nb = np.full(z.shape, np.nan)
        rs = slice(max(dr, 0), z.shape[0] + min(dr, 0))
        cs = slice(max(dc, 0), z.shape[1] + min(dc, 0))
        rt = slice(max(-dr, 0), z.shape[0] + min(-dr, 0))
        ct = slice(max(-dc, 0), z.shape[1] + min(-dc, 0))
        nb[rt, ct] = zz[rs, cs]
        s = np.where(np.isfinite(nb) & np.isfinite(zz), (zz - nb) / d, 0.0)
        acc += np.sqrt(STEP_EPS ** 2 + s ** 2)
    assert f0 == pytest.approx(np.degrees(np.arctan(acc / 4))[mask].mean(), abs=1e-12)
    for (i, j) in [(8, 9), (3, 4), (2, 4), (14, 18), (9, 18), (9, 19), (15, 10), (10, 12)]:
        e = np.zeros_like(z)
        e[i, j] = 1e-5
        fd = (smooth_step_slope(z + e, mask, dx, dy, ignore=ignore)[0]
              - smooth_step_slope(z - e, mask, dx, dy, ignore=ignore)[0]) / 2e-5
        assert g[i, j] == pytest.approx(fd, rel=1e-5, abs=1e-10), (i, j)
    assert g[9, 19] == 0.0 and g[(~mask) & ~ignore].any()   # neighbours of the mask count


def test_smooth_step_slope_is_the_step_slope_within_eps():
    rng = np.random.default_rng(2)
    z = np.cumsum(rng.standard_normal((15, 15)), axis=0) * 4.0
    mask = np.ones(z.shape, bool)
    inner = quality.interior(mask)
    f, _ = smooth_step_slope(z, inner, D, D)
    exact = quality.step_slope(z, D, D)[inner].mean()
    assert exact <= f <= exact + np.degrees(STEP_EPS) + 1e-12


def test_a_spike_in_a_channel_lowers_horn_but_raises_the_objective():
    # V-shaped channel along the columns: z = g |x - x0|, g = 0.3, 10 m cells.  Raising
    # the channel line by 3 g dx turns it into a ridge of spikes: at the cells beside it
    # Horn's (z_{j+1} - z_{j-1}) / 2 dx falls from g to -g / 2, while every one-cell step
    # next to it doubles from g dx to 2 g dx.
    g_ = 0.3
    c = np.arange(21)
    z0 = np.tile(g_ * D * np.abs(c - 10.0), (21, 1))
    z1 = z0.copy()
    z1[:, 10] += 3 * g_ * D
    mask = np.ones(z0.shape, bool)
    a, b = q(z0, mask), q(z1, mask)
    assert b.horn_slope < a.horn_slope - 0.1            # Horn is fooled
    assert b.step_slope > a.step_slope + 0.1            # the step slope is not
    assert b.spikes > a.spikes == 0                     # 2 g dx = 6 m > tan(25) dx
    inner = quality.interior(mask)
    assert smooth_step_slope(z1, inner, D, D)[0] > smooth_step_slope(z0, inner, D, D)[0] + 0.1
    # by hand at a cell beside the channel: Horn atan(g) -> atan(g / 2)
    hs = quality.horn_slope(z1, D, D)
    assert hs[10, 11] == pytest.approx(np.degrees(np.arctan(g_ / 2)), abs=1e-9)
    assert quality.horn_slope(z0, D, D)[10, 11] == pytest.approx(np.degrees(np.arctan(g_)),
                                                                 abs=1e-9)


def test_a_checkerboard_is_invisible_to_horn_but_raises_the_objective():
    r, c = np.indices((24, 24))
    z0 = 100 + 0.15 * c * D + 4 * np.sin(r / 5.0)
    z1 = z0 + 0.5 * (-1.0) ** (r + c)
    mask = np.ones(z0.shape, bool)
    inner = quality.interior(mask)
    # Horn's stencil weights the checkerboard to 0 in the interior: the same slope
    np.testing.assert_allclose(quality.horn_slope(z1, D, D)[inner],
                               quality.horn_slope(z0, D, D)[inner], atol=1e-9)
    assert q(z1, mask).step_slope > q(z0, mask).step_slope
    assert smooth_step_slope(z1, inner, D, D)[0] > smooth_step_slope(z0, inner, D, D)[0]


# --------------------------------------------------------------------------
# the gentlest surface (blend) and the mitigation
# --------------------------------------------------------------------------

def energy_gradient(z, pit):
    """dE/dz of the step energy by hand: 2 sum over non-pit neighbours (z - z_k) / d^2."""
    ok = ~pit & np.isfinite(z)
    g = np.zeros(z.shape)
    for dr, dc in ((0, 1), (0, -1), (1, 0), (-1, 0)):
        nb = np.roll(z, (-dr, -dc), axis=(0, 1))
        nok = np.roll(ok, (-dr, -dc), axis=(0, 1))
        g += np.where(nok, 2 * (z - nb) / D ** 2, 0.0)
    return g


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("blend", ["natural", "surface"])
def test_least_energy_blends_meet_the_kkt_conditions(seed, blend):
    # feasible plan: z in [dem_min, dem_max], sum over a strip of z fixed.  The energy is
    # the step energy of y = z - ref (ref = PNL for 'natural', 0 for 'surface').  At its
    # least the energy gradient is one number mu_n on the free cells of strip n, at
    # least mu_n where z sits on dem_min and at most mu_n where it sits on dem_max.
    p = make_plan(t=(0.05, 0.95, 0.3, 0.6, 0.02, 0.98), rough=True, seed=seed)
    res = run_nn(p, False, blend=blend)
    z, pit = res.landform, res.pit
    ref = p["dem"] if blend == "natural" else np.zeros_like(z)
    g = energy_gradient(z - ref, pit)
    scale = np.abs(g[res.dump]).max()
    for n in range(1, 7):
        m = p["refill"] == n
        lo = m & (z <= p["zmin"] + 1e-7)
        hi = m & (z >= p["zmax"] - 1e-7)
        free = m & ~lo & ~hi
        assert free.sum() > 10
        mu = g[free].mean()
        assert np.ptp(g[free]) <= 1e-8 * scale
        assert np.all(g[lo] >= mu - 1e-8 * scale)
        assert np.all(g[hi] <= mu + 1e-8 * scale)
    # so its energy is below that of every other surface with the same volumes in the
    # band: the closed form (constant t per strip) and the smoothest-tau blend
    tt = np.array((0.0,) + p["t"])[p["refill"]]
    closed = np.where(res.dump, p["zmin"] + tt * (p["zmax"] - p["zmin"]), z)
    tau_blend = run_nn(p, False, blend="tau").landform
    e = step_energy(z - ref, res.dump, pit)
    assert e < step_energy(closed - ref, res.dump, pit)
    assert e < step_energy(tau_blend - ref, res.dump, pit)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_primal_dual_rounds_reach_the_least_energy(seed, monkeypatch):
    # the primal-dual active set settles in a few rounds at the QP's optimum: every
    # volume exact, inside the band, and an energy no higher than that of the primal
    # active set (the fallback, forced here), which is also feasible
    from hpcs_landform.core import nearnatural as nn
    p = make_plan(t=(0.05, 0.95, 0.3, 0.6, 0.02, 0.98), rough=True, seed=seed)
    fast = run_nn(p, False)
    assert 2 <= fast.diagnostics["qp_rounds"] <= 15 and not fast.diagnostics["qp_fallback"]
    monkeypatch.setattr(nn, "_qp_primal_dual", lambda qp, z0, progress: (False, 0))
    slow = run_nn(p, False)
    assert slow.diagnostics["qp_fallback"]
    for res in (fast, slow):
        z = res.landform
        vols = hand_volumes(z, p["floor"], p["refill"])
        for n, s in p["supply"].items():
            assert abs(vols[n] - s) <= 1e-9 * s
        d = res.dump
        assert np.all((z[d] >= p["zmin"][d] - 1e-9) & (z[d] <= p["zmax"][d] + 1e-9))
    e_fast = step_energy(fast.landform - p["dem"], fast.dump, fast.pit)
    e_slow = step_energy(slow.landform - p["dem"], slow.dump, slow.pit)
    assert e_fast <= e_slow * (1 + 1e-9)


def test_a_spike_of_dem_max_does_not_reach_the_landform():
    # a held value 30 m above dem_max's neighbours (a spike of the earthwork surface): the
    # closed-form and tau blends carry t x 30 m of it, the gentlest surface cuts it
    p = make_plan(t=(0.5,) * 6)
    p["zmax"][30, 45] += 30.0
    m = p["refill"] == p["refill"][30, 45]
    p["supply"][int(p["refill"][30, 45])] += 0.5 * 30.0 * AREA
    dump = p["refill"] > 0
    assert q(p["dem"], dump).spikes == 0
    tau_blend = run_nn(p, False, blend="tau").landform
    assert q(tau_blend, dump).spikes >= 1
    res = run_nn(p, True)
    assert q(res.landform, dump).spikes == 0
    vols = hand_volumes(res.landform, p["floor"], p["refill"])
    for n, s in p["supply"].items():
        assert abs(vols[n] - s) <= 1e-9 * s
    assert np.all(res.landform[m] <= p["zmax"][m] + 1e-9)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("blend", ["natural", "surface", "tau"])
def test_mitigation_never_raises_the_step_slope_horn_or_spikes(seed, blend):
    p = make_plan(t=(0.3, 0.8, 0.5, 0.2, 0.9, 0.4), rough=True, seed=seed)
    dump = p["refill"] > 0
    off = run_nn(p, False, blend=blend)
    on = run_nn(p, True, blend=blend)
    a, b = q(off.landform, dump), q(on.landform, dump)
    assert b.step_slope <= a.step_slope + 1e-12
    assert b.horn_slope <= a.horn_slope + 1e-12
    assert b.spikes <= a.spikes
    assert on.mean_slope <= off.mean_slope + 1e-12          # Horn over the whole dump
    assert on.diagnostics["passes_accepted"] >= 1 and b.step_slope < a.step_slope
    # the result reports both, before and after
    assert on.quality == b and on.quality_before == a
    assert on.diagnostics["step_objective"] < on.diagnostics["step_objective_before"]
    # every strip's volume exact, inside the band, seams within the bound
    vols = hand_volumes(on.landform, p["floor"], p["refill"])
    for n, s in p["supply"].items():
        assert abs(vols[n] - s) <= 1e-9 * s
    assert np.all(on.landform[dump] >= p["zmin"][dump] - 1e-9)
    assert np.all(on.landform[dump] <= p["zmax"][dump] + 1e-9)
    assert on.max_seam_slope <= max(25.0, off.max_seam_slope + 0.1) + 1e-9


def test_uplifted_and_sunk_strips_keep_their_side_of_the_band():
    # strip 2 holds 5 m more than dem_max, strip 4 5 m less than dem_min
    t = (0.5, 1.5, 0.5, -0.5, 0.5, 0.5)
    p = make_plan(t=t)
    res = run_nn(p, True)
    z = res.landform
    for n, side in ((2, "up"), (4, "down")):
        m = p["refill"] == n
        if side == "up":
            assert np.all(z[m] >= p["zmin"][m] - 1e-9)
            assert np.mean(z[m] - p["zmax"][m]) == pytest.approx(5.0, abs=1e-9)
        else:
            assert np.all(z[m] <= p["zmax"][m] + 1e-9)
            assert np.mean(z[m] - p["zmin"][m]) == pytest.approx(-5.0, abs=1e-9)
    for n in (1, 3, 5, 6):
        m = p["refill"] == n
        assert np.all((z[m] >= p["zmin"][m] - 1e-9) & (z[m] <= p["zmax"][m] + 1e-9))


def test_bad_blend():
    from hpcs_landform.core.errors import InputError
    p = make_plan()
    with pytest.raises(InputError, match="blend"):
        run_nn(p, blend="median")
