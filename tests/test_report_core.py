"""core/evaluation.py and core/render.py (through core/report.py): winners, CSV, HTML and the evaluation on small cases.

Every expected number is computed by hand here or taken from the paper
(Xia et al. 2023: "MNNDL ... 7.04 % higher" fusion, "56.86 %" less erosion
than NNDL).
"""
import csv
import html
import math
import re

import numpy as np
import pytest

from hpcs_landform.core import report as R
from hpcs_landform.core.errors import InputError

# --------------------------------------------------------------------------
# winners
# --------------------------------------------------------------------------

def test_higher_is_better_margin_and_percent():
    w = R.pick_winner("fusion_rate", {"A": 0.7, "B": 0.9, "C": 0.8})
    assert (w.best, w.runner_up) == ("B", "C")
    assert w.margin == pytest.approx(0.1)
    assert w.margin_percent == pytest.approx(100 * 0.1 / 0.8)   # 12.5 %
    assert "B wins" in w.text and "10.00 percentage points higher" in w.text
    assert "12.50 %" in w.text


def test_paper_fusion_rates_margin_is_the_papers_7_04_points():
    w = R.pick_winner("fusion_rate", R.PAPER["fusion_rate"])
    assert w.best == "MNNDL" and w.runner_up == "NNDL"
    assert 100 * w.margin == pytest.approx(7.04, abs=1e-9)      # paper: "7.04 %"


def test_lower_is_better_haul_distance_table_1():
    w = R.pick_winner("haul_distance", R.PAPER["haul_distance"])
    # TDL 821.71 < MNNDL 862.25 < NNDL 863.23
    assert (w.best, w.runner_up) == ("TDL", "MNNDL")
    assert w.margin == pytest.approx(40.54, abs=1e-9)           # paper: 40.54 m
    assert w.margin_percent == pytest.approx(100 * 40.54 / 862.25)
    assert "lower is better" in w.text


def test_erosion_table_2_percent_against_nndl():
    values = {k: v for k, v in R.PAPER["eroded"].items() if k != "PNL"}
    w = R.pick_winner("eroded", values, reference=R.PAPER["eroded"]["PNL"])
    assert (w.best, w.runner_up) == ("MNNDL", "NNDL")
    # paper: the optimized plan improves on NNDL by about 56.86 %
    assert w.margin_percent == pytest.approx(56.86, abs=0.005)
    assert "PNL" in w.text          # the winner is also set beside PNL


def test_closer_to_pnl():
    w = R.pick_winner("catchments", {"A": 9.0, "B": 12.0, "C": 20.0}, reference=13.0)
    # distances 4, 1, 7 -> B then A; margin 4 - 1 = 3; 3 / 13 of PNL's value
    assert (w.best, w.runner_up) == ("B", "A")
    assert w.margin == pytest.approx(3.0)
    assert w.margin_percent == pytest.approx(100 * 3 / 13)
    assert "closer to PNL" in w.text


def test_nan_values_take_no_part_and_single_and_none():
    w = R.pick_winner("mean_slope", {"A": float("nan"), "B": 5.0, "C": 4.0})
    assert (w.best, w.runner_up) == ("C", "B")
    w = R.pick_winner("mean_slope", {"A": float("nan"), "B": 5.0})
    assert w.best == "B" and w.runner_up is None and "only landform" in w.text
    w = R.pick_winner("mean_slope", {"A": float("nan")})
    assert w.best is None and "not computed" in w.text
    w = R.pick_winner("catchments", {"A": 3.0}, reference=float("nan"))
    assert w.best is None


def test_tie():
    w = R.pick_winner("haul_distance", {"A": 10.0, "B": 10.0})
    assert w.best == "A" and w.margin == 0 and "(tie)" in w.text


# --------------------------------------------------------------------------
# periods, CSV, HTML on hand-made numbers
# --------------------------------------------------------------------------

RECORDS = [
    # both strips of a period carry the same figures; only the mining one is read
    {"period": 1, "kind": "mining", "plan": "original", "v_supply": 100.0, "v_fmin": 120.0,
     "v_fmax": 150.0, "ratio": 100 / 120, "status": "short"},
    {"period": 1, "kind": "refilling", "plan": "original", "v_supply": 100.0,
     "v_fmin": 120.0, "v_fmax": 150.0, "ratio": 100 / 120, "status": "short"},
    {"period": 2, "kind": "mining", "plan": "original", "v_supply": 200.0, "v_fmin": 100.0,
     "v_fmax": 180.0, "ratio": 2.0, "status": "excess"},
    {"period": 1, "kind": "mining", "plan": "optimized", "v_supply": 130.0, "v_fmin": 120.0,
     "v_fmax": 150.0, "ratio": 130 / 120, "status": "ok"},
    {"period": 2, "kind": "mining", "plan": "optimized", "v_supply": 170.0, "v_fmin": 100.0,
     "v_fmax": 180.0, "ratio": 1.7, "status": "ok"},
    {"period": 0, "kind": "box cut", "plan": "original", "v_supply": None},
]


def test_period_rows_and_summary():
    per = R.period_rows(RECORDS)
    assert list(per) == ["original", "optimized"]
    assert [r["period"] for r in per["original"]] == [1, 2]
    s = R.period_summary(per["original"])
    assert s["v_supply"] == 300.0 and s["v_fmin"] == 220.0 and s["v_fmax"] == 330.0
    assert s["ratio"] == pytest.approx(300 / 220)
    assert (s["inside"], s["short"], s["excess"], s["status_ok"]) == (0, 1, 1, 0)
    s = R.period_summary(per["optimized"])
    assert (s["inside"], s["short"], s["excess"], s["status_ok"]) == (2, 0, 0, 2)
    # a layer without the volume fields has no volumes section
    assert R.period_rows([{"period": 1, "kind": "mining"}]) == {}


def hand_report():
    nan = float("nan")
    pnl = R.LandformMetrics("PNL", "", {k: nan for k in R.CRITERIA})
    pnl.values.update(mean_slope=4.0, catchments=10.0, channel_length=1000.0, eroded=50.0)
    a = R.LandformMetrics("NNDL", "original", {
        "mean_slope": 6.0, "fusion_rate": 0.80, "fusion_rate_no_pit": 0.85,
        "channel_overlap": 0.40, "catchments": 7.0, "channel_length": 1300.0,
        "haul_distance": 900.0, "eroded": 80.0})
    b = R.LandformMetrics("MNNDL", "optimized", {
        "mean_slope": 5.0, "fusion_rate": 0.90, "fusion_rate_no_pit": 0.95,
        "channel_overlap": 0.90, "catchments": 9.0, "channel_length": 1100.0,
        "haul_distance": 880.0, "eroded": 40.0})
    z = np.add.outer(np.arange(6.0), np.arange(8.0))
    ch = np.zeros((6, 8), bool)
    ch[3, :] = True
    cat = np.where(np.arange(6)[:, None] < 3, 1, 2) * np.ones((6, 8), int)
    dump = np.zeros((6, 8), bool)
    dump[1:5, 2:6] = True
    rep = R.Report(pnl, [a, b], R.decide_winners(pnl, [a, b]),
                   periods=R.period_rows(RECORDS), settings={"K": 1.0},
                   notes=["a note"], maps=[("PNL", z, ch, cat), ("NNDL", z + 1, ch, cat),
                                           ("MNNDL", z - 1, ch, cat)],
                   dump=dump, extent=(0.0, 80.0, 0.0, 60.0))
    return rep


def test_winners_of_hand_report():
    rep = hand_report()
    w = {x.criterion: x for x in rep.winners}
    assert w["mean_slope"].best == "MNNDL" and w["mean_slope"].margin == pytest.approx(1.0)
    assert w["mean_slope"].margin_percent == pytest.approx(100 / 6)
    assert w["catchments"].best == "MNNDL"          # |9 - 10| < |7 - 10|
    assert w["catchments"].margin_percent == pytest.approx(100 * 2 / 10)
    assert w["channel_length"].best == "MNNDL"      # 100 m off versus 300 m
    assert w["channel_length"].margin == pytest.approx(200.0)
    assert w["eroded"].margin_percent == pytest.approx(50.0)   # (80 - 40) / 80


def test_csv_columns_and_numbers(tmp_path):
    rep = hand_report()
    path = R.write_csv(str(tmp_path / "t.csv"), rep)
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == R.CSV_COLUMNS == ["section", "item", "plan", "quantity", "value", "unit"]
    body = {(r[0], r[1], r[2], r[3]): (r[4], r[5]) for r in rows[1:]}
    assert float(body[("landform", "MNNDL", "optimized", "fusion_rate")][0]) == 0.9
    assert body[("landform", "NNDL", "original", "haul_distance")] == ("900", "m")
    assert body[("winner", "eroded", "", "best")][0] == "MNNDL"
    assert float(body[("winner", "eroded", "", "margin_percent")][0]) == pytest.approx(50.0)
    assert float(body[("period", "2", "original", "v_supply")][0]) == 200.0
    assert float(body[("plan", "all", "optimized", "v_supply")][0]) == 300.0
    assert math.isnan(float(body[("landform", "PNL", "", "fusion_rate")][0]))
    assert len({len(r) for r in rows}) == 1


def test_html_is_self_contained_with_every_section(tmp_path):
    rep = hand_report()
    path = R.write_html(str(tmp_path / "r.html"), rep)
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    for sec in ("winners", "comparison", "paper", "volumes", "figures", "criteria",
                "details", "settings", "notes"):
        assert f"id='{sec}'" in text, sec
    # bar chart, supply chart, two landform panels, the 3-D view, all embedded
    imgs = re.findall(r"src='data:image/png;base64,([A-Za-z0-9+/=]+)'", text)
    assert len(imgs) == 5
    import base64
    assert all(base64.b64decode(s)[:8] == b"\x89PNG\r\n\x1a\n" for s in imgs)
    assert not re.search(r"(src|href)=['\"](?!data:)", text)   # nothing external
    for w in rep.winners:
        assert html.escape(w.text) in text
    for label, *_ in R.CRITERIA.values():
        assert label in text
    # the paper's figures are there
    for s in ("91.90 %", "84.86 %", "73.79 %", "90.24 %", "37.40 %", "23.58 %", "862.25",
              "863.23", "821.71", "280,130.0", "409,830.0", "649,370.0", "1,442,870.0"):
        assert s in text, s


def test_erosion_table_reader(tmp_path):
    p = tmp_path / "e.csv"
    p.write_text("landform,eroded_m3,deposited_m3\nPNL,10.5,1\nMNNDL,7,0\n")
    assert R.read_erosion_table(str(p)) == {"PNL": 10.5, "MNNDL": 7.0}
    p.write_text("name,volume\nPNL,1\n")
    with pytest.raises(InputError, match="eroded_m3"):
        R.read_erosion_table(str(p))
    with pytest.raises(InputError, match="does not exist"):
        R.read_erosion_table(str(tmp_path / "none.csv"))


# --------------------------------------------------------------------------
# evaluate() on small grids
# --------------------------------------------------------------------------

def flat_case():
    """10 x 10 cells of 10 m; PNL flat at 100 m (the south row 99 m, so that
    there is relief to route water over), floor 80 m, coal 5 m.
    One period: mining strip = rows 2..7, cols 6..7; refilling strip =
    rows 2..7, cols 2..3; final pit = cols 8..9 (mined, never refilled)."""
    shape = (10, 10)
    pnl = np.full(shape, 100.0)
    pnl[9, :] = 99.0
    mining = np.zeros(shape, np.int32)
    refilling = np.zeros(shape, np.int32)
    mining[2:8, 6:8] = 1
    refilling[2:8, 2:4] = 1
    mined = mining > 0
    mined[2:8, 8:10] = True
    floor = np.full(shape, 80.0)
    thick = np.full(shape, 5.0)
    x = 5.0 + 10.0 * np.arange(10)
    y = 95.0 - 10.0 * np.arange(10)
    return pnl, mining, refilling, mined, floor, thick, x, y


#: the grid of flat_case() as evaluate()'s keyword arguments
GRID = dict(dx=10.0, dy=10.0, x=5.0 + 10.0 * np.arange(10), y=95.0 - 10.0 * np.arange(10))


def test_evaluate_flat_haul_by_hand_and_identity_landform():
    pnl, mining, refilling, mined, floor, thick, x, y = flat_case()
    plans = {"p": R.PlanRasters("p", mining, refilling, mined)}
    dump_z = np.where(refilling > 0, 95.0, pnl)
    rep = R.evaluate(pnl, [("same", pnl.copy(), "p"), ("low", dump_z, "p")], plans,
                     dx=10.0, dy=10.0, x=x, y=y, floor=floor, thickness=thick,
                     settings=R.Settings(channel_threshold=5, bench_height=20.0,
                                         erosion_model="rusle", years=1.0))
    same, low = rep.landforms
    # PNL itself: perfect fusion and overlap (by definition)
    assert same.values["fusion_rate"] == 1.0
    assert same.values["fusion_rate_no_pit"] == 1.0
    assert same.values["catchments"] == rep.pristine.values["catchments"]
    assert same.values["channel_length"] == rep.pristine.values["channel_length"]
    assert same.values["eroded"] == pytest.approx(rep.pristine.values["eroded"], abs=1e-9)
    assert same.values["mean_slope"] == rep.pristine.values["mean_slope"] == 0.0
    # haul by hand: one lift 85..100 (bench 20 m) centred at the mining strip's centre
    # (x = 70, z = 92.5); one destination lift 80..95 at the refilling strip's centre
    # (x = 30, z = 87.5); rows identical -> distance sqrt(40^2 + 5^2)
    assert low.values["haul_distance"] == pytest.approx(math.hypot(40.0, 5.0), rel=1e-12)
    assert low.extra["haul_supply_m3"] == pytest.approx(15.0 * 12 * 100.0)
    assert low.extra["haul_room_m3"] == pytest.approx(15.0 * 12 * 100.0)
    assert low.extra["dump_cells"] == 12 and low.extra["pit_cells"] == 24
    # the dump sunk 5 m below its flat surroundings: the mean slope over the dump
    # (Horn, 3 x 3) is positive; its 12 cells all touch the edge of the 2 x 6 strip
    assert low.values["mean_slope"] > 0
    # RUSLE on a flat PNL: no slope, S = 0.03 > 0 but LS small; eroded >= 0
    assert rep.pristine.values["eroded"] >= 0


def test_evaluate_plane_slope_by_hand():
    """A plane rising 0.1 m per metre east: Horn slope atan(0.1) everywhere."""
    pnl, mining, refilling, mined, floor, thick, x, y = flat_case()
    pnl = 100.0 + 0.1 * x[None, :] * np.ones((10, 1))
    plans = {"p": R.PlanRasters("p", mining, refilling, mined)}
    rep = R.evaluate(pnl, [("same", pnl.copy(), "p")], plans, **GRID,
                     settings=R.Settings(channel_threshold=3, erosion_model="rusle",
                                         years=1.0))
    assert rep.pristine.values["mean_slope"] == pytest.approx(math.degrees(math.atan(0.1)))
    assert math.isnan(rep.landforms[0].values["haul_distance"])   # no floor / thickness
    assert rep.settings["evaluation area (ha)"] == pytest.approx(12 * 100 / 1e4)


def test_evaluate_erosion_table_and_errors():
    pnl, mining, refilling, mined, floor, thick, x, y = flat_case()
    plans = {"p": R.PlanRasters("p", mining, refilling, mined)}
    rep = R.evaluate(pnl, [("A", pnl, "p"), ("B", pnl, "p")], plans, **GRID,
                     settings=R.Settings(channel_threshold=5),
                     given=R.Given(erosion={"PNL": 3.0, "A": 1.0}))
    assert rep.pristine.values["eroded"] == 3.0
    assert rep.landforms[0].values["eroded"] == 1.0
    assert math.isnan(rep.landforms[1].values["eroded"])
    assert any("no row for 'B'" in n for n in rep.notes)
    with pytest.raises(InputError, match="no row for any landform"):
        R.evaluate(pnl, [("A", pnl, "p")], plans, **GRID, settings=R.Settings(
            channel_threshold=5), given=R.Given(erosion={"X": 1.0}))
    with pytest.raises(InputError, match="not on the pristine landform's grid"):
        R.evaluate(pnl, [("A", pnl[:5], "p")], plans, **GRID)
    with pytest.raises(InputError, match="'optimized' plan"):
        R.evaluate(pnl, [("A", pnl, "optimized")], plans, **GRID)
    with pytest.raises(InputError, match="same name"):
        R.evaluate(pnl, [("A", pnl, "p"), ("A", pnl, "p")], plans, **GRID)
    empty = {"p": R.PlanRasters("p", mining, np.zeros_like(refilling), mined)}
    with pytest.raises(InputError, match="No refilling strip"):
        R.evaluate(pnl, [("A", pnl, "p")], empty, **GRID)


# --------------------------------------------------------------------------
# what the model's steps computed is taken, not computed again
# --------------------------------------------------------------------------

def _sloped_case():
    """flat_case() tilted south (0.5 m per row) so that water runs off the grid,
    and a landform that lowers the dump by 2 m."""
    pnl, mining, refilling, mined, floor, thick, x, y = flat_case()
    pnl = pnl - 0.5 * np.arange(10)[:, None]
    plans = {"p": R.PlanRasters("p", mining, refilling, mined)}
    low = np.where(refilling > 0, pnl - 2.0, pnl)
    return pnl, plans, low, floor, thick


def test_given_results_are_taken_and_nothing_is_routed_again(monkeypatch):
    """evaluate() with the fusion, channel, haul and erosion figures of the model's
    steps: the report's numbers are the given ones, and only PNL is routed."""
    from hpcs_landform.core import evaluation as ev
    pnl, plans, low, floor, thick = _sloped_case()
    settings = R.Settings(channel_threshold=3, erosion_model="rusle", years=1.0)
    own = R.evaluate(pnl, [("low", low, "p")], plans, **GRID, floor=floor, thickness=thick,
                     settings=settings)
    lf = own.landforms[0]
    classes = np.zeros(pnl.shape, np.uint8)
    classes[own.maps[1][2]] = 3          # the channels as the fusion step would class them
    given = R.Given(
        erosion=[("PNL", 11.0), ("low", 7.0)],
        fusion={"low": R.FusionFigures(0.25, 0.5, 17)},
        channels={"low": R.ChannelFigures(0.75, 4.0, 5.0, 123.0, 456.0, classes,
                                          threshold=3.0)},
        haul={"low": R.HaulFigures(99.0, 1.0, 2.0, 3.0)})
    calls = []
    real = ev.hy.condition
    monkeypatch.setattr(ev.hy, "condition", lambda *a, **k: calls.append(1) or real(*a, **k))
    rep = R.evaluate(pnl, [("low", low, "p")], plans, **GRID, floor=floor, thickness=thick,
                     settings=settings, given=given)
    assert len(calls) == 1                                     # PNL only
    v, x = rep.landforms[0].values, rep.landforms[0].extra
    assert (v["fusion_rate"], v["fusion_rate_no_pit"], x["boundary_pairs"]) == (0.25, 0.5, 17)
    assert (v["channel_overlap"], v["catchments"], v["channel_length"]) == (0.75, 4.0, 123.0)
    assert rep.pristine.values["catchments"] == 5.0
    assert rep.pristine.values["channel_length"] == 456.0
    assert (v["haul_distance"], x["haul_supply_m3"], x["haul_moved_m3"]) == (99.0, 1.0, 3.0)
    assert (rep.pristine.values["eroded"], v["eroded"]) == (11.0, 7.0)
    # what is computed either way is the same: slope, the dump and pit counts, the map
    assert v["mean_slope"] == lf.values["mean_slope"]
    assert (x["dump_cells"], x["pit_cells"]) == (lf.extra["dump_cells"], lf.extra["pit_cells"])
    assert np.array_equal(rep.maps[1][2], own.maps[1][2]) and rep.maps[1][3] is None
    # channels taken at another threshold are compared again (and said so)
    given.channels["low"].threshold = 8.0
    rep = R.evaluate(pnl, [("low", low, "p")], plans, **GRID, settings=settings, given=given)
    assert rep.landforms[0].values["channel_overlap"] == lf.values["channel_overlap"]
    assert any("at 8 cells" in n for n in rep.notes)


def _pnl_flow(pnl):
    """PNL's FLOWDIR and ACCUMULATION as 'Channel and ridge extraction' writes them
    (nodata = nan), from the channel step's core."""
    from hpcs_landform.core.channels import extract_channels
    net = extract_channels(pnl, GRID["dx"], GRID["dy"], method="fixed", channel_threshold=3,
                           ridge_threshold=3)          # (the flow does not depend on them)
    fd = np.where(net.flowdir == 255, np.nan, net.flowdir.astype(float))
    return fd, np.where(np.isfinite(pnl), net.accumulation, np.nan)


def _flow_cases():
    """flat_case() (flats to resolve) and _sloped_case() with a nodata corner."""
    pnl, mining, refilling, mined, floor, thick, _, _ = flat_case()
    plans = {"p": R.PlanRasters("p", mining, refilling, mined)}
    yield pnl, plans, np.where(refilling > 0, 95.0, pnl), floor, thick
    pnl, plans, low, floor, thick = _sloped_case()
    pnl[:2, 8:] = np.nan
    yield pnl, plans, low, floor, thick


def _same_report(a, b):
    def rows(rep):
        return [[("nan" if isinstance(v, float) and math.isnan(v) else v) for v in r]
                for r in R.table_rows(rep)]
    assert rows(a) == rows(b)
    assert a.notes == b.notes and a.settings == b.settings
    for ma, mb in zip(a.maps, b.maps, strict=True):
        assert ma[0] == mb[0]
        for xa, xb in zip(ma[1:], mb[1:]):
            if xa is None or xb is None:
                assert xa is xb
            else:
                np.testing.assert_array_equal(xa, xb)
    assert a.channel_classes.keys() == b.channel_classes.keys()
    for k in a.channel_classes:
        np.testing.assert_array_equal(a.channel_classes[k], b.channel_classes[k])


@pytest.mark.parametrize("case", list(_flow_cases()), ids=["flats", "sloped-nodata"])
def test_given_pnl_flow_gives_the_same_report(case):
    """PNL's FLOWDIR and ACCUMULATION of the channel step in place of the report's
    own routing of PNL: every number, note, map and channel raster is the same."""
    pnl, plans, low, floor, thick = case
    settings = R.Settings(channel_threshold=3, erosion_model="rusle", years=1.0)
    landforms = [("low", low, "p"), ("same", pnl.copy(), "p")]
    own = R.evaluate(pnl, landforms, plans, **GRID, floor=floor, thickness=thick,
                     settings=settings)
    fd, acc = _pnl_flow(pnl)
    given = R.evaluate(pnl, landforms, plans, **GRID, floor=floor, thickness=thick,
                       settings=settings, flowdir=fd, accumulation=acc)
    _same_report(own, given)
    with pytest.raises(InputError, match="both"):
        R.evaluate(pnl, landforms, plans, **GRID, settings=settings, flowdir=fd)
    bad = fd.copy()
    bad[5, 5] = 3.0                         # not an ESRI code
    with pytest.raises(InputError, match="do not belong"):
        R.evaluate(pnl, landforms, plans, **GRID, settings=settings, flowdir=bad,
                   accumulation=acc)


def test_given_pnl_flow_is_not_routed_again(monkeypatch):
    """With PNL's FLOWDIR / ACCUMULATION the report conditions no PNL: nothing at
    all when the fusion and channel figures are given too (the model), only the
    landform (and the landform without its pit) otherwise."""
    from hpcs_landform.core import evaluation as ev
    pnl, plans, low, floor, thick = _sloped_case()
    settings = R.Settings(channel_threshold=3, erosion_model="rusle", years=1.0)
    fd, acc = _pnl_flow(pnl)
    routed = []
    real = ev.hy.condition
    monkeypatch.setattr(ev.hy, "condition",
                        lambda z, *a, **k: routed.append(np.asarray(z).copy()) or real(z, *a, **k))

    def pnl_routings():
        return sum(np.array_equal(z, pnl, equal_nan=True) for z in routed)

    R.evaluate(pnl, [("low", low, "p")], plans, **GRID, settings=settings)
    assert pnl_routings() == 1 and len(routed) == 3       # PNL, low, low without the pit
    routed.clear()
    rep = R.evaluate(pnl, [("low", low, "p")], plans, **GRID, settings=settings,
                     flowdir=fd, accumulation=acc)
    assert pnl_routings() == 0 and len(routed) == 2
    classes = np.zeros(pnl.shape, np.uint8)
    classes[rep.maps[1][2]] = 3
    given = R.Given(erosion=[("PNL", 1.0), ("low", 2.0)],
                    fusion={"low": R.FusionFigures(0.5, 0.5, 10)},
                    channels={"low": R.ChannelFigures(1.0, 1.0, 1.0, 10.0, 10.0, classes,
                                                      threshold=3.0)})
    routed.clear()
    built = []
    real_rec = ev.hy.receivers_from_codes
    monkeypatch.setattr(ev.hy, "receivers_from_codes",
                        lambda c: built.append(1) or real_rec(c))
    R.evaluate(pnl, [("low", low, "p")], plans, **GRID, settings=settings, given=given,
               flowdir=fd, accumulation=acc)
    assert routed == []
    assert built == []          # nor are PNL's receivers built from its codes (unused)
    # where the channels are compared here, the receivers come from the codes, once
    R.evaluate(pnl, [("low", low, "p")], plans, **GRID, settings=settings,
               given=R.Given(fusion=given.fusion), flowdir=fd, accumulation=acc)
    assert len(built) == 1


def test_erosion_table_rows_by_order_when_the_names_are_the_files():
    """In a model the landforms' files may all be called OUTPUT: one row per
    landform (PNL first) is then taken in order, with a note."""
    pnl, plans, low, _, _ = _sloped_case()
    rep = R.evaluate(pnl, [("A", low, "p"), ("B", pnl, "p")], plans, **GRID,
                     settings=R.Settings(channel_threshold=3),
                     given=R.Given(erosion=[("PNL", 3.0), ("OUTPUT", 1.0), ("OUTPUT", 2.0)]))
    assert [m.values["eroded"] for m in [rep.pristine] + rep.landforms] == [3.0, 1.0, 2.0]
    assert any("taken in order" in n for n in rep.notes)


def test_design_quality_spike_slopes_and_tdl_levels():
    """A 6 m spike in the dump is counted (limit tan 25 deg x 10 m = 4.66 m); a plane
    has Horn slope atan(g) and step slope atan(g / 2) (only E-W steps of 4); TDL's
    platform levels per strip: the given level, else the strip's mean."""
    pnl, mining, refilling, mined, floor, thick, x, y = flat_case()
    plane = 100.0 + 0.1 * x[None, :] * np.ones((10, 1))
    refilling = np.zeros_like(refilling)
    refilling[1:9, 1:4] = 1
    refilling[1:9, 4:7] = 2
    plans = {"p": R.PlanRasters("p", mining, refilling, mined)}
    spiky = plane.copy()
    spiky[4, 2] += 6.0
    tdl = np.where(refilling == 1, 90.0, np.where(refilling == 2, 94.0, plane))
    rep = R.evaluate(plane, [("spiky", spiky, "p"), ("TDL", tdl, "p")], plans, **GRID,
                     settings=R.Settings(channel_threshold=3, erosion_model="rusle"),
                     surfaces={"dem_min": plane - 1.0},
                     given=R.Given(tdl_levels={2: 94.5}))
    q = rep.quality
    assert list(q) == ["PNL", "dem_min", "spiky", "TDL"]
    assert q["PNL"].spikes == 0 and q["spiky"].spikes == 1
    assert q["spiky"].largest_spike == pytest.approx(6.0)
    assert q["PNL"].cells == 6 * 4                  # the 8 x 6 dump less its edge
    assert q["PNL"].horn_slope == pytest.approx(math.degrees(math.atan(0.1)))
    assert q["dem_min"].step_slope == pytest.approx(math.degrees(math.atan(0.05)))
    lv = {r["period"]: r for r in rep.tdl_levels}
    assert lv[1]["level"] == 90.0 and lv[1]["source"] == "mean of the raster"
    assert (lv[2]["level"], lv[2]["min"], lv[2]["max"]) == (94.5, 94.0, 94.0)
    rows = R.table_rows(rep)
    assert ["quality", "spiky", "", "spikes", 1, "count"] in rows
    assert ["tdl_level", 2, "TDL", "level", 94.5, "m"] in rows


def test_fmax_over_fmin():
    s = R.period_summary(R.period_rows(RECORDS)["original"])
    assert s["fmax_over_fmin"] == pytest.approx((150 + 180) / (120 + 100))


def test_tables_of_the_evaluation_steps(tmp_path):
    f = tmp_path / "fusion.csv"
    f.write_text("period,bbox_rows,bbox_cols,normaliser_cells,boundary_cells,agree_cells,"
                 "fusion_rate,agree_cells_no_pit,fusion_rate_no_pit,channel_threshold_cells,"
                 "channel_overlap,catchments,catchments_pnl,channel_length_m,"
                 "channel_length_pnl_m\n1,2,3,6,10,5,0.5,6,0.6,,,,,,\n"
                 "all,,,,10,5,0.500000,6,0.600000,9,0.25,3,4,100.5,200\n")
    fusion, channels = R.read_fusion_table(str(f))
    assert (fusion.rate, fusion.rate_no_pit, fusion.boundary_pairs) == (0.5, 0.6, 10)
    assert (channels.overlap, channels.catchments, channels.length_pristine,
            channels.threshold) == (0.25, 3.0, 200.0, 9.0)
    f.write_text("period,boundary_cells,fusion_rate,fusion_rate_no_pit\nall,4,0.1,0.2\n")
    assert R.read_fusion_table(str(f))[1] is None        # an older table: no channels
    h = tmp_path / "haul.csv"
    h.write_text("period,supply_m3,room_m3,moved_m3,mean_haul_distance_m\n1,1,1,1,5\n"
                 "all,10,12,10,850.5\n")
    assert R.read_haul_table(str(h)) == R.HaulFigures(850.5, 10.0, 12.0, 10.0)
    h.write_text("period,supply_m3\n1,1\n")
    with pytest.raises(InputError, match="mean_haul_distance_m"):
        R.read_haul_table(str(h))
    lv = tmp_path / "levels.csv"
    lv.write_text("period,level_m\n1,300.5\n2,310\n")
    assert R.read_levels_table(str(lv)) == {1: 300.5, 2: 310.0}
    # the TDL step's own table (hpcs:traditionallandform, OUTPUT_LEVELS)
    lv.write_text("period,cells,platform_m,platform_group,wall_angle_deg\n"
                  "1,102,1215.75,1,33\n2,87,1381.04,2,33\n")
    assert R.read_levels_table(str(lv)) == {1: 1215.75, 2: 1381.04}


# --------------------------------------------------------------------------
# cost follows the mine: whole-grid figures computed on the windows
# --------------------------------------------------------------------------

def _slope_case(rng, nodata):
    """A rough 40 x 50 surface, an area in its middle (or touching the grid's edge),
    and nodata at the given cells."""
    z = 100.0 + rng.normal(0.0, 3.0, (40, 50)).cumsum(axis=0)
    for r, c in nodata:
        z[r, c] = np.nan
    return z


@pytest.mark.parametrize("nodata,rows,cols,on_box", [
    ((), slice(10, 20), slice(12, 30), True),                   # no nodata
    (((0, 0), (39, 49)), slice(10, 20), slice(12, 30), False),  # nodata far from the area
    (((11, 15), (9, 20)), slice(10, 20), slice(12, 30), True),  # inside it and beside it
    (((5, 5),), slice(0, 12), slice(40, 50), False),            # at the edge, nodata far
    (((1, 45),), slice(0, 12), slice(40, 50), True),            # at the edge, nodata in it
])
def test_mean_slope_on_the_area_box_is_the_whole_grid_number(nodata, rows, cols, on_box):
    """The mean slope taken on the evaluation area's box is bit-identical to the
    whole grid's (the same Horn values at every cell of the area)."""
    from hpcs_landform.core import evaluation as ev
    from hpcs_landform.core.landform import slope_degrees
    z = _slope_case(np.random.default_rng(3), nodata)
    valid = np.isfinite(z)
    area = np.zeros(z.shape, bool)
    area[rows, cols] = True
    area &= valid
    b = ev._Base(z, valid, area, {}, 7.0, 9.0, slope_box=ev._slope_box(area, valid))
    whole = float(np.nanmean(slope_degrees(z, 7.0, 9.0)[area]))
    assert ev._mean_slope(b, z) == whole
    assert (b.slope_box[0] != slice(None)) == on_box   # else on the whole grid
