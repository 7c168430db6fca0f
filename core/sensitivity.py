"""Design sensitivity: how the comparison of the landforms depends on uncertain inputs.

The study runs the whole HPCS pipeline (Xia et al. 2023: eq. 6 for k, the
earthwork surfaces with A_max, the sub-areas with the strip width, the
channels with the accumulation threshold) once per *design point* and reads
each run's comparison table (the long CSV of the comparison report: rows
``landform, <name>, <plan>, <criterion>, <value>`` and ``winner, <criterion>,
, best, <name>``).

* :func:`design_runs` lays out the points: the base case, then one factor at a
  time (each listed value of one factor, the others at the base), or the full
  grid of every listed value;
* :func:`run_parallel` runs commands (one pipeline run each) at most ``jobs``
  at a time as child processes, reports progress from the percentages they
  print and kills every child when the user cancels;
* :func:`read_comparison` / :func:`summarise` turn the runs' tables into, per
  criterion, the values of every landform in every run, the tornado bars
  (lowest and highest value of each landform over each factor's runs, beside
  the base value) and whether the base case's winner holds in every run.
"""
import csv
import itertools
import math
import os
import re
import subprocess
import threading
import time
from dataclasses import dataclass, field

from .errors import Cancelled, InputError, as_progress

#: the factors a study can vary: name -> label (unit)
FACTORS = {
    "K": "k, spoil / stripped volume (eq. 6)",
    "A_MAX": "A_max (degrees)",
    "STRIP_WIDTH": "strip width (m)",
    "CHANNEL_THRESHOLD": "channel threshold (cells)",
}
#: largest number of runs a study may have (each is a whole pipeline run)
MAX_RUNS = 64


@dataclass
class Run:
    """One design point: ``values`` = every factor's value; ``varied`` = the factor
    moved off the base (None for the base case and for grid points)."""
    index: int
    values: dict
    varied: object = None
    status: str = "pending"
    message: str = ""
    table: dict = field(default_factory=dict)

    @property
    def label(self):
        if self.index == 0:
            return "base"
        if self.varied:
            return f"{self.varied}={self.values[self.varied]:g}"
        return ", ".join(f"{k}={v:g}" for k, v in self.values.items())


def parse_values(text, what):
    """Comma- or space-separated numbers of a text parameter; [] for blank."""
    items = [t for t in re.split(r"[,\s;]+", str(text or "").strip()) if t]
    try:
        values = [float(t) for t in items]
    except ValueError:
        raise InputError(f"{what}: '{text}' is not a list of numbers; write e.g. "
                         "'1.0, 1.1'.") from None
    if any(not math.isfinite(v) or v <= 0 for v in values):
        raise InputError(f"{what}: every value must be a positive number (got '{text}').")
    return sorted(set(values))


def design_runs(base, ranges, *, grid=False):
    """The design points of a study.

    ``base``: {factor: base value}; ``ranges``: {factor: [values]} (factors
    with no values stay at the base). One at a time: the base case, then for
    each factor each of its values other than the base. ``grid``: every
    combination of (base + values) of the varied factors. Raises InputError
    when nothing is varied or the design exceeds MAX_RUNS.
    """
    unknown = set(base) - set(FACTORS)
    if unknown:
        raise InputError(f"Unknown factor(s) {sorted(unknown)}; known: {list(FACTORS)}.")
    varied = {f: [v for v in vals if not math.isclose(v, base[f])]
              for f, vals in ranges.items() if vals}
    varied = {f: v for f, v in varied.items() if v}
    if not varied:
        raise InputError("No factor is varied: give at least one value different from the "
                         "base case in one of the ranges (e.g. K values '1.0, 1.1').")
    runs = [Run(0, dict(base))]
    if grid:
        axes = [sorted(set([base[f]] + vals)) for f, vals in varied.items()]
        for combo in itertools.product(*axes):
            point = dict(base, **dict(zip(varied, combo)))
            if point != base:
                runs.append(Run(len(runs), point))
    else:
        for f, vals in varied.items():
            for v in vals:
                runs.append(Run(len(runs), dict(base, **{f: v}), varied=f))
    if len(runs) > MAX_RUNS:
        raise InputError(f"The design has {len(runs)} runs, more than {MAX_RUNS}: give fewer "
                         "values or use one factor at a time instead of the full grid.")
    return runs


class _Child:
    """A running child process and the last percentage it printed (read by a thread)."""

    def __init__(self, args, env, log_path):
        self.log = open(log_path, "w", encoding="utf-8")
        self.proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, bufsize=1)
        self.percent = 0.0
        self.tail = []
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        for line in self.proc.stdout:
            self.log.write(line)
            nums = re.findall(r"(\d+)\.\.\.?", line)
            if nums and 0 <= int(nums[-1]) <= 100:
                self.percent = float(nums[-1])
            if line.strip():
                self.tail = (self.tail + [line.rstrip()])[-60:]

    def finish(self):
        self.thread.join(timeout=10)
        self.proc.stdout.close()
        self.log.close()

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.finish()


def run_parallel(commands, *, jobs=2, env=None, log_dir, progress=None, poll=0.5):
    """Run ``commands`` (lists of arguments) as child processes, at most ``jobs``
    at a time. Returns [(returncode, last lines of output)] in order. Progress:
    the mean over the runs of each run's last printed percentage (100 when done);
    on cancel every running child is killed and Cancelled is raised."""
    progress = as_progress(progress)
    jobs = max(1, int(jobs))
    results = [None] * len(commands)
    done = [0.0] * len(commands)
    running = {}
    pending = list(range(len(commands)))
    try:
        while pending or running:
            while pending and len(running) < jobs:
                i = pending.pop(0)
                running[i] = _Child(commands[i], env, os.path.join(log_dir, f"run_{i:02d}.log"))
            for i, child in list(running.items()):
                done[i] = child.percent
                if child.proc.poll() is not None:
                    child.finish()
                    results[i] = (child.proc.returncode, "\n".join(child.tail))
                    done[i] = 100.0
                    del running[i]
            progress(sum(done) / len(commands))
            if running:
                time.sleep(poll)
    except Cancelled:
        for child in running.values():
            child.kill()
        raise
    return results


def failure_message(tail, limit=300):
    """The error a failed qgis_process run reported: its first 'ERROR:' line that is
    neither QGIS's generic 'Error encountered while running ...' nor a step's list of
    the outputs it left ('Stopped: ...', 'Cancelled: ...'), else the last line."""
    lines = [ln.strip() for ln in (tail or "").splitlines() if ln.strip()]
    for ln in lines:
        text = ln[len("ERROR:"):].strip()
        if ln.startswith("ERROR:") and "Error encountered while running" not in ln \
                and not text.startswith(("Stopped: ", "Cancelled: ")):
            return text[:limit]
    return lines[-1][:limit] if lines else "no output"


def read_comparison(path):
    """{'values': {(criterion, landform): value}, 'winner': {criterion: landform},
    'direction': {criterion: text}} of a comparison report's CSV."""
    values, winner, direction = {}, {}, {}
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            section, item = row.get("section"), row.get("item")
            quantity, value = row.get("quantity"), row.get("value")
            if section == "landform":
                try:
                    values[(quantity, item)] = float(value)
                except (TypeError, ValueError):
                    continue
            elif section == "winner" and quantity == "best":
                winner[item] = value
            elif section == "winner" and quantity == "direction":
                direction[item] = value
    return {"values": values, "winner": winner, "direction": direction}


def _finite(v):
    return v is not None and isinstance(v, float) and math.isfinite(v)


def summarise(runs):
    """Per criterion (those with a winner in the base run): landforms, base values,
    tornado bars {factor: {landform: (lowest value, highest value, value at the
    lowest setting below the base, value at the highest setting above it)}} (None
    where the factor was not set below / above the base), the winner of each run
    and whether the base winner holds in every completed run."""
    base = runs[0]
    if base.status != "ok":
        raise InputError(f"The base case failed ({base.message}); the study needs it. Fix "
                         "the base inputs (e.g. k too small for the plan) and run again.")
    ok = [r for r in runs if r.status == "ok"]
    out = []
    for crit, best in base.table["winner"].items():
        forms = sorted({f for (c, f) in base.table["values"] if c == crit and f != "PNL"})
        if not forms:
            continue
        bars = {}
        for factor in FACTORS:
            mine = sorted((r for r in ok if r.varied == factor), key=lambda r: r.values[factor])
            if not mine:
                continue
            b0 = base.values[factor]
            lo_run = mine[0] if not mine[0].values[factor] > b0 else None
            hi_run = mine[-1] if not mine[-1].values[factor] < b0 else None
            if math.isnan(b0) and len(mine) == 1:
                hi_run = None            # one run against an Otsu base: one bar
            bars[factor] = {}
            for f in forms:
                vals = [r.table["values"].get((crit, f)) for r in mine]
                vals = [v for v in vals if _finite(v)]
                if vals:
                    bars[factor][f] = (
                        min(vals), max(vals),
                        lo_run.table["values"].get((crit, f)) if lo_run else None,
                        hi_run.table["values"].get((crit, f)) if hi_run else None)
        winners = {r.index: r.table["winner"].get(crit) for r in ok}
        flips = [r.label for r in ok if winners[r.index] != best]
        out.append({"criterion": crit, "direction": base.table["direction"].get(crit, ""),
                    "landforms": forms, "base_winner": best,
                    "base": {f: base.table["values"].get((crit, f)) for f in forms},
                    "bars": bars, "winners": winners, "holds": not flips, "flips": flips,
                    "runs_ok": len(ok), "runs_failed": len(runs) - len(ok)})
    return out


def write_runs_csv(path, runs, summary):
    """One row per run: its factors, status and every criterion of every landform."""
    crits = [(s["criterion"], f) for s in summary for f in s["landforms"]]
    head = (["run", "label"] + list(FACTORS) + ["status", "message"]
            + [f"{c}:{f}" for c, f in crits] + [f"winner:{s['criterion']}" for s in summary])
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(head)
        for r in runs:
            vals = r.table.get("values", {}) if r.table else {}
            wins = r.table.get("winner", {}) if r.table else {}
            row = [r.index, r.label] + [f"{r.values[f]:g}" for f in FACTORS]
            row += [r.status, r.message]
            row += ["" if not _finite(vals.get(k)) else f"{vals[k]:.6g}" for k in crits]
            row += [wins.get(s["criterion"], "") for s in summary]
            w.writerow(row)
