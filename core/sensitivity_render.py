"""HTML report of a design sensitivity study (tornado charts, winner table).

Rendering only (matplotlib Agg, PNGs embedded as base64): the numbers come
from :func:`core.sensitivity.summarise`.
"""
import base64
import html
import io
import math

from .sensitivity import FACTORS

LOW, HIGH = "#4477aa", "#ee7733"


def _png(fig, dpi=100):
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _ok(v):
    return v is not None and isinstance(v, float) and math.isfinite(v)


def tornado_chart(crit, ranges):
    """One tornado per landform: for each factor a bar from the base value to the
    value at the factor's lowest setting (blue) and at its highest (orange).
    ``crit``: one entry of summarise(); ``ranges``: {factor: text of its settings}.
    Returns a base64 PNG, or None when no factor has a finite value."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    factors = [f for f in FACTORS if f in crit["bars"]]
    forms = crit["landforms"]
    if not factors or not any(_ok(crit["base"].get(f)) for f in forms):
        return None
    fig, axes = plt.subplots(1, len(forms), figsize=(3.6 * len(forms), 0.6 * len(factors) + 1.6),
                             squeeze=False, constrained_layout=True)
    for ax, form in zip(axes[0], forms):
        base = crit["base"].get(form)
        seen = [base] if _ok(base) else []
        for i, factor in enumerate(factors):
            bar = crit["bars"][factor].get(form)
            if not bar or not _ok(base):
                continue
            for value, colour in ((bar[2], LOW), (bar[3], HIGH)):
                if _ok(value):
                    ax.barh(i, value - base, left=base, color=colour, height=0.6)
                    seen.append(value)
        if _ok(base):
            ax.axvline(base, color="black", linewidth=1.2)
        if seen:        # (bars pin the axis to their ends: pad by hand)
            lo, hi = min(seen), max(seen)
            pad = 0.15 * (hi - lo) or 0.01 * abs(base or 1.0) or 0.01
            ax.set_xlim(lo - pad, hi + pad)
        ax.set_yticks(range(len(factors)))
        ax.set_yticklabels([f"{f}\n{ranges[f]}" for f in factors], fontsize=7)
        ax.invert_yaxis()
        mark = " (winner)" if form == crit["base_winner"] else ""
        ax.set_title(f"{form}{mark}", fontsize=9)
        ax.tick_params(axis="x", labelsize=7)
    fig.suptitle(f"{crit['criterion']} ({crit['direction']}): blue = lowest setting below "
                 "the base, orange = highest above, line = base case", fontsize=9)
    data = _png(fig)
    plt.close(fig)
    return data


def _fmt(v):
    return f"{v:.4g}" if _ok(v) else "-"


def render_html(runs, summary, base_values):
    """The whole report as one HTML string."""
    ranges = {}
    for f in FACTORS:
        vals = [r.values[f] for r in runs if r.varied == f]
        if vals:
            b = base_values.get(f, float("nan"))
            ranges[f] = ", ".join(f"{v:g}" for v in vals) + (
                f" (base {b:g})" if _ok(b) else " (base: Otsu)")
    e = html.escape
    parts = ["<!DOCTYPE html><html><head><meta charset='utf-8'>",
             "<title>HPCS design sensitivity</title><style>body{font-family:sans-serif;"
             "max-width:1200px;margin:auto}table{border-collapse:collapse}td,th{border:1px "
             "solid #bbb;padding:3px 6px;font-size:13px}.no{background:#fdd}.yes{background:"
             "#dfd}</style></head><body>",
             "<h1>Design sensitivity of the landform comparison</h1>",
             "<p>Base case: " + ", ".join(f"{e(k)} = {v:g}" for k, v in base_values.items())
             + f". {len(runs)} runs, {sum(r.status == 'ok' for r in runs)} completed.</p>"]
    parts.append("<h2>Does each criterion's winner hold?</h2><table><tr><th>criterion</th>"
                 "<th>better</th><th>base winner</th><th>holds in every run</th>"
                 "<th>runs with another winner</th></tr>")
    for s in summary:
        cls = "yes" if s["holds"] else "no"
        flips = ", ".join(f"{e(lbl)}" for lbl in s["flips"]) or "-"
        parts.append(f"<tr><td>{e(s['criterion'])}</td><td>{e(s['direction'])}</td>"
                     f"<td>{e(str(s['base_winner']))}</td><td class='{cls}'>"
                     f"{'yes' if s['holds'] else 'no'}</td><td>{flips}</td></tr>")
    parts.append("</table>")
    parts.append("<h2>Runs</h2><table><tr><th>run</th>" + "".join(
        f"<th>{e(f)}</th>" for f in FACTORS) + "<th>status</th>" + "".join(
        f"<th>winner: {e(s['criterion'])}</th>" for s in summary) + "</tr>")
    for r in runs:
        wins = r.table.get("winner", {}) if r.table else {}
        parts.append(f"<tr><td>{e(r.label)}</td>" + "".join(
            f"<td>{r.values[f]:g}</td>" for f in FACTORS) + f"<td>{e(r.status)} "
            f"{e(r.message[:200])}</td>" + "".join(
            f"<td>{e(str(wins.get(s['criterion'], '')))}</td>" for s in summary) + "</tr>")
    parts.append("</table><h2>Tornado charts</h2>")
    for s in summary:
        parts.append(f"<h3>{e(s['criterion'])}</h3>")
        png = tornado_chart(s, ranges)
        if png:
            parts.append(f"<img alt='tornado {e(s['criterion'])}' "
                         f"src='data:image/png;base64,{png}'>")
        rows = "".join(
            f"<tr><td>{e(f)}</td><td>{_fmt(s['base'].get(f))}</td>" + "".join(
                f"<td>{_fmt(s['bars'].get(x, {}).get(f, (None,) * 4)[2])} / "
                f"{_fmt(s['bars'].get(x, {}).get(f, (None,) * 4)[3])}</td>"
                for x in FACTORS if x in s["bars"]) + "</tr>" for f in s["landforms"])
        parts.append("<table><tr><th>landform</th><th>base</th>" + "".join(
            f"<th>{e(x)} lowest / highest</th>" for x in FACTORS if x in s["bars"])
            + f"</tr>{rows}</table>")
    parts.append("</body></html>")
    return "\n".join(parts)
