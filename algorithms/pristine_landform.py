"""hpcs:pristinelandform - the pristine landform (PNL) with the landforms' final pit."""
from qgis.core import (
    QgsProcessingOutputNumber,
    QgsProcessingParameterRasterDestination,
)

from ..core.pristine import pristine_with_pit
from .base import HpcsAlgorithm


class PristineLandform(HpcsAlgorithm):
    NAME = "pristinelandform"
    DISPLAY_NAME = "Pristine landform with the final pit (PNL for erosion)"
    GROUP_ID = "hpcsmodel"
    HELP = (
        "Cuts the final pit of the mine plan into the pre-mining DEM, so that the pristine "
        "landform (PNL) and the reshaped landforms are compared with the same pit at the "
        "same place (Xia et al. 2023, section 1.4: 'to exclude the final pit's influence, "
        "the same final pit is set at the same place in PNL'). Use the output as the "
        "reference (first layer) of 'Soil erosion comparison'.\n\n"
        "Inputs (one grid, metres, projected CRS): the pre-mining DEM, the floor of the "
        "lowest minable seam and the sub-area layer of 'Mining/refilling sub-area "
        "delineation' (fields period, kind; PLAN picks its 'optimized' or 'original' "
        "strips; both plans of one delineation share the final pit).\n\n"
        "The final pit is every cell mined and never refilled. Its surface is the one the "
        "near-natural and traditional landforms get: the seam floor at the bottom and "
        "plane walls rising from the floor to the DEM at the working-side, end-wall and "
        "dump-side angles (20, 13 and 8 degrees by default, the paper's Fig. 8): on a pit "
        "cell z = min(DEM, max(floor, max over the sides of DEM(rim) - L tan(angle))), L the "
        "distance (m) to that side's nearest rim cell. Every other cell, the refilled strips "
        "included, keeps the DEM's elevation.\n\n"
        "Numbers: cells in the final pit, the volume cut out of the DEM (m3) and the "
        "deepest cut (m).")

    INPUT = "INPUT"
    FLOOR = "FLOOR"
    SUBAREAS = "SUBAREAS"
    OUTPUT = "OUTPUT"
    PIT_CELLS = "PIT_CELLS"
    PIT_VOLUME = "PIT_VOLUME"
    MAX_DEPTH = "MAX_DEPTH"

    def initAlgorithm(self, config=None):  # noqa: N802
        self.add_plan_inputs()
        self.add_pit_angle_parameters()
        self.addParameter(QgsProcessingParameterRasterDestination(
            self.OUTPUT, self.tr("Pristine landform with the final pit"), optional=True,
            createByDefault=True))
        self.addOutput(QgsProcessingOutputNumber(self.PIT_CELLS,
                                                 self.tr("Cells in the final pit")))
        self.addOutput(QgsProcessingOutputNumber(self.PIT_VOLUME,
                                                 self.tr("Volume cut out of the DEM (m3)")))
        self.addOutput(QgsProcessingOutputNumber(self.MAX_DEPTH,
                                                 self.tr("Deepest cut below the DEM (m)")))

    def run_algorithm(self, parameters, context, feedback):
        dem, grid = self.read_raster(parameters, self.INPUT, context)
        floor, g = self.read_raster(parameters, self.FLOOR, context)
        self.require_same_grid(grid, g, self.FLOOR)
        strips = self.plan_strips(parameters, context, grid)
        res = pristine_with_pit(dem, floor, strips.mined_periods, strips.refilling,
                                grid.dx, grid.dy,
                                pit_angles=self.read_pit_angles(parameters, context),
                                progress=self.progress(feedback, 0, 90))
        if res.pit_cells == 0:
            feedback.pushWarning(self.tr(
                "The plan has no final pit (every mined cell is refilled): the output is "
                "the DEM."))
        feedback.pushInfo(self.tr(
            "Final pit in PNL: {0} cells, {1:.6g} m3 cut out of the DEM, deepest cut "
            "{2:.1f} m.").format(res.pit_cells, res.pit_volume, res.max_depth))
        out = self.write_raster(parameters, self.OUTPUT, context, res.landform, grid,
                                grid.float_dtype)
        return {self.OUTPUT: out, self.PIT_CELLS: res.pit_cells,
                self.PIT_VOLUME: res.pit_volume, self.MAX_DEPTH: res.max_depth}
