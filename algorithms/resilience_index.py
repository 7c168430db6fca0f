"""hpcs:resilienceindex - ecological resilience index R = w1 R1 + w2 R2 + w3 R3."""
import numpy as np
from qgis.core import (
    QgsProcessingOutputNumber,
    QgsProcessingParameterEnum,
    QgsProcessingParameterField,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterDestination,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterString,
)

from ..core.resilience import (
    NORMALIZATIONS,
    assess_resilience,
    change_style,
    index_style,
    parse_breaks,
    resilience_class_style,
    write_csv,
)
from .base import HpcsAlgorithm


class ResilienceIndex(HpcsAlgorithm):
    NAME = "resilienceindex"
    DISPLAY_NAME = "Ecological resilience index"
    GROUP_ID = "ecology"
    HELP = (
        "Ecological resilience of a mining area from three rasters, after Tang (resilience "
        "assessment, section 3.2):\n\n"
        "    R = W1 R1 + W2 R2 + W3 R3   (paper: R = 0.4 R1 + 0.3 R2 + 0.3 R3)\n\n"
        "R1 = ecosystem resistance, R2 = source resilience, R3 = corridor adaptability "
        "(unitless scores, higher = more resilient, on the same grid). The weights must sum "
        "to 1 (tolerance 1e-6).\n\n"
        "Normalisation (over the cells where all three rasters have data):\n"
        "- None: the values are used as they are (the paper's formula; use when the three "
        "scores are already on one scale).\n"
        "- Min-max: (x - min) / (max - min), 0..1.\n"
        "- Z-score then logistic: z = (x - mean) / sd, then 1 / (1 + exp(-z)), 0..1; robust "
        "to outliers.\n"
        "A constant raster scores 0.5 with both.\n\n"
        "Classes: 1 low, 2 medium, 3 high. Give two breaks b1, b2 (e.g. '0.4, 0.6': R up to "
        "b1 is low, above b1 up to b2 medium, above b2 high; a value equal to a break goes to "
        "the lower class) or leave empty for natural breaks (Jenks: the "
        "split that minimises the within-class sum of squared deviations, computed exactly "
        "on the distinct values of R, or on 1000 equal-width bins of R when there are more).\n\n"
        "Zones (optional polygons, e.g. restoration units): a CSV table with one row per "
        "polygon (named by the zone field, else 'feature n') and a row 'ALL' for the whole "
        "raster: cells, area (m2), area with data, mean / min / max R and the share (%) of "
        "low / medium / high. A cell belongs to a zone when its centre is inside.\n\n"
        "Baseline (optional): an earlier R raster on the same grid (e.g. from 3 to 5 years "
        "before, the paper's monitoring period): the change raster R - baseline and, in the "
        "table, the mean baseline, mean R now and mean / min / max change per zone.")

    RESISTANCE = "RESISTANCE"
    RESILIENCE = "RESILIENCE"
    ADAPTABILITY = "ADAPTABILITY"
    NORMALIZE = "NORMALIZE"
    W1 = "W1"
    W2 = "W2"
    W3 = "W3"
    BREAKS = "BREAKS"
    ZONES = "ZONES"
    ZONE_FIELD = "ZONE_FIELD"
    BASELINE = "BASELINE"
    OUTPUT = "OUTPUT"
    OUTPUT_CLASSES = "OUTPUT_CLASSES"
    OUTPUT_CHANGE = "OUTPUT_CHANGE"
    OUTPUT_TABLE = "OUTPUT_TABLE"
    BREAK_LOW_MEDIUM = "BREAK_LOW_MEDIUM"
    BREAK_MEDIUM_HIGH = "BREAK_MEDIUM_HIGH"
    MEAN_R = "MEAN_R"

    NORMALIZE_LABELS = ["None (use the values as they are)", "Min-max (0-1)",
                        "Z-score then logistic (0-1)"]

    def initAlgorithm(self, config=None):  # noqa: N802
        for name, label in ((self.RESISTANCE, "R1: ecosystem resistance"),
                            (self.RESILIENCE, "R2: source resilience"),
                            (self.ADAPTABILITY, "R3: corridor adaptability")):
            self.addParameter(QgsProcessingParameterRasterLayer(name, self.tr(label)))
        self.addParameter(QgsProcessingParameterEnum(
            self.NORMALIZE, self.tr("Normalisation of R1, R2, R3"),
            options=[self.tr(s) for s in self.NORMALIZE_LABELS], defaultValue=0))
        for name, label, default in ((self.W1, "Weight W1 of R1", 0.4),
                                     (self.W2, "Weight W2 of R2", 0.3),
                                     (self.W3, "Weight W3 of R3", 0.3)):
            self.addParameter(QgsProcessingParameterNumber(
                name, self.tr(label), QgsProcessingParameterNumber.Double,
                defaultValue=default, minValue=0.0, maxValue=1.0))
        self.addParameter(QgsProcessingParameterString(
            self.BREAKS, self.tr("Class breaks low/medium, medium/high (e.g. '0.4, 0.6'; "
                                 "empty = natural breaks)"), defaultValue="", optional=True))
        self.add_parameter(self.ZONES, optional=True)
        self.addParameter(QgsProcessingParameterField(
            self.ZONE_FIELD, self.tr("Zone name field"), parentLayerParameterName=self.ZONES,
            optional=True))
        self.addParameter(QgsProcessingParameterRasterLayer(
            self.BASELINE, self.tr("Baseline R (earlier index, same grid)"), optional=True))
        self.addParameter(QgsProcessingParameterRasterDestination(
            self.OUTPUT, self.tr("Resilience index R"), optional=True, createByDefault=True))
        self.addParameter(QgsProcessingParameterRasterDestination(
            self.OUTPUT_CLASSES, self.tr("Resilience classes (1 low, 2 medium, 3 high)"),
            optional=True, createByDefault=True))
        self.addParameter(QgsProcessingParameterRasterDestination(
            self.OUTPUT_CHANGE, self.tr("Change R - baseline (only with a baseline)"),
            optional=True, createByDefault=False))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT_TABLE, self.tr("Zone statistics table"), "CSV files (*.csv)",
            optional=True, createByDefault=True))
        self.addOutput(QgsProcessingOutputNumber(
            self.BREAK_LOW_MEDIUM, self.tr("Break low/medium used")))
        self.addOutput(QgsProcessingOutputNumber(
            self.BREAK_MEDIUM_HIGH, self.tr("Break medium/high used")))
        self.addOutput(QgsProcessingOutputNumber(self.MEAN_R, self.tr("Mean R")))

    def run_algorithm(self, parameters, context, feedback):
        r1, grid = self.read_raster(parameters, self.RESISTANCE, context)
        r2, g2 = self.read_raster(parameters, self.RESILIENCE, context)
        r3, g3 = self.read_raster(parameters, self.ADAPTABILITY, context)
        self.require_same_grid(grid, g2, "R2")
        self.require_same_grid(grid, g3, "R3")
        base, gb = self.read_raster(parameters, self.BASELINE, context, required=False)
        if base is not None:
            self.require_same_grid(grid, gb, "the baseline")
        weights = [self.parameterAsDouble(parameters, n, context)
                   for n in (self.W1, self.W2, self.W3)]
        normalization = NORMALIZATIONS[self.parameterAsEnum(parameters, self.NORMALIZE,
                                                            context)]
        breaks = parse_breaks(self.parameterAsString(parameters, self.BREAKS, context), 2,
                              "resilience class breaks")
        zones = self.read_zones(parameters, self.ZONES, self.ZONE_FIELD, context, grid,
                                feedback)
        res = assess_resilience(r1, r2, r3, weights=weights, normalization=normalization,
                                breaks=breaks, zones=zones, baseline=base,
                                cell_area=grid.cell_area, progress=self.progress(feedback, 0, 90))
        feedback.pushInfo(self.tr("Class breaks ({0}): low <= {1:.6g} < medium <= {2:.6g} "
                                  "< high.").format(res.breaks_method, res.breaks[0],
                                                    res.breaks[1]))
        valid = np.isfinite(res.index)
        lo, hi = float(np.nanmin(res.index)), float(np.nanmax(res.index))
        results = {
            self.BREAK_LOW_MEDIUM: float(res.breaks[0]),
            self.BREAK_MEDIUM_HIGH: float(res.breaks[1]),
            self.MEAN_R: float(res.index[valid].mean()),
        }
        results[self.OUTPUT] = self.write_raster(
            parameters, self.OUTPUT, context, res.index, grid, "float32", None,
            index_style(lo, hi))
        results[self.OUTPUT_CLASSES] = self.write_raster(
            parameters, self.OUTPUT_CLASSES, context, res.classes.astype(np.uint8), grid,
            "uint8", 0, resilience_class_style())
        if res.change is not None:
            lim = float(np.nanmax(np.abs(res.change))) if np.isfinite(res.change).any() \
                else 1.0
            results[self.OUTPUT_CHANGE] = self.write_raster(
                parameters, self.OUTPUT_CHANGE, context, res.change, grid, "float32", None,
                change_style(lim))
        else:
            results[self.OUTPUT_CHANGE] = None
        table = self.parameterAsFileOutput(parameters, self.OUTPUT_TABLE, context)
        results[self.OUTPUT_TABLE] = write_csv(table, res.header, res.rows) if table else None
        feedback.setProgress(100)
        return results
