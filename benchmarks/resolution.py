#!/usr/bin/env python3
"""Resolution check of the demo plan (issue 12, item 7): does the comparison depend
on the cell size?

Runs the shipped model hpcs:hpcs_pipeline through qgis_process.bin (as `make demo`
does) on the demo plan of data/demo/ twice:

* at 25 m, the plan as shipped;
* at 12.5 m: the DEM, the seam floor and the coal thickness resampled bilinear
  (gdal.Warp, same extent, cells halved); the mine area polygon, the mining
  direction and the strip width unchanged, k by the demo's rule (the middle of
  the feasible range of that resolution's own surfaces; both values printed).

and prints, per criterion of the comparison report, the winner (best reshaped
landform) at each resolution, and the fusion rate (eq. 10-12) of each landform at
each resolution. PASS when every criterion has the same winner at both
resolutions and every landform's fusion rate differs by at most 5 percentage
points; FAIL otherwise (exit code 1). The eroded-volume winner comes from the
erosion step's table (PNL with the final pit), as in the demo.

With --fixed-thresholds a third run, a diagnostic outside the verdict, repeats
12.5 m with the 25 m run's channel and ridge thresholds as fixed thresholds of
the same contributing area (4 x the cells), to separate the OTSU threshold's own
dependence on the cell size from the rest of the method.

Not a timed test: one run takes minutes. Outputs in benchmarks/_out/resolution/.

Run: /usr/bin/python3 benchmarks/resolution.py [--fixed-thresholds] [--own-plan]
"""
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import demo  # noqa: E402  (the demo's plan, model runner and report reader)

OUT = ROOT / "benchmarks" / "_out" / "resolution"
FINE = 12.5                   # m
TOLERANCE = 0.05              # fusion rate, 5 percentage points
CRITERIA = ("mean_slope", "fusion_rate", "fusion_rate_no_pit", "channel_overlap",
            "catchments", "channel_length", "haul_distance", "eroded")


def resample(src, dst, cell):
    """src warped bilinear onto cells of ``cell`` metres over the same extent."""
    from osgeo import gdal
    gdal.UseExceptions()
    ds = gdal.Open(str(src))
    gt = ds.GetGeoTransform()
    bounds = (gt[0], gt[3] + gt[5] * ds.RasterYSize, gt[0] + gt[1] * ds.RasterXSize, gt[3])
    gdal.Warp(str(dst), ds, xRes=cell, yRes=cell, outputBounds=bounds, resampleAlg="bilinear",
              srcNodata=-9999, dstNodata=-9999, outputType=gdal.GDT_Float32,
              creationOptions=["COMPRESS=DEFLATE"])
    return dst


def run(label, dem, floor, thickness, t0, thresholds=None, k=None, pit=None):
    """One model run at the plan's k and pit length (None: the demo's rule, the
    smallest safe pit, on these surfaces); returns (values, winners, k, (channel,
    ridge threshold in cells), feasible k range, pit length)."""
    out = OUT / label
    out.mkdir(parents=True, exist_ok=True)
    k_mid, (lo, hi), _ = demo.balanced_k(dem, floor, thickness, demo.MINE_AREA,
                                         demo.PLAN["direction"], demo.PLAN["strip_width"],
                                         out / "balance", t0, thresholds, pit)
    k = k_mid if k is None else k
    params = {"DEM": dem, "FLOOR": floor, "THICKNESS": thickness, "MINE_AREA": demo.MINE_AREA,
              "DIRECTION": demo.PLAN["direction"], "STRIP_WIDTH": demo.PLAN["strip_width"],
              "K": f"{k:.6f}", **(thresholds or {}),
              **({} if pit is None else {"PIT_LENGTH": f"{pit:.6f}"})}
    params.update({k: out / v for k, v in demo.OUTPUTS.items() if k != "EROSION:FOLDER"})
    params["EROSION:FOLDER"] = out / "erosion"
    t = time.time()
    print(f"== {label}: {dem.name}", flush=True)
    _, log = demo.run_model(params, t0)
    print(f"   {label} run: {time.time() - t:.0f} s", flush=True)
    m = re.search(r"Channel threshold: (\d+) cells.*?ridge threshold: (\d+) cells", log)
    thr = (int(m.group(1)), int(m.group(2))) if m else None
    plan = demo.plan_numbers(out)["original"]
    print(f"   {label}: k {k:.4f}, pit {plan['pit']:.1f} m, {plan['periods']} periods",
          flush=True)
    return demo.criteria(out) + (k, thr, (lo, hi), plan["pit"], margins(out))


def margins(out):
    """{criterion: winner's margin over the runner-up, % of the runner-up's score} from
    the run's report.csv; the eroded volume's from the erosion step's table."""
    rows = demo.read_csv(out / "report.csv")
    m = {r["item"]: float(r["value"]) for r in rows
         if r["section"] == "winner" and r["quantity"] == "margin_percent" and r["value"]}
    eroded = sorted(float(r["eroded_m3"]) for r in demo.read_csv(out / "erosion.csv")
                    if r["landform"] in demo.FORMS)
    if len(eroded) > 1:
        m["eroded"] = 100 * (eroded[1] - eroded[0]) / eroded[1]
    return m


def main():
    t0 = time.time()
    from osgeo import gdal
    gdal.PushErrorHandler("CPLQuietErrorHandler")
    OUT.mkdir(parents=True, exist_ok=True)
    fine = OUT / "input_12.5m"
    fine.mkdir(exist_ok=True)
    files = [resample(src, fine / src.name, FINE)
             for src in (demo.DEM, demo.FLOOR, demo.THICKNESS)]
    coarse = run("25m", demo.DEM, demo.FLOOR, demo.THICKNESS, t0)
    plan = {} if "--own-plan" in sys.argv else {"k": coarse[2], "pit": coarse[5]}
    results = {"25 m": coarse, "12.5 m": run("12.5m", *files, t0, **plan)}
    # a diagnostic, not part of the verdict: 12.5 m with the 25 m run's OTSU
    # thresholds as fixed ones of the same contributing area (4 x the cells)
    thr = results["25 m"][3]
    if "--fixed-thresholds" in sys.argv and thr:
        fixed = {"THRESHOLD_METHOD": 2, "CHANNEL_THRESHOLD": 4 * thr[0],
                 "RIDGE_THRESHOLD": 4 * thr[1]}
        diag = run("12.5m_fixed", *files, t0, fixed, **plan)
    else:
        diag = None
    labels = list(results)
    ok = True
    print("\nplan: " + ", ".join(f"{lab} k {results[lab][2]:.4f}, pit {results[lab][5]:.1f} m"
                                  for lab in labels))
    print(f"k (the middle of the 25 m feasible range): {coarse[2]:.4f}; "
          "feasible range of each resolution's surfaces: " + ", ".join(
              f"{lab} [{results[lab][4][0]:.4f}, {results[lab][4][1]:.4f}]" for lab in labels))
    print("channel / ridge threshold (cells): " + ", ".join(
        f"{lab} {results[lab][3]}" for lab in labels))
    print(f"\n{'criterion':22s}" + "".join(f"{lab:>10s}" for lab in labels) + "  same"
          "   winner's margin over the runner-up (% of its score) at " + ", ".join(labels))
    for key in CRITERIA:
        w = [results[lab][1].get(key, "-") for lab in labels]
        same = len(set(w)) == 1 and w[0] != "-"
        ok &= same
        marg = ", ".join(f"{results[lab][6].get(key, float('nan')):5.1f} %" for lab in labels)
        print(f"{key:22s}" + "".join(f"{x:>10s}" for x in w) + f"  {'yes' if same else 'NO ':3s}"
              f"   {marg}")
    print(f"\n{'fusion rate':22s}" + "".join(f"{lab:>10s}" for lab in labels) + "  diff (points)")
    for f in demo.FORMS:
        r = [results[lab][0].get((f, "fusion_rate"), float("nan")) for lab in labels]
        d = 100 * abs(r[0] - r[1])
        within = d <= 100 * TOLERANCE
        ok &= within
        print(f"{f:22s}" + "".join(f"{100 * x:9.2f}%" for x in r) +
              f"  {d:5.2f}{'' if within else '  > 5'}")
    print(f"{'(no pit)':22s}")
    for f in demo.FORMS:
        r = [results[lab][0].get((f, "fusion_rate_no_pit"), float("nan")) for lab in labels]
        print(f"{f:22s}" + "".join(f"{100 * x:9.2f}%" for x in r) +
              f"  {100 * abs(r[0] - r[1]):5.2f} (not checked)")
    print(f"\nsame winner on every criterion and fusion rates within {100 * TOLERANCE:g} points: "
          f"{'PASS' if ok else 'FAIL'}   ({time.time() - t0:.0f} s)")
    if diag is not None:
        print(f"\ndiagnostic (not in the verdict): 12.5 m with fixed thresholds "
              f"{4 * thr[0]} / {4 * thr[1]} cells (the 25 m run's areas), k {diag[2]:.4f}")
        for key in CRITERIA:
            w = (results["25 m"][1].get(key, "-"), diag[1].get(key, "-"))
            print(f"  {key:22s}{w[0]:>10s}{w[1]:>10s}  {'yes' if w[0] == w[1] else 'NO'}")
        for f in demo.FORMS:
            r = (results["25 m"][0].get((f, "fusion_rate"), float("nan")),
                 diag[0].get((f, "fusion_rate"), float("nan")))
            print(f"  fusion rate {f:10s}{100 * r[0]:9.2f}%{100 * r[1]:9.2f}%  "
                  f"{100 * abs(r[0] - r[1]):5.2f} points")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
