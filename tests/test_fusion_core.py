"""core.fusion: hydrological fusion rate (eq. 10-12) and channel comparison."""
import numpy as np
import pytest

from hpcs_landform.core import fusion as fu
from hpcs_landform.core.grid import read_raster


def hand_grid():
    """5 x 6 plane falling 1 m per row to the south (10 m cells), one refilling
    strip on cells (2, 2) and (2, 3) (bounding box 1 x 2 cells)."""
    rows = np.arange(5, dtype=float)[:, None]
    pristine = np.repeat(100.0 - rows, 6, axis=1)
    refilling = np.zeros((5, 6), np.int32)
    refilling[2, 2:4] = 1
    return pristine, refilling


def test_boundary_pairs_and_extents_by_hand():
    _, refilling = hand_grid()
    periods, cells = fu.boundary_pairs(refilling)
    # the 3 x 4 ring around the two dump cells, minus the dump: 10 cells
    ring = {(r, c) for r in (1, 2, 3) for c in (1, 2, 3, 4)} - {(2, 2), (2, 3)}
    assert set(periods) == {1}
    assert {divmod(int(c), 6) for c in cells} == ring
    assert fu.strip_extents(refilling) == {1: (1, 2)}


def test_fusion_rate_of_pnl_against_itself_is_one(data_dir):
    z, g = read_raster(data_dir / "r_stars_olinda_dem_utm25s.tif")
    mining = np.zeros(z.shape, np.int32)
    refilling = np.zeros(z.shape, np.int32)
    refilling[40:70, 30:40] = 1
    refilling[40:70, 40:50] = 2
    mining[40:70, 70:80] = 1
    mining[40:70, 80:90] = 2
    ev = fu.evaluate_fusion(z, z, mining, refilling, g.dx, g.dy)
    assert ev.fusion.rate == 1.0
    assert ev.fusion_no_pit.rate == 1.0
    assert [s["rate"] for s in ev.fusion.strips] == [1.0, 1.0]
    assert ev.channels.overlap == 1.0
    assert ev.channels.catchments_landform == ev.channels.catchments_pristine > 0
    assert ev.channels.length_landform == ev.channels.length_pristine > 0
    # strips 1 and 2 touch: strip 1's pairs are its ring outside the dump
    # (32 x 12 box minus the 30 x 20 dump on the right side -> 2*12 + 30 = 54 ... by rows:
    # rows 39 and 70 give cols 29..40 (12 each) and rows 40..69 give col 29 (30 cells))
    s1 = ev.fusion.strips[0]
    assert s1["cells"] == 12 + 12 + 30
    assert (s1["rows"], s1["cols"], s1["normaliser"]) == (30, 10, 300)
    assert ev.pit_cells == 600 and ev.dump_cells == 600


def test_diverting_landform_hand_computed():
    """The dump is raised to 99.5 m, so the two cells north of it, which drained
    south into it, turn SW and SE around it.

    Pristine: every interior cell drains S (code 4), accumulation in row r = r.
    Landform (checked below cell by cell):
      (1,2) -> SW (8), (1,3) -> SE (2); all other interior cells still S.
      accumulation: row 1: 1 1 1 1; (2,1) = (2,4) = 3; dump cells 1 each;
      (3,1) = (3,4) = 4; (3,2) = (3,3) = 2.
    S_b (10 cells), normaliser 1 x 2 = 2:
      (1,1), (1,4): p_v 1, dQ 0            -> 1
      (1,2), (1,3): p_v 0                  -> 0
      (2,1), (2,4): dQ 3-2 = 1, p_d 1-1/2  -> 0.5
      (3,1), (3,4): dQ 4-3 = 1             -> 0.5
      (3,2), (3,3): dQ |2-3| = 1           -> 0.5
    r = (2 + 6 x 0.5) / 10 = 0.5
    """
    from hpcs_landform.core import hydrology as hy
    pristine, refilling = hand_grid()
    landform = pristine.copy()
    landform[2, 2:4] = 99.5
    mining = np.zeros_like(refilling)
    _, _, codes, acc = hy.condition(landform, 10.0, 10.0)
    assert codes[1, 2] == 8 and codes[1, 3] == 2
    assert list(codes[1:4, 1]) == [4, 4, 4] and list(codes[1:4, 4]) == [4, 4, 4]
    assert list(acc[3, 1:5]) == [4, 2, 2, 4] and list(acc[2, 1:5]) == [3, 1, 1, 3]
    ev = fu.evaluate_fusion(pristine, landform, mining, refilling, 10.0, 10.0,
                            channel_threshold=2)
    assert ev.fusion.rate == pytest.approx(0.5, abs=1e-12)
    assert ev.fusion.strips[0]["agree"] == 8
    ag = ev.fusion.agreement
    assert ag[1, 2] == fu.DIFFER and ag[1, 3] == fu.DIFFER
    assert ag[1, 1] == fu.AGREE and ag[3, 3] == fu.AGREE and ag[2, 2] == fu.DUMP
    assert ag[0, 0] == 0
    # channels (threshold 2 cells) inside the dump: PNL has both dump cells
    # (accumulation 2), each a 10 m step south, on two links (columns 2 and 3);
    # the raised dump has accumulation 1: no channel, overlap 0, still two
    # catchments (each dump cell drains into the column-2 / column-3 link).
    cc = ev.channels
    assert cc.overlap == 0.0
    assert cc.length_pristine == pytest.approx(20.0)
    assert cc.length_landform == 0.0
    assert cc.catchments_pristine == 2 and cc.catchments_landform == 2
    assert cc.classes[2, 2] == fu.LOST and cc.classes[2, 3] == fu.LOST


def test_no_pit_variant_replaces_the_pit_by_pnl():
    """A final pit (mined, never refilled) dug east of the dump: with it the
    rate differs; without its influence it equals the pit-free landform's 0.5."""
    pristine, refilling = hand_grid()
    landform = pristine.copy()
    landform[2, 2:4] = 99.5
    mining = np.zeros_like(refilling)
    mining[1:4, 4] = 7          # mined in period 7, never refilled
    with_pit = landform.copy()
    with_pit[1:4, 4] = 80.0
    ev = fu.evaluate_fusion(pristine, with_pit, mining, refilling, 10.0, 10.0,
                            channel_threshold=2)
    assert ev.pit_cells == 3
    assert ev.fusion_no_pit.rate == pytest.approx(0.5, abs=1e-12)
    assert ev.fusion.rate < 0.5


def test_pd_normaliser_is_the_strip_bounding_box():
    """A diagonal strip of 3 cells has a 3 x 3 bounding box: eq. 12 divides by 9,
    not by its 3 cells. Directions equal; one boundary cell's accumulation is
    3 cells off: p_d = 1 - 3/9 there, 1 elsewhere."""
    shape = (7, 7)
    refilling = np.zeros(shape, np.int32)
    for i in (2, 3, 4):
        refilling[i, i] = 5
    codes = np.full(shape, 4, np.uint8)
    accp = np.ones(shape)
    accl = accp.copy()
    accl[2, 3] += 3.0           # (2, 3) touches (2, 2) and (3, 3)
    fr = fu.fusion_rate(codes, accl, codes, accp, refilling)
    # boundary: the union of the three 3 x 3 windows (9 + 9 + 9 - 4 - 4 - 1 + 1
    # = 19 cells) minus the 3 strip cells
    n = 19 - 3
    assert fr.strips[0]["normaliser"] == 9 and fr.strips[0]["cells"] == n
    assert fr.rate == pytest.approx((n - 1 + (1 - 3 / 9)) / n, abs=1e-12)
    # p_d is clipped at 0 when the difference exceeds the box (paper: 0..1)
    accl[2, 3] = 100.0
    fr = fu.fusion_rate(codes, accl, codes, accp, refilling)
    assert fr.rate == pytest.approx((n - 1) / n, abs=1e-12)


def test_cell_next_to_two_strips_counts_once_per_strip():
    """Strips 1 (cell (1,1)) and 2 (cell (1,3)); cell (1,2) touches both.
    Strip 1: 8 ring cells; strip 2: 8; S_b has 16 pairs. A direction change
    at (1,2) costs two of them: r = 14/16."""
    shape = (4, 6)
    refilling = np.zeros(shape, np.int32)
    refilling[1, 1] = 1
    refilling[1, 3] = 2
    codes = np.full(shape, 4, np.uint8)
    acc = np.ones(shape)
    cl = codes.copy()
    cl[1, 2] = 2
    fr = fu.fusion_rate(cl, acc, codes, acc, refilling)
    assert fr.periods.size == 16
    assert [s["cells"] for s in fr.strips] == [8, 8]
    assert fr.rate == pytest.approx(14 / 16)
    assert [s["rate"] for s in fr.strips] == [pytest.approx(7 / 8), pytest.approx(7 / 8)]


def test_channel_overlap_identical_and_partial():
    """Overlap = shared / PNL channel cells inside the dump."""
    dump = np.zeros((3, 4), bool)
    dump[:, 1:3] = True
    accp = np.array([[1, 5, 5, 1], [1, 5, 1, 1], [9, 5, 5, 1]], float)
    rec = np.full(12, 12)                 # every cell drains out (single-cell links)
    cc = fu.compare_channels(accp, rec, accp, rec, dump, 5, 10.0, 10.0)
    assert cc.overlap == 1.0
    accl = accp.copy()
    accl[0, 1] = 1                        # one of PNL's 5 dump channel cells lost
    accl[1, 2] = 7                        # one new
    cc = fu.compare_channels(accl, rec, accp, rec, dump, 5, 10.0, 10.0)
    assert cc.overlap == pytest.approx(4 / 5)
    assert cc.classes[0, 1] == fu.LOST and cc.classes[1, 2] == fu.NEW
    assert cc.classes[2, 0] == fu.OUTSIDE and cc.classes[0, 2] == fu.SHARED
    # five single-cell links in the dump for PNL, five for the landform
    assert cc.catchments_pristine == 5 and cc.catchments_landform == 5
    assert cc.length_pristine == 0.0      # every step leaves the grid


def test_errors():
    from hpcs_landform.core.errors import InputError
    pristine, refilling = hand_grid()
    with pytest.raises(InputError, match="No refilling strip"):
        fu.evaluate_fusion(pristine, pristine, refilling * 0, refilling * 0, 10, 10)
    with pytest.raises(InputError, match="one grid"):
        fu.evaluate_fusion(pristine, pristine[:, :5], refilling, refilling, 10, 10)


def test_given_pnl_flow_gives_the_same_evaluation(data_dir):
    # PNL's directions and accumulation as channel extraction writes them (codes
    # uint8 with 255 = nodata, accumulation int32 with -1 = nodata, read back with
    # nan for nodata): the evaluation is the one that routes PNL itself
    from hpcs_landform.core.channels import extract_channels
    z, g = read_raster(data_dir / "r_stars_olinda_dem_utm25s.tif")
    z = z.copy()
    z[:5, :7] = np.nan                      # some nodata
    mining = np.zeros(z.shape, np.int32)
    refilling = np.zeros(z.shape, np.int32)
    refilling[40:70, 30:40] = 1
    refilling[40:70, 40:50] = 2
    mining[40:70, 70:90] = 3
    land = z.copy()
    land[40:70, 30:50] = np.nanmean(z[40:70, 30:50])
    land[40:70, 70:90] -= 15.0
    net = extract_channels(z, g.dx, g.dy)
    fd = np.where(net.flowdir == 255, np.nan, net.flowdir.astype(float))
    acc = np.where(np.isfinite(z), net.accumulation, np.nan)
    a = fu.evaluate_fusion(z, land, mining, refilling, g.dx, g.dy)
    b = fu.evaluate_fusion(z, land, mining, refilling, g.dx, g.dy, flowdir=fd,
                           accumulation=acc)
    assert 0 < a.fusion.rate < 1 and a.pit_cells == 600
    for x, y in ((a.fusion, b.fusion), (a.fusion_no_pit, b.fusion_no_pit)):
        assert x.rate == y.rate and x.strips == y.strips
        for k in ("pv", "pd", "periods", "cells", "agreement"):
            np.testing.assert_array_equal(getattr(x, k), getattr(y, k))
    ca, cb = a.channels, b.channels
    assert (ca.overlap, ca.catchments_landform, ca.catchments_pristine, ca.length_landform,
            ca.length_pristine) == (cb.overlap, cb.catchments_landform,
                                    cb.catchments_pristine, cb.length_landform,
                                    cb.length_pristine)
    np.testing.assert_array_equal(ca.classes, cb.classes)
    assert a.threshold == b.threshold


def test_given_pnl_flow_must_match_the_dem():
    from hpcs_landform.core.errors import InputError
    pristine, refilling = hand_grid()
    codes = np.full(pristine.shape, 4.0)
    acc = np.ones(pristine.shape)
    with pytest.raises(InputError, match="both"):
        fu.evaluate_fusion(pristine, pristine, refilling * 0, refilling, 10, 10,
                           flowdir=codes)
    bad = codes.copy()
    bad[1, 1] = 3.0                         # not an ESRI code
    with pytest.raises(InputError, match="do not belong"):
        fu.evaluate_fusion(pristine, pristine, refilling * 0, refilling, 10, 10,
                           flowdir=bad, accumulation=acc)
    hole = acc.copy()
    hole[0, 0] = np.nan                     # nodata where the DEM has data
    with pytest.raises(InputError, match="1 cell"):
        fu.evaluate_fusion(pristine, pristine, refilling * 0, refilling, 10, 10,
                           flowdir=codes, accumulation=hole)
