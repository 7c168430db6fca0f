"""Core of the ecological assessment tools: resilience index, damage degree, DFN.

Every expected value is computed by hand in the test (or by brute force /
scipy), never copied from the code under test.
"""
import itertools

import numpy as np
import pytest
from scipy import stats

from hpcs_landform.core.damage import damage_degree, parse_directions, parse_weights
from hpcs_landform.core.errors import InputError
from hpcs_landform.core.fracture import (
    disc_traces,
    fisher_vectors,
    fracture_network,
    generate_network,
    orientation_from_normal,
    pole_from_orientation,
    power_law_cdf,
    power_law_inverse,
    raster_probability,
)
from hpcs_landform.core.grid import Grid
from hpcs_landform.core.resilience import (
    assess_resilience,
    check_weights,
    classify,
    jenks_breaks,
    normalize,
    parse_breaks,
    rasterize_each,
    write_csv,
    zone_cells,
)

# --- resilience index --------------------------------------------------------

R1 = np.array([[0, 1, 2], [3, 4, 5], [6, 7, 8]], float)
R2 = np.array([[10, 10, 10], [0, 0, 0], [5, 5, 5]], float)
R3 = np.array([[0, 0, 10], [0, 0, 10], [0, 0, 10]], float)
# by hand: R = 0.4 R1 + 0.3 R2 + 0.3 R3
R_HAND = np.array([[0.0 + 3.0 + 0.0, 0.4 + 3.0 + 0.0, 0.8 + 3.0 + 3.0],
                   [1.2 + 0.0 + 0.0, 1.6 + 0.0 + 0.0, 2.0 + 0.0 + 3.0],
                   [2.4 + 1.5 + 0.0, 2.8 + 1.5 + 0.0, 3.2 + 1.5 + 3.0]])


def test_index_3x3_by_hand():
    res = assess_resilience(R1, R2, R3, breaks=[3.0, 5.0])
    np.testing.assert_allclose(res.index, R_HAND, atol=1e-12)
    # 3.0 <= 3 -> low; 5.0 <= 5 -> medium
    np.testing.assert_array_equal(res.classes, [[1, 2, 3], [1, 1, 2], [2, 2, 3]])
    row = res.rows[0]
    assert row[0] == "ALL" and row[1] == 9
    assert row[4] == pytest.approx(R_HAND.mean())
    assert row[5] == pytest.approx(1.2) and row[6] == pytest.approx(7.7)
    assert row[7:10] == pytest.approx([300 / 9, 400 / 9, 200 / 9])


def test_index_zone_table_and_baseline():
    top = np.zeros((3, 3), bool)
    top[0] = True
    base = np.full((3, 3), 3.0)
    res = assess_resilience(R1, R2, R3, breaks=[3.0, 5.0], zones=[("top", top)],
                            baseline=base, cell_area=25.0)
    np.testing.assert_allclose(res.change, R_HAND - 3.0, atol=1e-12)
    name, cells, area, valid_area, mean, lo, hi, low, med, high = res.rows[1][:10]
    assert (name, cells, area, valid_area) == ("top", 3, 75.0, 75.0)
    assert mean == pytest.approx((3.0 + 3.4 + 6.8) / 3)
    assert (lo, hi) == (pytest.approx(3.0), pytest.approx(6.8))
    assert [low, med, high] == pytest.approx([100 / 3, 100 / 3, 100 / 3])
    b_mean, now, ch_mean, ch_lo, ch_hi = res.rows[1][10:]
    assert b_mean == 3.0 and now == pytest.approx(4.4)
    assert ch_mean == pytest.approx(1.4) and ch_lo == pytest.approx(0.0)
    assert ch_hi == pytest.approx(3.8)
    assert "mean_change" in res.header


def test_index_minmax_and_zlogistic_by_hand():
    res = assess_resilience(R1, R2, R3, normalization="minmax", breaks=[0.3, 0.6])
    # min-max: R1 / 8, R2 / 10, R3 / 10
    assert res.index[0, 0] == pytest.approx(0.4 * 0 + 0.3 * 1.0 + 0.3 * 0)
    assert res.index[2, 2] == pytest.approx(0.4 * 1 + 0.3 * 0.5 + 0.3 * 1.0)
    assert res.index[1, 1] == pytest.approx(0.4 * 0.5 + 0 + 0)
    res = assess_resilience(R1, R2, R3, normalization="zlogistic", breaks=[0.3, 0.6])
    # R1 centre (4) is its mean -> logistic(0) = 0.5; R2 at 0: z = (0 - 5) / sd
    sd2 = np.sqrt(np.mean((R2 - 5.0) ** 2))
    sd3 = np.sqrt(np.mean((R3 - 10 / 3) ** 2))
    z3 = (0 - 10 / 3) / sd3
    expected = 0.4 * 0.5 + 0.3 / (1 + np.exp(5.0 / sd2)) + 0.3 / (1 + np.exp(-z3))
    assert res.index[1, 1] == pytest.approx(expected)
    assert np.all((res.index > 0) & (res.index < 1))


def test_index_nodata_propagates():
    r2 = R2.copy()
    r2[1, 2] = np.nan
    res = assess_resilience(R1, r2, R3, breaks=[3.0, 5.0])
    assert np.isnan(res.index[1, 2]) and res.classes[1, 2] == 0
    assert res.rows[0][3] == 8.0                  # valid area (cell area 1)


@pytest.mark.parametrize("weights", [(0.5, 0.3, 0.3), (0.4, 0.3, 0.2), (1.0, 0.0, 0.1)])
def test_weights_must_sum_to_one(weights):
    with pytest.raises(InputError, match="sum to 1"):
        assess_resilience(R1, R2, R3, weights=weights, breaks=[3, 5])


def test_weights_tolerance_and_sign():
    check_weights((0.4, 0.3, 0.3 + 5e-7))         # within 1e-6
    with pytest.raises(InputError, match="sum to 1"):
        check_weights((0.4, 0.3, 0.3 + 5e-6))
    with pytest.raises(InputError, match="negative"):
        check_weights((1.2, -0.1, -0.1))
    # other weights than the paper's change the index accordingly
    res = assess_resilience(R1, R2, R3, weights=(1.0, 0.0, 0.0), breaks=[3, 5])
    np.testing.assert_allclose(res.index, R1)


def _brute_force_breaks(values, k):
    v = np.sort(values)
    best, best_b = np.inf, None
    for cut in itertools.combinations(range(1, v.size), k - 1):
        parts = np.split(v, cut)
        ssd = sum(((p - p.mean()) ** 2).sum() for p in parts)
        if ssd < best - 1e-12:
            best, best_b = ssd, [p[-1] for p in parts[:-1]]
    return np.array(best_b)


@pytest.mark.parametrize("k", [2, 3, 4])
def test_jenks_equals_brute_force(k):
    rng = np.random.default_rng(7)
    for _ in range(5):
        v = np.round(rng.gamma(2.0, 3.0, 12), 3)
        np.testing.assert_allclose(jenks_breaks(v, k), _brute_force_breaks(v, k))
    np.testing.assert_allclose(jenks_breaks(R_HAND.ravel(), 3),
                               _brute_force_breaks(R_HAND.ravel(), 3))


def test_jenks_histogram_path_finds_the_gaps():
    rng = np.random.default_rng(3)
    v = np.concatenate([rng.uniform(0, 1, 40000), rng.uniform(5, 6, 30000),
                        rng.uniform(10, 11, 30000)])
    b = jenks_breaks(v, 3)                          # > 1000 distinct values: binned
    assert b[0] == v[v < 3].max() and b[1] == v[(v > 3) & (v < 8)].max()
    np.testing.assert_array_equal(np.bincount(classify(v, b))[1:], [40000, 30000, 30000])


def test_jenks_needs_enough_values():
    with pytest.raises(InputError, match="at least 3 different values"):
        jenks_breaks([1.0, 1.0, 2.0], 3)


def test_normalize_and_breaks_parsing():
    x = np.array([2.0, 4.0, np.nan, 6.0])
    np.testing.assert_allclose(normalize(x, "minmax"), [0, 0.5, np.nan, 1.0])
    np.testing.assert_allclose(normalize(np.full(3, 7.0), "minmax"), 0.5)
    np.testing.assert_allclose(normalize(np.full(3, 7.0), "zlogistic"), 0.5)
    np.testing.assert_array_equal(parse_breaks("0.2, 0.5", 2), [0.2, 0.5])
    assert parse_breaks("  ", 2) is None
    with pytest.raises(InputError, match="increase"):
        parse_breaks("0.5,0.2", 2)
    with pytest.raises(InputError, match="exactly 2"):
        parse_breaks("0.5", 2)


def test_zone_windows_equal_full_masks():
    from osgeo import ogr

    from hpcs_landform.core.grid import rasterize_polygons
    grid = Grid((1000.0, 10.0, 0.0, 5000.0, 0.0, -10.0), (40, 60))
    wkts = ["POLYGON((1012 4995,1143 4990,1100 4801,1012 4995))",          # triangle
            "POLYGON((950 4700,1050 4700,1050 4600,950 4600,950 4700))",    # half outside
            "POLYGON((1595 4990,1700 4990,1700 4900,1595 4900,1595 4990))",  # right edge
            "POLYGON((0 0,10 0,10 10,0 0))"]                                # far outside
    wkbs = [bytes(ogr.CreateGeometryFromWkt(w).ExportToWkb()) for w in wkts]
    values = np.arange(40 * 60, dtype=float).reshape(40, 60)
    for wkb, zone in zip(wkbs, rasterize_each(wkbs, grid)):
        full = rasterize_polygons([wkb], grid)
        got, = zone_cells(zone, values)
        np.testing.assert_array_equal(np.sort(got), np.sort(values[full]))
    assert zone_cells(rasterize_each(wkbs, grid)[3], values)[0].size == 0


def test_csv_writer(tmp_path):
    p = write_csv(tmp_path / "t.csv", ["a", "b"], [["x", 1.5], ["y", float("nan")]])
    with open(p) as fh:
        assert fh.read().splitlines() == ["a,b", "x,1.5", "y,"]


# --- land damage degree --------------------------------------------------------

def _damage_case():
    """10 x 10 cells of 2 m x 2 m (4 m2); score x per cell, by design:

    open pit (rows 0-4): cols 0-1 0.1 none, 2-3 0.4 slight, 4 0.6 severe,
    5-9 0.9 extremely severe -> 20 / 20 / 10 / 50 %;
    underground (rows 5-9): cols 0-6 0.1, 7-8 0.4, 9 0.6 -> 70 / 20 / 10 / 0 %.
    """
    x = np.zeros((10, 10))
    x[:5, 0:2], x[:5, 2:4], x[:5, 4], x[:5, 5:] = 0.1, 0.4, 0.6, 0.9
    x[5:, 0:7], x[5:, 7:9], x[5:, 9] = 0.1, 0.4, 0.6
    pit = np.zeros((10, 10), bool)
    pit[:5] = True
    return x, pit, ~pit


def test_damage_shares_by_category():
    x, pit, under = _damage_case()
    # a 'worse' indicator x and a 'better' indicator 1 - x, equal weights: D = x
    res = damage_degree([x, 1.0 - x], [1, -1], [0.5, 0.5], normalization="none",
                        breaks=[0.25, 0.5, 0.75], zones=[("open-pit", pit),
                                                         ("underground", under)],
                        cell_area=4.0)
    np.testing.assert_allclose(res.score, x, atol=1e-12)
    rows = {r[0]: r for r in res.rows}
    name, cells, area, valid = rows["open-pit"][:4]
    assert (cells, area, valid) == (50, 200.0, 200.0)
    assert rows["open-pit"][4:8] == pytest.approx([40.0, 40.0, 20.0, 100.0])    # m2
    assert rows["open-pit"][8:12] == pytest.approx([20.0, 20.0, 10.0, 50.0])    # %
    assert rows["underground"][4:8] == pytest.approx([140.0, 40.0, 20.0, 0.0])
    assert rows["underground"][8:12] == pytest.approx([70.0, 20.0, 10.0, 0.0])
    assert rows["ALL"][8:12] == pytest.approx([45.0, 20.0, 10.0, 25.0])
    assert res.header[8:12] == ["none_pct", "slight_pct", "severe_pct",
                                "extremely_severe_pct"]


def test_damage_minmax_directions_by_hand():
    a = np.array([[0.0, 5.0], [10.0, np.nan]])      # higher is worse: 0, .5, 1
    b = np.array([[40.0, 20.0], [30.0, 0.0]])       # higher is better over valid: 1-(v-20)/20
    res = damage_degree([a, b], [1, -1], [0.6, 0.4], breaks=[0.25, 0.5, 0.75])
    # b valid where a is valid: 40, 20, 30 -> min 20, max 40
    expected = [[0.6 * 0.0 + 0.4 * 0.0, 0.6 * 0.5 + 0.4 * 1.0],
                [0.6 * 1.0 + 0.4 * 0.5, np.nan]]
    np.testing.assert_allclose(res.score, expected, atol=1e-12)
    np.testing.assert_array_equal(res.degree, [[1, 3], [4, 0]])


def test_damage_input_checks():
    x, _, _ = _damage_case()
    with pytest.raises(InputError, match="sum to 1"):
        damage_degree([x, x], [1, 1], [0.5, 0.6])
    with pytest.raises(InputError, match="one direction per indicator"):
        parse_directions("worse", 2)
    with pytest.raises(InputError, match="Unknown direction"):
        parse_directions("worse,sideways", 2)
    np.testing.assert_array_equal(parse_directions("worse, better,+,-", 4), [1, -1, 1, -1])
    np.testing.assert_allclose(parse_weights("", 4), 0.25)
    with pytest.raises(InputError, match="three increasing"):
        damage_degree([x], breaks=[0.5, 0.4, 0.9])


def test_damage_natural_breaks():
    x, _, _ = _damage_case()
    res = damage_degree([x], normalization="none", breaks=None)
    # four distinct values -> each is its own class
    np.testing.assert_allclose(res.breaks, [0.1, 0.4, 0.6])
    np.testing.assert_array_equal(np.unique(res.degree), [1, 2, 3, 4])


# --- discrete fracture network ----------------------------------------------------

BOX = (0.0, 0.0, -100.0, 200.0, 100.0, 0.0)


def test_power_law_inverse_cdf_roundtrip():
    u = np.linspace(0, 1, 11)
    for a in (0.5, 1.0, 2.6, 4.0):
        d = power_law_inverse(u, a, 0.5, 40.0)
        assert d[0] == pytest.approx(0.5) and d[-1] == pytest.approx(40.0)
        np.testing.assert_allclose(power_law_cdf(d, a, 0.5, 40.0), u, atol=1e-12)
    # the pdf ~ D^-a: the density ratio of two diameters follows the power law
    a, lo, hi = 2.6, 1.0, 50.0
    eps = 1e-6
    pdf = [(power_law_cdf(d + eps, a, lo, hi) - power_law_cdf(d - eps, a, lo, hi)) / 2 / eps
           for d in (2.0, 8.0)]
    assert pdf[0] / pdf[1] == pytest.approx(4.0 ** a, rel=1e-5)


@pytest.mark.parametrize("a", [1.0, 2.6, 3.5])
def test_sampled_diameters_pass_ks_test(a):
    net = generate_network(BOX, a, 1.0, 30.0, 120, 50, 10, count=4000, seed=int(10 * a))
    d = net.diameters
    assert d.min() >= 1.0 and d.max() <= 30.0

    def cdf(v):
        # independent form: integral of D^-a from D_min, normalised
        if a == 1.0:
            return np.log(v / 1.0) / np.log(30.0)
        return (1.0 - v ** (1 - a)) / (1.0 - 30.0 ** (1 - a))
    assert stats.kstest(d, cdf).pvalue > 0.01
    # and the test has power: a wrong exponent is rejected
    wrong = a + 0.5
    assert stats.kstest(d, lambda v: power_law_cdf(v, wrong, 1.0, 30.0)).pvalue < 1e-3


@pytest.mark.parametrize("kappa", [2.0, 10.0, 60.0])
def test_fisher_mean_resultant_length(kappa):
    n = 20000
    rng = np.random.default_rng(5)
    pole = pole_from_orientation(210.0, 35.0)
    v = fisher_vectors(pole, kappa, rng.random(n), rng.random(n))
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-12)
    rbar = np.linalg.norm(v.sum(axis=0)) / n
    expected = 1.0 / np.tanh(kappa) - 1.0 / kappa
    se = np.sqrt((1.0 / kappa ** 2 - 1.0 / np.sinh(kappa) ** 2) / n)
    assert abs(rbar - expected) < 4 * se + 2e-4
    mean_dir = v.sum(axis=0) / np.linalg.norm(v.sum(axis=0))
    assert np.degrees(np.arccos(mean_dir @ pole)) < 2.0


def test_orientation_conventions():
    # a plane dipping 30 deg to the east: upward normal tilts east
    n = pole_from_orientation(90.0, 30.0)
    np.testing.assert_allclose(n, [np.sin(np.radians(30)), 0, np.cos(np.radians(30))],
                               atol=1e-12)
    dd, dip = orientation_from_normal(np.array([[-n[0], -n[1], -n[2]], [0, 0, 1]]))
    assert dd[0] == pytest.approx(90.0) and dip[0] == pytest.approx(30.0)
    assert dip[1] == pytest.approx(0.0)


def test_network_orientation_statistics():
    net = generate_network(BOX, 2.6, 1.0, 20.0, 300.0, 70.0, 40.0, count=3000, seed=2)
    expected = 1.0 / np.tanh(40.0) - 1.0 / 40.0
    assert np.linalg.norm(net.normals.sum(axis=0)) / net.count == pytest.approx(
        expected, abs=3e-3)
    assert np.median(np.abs(((net.dip_direction - 300.0) + 180) % 360 - 180)) < 10


def test_same_seed_same_network():
    kw = dict(count=500, seed=42, acceptance=0.5)
    a = generate_network(BOX, 2.6, 1.0, 20.0, 90.0, 60.0, 15.0, **kw)
    b = generate_network(BOX, 2.6, 1.0, 20.0, 90.0, 60.0, 15.0, **kw)
    for f in ("centres", "diameters", "normals", "dip", "dip_direction"):
        np.testing.assert_array_equal(getattr(a, f), getattr(b, f))
    c = generate_network(BOX, 2.6, 1.0, 20.0, 90.0, 60.0, 15.0, count=500, seed=43,
                         acceptance=0.5)
    assert not np.array_equal(a.centres, c.centres)
    # a smaller target is a prefix of the larger one
    d = generate_network(BOX, 2.6, 1.0, 20.0, 90.0, 60.0, 15.0, count=100, seed=42,
                         acceptance=0.5)
    np.testing.assert_array_equal(d.centres, a.centres[:100])


def test_centres_uniform_and_in_the_box():
    net = generate_network(BOX, 2.6, 1.0, 20.0, 90.0, 60.0, 15.0, count=5000, seed=8)
    c = net.centres
    assert np.all((c >= [0, 0, -100]) & (c <= [200, 100, 0]))
    for k, (lo, hi) in enumerate([(0, 200), (0, 100), (-100, 0)]):
        assert stats.kstest(c[:, k], stats.uniform(lo, hi - lo).cdf).pvalue > 0.01


def test_acceptance_probability():
    # constant Prob: candidates ~ Binomial -> n / Prob on average
    net = generate_network(BOX, 2.6, 1.0, 20.0, 90.0, 60.0, 15.0, count=4000, seed=4,
                           acceptance=0.25)
    assert net.candidates == pytest.approx(16000, rel=0.05)
    # a probability raster that is 1 in the west half, 0 in the east half
    grid = Grid((0.0, 10.0, 0.0, 100.0, 0.0, -10.0), (10, 20))
    prob = np.zeros((10, 20))
    prob[:, :10] = 1.0
    net = generate_network(BOX, 2.6, 1.0, 20.0, 90.0, 60.0, 15.0, count=1000, seed=4,
                           acceptance=raster_probability(prob, grid))
    assert net.centres[:, 0].max() < 100.0
    assert net.candidates == pytest.approx(2000, rel=0.1)
    with pytest.raises(InputError, match="acceptance probability"):
        generate_network(BOX, 2.6, 1.0, 20.0, 90.0, 60.0, 15.0, count=10, acceptance=0.0)


def test_p32_target():
    target = 0.05
    net = generate_network(BOX, 2.6, 1.0, 20.0, 90.0, 60.0, 15.0, p32=target, seed=9)
    volume = 200.0 * 100.0 * 100.0
    areas = np.pi * net.diameters ** 2 / 4
    assert areas.sum() / volume >= target
    assert (areas.sum() - areas[-1]) / volume < target
    assert net.p32 == pytest.approx(areas.sum() / volume)
    with pytest.raises(InputError, match="limit"):
        generate_network(BOX, 2.6, 1.0, 20.0, 90.0, 60.0, 15.0, p32=1e4, seed=9)


def test_horizontal_disc_at_its_elevation_gives_its_circle():
    centre = np.array([[10.0, 20.0, -5.0]])
    traces = disc_traces(centre, np.array([8.0]), np.array([[0.0, 0.0, -1.0]]), -5.0)
    assert len(traces) == 1
    idx, xy, length = traces[0]
    assert idx == 0
    np.testing.assert_allclose(np.hypot(xy[:, 0] - 10.0, xy[:, 1] - 20.0), 4.0, atol=1e-12)
    np.testing.assert_array_equal(xy[0], xy[-1])              # closed ring
    assert len(xy) >= 37                                        # a circle, not a chord
    assert length == pytest.approx(np.pi * 8.0)
    # the same disc cut 1 cm higher has no trace
    assert disc_traces(centre, np.array([8.0]), np.array([[0.0, 0.0, 1.0]]), -4.99) == []


def test_chords_by_hand():
    # vertical disc striking N-S (dip 90 to the east), r = 5, plane 3 m above the centre
    n = pole_from_orientation(90.0, 90.0)
    (i, xy, length), = disc_traces(np.zeros((1, 3)), np.array([10.0]), n[None], 3.0)
    np.testing.assert_allclose(sorted(xy[:, 1]), [-4.0, 4.0], atol=1e-12)
    np.testing.assert_allclose(xy[:, 0], 0.0, atol=1e-12)
    assert length == pytest.approx(8.0)
    # disc dipping 45 deg to the north, r = 5, plane 2 m below the centre:
    # the trace lies |h| / tan(45) = 2 m north, half-chord sqrt(25 - (2 / sin 45)^2)
    n = pole_from_orientation(0.0, 45.0)
    (i, xy, length), = disc_traces(np.zeros((1, 3)), np.array([10.0]), n[None], -2.0)
    half = np.sqrt(25.0 - (2.0 / np.sin(np.radians(45))) ** 2)
    np.testing.assert_allclose(xy[:, 1], 2.0, atol=1e-12)
    np.testing.assert_allclose(sorted(xy[:, 0]), [-half, half], atol=1e-12)
    assert length == pytest.approx(2 * half)
    # a disc that does not reach the plane
    assert disc_traces(np.zeros((1, 3)), np.array([10.0]), n[None], -4.0) == []


def test_trace_endpoints_lie_on_the_disc_rims():
    net = fracture_network(BOX, 2.2, 2.0, 60.0, 45.0, 60.0, 5.0, count=800, seed=3,
                           trace_elevation=-50.0)
    assert len(net.traces) > 20
    for i, xy, length in net.traces:
        c, r, n = net.centres[i], net.diameters[i] / 2, net.normals[i]
        p = np.column_stack([xy, np.full(len(xy), -50.0)])
        np.testing.assert_allclose((p - c) @ n, 0.0, atol=1e-8)           # in the disc plane
        np.testing.assert_allclose(np.linalg.norm(p - c, axis=1), r, rtol=1e-9)  # on the rim
        assert length == pytest.approx(np.linalg.norm(xy[1] - xy[0]))
    assert net.p21 == pytest.approx(sum(t[2] for t in net.traces) / (200.0 * 100.0))
    # every disc whose centre is within r sin(dip) of the plane is cut
    reach = net.diameters / 2 * np.sin(np.radians(net.dip))
    assert {t[0] for t in net.traces} == set(
        np.flatnonzero(np.abs(net.centres[:, 2] + 50.0) < reach).tolist())


def test_network_input_checks():
    with pytest.raises(InputError, match="D_min"):
        generate_network(BOX, 2.6, 5.0, 1.0, 0, 0, 1, count=10)
    with pytest.raises(InputError, match="depth range"):
        generate_network((0, 0, 0, 10, 10, 0), 2.6, 1.0, 5.0, 0, 0, 1, count=10)
    with pytest.raises(InputError, match="either"):
        generate_network(BOX, 2.6, 1.0, 5.0, 0, 0, 1)


def test_network_refuses_a_d_max_far_larger_than_the_box():
    """D_MAX is bounded by 10 x the box's diagonal (issue 15, class 4): the
    message names the parameter, what it implies and the range to use."""
    diag = float(np.sqrt(200.0 ** 2 + 100.0 ** 2 + 100.0 ** 2))       # BOX: 244.9 m
    for d_max in (1e15, 10.0 * diag * 1.001):
        for target in ({"count": 10}, {"p32": 0.01}):
            with pytest.raises(InputError) as err:
                generate_network(BOX, 2.6, 1.0, d_max, 90, 60, 20, seed=1, **target)
            text = str(err.value)
            assert "D_MAX" in text and "diagonal of the box (244.9 m)" in text
            assert "traces" in text and f"at most {10 * diag:.4g} m" in text
    # just inside the bound: drawn as before (discs this large cross the box)
    net = generate_network(BOX, 2.6, 1.0, 10.0 * diag, 90, 60, 20, count=50, seed=1)
    assert net.count == 50 and net.diameters.max() <= 10.0 * diag
