"""The QGIS plugin object: registers the Processing provider."""
import os

from qgis.core import QgsApplication
from qgis.PyQt.QtCore import QCoreApplication, QLocale, QSettings, QTranslator

from .provider import HpcsProvider

PLUGIN_DIR = os.path.dirname(__file__)


class HpcsLandformPlugin:
    def __init__(self, iface=None):
        self.iface = iface
        self.provider = None
        self.translator = None
        self._install_translator()

    def _install_translator(self):
        locale = (QgsApplication.locale() or QSettings().value("locale/userLocale")
                  or QLocale.system().name() or "")[:5]
        for name in (locale, locale[:2]):
            path = os.path.join(PLUGIN_DIR, "i18n", f"hpcs_landform_{name}.qm")
            if name and os.path.exists(path):
                self.translator = QTranslator()
                if self.translator.load(path):
                    QCoreApplication.installTranslator(self.translator)
                break

    def initProcessing(self):  # noqa: N802
        if self.provider is None:
            self.provider = HpcsProvider()
            QgsApplication.processingRegistry().addProvider(self.provider)

    def initGui(self):  # noqa: N802
        self.initProcessing()

    def unload(self):
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
        if self.translator is not None:
            QCoreApplication.removeTranslator(self.translator)
            self.translator = None
