"""hpcs:cutfill - cut, fill and net volumes between two surfaces."""
import csv
import os

import numpy as np
from qgis.core import (
    QgsProcessingOutputNumber,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterDestination,
    QgsProcessingParameterRasterLayer,
)

from ..core import styles
from ..core.cutfill import cut_fill
from ..core.grid import atomic_output
from .base import HpcsAlgorithm


def cutfill_style(max_abs, tolerance):
    """Red (cut, B below A) - neutral band |D| <= tolerance - blue (fill)."""
    tol = float(tolerance)
    m = max(float(max_abs), tol * 2.0, 1e-3)
    eps = max(m * 1e-6, 1e-6)
    return styles.pseudocolor([
        (-m, "#b2182b", f"{-m:.3g} (cut)"),
        (-tol - eps, "#f4a582", f"{-tol:.3g}"),
        (-tol, "#f0f0f0", f"within +/-{tol:g} m"),
        (tol, "#f0f0f0", ""),
        (tol + eps, "#92c5de", f"{tol:.3g}"),
        (m, "#2166ac", f"{m:.3g} (fill)"),
    ])


class CutFill(HpcsAlgorithm):
    NAME = "cutfill"
    DISPLAY_NAME = "Cut/fill volumes"
    GROUP_ID = "evaluation"
    HELP = (
        "Cut, fill and net volumes between two surfaces on one grid (metres, projected CRS), "
        "as Carlson Natural Regrade's 'Update Cut/Fill' reports them.\n\n"
        "D = SURFACE_B - SURFACE_A per cell (e.g. A = pre-mining DEM, B = a landform). Fill "
        "= sum of the positive D times the cell area (B above A), cut = sum of -D where D is "
        "negative, net = cut - fill (m3), over the cells of EVALUATION_AREA (optional "
        "polygons; blank = everywhere) where both surfaces have data. The volumes count every cell; TOLERANCE (m) only classifies "
        "the cells with |D| up to TOLERANCE as neutral (grey in the difference raster, "
        "'within tolerance' in the table). The difference raster is styled red (cut) to "
        "blue (fill). The CSV table lists cut, fill, net, the variance of cut to fill "
        "(100 (cut - fill) / fill, Carlson's balance check), the cut, fill and neutral areas "
        "and the volumes beyond the tolerance.")

    SURFACE_A = "SURFACE_A"
    SURFACE_B = "SURFACE_B"
    EVALUATION_AREA = "EVALUATION_AREA"
    TOLERANCE = "TOLERANCE"
    OUTPUT = "OUTPUT"
    CUT = "CUT"
    FILL = "FILL"
    NET = "NET"
    OUTPUT_TABLE = "OUTPUT_TABLE"

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterRasterLayer(
            self.SURFACE_A, self.tr("Surface A (reference, e.g. the pre-mining DEM)")))
        self.addParameter(QgsProcessingParameterRasterLayer(
            self.SURFACE_B, self.tr("Surface B (e.g. a landform)")))
        self.add_parameter(self.EVALUATION_AREA, optional=True)
        self.addParameter(QgsProcessingParameterNumber(
            self.TOLERANCE, self.tr("Tolerance band (m)"), QgsProcessingParameterNumber.Double,
            defaultValue=0.5, minValue=0.0))
        self.addParameter(QgsProcessingParameterRasterDestination(
            self.OUTPUT, self.tr("Difference B - A (m)"), optional=True, createByDefault=True))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT_TABLE, self.tr("Cut/fill table"), self.tr("CSV files (*.csv)"),
            optional=True, createByDefault=True))
        for name, label in ((self.CUT, "Cut (m3)"), (self.FILL, "Fill (m3)"),
                            (self.NET, "Net, cut - fill (m3)")):
            self.addOutput(QgsProcessingOutputNumber(name, self.tr(label)))

    def run_algorithm(self, parameters, context, feedback):
        a, grid = self.read_raster(parameters, self.SURFACE_A, context)
        b, gb = self.read_raster(parameters, self.SURFACE_B, context)
        self.require_same_grid(grid, gb, "SURFACE_B")
        mask = None
        if self.parameterAsSource(parameters, self.EVALUATION_AREA, context) is not None:
            mask = self.polygon_mask(parameters, self.EVALUATION_AREA, context, grid)
        tol = self.parameterAsDouble(parameters, self.TOLERANCE, context)
        res = cut_fill(a, b, grid.cell_area, mask=mask, tolerance=tol)
        feedback.setProgress(80)
        feedback.pushInfo(self.tr("Cut {0:.6g} m3, fill {1:.6g} m3, net (cut - fill) {2:.6g} "
                                  "m3 over {3} cells.").format(res.cut, res.fill, res.net,
                                                               res.cells))
        d = res.difference
        max_abs = float(np.nanmax(np.abs(d))) if np.isfinite(d).any() else 0.0
        out = self.write_raster(parameters, self.OUTPUT, context, d, grid, "float32",
                                style=cutfill_style(max_abs, tol))
        table = self.parameterAsFileOutput(parameters, self.OUTPUT_TABLE, context)
        if table:
            os.makedirs(os.path.dirname(os.path.abspath(table)), exist_ok=True)
            with atomic_output(table) as _tmp, open(_tmp, "w", newline="", encoding="utf-8") as fh:
                w = csv.writer(fh)
                w.writerow(["quantity", "value", "unit"])
                for q, v, u in res.table():
                    w.writerow([q, f"{v:.10g}" if isinstance(v, float) else v, u])
        return {self.OUTPUT: out, self.CUT: res.cut, self.FILL: res.fill, self.NET: res.net,
                self.OUTPUT_TABLE: table or None}
