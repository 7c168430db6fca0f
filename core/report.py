"""Landform comparison report: one import for the evaluation
(:mod:`core.evaluation`, criteria, metrics, winners, tables) and its
rendering (:mod:`core.render`, figures and the HTML page).

Kept so that ``from core import report`` reads as before the split; new code
imports the two modules directly.
"""
from .evaluation import (  # noqa: F401 (re-exported)
    CRITERIA,
    CSV_COLUMNS,
    PAPER,
    PAPER_ORDER,
    QUALITY_FIELDS,
    ChannelFigures,
    FusionFigures,
    Given,
    HaulFigures,
    LandformMetrics,
    PlanRasters,
    Report,
    Settings,
    Winner,
    decide_winners,
    evaluate,
    fmt_value,
    period_rows,
    period_summary,
    pick_winner,
    read_erosion_rows,
    read_erosion_table,
    read_fusion_table,
    read_haul_table,
    read_levels_table,
    strip_levels,
    table_rows,
    write_csv,
)
from .render import (  # noqa: F401 (re-exported)
    bar_chart,
    landform_panels,
    perspective_figure,
    render_html,
    supply_chart,
    write_html,
)
