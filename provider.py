"""The Processing provider "HPCS Landform" (id ``hpcs``)."""
import glob
import os

from qgis.core import QgsProcessingModelAlgorithm, QgsProcessingProvider, QgsMessageLog, Qgis
from qgis.PyQt.QtCore import QCoreApplication
from qgis.PyQt.QtGui import QIcon

from .algorithms.channel_extraction import ChannelExtraction
from .algorithms.near_natural_landform import NearNaturalLandform
from .algorithms.traditional_landform import TraditionalLandform
from .algorithms.cut_fill import CutFill
from .algorithms.classify_cells import ClassifyCells
from .algorithms.earthwork_surfaces import EarthworkSurfaces
from .algorithms.subarea_delineation import SubareaDelineation
from .algorithms.fusion_rate import FusionRate
from .algorithms.haul_distance import HaulDistance
from .algorithms.erosion_comparison import ErosionComparison
from .algorithms.comparison_report import ComparisonReport
from .algorithms.damage_degree import DamageDegree
from .algorithms.fracture_network import FractureNetwork
from .algorithms.resilience_index import ResilienceIndex

PLUGIN_DIR = os.path.dirname(__file__)

#: every algorithm class the provider offers, in Toolbox order
ALGORITHMS = [
    ChannelExtraction,
    NearNaturalLandform,
    TraditionalLandform,
    CutFill,
    ClassifyCells,
    EarthworkSurfaces,
    SubareaDelineation,
    FusionRate,
    HaulDistance,
    ErosionComparison,
    ComparisonReport,
    ResilienceIndex,
    DamageDegree,
    FractureNetwork,
]


class HpcsProvider(QgsProcessingProvider):
    def id(self):
        return "hpcs"

    def name(self):
        return QCoreApplication.translate("HpcsProvider", "HPCS Landform")

    def longName(self):  # noqa: N802
        return self.name()

    def icon(self):
        return QIcon(os.path.join(PLUGIN_DIR, "icons", "hpcs.svg"))

    def svgIconPath(self):  # noqa: N802
        return os.path.join(PLUGIN_DIR, "icons", "hpcs.svg")

    def loadAlgorithms(self):  # noqa: N802
        for cls in ALGORITHMS:
            # Build a probe first: an exception raised while QGIS itself calls
            # initAlgorithm would abort QGIS (PyQt turns it into qFatal), so a
            # broken algorithm is logged and skipped instead.
            try:
                cls().initAlgorithm({})
            except Exception as exc:  # noqa: BLE001
                QgsMessageLog.logMessage(f"HPCS Landform: algorithm {cls.__name__} could not "
                                         f"be loaded: {exc!r}", "HPCS Landform", Qgis.Critical)
                continue
            self.addAlgorithm(cls())
        for path in sorted(glob.glob(os.path.join(PLUGIN_DIR, "models", "*.model3"))):
            model = QgsProcessingModelAlgorithm()
            if model.fromFile(path):
                self.addAlgorithm(model)
            else:
                QgsMessageLog.logMessage(f"Could not load model {path}", "HPCS Landform",
                                         Qgis.Warning)
