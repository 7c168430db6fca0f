"""Design-quality measures (core.quality) against hand-derived values."""
import numpy as np

from hpcs_landform.core import quality as q


def test_plane_has_no_spike_and_known_slopes():
    # z = 0.2 x (x in m, 10 m cells): Horn = atan(0.2), step = atan((0.2 + 0) / 2)
    rows, cols, d = 12, 15, 10.0
    z = np.tile(0.2 * d * np.arange(cols, dtype=float), (rows, 1))
    res = q.design_quality(z, np.ones((rows, cols), bool), d, d)
    assert res.cells == (rows - 2) * (cols - 2)
    assert res.spikes == 0
    assert res.largest_spike < 1e-9
    assert np.isclose(res.horn_slope, np.degrees(np.arctan(0.2)))
    assert np.isclose(res.step_slope, np.degrees(np.arctan(0.1)))


def test_checkerboard_is_flat_for_horn_but_not_for_the_step_slope():
    # +-1 m checkerboard on 10 m cells: Horn's stencil cancels it (slope 0), every
    # one-cell step is 2 m, so the step slope is atan(0.2)
    z = np.indices((9, 9)).sum(axis=0) % 2 * 2.0 - 1.0
    res = q.design_quality(z, np.ones(z.shape, bool), 10.0, 10.0)
    assert res.horn_slope < 1e-9
    assert np.isclose(res.step_slope, np.degrees(np.arctan(0.2)))


def test_one_spike_counted_against_the_limit():
    z = np.zeros((7, 7))
    mask = np.ones(z.shape, bool)
    limit = np.tan(np.radians(25.0)) * 30.0          # 13.99 m on 30 m cells
    z[3, 3] = limit + 0.01
    assert q.design_quality(z, mask, 30.0, 30.0).spikes == 1
    assert np.isclose(q.design_quality(z, mask, 30.0, 30.0).largest_spike, limit + 0.01)
    z[3, 3] = limit - 0.01
    assert q.design_quality(z, mask, 30.0, 30.0).spikes == 0
    # a pit counts too, and only inside the mask's interior
    z[3, 3] = -(limit + 1.0)
    assert q.spike_mask(z, mask, 30.0).sum() == 1
    edge = np.zeros(z.shape, bool)
    edge[2:5, 2:5] = True                            # interior is the centre cell alone
    assert q.spike_mask(z, edge, 30.0).sum() == 1
    edge[3, 3] = False
    assert q.spike_mask(z, edge, 30.0).sum() == 0


def _whole_grid_quality(z, mask, dx, dy, angle=q.SPIKE_ANGLE):
    """The measures taken on the whole grid, by the module's own definitions
    (nodata filled by the nearest value, 3 x 3 median, Horn, one-cell steps)."""
    from scipy import ndimage
    inner = q.interior(mask)
    zz = q._filled(z)
    dev = np.abs(zz - ndimage.median_filter(zz, size=3, mode="nearest"))[inner]
    limit = np.tan(np.radians(angle)) * min(dx, dy)
    return (int(inner.sum()), int((dev > limit).sum()), float(dev.max()),
            float(q.horn_slope(zz, dx, dy)[inner].mean()),
            float(q.step_slope(zz, dx, dy)[inner].mean()))


def test_small_mask_on_a_large_grid_gives_the_whole_grid_figures():
    # the measures are taken on the mask's box (cost follows the mask): the same
    # figures as on the whole grid, with nodata far from the mask and inside it
    rng = np.random.default_rng(3)
    z = np.cumsum(rng.normal(0, 2, (200, 180)), axis=0) + rng.normal(0, 4, (200, 180))
    mask = np.zeros(z.shape, bool)
    mask[60:95, 40:110] = True
    mask[95:120, 70:90] = True
    for case in ("plain", "nodata far away", "nodata in the mask"):
        zz = z.copy()
        if case == "nodata far away":
            zz[:20, :] = np.nan
        elif case == "nodata in the mask":
            zz[70, 50] = np.nan
        res = q.design_quality(zz, mask, 7.0, 9.0)
        want = _whole_grid_quality(zz, mask, 7.0, 9.0)
        got = (res.cells, res.spikes, res.largest_spike, res.horn_slope, res.step_slope)
        assert got == want, case
        assert res.spikes > 0
