"""HPCS Landform: QGIS Processing plugin for near-natural mine dump landforms."""


def classFactory(iface):  # noqa: N802 (QGIS API name)
    from .plugin import HpcsLandformPlugin
    return HpcsLandformPlugin(iface)
