"""The pristine landform with the final pit (PNL for the erosion comparison).

Xia et al. (2023), section 1.4: "to exclude the final pit's influence, the
same final pit is set at the same place in PNL" before the landscape
evolution runs.  PNL is the pre-mining DEM everywhere except on the final
pit (cells mined and never refilled, ``landform.mine_zones``), which gets the
pit surface of the landforms (``landform.pit_surface``: the seam floor H_d at
the bottom, walls at the working-side, end-wall and dump-side angles, Fig. 8)
assembled as the landforms assemble theirs (``landform.assemble``).  Cells
mined and refilled keep dem_or: PNL has no dump.
"""
from dataclasses import dataclass

import numpy as np

from . import landform as lf
from .errors import as_progress


@dataclass
class PristineResult:
    landform: np.ndarray     # dem_or with the final pit cut in
    pit: np.ndarray          # bool, the final pit's cells
    pit_cells: int
    pit_volume: float        # m3 taken out of dem_or: sum (dem_or - z) L_t^2 over the pit
    max_depth: float         # m, deepest cut below dem_or (0 without a pit)


def pristine_with_pit(dem_or, floor, mining, refilling, dx, dy, *, pit_angles=lf.PIT_ANGLES,
                      progress=None):
    """PNL with the landforms' final pit (section 1.4; pit geometry of Fig. 8).

    dem_or, floor: elevation arrays (m) on one grid; mining, refilling: int
    label rasters of one plan (period of the strip containing each cell
    centre, 0 = none; ``mining`` over every mined feature, as the landform
    steps read it); dx, dy: cell size (m); pit_angles: working side, end
    walls, dump side (degrees).  z = assemble(dem_or, dem_or, pit, dump,
    pit_surface(...)), i.e. the pit surface on the pit, dem_or elsewhere.
    """
    progress = as_progress(progress)
    lf.check_same_shape(INPUT=dem_or, FLOOR=floor, mining=mining, refilling=refilling)
    dem_or, floor, mining, refilling, dump, pit, _ = lf.prepare_plan(
        dem_or, floor, mining, refilling)
    progress(10)
    pit_z = lf.pit_surface(dem_or, floor, mining, refilling, dx, dy, pit_angles)
    progress(80)
    z = lf.assemble(dem_or, dem_or, pit, dump, pit_z)
    cut = (dem_or - z)[pit]
    progress(100)
    return PristineResult(landform=z, pit=pit, pit_cells=int(pit.sum()),
                          pit_volume=float(cut.sum() * dx * dy),
                          max_depth=float(cut.max()) if cut.size else 0.0)
