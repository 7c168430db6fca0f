"""core.sensitivity: design of the runs, parallel runner (progress, cancel), aggregation;
core.sensitivity_render: the HTML report with tornado charts."""
import csv
import math
import sys
import time

import pytest

from hpcs_landform.core import sensitivity as sens
from hpcs_landform.core.errors import Cancelled, InputError, Progress
from hpcs_landform.core.sensitivity_render import render_html, tornado_chart

BASE = {"K": 1.05, "A_MAX": 25.0, "STRIP_WIDTH": 240.0, "CHANNEL_THRESHOLD": float("nan")}


def test_parse_values():
    assert sens.parse_values("1.1, 1.0;1.1  1.2", "K") == [1.0, 1.1, 1.2]
    assert sens.parse_values("", "K") == [] and sens.parse_values(None, "K") == []
    with pytest.raises(InputError, match="not a list of numbers"):
        sens.parse_values("1.0, a", "K_VALUES")
    with pytest.raises(InputError, match="positive"):
        sens.parse_values("-1", "K_VALUES")


def test_one_at_a_time_and_grid():
    ranges = {"K": [1.0, 1.05, 1.1], "A_MAX": [20.0], "STRIP_WIDTH": [], "CHANNEL_THRESHOLD": []}
    runs = sens.design_runs(BASE, ranges)
    # base + K 1.0, K 1.1 (1.05 is the base) + A_max 20
    assert [r.label for r in runs] == ["base", "K=1", "K=1.1", "A_MAX=20"]
    assert runs[1].values == dict(BASE, K=1.0)
    assert runs[3].values["K"] == 1.05 and runs[3].varied == "A_MAX"
    grid = sens.design_runs(BASE, ranges, grid=True)
    # (3 k values) x (2 A_max values) = 6 points, the base among them once
    assert len(grid) == 6 and grid[0].label == "base"
    assert {(r.values["K"], r.values["A_MAX"]) for r in grid} == {
        (k, a) for k in (1.0, 1.05, 1.1) for a in (20.0, 25.0)}
    with pytest.raises(InputError, match="No factor is varied"):
        sens.design_runs(BASE, {"K": [1.05]})
    with pytest.raises(InputError, match="more than"):
        sens.design_runs(BASE, {"K": [1 + i / 100 for i in range(1, 9)],
                                "A_MAX": [float(a) for a in range(10, 19)]}, grid=True)


def test_run_parallel_progress_and_order(tmp_path):
    code = ("import sys, time\n"
            "for p in (0, 50, 100):\n"
            "    print(f'{p}...', flush=True); time.sleep(0.2)\n"
            "sys.exit(int(sys.argv[1]))\n")
    seen = []
    t0 = time.time()
    res = sens.run_parallel([[sys.executable, "-c", code, str(i % 2)] for i in range(4)],
                            jobs=2, log_dir=str(tmp_path), progress=Progress(seen.append),
                            poll=0.05)
    assert [r[0] for r in res] == [0, 1, 0, 1]
    assert "100..." in res[0][1]
    assert seen and seen[-1] == pytest.approx(100.0)
    assert all(b >= a - 1e-9 for a, b in zip(seen, seen[1:])) or max(seen) == 100.0
    assert (tmp_path / "run_03.log").read_text().count("...") == 3
    assert time.time() - t0 < 10


def test_cancel_kills_every_child(tmp_path):
    started = time.time()
    flag = {"n": 0}

    def cancelled():
        flag["n"] += 1
        return time.time() - started > 1.0

    cmds = [[sys.executable, "-c", "import time; time.sleep(60)"] for _ in range(3)]
    with pytest.raises(Cancelled):
        sens.run_parallel(cmds, jobs=2, log_dir=str(tmp_path),
                          progress=Progress(is_cancelled=cancelled), poll=0.05)
    assert time.time() - started < 10          # not the 60 s of a child
    # only two had been started (jobs=2): two logs, their processes are gone
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run_00.log", "run_01.log"]


def write_table(path, values, winners):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["section", "item", "plan", "quantity", "value", "unit"])
        for (crit, form), v in values.items():
            w.writerow(["landform", form, "", crit, v, ""])
        for crit, best in winners.items():
            w.writerow(["winner", crit, "", "direction", "lower", ""])
            w.writerow(["winner", crit, "", "best", best, ""])


def test_summary_tornado_and_holds(tmp_path):
    ranges = {"K": [1.0, 1.1], "A_MAX": [20.0]}
    runs = sens.design_runs(BASE, ranges)          # base, K=1, K=1.1, A_MAX=20
    slope = [(2.0, 3.0), (2.5, 3.5), (1.5, 2.5), (2.2, 1.9)]   # (NNDL, TDL) per run
    for r, (a, b) in zip(runs, slope):
        path = tmp_path / f"t{r.index}.csv"
        write_table(path, {("mean_slope", "NNDL"): a, ("mean_slope", "TDL"): b,
                           ("mean_slope", "PNL"): 4.0},
                    {"mean_slope": "NNDL" if a < b else "TDL"})
        r.status, r.table = "ok", sens.read_comparison(path)
    (s,) = sens.summarise(runs)
    assert s["landforms"] == ["NNDL", "TDL"] and s["base_winner"] == "NNDL"
    assert s["base"] == {"NNDL": 2.0, "TDL": 3.0}
    # K runs: NNDL 2.5 (k=1.0) and 1.5 (k=1.1): low 1.5, high 2.5, at lowest k 2.5
    assert s["bars"]["K"]["NNDL"] == (1.5, 2.5, 2.5, 1.5)
    # A_max only below the base (20 < 25): no bar above
    assert s["bars"]["A_MAX"]["TDL"] == (1.9, 1.9, 1.9, None)
    assert not s["holds"] and s["flips"] == ["A_MAX=20"]
    png = tornado_chart(s, {"K": "1, 1.1 (base 1.05)", "A_MAX": "20 (base 25)"})
    assert png and len(png) > 1000
    page = render_html(runs, [s], BASE)
    assert page.count("<img") == 1 and "A_MAX=20" in page and ">no<" in page
    assert "1, 1.1 (base 1.05)" not in page        # (settings are in the PNG only)
    out = tmp_path / "runs.csv"
    sens.write_runs_csv(out, runs, [s])
    with open(out, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["label"] for r in rows] == ["base", "K=1", "K=1.1", "A_MAX=20"]
    assert [float(r["mean_slope:TDL"]) for r in rows] == [3.0, 3.5, 2.5, 1.9]
    assert [r["winner:mean_slope"] for r in rows] == ["NNDL", "NNDL", "NNDL", "TDL"]


def test_a_failed_base_stops_the_study():
    runs = sens.design_runs(BASE, {"K": [1.1]})
    runs[0].status, runs[0].message = "failed", "Infeasible"
    with pytest.raises(InputError, match="base case failed"):
        sens.summarise(runs)
    assert math.isnan(runs[0].values["CHANNEL_THRESHOLD"])


def test_failure_message():
    tail = ("20Infeasible plan: k = 1 ...\nERROR:\tStopped: outputs of this step: OUTPUT: not "
            "written (x.gpkg does not exist).\n"
            "ERROR:\tInfeasible plan: the spoil is 0.52 % less\n"
            "Error encountered while running 4 Sub-areas\n"
            "ERROR:\tError encountered while running 4 Sub-areas\n")
    assert sens.failure_message(tail) == "Infeasible plan: the spoil is 0.52 % less"
    assert sens.failure_message("a\nlast line\n") == "last line"
    assert sens.failure_message("") == "no output"
