"""Writes hpcs_surfaces_chain.model3 (run with QGIS's Python, the plugin importable):

    python3 tests/models/build_surfaces_chain.py

Model inputs: 'dem' (raster) and 'area' (polygons).  Children:
'channels' = hpcs:channelextraction, 'classify' = hpcs:classifycells,
'surfaces' = hpcs:earthworksurfaces.  Model outputs: classify:classes,
surfaces:dem_max, surfaces:dem_min.
"""
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "build"))

from qgis.core import (  # noqa: E402
    QgsApplication,
    QgsProcessing,
    QgsProcessingModelAlgorithm,
    QgsProcessingModelChildAlgorithm,
    QgsProcessingModelChildParameterSource,
    QgsProcessingModelOutput,
    QgsProcessingModelParameter,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterRasterLayer,
)
from qgis.PyQt.QtCore import QPointF  # noqa: E402


def main():
    app = QgsApplication([], False)
    app.initQgis()
    from hpcs_landform import provider as prov
    from hpcs_landform.algorithms.channel_extraction import ChannelExtraction
    from hpcs_landform.algorithms.classify_cells import ClassifyCells
    from hpcs_landform.algorithms.earthwork_surfaces import EarthworkSurfaces
    # only the three algorithms the model needs (the others may be mid-edit)
    prov.ALGORITHMS[:] = [ChannelExtraction, ClassifyCells, EarthworkSurfaces]
    provider = prov.HpcsProvider()
    QgsApplication.processingRegistry().addProvider(provider)

    m = QgsProcessingModelAlgorithm("HPCS surfaces chain", "HPCS model")
    m.addModelParameter(QgsProcessingParameterRasterLayer("dem", "Pre-mining DEM"),
                        QgsProcessingModelParameter("dem"))
    m.addModelParameter(QgsProcessingParameterFeatureSource(
        "area", "Reshaping area", [QgsProcessing.TypeVectorPolygon]),
        QgsProcessingModelParameter("area"))
    src_param = QgsProcessingModelChildParameterSource.fromModelParameter

    def out_of(child, name):
        return QgsProcessingModelChildParameterSource.fromChildOutput(child, name)

    ch = QgsProcessingModelChildAlgorithm("hpcs:channelextraction")
    ch.setChildId("channels")
    ch.setDescription("Channel and ridge extraction")
    ch.addParameterSources("INPUT", [src_param("dem")])
    ch.setPosition(QPointF(300, 100))
    m.addChildAlgorithm(ch)

    cl = QgsProcessingModelChildAlgorithm("hpcs:classifycells")
    cl.setChildId("classify")
    cl.setDescription("Hydrological cell classification")
    cl.addParameterSources("INPUT", [src_param("dem")])
    cl.addParameterSources("AREA", [src_param("area")])
    for p, o in (("FLOWDIR", "OUTPUT_FLOWDIR"), ("CHANNELS", "OUTPUT_CHANNELS"),
                 ("RIDGES", "OUTPUT_RIDGES"), ("CATCHMENTS", "OUTPUT_CATCHMENTS")):
        cl.addParameterSources(p, [out_of("channels", o)])
    out = QgsProcessingModelOutput("classes", "Cell classes")
    out.setChildId("classify")
    out.setChildOutputName("OUTPUT")
    cl.setModelOutputs({"classes": out})
    cl.setPosition(QPointF(300, 250))
    m.addChildAlgorithm(cl)

    sf = QgsProcessingModelChildAlgorithm("hpcs:earthworksurfaces")
    sf.setChildId("surfaces")
    sf.setDescription("Minimum and maximum earthwork surfaces")
    sf.addParameterSources("INPUT", [src_param("dem")])
    sf.addParameterSources("CLASSES", [out_of("classify", "OUTPUT")])
    sf.addParameterSources("FLOWDIR", [out_of("channels", "OUTPUT_FLOWDIR")])
    sf.addParameterSources("CATCHMENTS", [out_of("channels", "OUTPUT_CATCHMENTS")])
    outs = {}
    for name, child_out, label in (("dem_max", "OUTPUT_MAX", "Maximum earthwork surface"),
                                   ("dem_min", "OUTPUT_MIN", "Minimum earthwork surface")):
        o = QgsProcessingModelOutput(name, label)
        o.setChildId("surfaces")
        o.setChildOutputName(child_out)
        outs[name] = o
    sf.setModelOutputs(outs)
    sf.setPosition(QPointF(300, 400))
    m.addChildAlgorithm(sf)
    m.updateDestinationParameters()
    path = HERE / "hpcs_surfaces_chain.model3"
    assert m.toFile(str(path)), "could not write the model"
    print(path)


if __name__ == "__main__":
    main()
