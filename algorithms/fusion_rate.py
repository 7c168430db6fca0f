"""hpcs:fusionrate - hydrological fusion rate and channel comparison (eq. 10-12)."""
import csv
import math

import numpy as np
from qgis.core import (
    QgsProcessingOutputNumber,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterRasterDestination,
)

from ..core import styles
from ..core.fusion import evaluate_fusion
from ..core.grid import atomic_output
from .base import HpcsAlgorithm

#: channel comparison columns of the table, filled on its 'all' row
CHANNEL_COLUMNS = ["channel_threshold_cells", "channel_overlap", "catchments", "catchments_pnl",
                   "channel_length_m", "channel_length_pnl_m"]


def agreement_style(tr):
    return styles.paletted([
        (0, (255, 255, 255, 0), tr("not a boundary cell")),
        (1, "#1a9641", tr("same flow direction as PNL")),
        (2, "#d7191c", tr("flow direction differs from PNL")),
        (3, (190, 190, 190, 140), tr("dump (refilling strips)")),
    ])


def channel_class_style(tr):
    return styles.paletted([
        (0, (255, 255, 255, 0), tr("no channel")),
        (1, "#2166ac", tr("shared channel (landform and PNL)")),
        (2, "#d6604d", tr("lost: PNL channel only")),
        (3, "#1b9e77", tr("new: landform channel only")),
        (4, (120, 120, 120, 110), tr("landform channel outside the dump")),
    ])


class FusionRate(HpcsAlgorithm):
    NAME = "fusionrate"
    DISPLAY_NAME = "Hydrological fusion rate"
    GROUP_ID = "evaluation"
    HELP = (
        "How well a reshaped landform hands runoff to its surroundings compared with the "
        "pristine landform (PNL), and how much of PNL's channel network it restores inside "
        "the dump (Xia et al. 2023, eq. 10 to 12, section 2.3.1).\n\n"
        "Inputs: the pre-mining DEM (PNL) and the landform DEM on the same grid (metres, "
        "projected CRS; landform cells without data take the PNL value), and the sub-area "
        "layer of 'Mining/refilling sub-area delineation' (fields period and kind; with a "
        "field 'plan', PLAN picks the optimized or the original strips). The dump is every "
        "cell whose centre is in a refilling strip; the final pit is every mined cell (in a "
        "mining strip, the box cut or the final pit) in no refilling strip.\n\n"
        "Flow: both surfaces are depression-filled and routed on the whole grid (D8, ESRI "
        "codes, accumulation in cells, as in 'Channel and ridge extraction'). PNL's flow "
        "direction and accumulation may be given instead (FLOWDIR and ACCUMULATION, the "
        "outputs of 'Channel and ridge extraction' on the same DEM: the same rasters, not "
        "computed again); blank, they are computed.\n\n"
        "Fusion rate r = sum of p_v p_d over S_b / size(S_b) (eq. 10), 0 to 1 (the paper "
        "prints it in percent). S_b: for every refilling strip, the valid cells outside the "
        "dump that touch the strip (8 neighbours); a cell next to two strips counts for "
        "each. p_v = 1 where the landform's flow direction equals PNL's, else 0 (eq. 11); "
        "p_d = 1 - |Q_landform - Q_PNL| / (rows x cols of the strip's bounding box in "
        "cells), clipped to 0..1 (eq. 12).\n"
        "Fusion rate without the pit: the same after the final pit cells of the landform are "
        "replaced by the pre-mining DEM (the paper's 'without the influence of the pit').\n\n"
        "Channels: cells whose accumulation reaches the channel threshold (cells; blank = "
        "the OTSU scaling-break threshold of PNL), the same threshold on both surfaces. "
        "Channel overlap = landform channel cells that are also PNL channel cells / PNL "
        "channel cells, inside the dump. Catchments: the number of distinct channel-link "
        "catchments that the dump's cells belong to. Channel length: metres of channel "
        "inside the dump (each channel cell's D8 step to its receiver).\n\n"
        "Outputs: the numbers above; a raster of the boundary cells where directions agree "
        "(1) or differ (2), dump = 3; a raster of shared (1), lost (2) and new (3) channel "
        "cells in the dump, landform channels outside it = 4; a CSV table per refilling "
        "strip (bounding box, normaliser, boundary cells, agreeing cells, rate with and "
        "without the pit) with a last row 'all'."
    )

    PRISTINE = "PRISTINE"
    LANDFORM = "LANDFORM"
    SUBAREAS = "SUBAREAS"
    CHANNEL_THRESHOLD = "CHANNEL_THRESHOLD"
    FLOWDIR = "FLOWDIR"
    ACCUMULATION = "ACCUMULATION"
    OUTPUT_AGREEMENT = "OUTPUT_AGREEMENT"
    OUTPUT_CHANNELS = "OUTPUT_CHANNELS"
    OUTPUT_TABLE = "OUTPUT_TABLE"
    FUSION_RATE = "FUSION_RATE"
    FUSION_RATE_NO_PIT = "FUSION_RATE_NO_PIT"
    CHANNEL_OVERLAP = "CHANNEL_OVERLAP"
    CATCHMENTS_LANDFORM = "CATCHMENTS_LANDFORM"
    CATCHMENTS_PRISTINE = "CATCHMENTS_PRISTINE"
    CHANNEL_LENGTH_LANDFORM = "CHANNEL_LENGTH_LANDFORM"
    CHANNEL_LENGTH_PRISTINE = "CHANNEL_LENGTH_PRISTINE"

    def initAlgorithm(self, config=None):  # noqa: N802
        self.add_parameters((self.PRISTINE, self.LANDFORM, self.SUBAREAS))
        self.add_parameter(self.CHANNEL_THRESHOLD, optional=True)
        self.add_plan_parameter()
        self.add_pristine_flow_parameters()          # FLOWDIR, ACCUMULATION
        self.addParameter(QgsProcessingParameterRasterDestination(
            self.OUTPUT_AGREEMENT, self.tr("Flow direction agreement on the dump boundary"),
            optional=True, createByDefault=True))
        self.addParameter(QgsProcessingParameterRasterDestination(
            self.OUTPUT_CHANNELS, self.tr("Channels: shared, lost and new"),
            optional=True, createByDefault=True))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT_TABLE, self.tr("Fusion rate per strip (CSV)"),
            self.tr("CSV files (*.csv)"), optional=True, createByDefault=True))
        for name, label in (
                (self.FUSION_RATE, "Hydrological fusion rate (0-1)"),
                (self.FUSION_RATE_NO_PIT, "Fusion rate without the pit's influence (0-1)"),
                (self.CHANNEL_OVERLAP, "Channel overlap with PNL in the dump (0-1)"),
                (self.CATCHMENTS_LANDFORM, "Catchments in the dump, landform"),
                (self.CATCHMENTS_PRISTINE, "Catchments in the dump, PNL"),
                (self.CHANNEL_LENGTH_LANDFORM, "Channel length in the dump, landform (m)"),
                (self.CHANNEL_LENGTH_PRISTINE, "Channel length in the dump, PNL (m)")):
            self.addOutput(QgsProcessingOutputNumber(name, self.tr(label)))

    def run_algorithm(self, parameters, context, feedback):
        pnl, grid = self.read_raster(parameters, self.PRISTINE, context)
        land, lgrid = self.read_raster(parameters, self.LANDFORM, context)
        self.require_same_grid(grid, lgrid, "the landform")
        strips = self.plan_strips(parameters, context, grid)
        refilling, mined, plan = strips.refilling, strips.mined, strips.plan
        if plan:
            feedback.pushInfo(self.tr("Plan: {0}").format(plan))
        threshold = self.optional_number(parameters, self.CHANNEL_THRESHOLD, context)
        flow = self.read_pristine_flow(parameters, context, grid)
        ev = evaluate_fusion(pnl, land, mined.astype("int32"), refilling, grid.dx, grid.dy,
                             channel_threshold=threshold,
                             progress=self.progress(feedback, 0, 90), **flow)
        fr, frn, cc = ev.fusion, ev.fusion_no_pit, ev.channels
        feedback.pushInfo(self.tr(
            "Dump: {0} cells, final pit: {1} cells, boundary pairs S_b: {2}. Fusion rate "
            "{3:.2%}, without the pit {4:.2%}. Channel threshold {5:g} cells; overlap "
            "{6:.2%}; catchments {7} (PNL {8}); channel length {9:.0f} m (PNL {10:.0f} m).")
            .format(ev.dump_cells, ev.pit_cells, fr.cells.size, fr.rate, frn.rate,
                    ev.threshold, cc.overlap, cc.catchments_landform, cc.catchments_pristine,
                    cc.length_landform, cc.length_pristine))
        if math.isnan(cc.overlap):
            feedback.pushWarning(self.tr(
                "PNL has no channel cell inside the dump at this threshold, so the channel "
                "overlap is undefined (NaN); lower the channel threshold."))
        results = {
            self.FUSION_RATE: fr.rate, self.FUSION_RATE_NO_PIT: frn.rate,
            self.CHANNEL_OVERLAP: cc.overlap,
            self.CATCHMENTS_LANDFORM: cc.catchments_landform,
            self.CATCHMENTS_PRISTINE: cc.catchments_pristine,
            self.CHANNEL_LENGTH_LANDFORM: cc.length_landform,
            self.CHANNEL_LENGTH_PRISTINE: cc.length_pristine,
        }
        results[self.OUTPUT_AGREEMENT] = self.write_raster(
            parameters, self.OUTPUT_AGREEMENT, context, fr.agreement, grid, "uint8", 255,
            agreement_style(self.tr))
        results[self.OUTPUT_CHANNELS] = self.write_raster(
            parameters, self.OUTPUT_CHANNELS, context, cc.classes, grid, "uint8", 255,
            channel_class_style(self.tr))
        feedback.setProgress(95)
        table = self.parameterAsFileOutput(parameters, self.OUTPUT_TABLE, context)
        if table:
            self.write_table(table, ev)
        results[self.OUTPUT_TABLE] = table or None
        feedback.setProgress(100)
        return results

    @staticmethod
    def write_table(path, ev):
        fr, frn = ev.fusion, ev.fusion_no_pit
        no_pit = {s["period"]: s for s in frn.strips}
        with atomic_output(path) as _tmp, open(_tmp, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["period", "bbox_rows", "bbox_cols", "normaliser_cells",
                        "boundary_cells", "agree_cells", "fusion_rate", "agree_cells_no_pit",
                        "fusion_rate_no_pit"] + CHANNEL_COLUMNS)
            for s in fr.strips:
                n = no_pit.get(s["period"], {})
                w.writerow([s["period"], s["rows"], s["cols"], s["normaliser"], s["cells"],
                            s["agree"], f"{s['rate']:.6f}", n.get("agree", ""),
                            f"{n.get('rate', float('nan')):.6f}"] + [""] * len(CHANNEL_COLUMNS))
            # the channel comparison on the 'all' row (the comparison report reads it)
            cc = ev.channels
            w.writerow(["all", "", "", "", int(fr.cells.size), int(np.sum(fr.pv)),
                        f"{fr.rate:.10g}", int(np.sum(frn.pv)), f"{frn.rate:.10g}",
                        f"{ev.threshold:.10g}", f"{cc.overlap:.10g}", cc.catchments_landform,
                        cc.catchments_pristine, f"{cc.length_landform:.10g}",
                        f"{cc.length_pristine:.10g}"])
