"""hpcs:traditionallandform - the traditional terraced landform (TDL)."""
from qgis.core import (
    QgsProcessing,
    QgsProcessingOutputNumber,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterDestination,
    QgsProcessingParameterRasterLayer,
)

from ..core.terrace import traditional_landform
from .base import HpcsAlgorithm
from .near_natural_landform import pit_angle_parameters, pit_angles, supply_from_records


class TraditionalLandform(HpcsAlgorithm):
    NAME = "traditionallandform"
    DISPLAY_NAME = "Traditional terraced landform"
    GROUP_ID = "hpcsmodel"
    HELP = (
        "Builds the traditional terraced dump (TDL, the paper's 'step-like' landform) with "
        "the same earth and the same final pit as the near-natural landform.\n\n"
        "Inputs (one grid, metres, projected CRS): the pre-mining DEM, the floor of the "
        "lowest minable seam and the sub-area layer (fields period, kind, v_supply; PLAN picks "
        "its 'optimized' or 'original' strips).\n\n"
        "The refilled area gets benches of BENCH_HEIGHT (m) with faces at FACE_ANGLE "
        "(degrees) and horizontal berms of BERM_WIDTH (m), laid out from the dump's edge "
        "inward (distance transform), under a flat top platform. The berms lie every bench "
        "height below the top. The top elevation is found by bisection so that the volume "
        "above the seam floor equals the total supply (sum of v_supply, eq. 6). The final "
        "pit (mined, not refilled) has the floor at the bottom and walls at 20 / 13 / 8 "
        "degrees (working side / end walls / dump side) rising to the DEM; outside the mine "
        "area the output equals the DEM.\n\n"
        "Numbers: mean slope of the refilled area (degrees, Horn) and the top elevation (m).")

    INPUT = "INPUT"
    FLOOR = "FLOOR"
    SUBAREAS = "SUBAREAS"
    BENCH_HEIGHT = "BENCH_HEIGHT"
    FACE_ANGLE = "FACE_ANGLE"
    BERM_WIDTH = "BERM_WIDTH"
    OUTPUT = "OUTPUT"
    MEAN_SLOPE = "MEAN_SLOPE"
    TOP_ELEVATION = "TOP_ELEVATION"

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterRasterLayer(
            self.INPUT, self.tr("Pre-mining DEM (PNL, m)")))
        self.addParameter(QgsProcessingParameterRasterLayer(
            self.FLOOR, self.tr("Floor of the lowest minable seam (m)")))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.SUBAREAS, self.tr("Sub-areas (mining/refilling strips)"),
            [QgsProcessing.TypeVectorPolygon]))
        self.add_plan_parameter()
        self.addParameter(QgsProcessingParameterNumber(
            self.BENCH_HEIGHT, self.tr("Bench height (m)"), QgsProcessingParameterNumber.Double,
            defaultValue=10.0, minValue=0.1))
        self.addParameter(QgsProcessingParameterNumber(
            self.FACE_ANGLE, self.tr("Bench face angle (degrees)"),
            QgsProcessingParameterNumber.Double, defaultValue=33.0, minValue=0.1,
            maxValue=89.9))
        self.addParameter(QgsProcessingParameterNumber(
            self.BERM_WIDTH, self.tr("Berm width (m)"), QgsProcessingParameterNumber.Double,
            defaultValue=30.0, minValue=0.0))
        pit_angle_parameters(self)
        self.addParameter(QgsProcessingParameterRasterDestination(
            self.OUTPUT, self.tr("Traditional landform"), optional=True,
            createByDefault=True))
        self.addOutput(QgsProcessingOutputNumber(self.MEAN_SLOPE,
                                                 self.tr("Mean slope of the dump (degrees)")))
        self.addOutput(QgsProcessingOutputNumber(self.TOP_ELEVATION,
                                                 self.tr("Top platform elevation (m)")))

    def run_algorithm(self, parameters, context, feedback):
        dem, grid = self.read_raster(parameters, self.INPUT, context)
        floor, g = self.read_raster(parameters, self.FLOOR, context)
        self.require_same_grid(grid, g, self.FLOOR)
        strips = self.plan_strips(parameters, context, grid)
        mining, refilling, records = strips.mined_periods, strips.refilling, strips.records
        supply = supply_from_records(records)
        res = traditional_landform(
            dem, floor, mining, refilling, supply, grid.dx, grid.dy,
            bench_height=self.parameterAsDouble(parameters, self.BENCH_HEIGHT, context),
            face_angle=self.parameterAsDouble(parameters, self.FACE_ANGLE, context),
            berm_width=self.parameterAsDouble(parameters, self.BERM_WIDTH, context),
            pit_angles=pit_angles(self, parameters, context),
            progress=self.progress(feedback, 0, 90))
        feedback.pushInfo(self.tr(
            "Top platform at {0:.2f} m; volume {1:.6g} m3 for a supply of {2:.6g} m3; mean "
            "slope {3:.2f} degrees.").format(res.top_elevation, res.volume, res.total_supply,
                                             res.mean_slope))
        out = self.write_raster(parameters, self.OUTPUT, context, res.landform, grid,
                                grid.float_dtype)
        return {self.OUTPUT: out, self.MEAN_SLOPE: res.mean_slope,
                self.TOP_ELEVATION: res.top_elevation}
