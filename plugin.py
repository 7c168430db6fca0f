"""The QGIS plugin object: registers the Processing provider."""
import os

from qgis.core import QgsApplication
from qgis.PyQt.QtCore import QCoreApplication, QLocale, QSettings, QTranslator

from .provider import HpcsProvider

PLUGIN_DIR = os.path.dirname(__file__)
#: QGIS translation codes served by one of our .qm files (QGIS calls Simplified Chinese zh-Hans)
LOCALE_ALIASES = {"zh_Hans": "zh_CN", "zh_SG": "zh_CN", "zh": "zh_CN"}


class HpcsLandformPlugin:
    def __init__(self, iface=None):
        self.iface = iface
        self.provider = None
        self.translator = None
        self._install_translator()

    def _install_translator(self):
        # QGIS's own translation code (--lang or Settings > Options > General, e.g.
        # "zh-Hans"); QgsApplication.locale() stays "C" / "en" with `qgis --lang zh_CN`
        try:
            translation = QgsApplication.instance().translation()
        except (AttributeError, TypeError):
            translation = ""
        locale = (translation or QgsApplication.locale() or QSettings().value("locale/userLocale")
                  or QLocale.system().name() or "").replace("-", "_")
        for name in (locale, locale[:5], locale[:2]):
            name = LOCALE_ALIASES.get(name, name)
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
