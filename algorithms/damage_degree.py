"""hpcs:damagedegree - land damage degree (none / slight / severe / extremely severe)."""
import numpy as np
from qgis.core import (
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingOutputString,
    QgsProcessingParameterEnum,
    QgsProcessingParameterField,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterMultipleLayers,
    QgsProcessingParameterRasterDestination,
    QgsProcessingParameterString,
)

from ..core.damage import (
    DAMAGE_NORMALIZATIONS,
    DEGREES,
    damage_degree,
    degree_style,
    parse_directions,
    parse_weights,
)
from ..core.grid import read_raster, require_metric
from ..core.resilience import index_style, parse_breaks, write_csv
from .base import HpcsAlgorithm
from .validation import check_raster_values


class DamageDegree(HpcsAlgorithm):
    NAME = "damagedegree"
    DISPLAY_NAME = "Land damage degree"
    GROUP_ID = "ecology"
    HELP = (
        "Degree of land damage of a mining area - none, slight, severe, extremely severe - "
        "and the area share of each degree by mining type, after the paste-filling / DFN "
        "paper (section 3.2, Fig. 2: extremely severe damage covers 56.44 % of open-pit "
        "areas against 5.61 % of underground ones).\n\n"
        "Indicator rasters: one or more rasters on the same grid, e.g. the damage index, "
        "vegetation coverage, desertification / rocky desertification and soil erosion. "
        "For each, in the order of the list:\n"
        "- Directions: 'worse' when a higher value means more damage (damage index, "
        "desertification, erosion), 'better' when it means less (vegetation coverage); "
        "comma-separated, e.g. 'worse, better, worse, worse'. Empty = all 'worse'.\n"
        "- Weights: comma-separated, summing to 1 (tolerance 1e-6), e.g. '0.4, 0.2, 0.2, "
        "0.2'. Empty = equal weights.\n"
        "The log lists each raster with its direction and weight; check the order there.\n\n"
        "Score (0 = no damage .. 1 = worst), over the cells where every indicator has data:\n"
        "    s_k = (x - min) / (max - min) for 'worse', (max - x) / (max - min) for 'better'\n"
        "    D = sum_k w_k s_k\n"
        "With normalisation 'None' the indicators are taken as already scored 0..1 and a "
        "'better' indicator becomes 1 - x. A constant indicator scores 0.5 with min-max.\n\n"
        "Degrees, with three breaks b1, b2, b3 (default 0.25, 0.5, 0.75): 1 none for D up to "
        "b1, 2 slight above b1 up to b2, 3 severe above b2 up to b3, 4 extremely severe above "
        "b3. Empty breaks = natural breaks (Jenks) of D.\n\n"
        "Zones (optional polygons) with a category field (e.g. 'open-pit', 'underground', "
        "'natural'): the polygons of one category are merged. The CSV table has one row per "
        "category and a row 'ALL' (the whole raster): cells, area (m2), area with data, the "
        "area (m2) of each degree and its share (% of the area with data). Without a "
        "category field each polygon is its own category. A cell counts when its centre is "
        "inside.")

    INDICATORS = "INDICATORS"
    DIRECTIONS = "DIRECTIONS"
    WEIGHTS = "WEIGHTS"
    DEGREE_NORMALIZE = "DEGREE_NORMALIZE"
    DEGREE_BREAKS = "DEGREE_BREAKS"
    ZONES = "ZONES"
    CATEGORY_FIELD = "CATEGORY_FIELD"
    OUTPUT = "OUTPUT"
    OUTPUT_SCORE = "OUTPUT_SCORE"
    OUTPUT_TABLE = "OUTPUT_TABLE"
    BREAKS_USED = "BREAKS_USED"

    NORMALIZE_LABELS = ["Min-max over the area (0-1)", "None (indicators already scored 0-1)"]

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterMultipleLayers(
            self.INDICATORS, self.tr("Indicator rasters (same grid)"),
            QgsProcessing.TypeRaster))
        self.addParameter(QgsProcessingParameterString(
            self.DIRECTIONS, self.tr("Directions, one per raster: worse / better "
                                     "(empty = all worse)"), defaultValue="", optional=True))
        self.addParameter(QgsProcessingParameterString(
            self.WEIGHTS, self.tr("Weights, one per raster, summing to 1 (empty = equal)"),
            defaultValue="", optional=True))
        self.addParameter(QgsProcessingParameterEnum(
            self.DEGREE_NORMALIZE, self.tr("Normalisation"),
            options=[self.tr(s) for s in self.NORMALIZE_LABELS], defaultValue=0))
        self.addParameter(QgsProcessingParameterString(
            self.DEGREE_BREAKS, self.tr("Breaks none/slight, slight/severe, severe/extremely "
                                        "severe (empty = natural breaks)"),
            defaultValue="0.25, 0.5, 0.75", optional=True))
        self.add_parameter(self.ZONES, optional=True)
        self.addParameter(QgsProcessingParameterField(
            self.CATEGORY_FIELD, self.tr("Category field (e.g. open-pit / underground / "
                                         "natural)"),
            parentLayerParameterName=self.ZONES, optional=True))
        self.addParameter(QgsProcessingParameterRasterDestination(
            self.OUTPUT, self.tr("Damage degree (1 none .. 4 extremely severe)"),
            optional=True, createByDefault=True))
        self.addParameter(QgsProcessingParameterRasterDestination(
            self.OUTPUT_SCORE, self.tr("Damage score D (0-1)"), optional=True,
            createByDefault=False))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT_TABLE, self.tr("Area of each degree by category"),
            "CSV files (*.csv)", optional=True, createByDefault=True))
        self.addOutput(QgsProcessingOutputString(self.BREAKS_USED, self.tr("Breaks used")))

    def _indicators(self, parameters, context):
        layers = self.parameterAsLayerList(parameters, self.INDICATORS, context)
        if not layers:
            raise QgsProcessingException(self.tr(
                "Parameter INDICATORS: give at least one indicator raster."))
        arrays, grids = [], []
        for layer in layers:
            if not hasattr(layer, "bandCount") or layer.providerType() != "gdal":
                raise QgsProcessingException(self.tr(
                    "Parameter INDICATORS: '{0}' is not a raster file; give GeoTIFF rasters "
                    "GDAL can read.").format(layer.name()))
            a, g = read_raster(layer.source().split("|")[0], 1,
                               name=f"'{layer.name()}' (INDICATORS)")
            check_raster_values("INDICATORS", a, g)
            if not g.crs_wkt and layer.crs().isValid():
                from dataclasses import replace
                g = replace(g, crs_wkt=layer.crs().toWkt())
            require_metric(g, g.name)
            if grids:
                self.require_same_grid(grids[0], g, "every indicator")
            arrays.append(a)
            grids.append(g)
        return arrays, grids, [layer.name() for layer in layers]

    def run_algorithm(self, parameters, context, feedback):
        arrays, grids, names = self._indicators(parameters, context)
        grid = grids[0]
        n = len(arrays)
        directions = parse_directions(self.parameterAsString(parameters, self.DIRECTIONS,
                                                             context), n)
        weights = parse_weights(self.parameterAsString(parameters, self.WEIGHTS, context), n)
        normalization = DAMAGE_NORMALIZATIONS[self.parameterAsEnum(
            parameters, self.DEGREE_NORMALIZE, context)]
        breaks = parse_breaks(self.parameterAsString(parameters, self.DEGREE_BREAKS, context), 3,
                              "damage class breaks")
        for name, d, w in zip(names, directions, weights):
            feedback.pushInfo(self.tr("  {0}: higher is {1}, weight {2:g}").format(
                name, self.tr("worse") if d > 0 else self.tr("better"), w))
        zones = self.read_zones(parameters, self.ZONES, self.CATEGORY_FIELD, context, grid,
                                feedback, group=True)
        res = damage_degree(arrays, directions, weights, normalization=normalization,
                            breaks=breaks, zones=zones, cell_area=grid.cell_area,
                            progress=self.progress(feedback, 0, 90))
        text = ", ".join(f"{b:.6g}" for b in res.breaks)
        feedback.pushInfo(self.tr("Breaks ({0}): {1}").format(res.breaks_method, text))
        for row in res.rows:
            shares = ", ".join(f"{k} {v:.2f} %" for k, v in zip(DEGREES, row[8:12])
                               if np.isfinite(v))
            feedback.pushInfo(f"  {row[0]}: {shares}")
        results = {self.BREAKS_USED: text}
        results[self.OUTPUT] = self.write_raster(
            parameters, self.OUTPUT, context, res.degree.astype(np.uint8), grid, "uint8", 0,
            degree_style())
        results[self.OUTPUT_SCORE] = self.write_raster(
            parameters, self.OUTPUT_SCORE, context, res.score, grid, "float32", None,
            index_style(0.0, 1.0, ("#1a9850", "#fee08b", "#a50026")))
        table = self.parameterAsFileOutput(parameters, self.OUTPUT_TABLE, context)
        results[self.OUTPUT_TABLE] = write_csv(table, res.header, res.rows) if table else None
        feedback.setProgress(100)
        return results
