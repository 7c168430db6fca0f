"""Simplified Chinese translations (i18n/hpcs_landform_zh_CN.ts and .qm, issue 8).

* the .ts has a finished translation for every string the plugin shows now
  (scripts/translations.py --check re-collects them in a subprocess);
* the compiled .qm holds exactly the .ts translations;
* with the .qm installed, every algorithm (and the shipped model) has a Chinese
  display name, parameter labels, enum options, output labels and help, and
  every translation keeps the {0}-style placeholders and line breaks of its
  English source and has no '<' or '>' (help is rendered as HTML);
* the plugin installs the translator for QGIS's translation codes zh_CN and
  zh-Hans (what `qgis --lang` and Settings > Options set) and not for English.

The GUI check in Chinese (qgis --lang zh_CN) is in tests/test_gui.py.
"""
import os
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TS = ROOT / "i18n" / "hpcs_landform_zh_CN.ts"
QM = ROOT / "i18n" / "hpcs_landform_zh_CN.qm"
CJK = re.compile(r"[\u4e00-\u9fff]")
FIELD = re.compile(r"\{[^{}]*\}|%[sdfg]")


def messages():
    """[(context, source, translation or None if unfinished)] of the .ts."""
    out = []
    for ctx in ET.parse(TS).getroot().iter("context"):
        name = ctx.findtext("name")
        for msg in ctx.iter("message"):
            tr = msg.find("translation")
            done = tr is not None and tr.text and tr.get("type") is None
            out.append((name, msg.findtext("source"), tr.text if done else None))
    return out


def chinese(text):
    return bool(text) and CJK.search(text) is not None


def test_every_current_string_is_translated():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run(["/usr/bin/python3", str(ROOT / "scripts" / "translations.py"),
                           "--check"], env=env, capture_output=True, text=True, timeout=300,
                          check=False)
    assert proc.returncode == 0, (
        "strings without a Chinese translation - run `make translations`, translate the "
        "unfinished entries of i18n/hpcs_landform_zh_CN.ts and run `make translations` "
        "again:\n" + proc.stdout[-3000:] + proc.stderr[-2000:])
    # the collector found the algorithms and the model (not an empty run)
    n = int(re.search(r"(\d+) strings, 0 untranslated", proc.stdout).group(1))
    assert n >= 300, proc.stdout


def test_ts_has_no_unfinished_entry():
    msgs = messages()
    todo = [(c, s[:80]) for c, s, t in msgs if t is None]
    assert not todo, f"unfinished in {TS.name} (translate them, then `make translations`): {todo}"
    contexts = {c for c, _, _ in msgs}
    assert {"HpcsAlgorithm", "HpcsProvider", "ChannelExtraction", "SubareaDelineation",
            "hpcs_pipeline"} <= contexts


def test_translations_keep_placeholders_line_breaks_and_have_no_markup():
    for ctx, src, tr in messages():
        where = f"[{ctx}] {src[:60]!r}"
        assert sorted(FIELD.findall(tr)) == sorted(FIELD.findall(src)), where
        assert tr.count("\n") == src.count("\n"), where
        assert "<" not in tr and ">" not in tr, where
        assert chinese(tr), where


@pytest.fixture
def zh_translator(qgis_app):  # noqa: ARG001
    """The .qm installed for the duration of one test (removed after it, so the
    other tests keep English)."""
    from qgis.PyQt.QtCore import QCoreApplication, QTranslator
    translator = QTranslator()
    assert translator.load(str(QM)), f"{QM} does not load"
    QCoreApplication.installTranslator(translator)
    yield translator
    QCoreApplication.removeTranslator(translator)


def test_qm_holds_the_ts_translations(zh_translator):
    for ctx, src, tr in messages():
        assert zh_translator.translate(ctx, src) == tr, (
            f"[{ctx}] {src[:60]!r}: the .qm is older than the .ts; run `make translations`")


def test_algorithms_are_chinese_with_the_qm(provider, zh_translator):  # noqa: ARG001
    from qgis.core import QgsProcessingParameterEnum

    from hpcs_landform.algorithms.base import HpcsAlgorithm
    from hpcs_landform.provider import ALGORITHMS, PLUGIN_DIR, ShippedModel
    algs = [cls() for cls in ALGORITHMS]
    for alg in algs:
        alg.initAlgorithm({})
    models = sorted(Path(PLUGIN_DIR, "models").glob("*.model3"))
    assert models
    algs += [ShippedModel(str(path)) for path in models]
    for alg in algs:
        name = alg.name()
        assert chinese(alg.displayName()), name
        assert chinese(alg.group()), name
        assert chinese(alg.shortHelpString()), name
        for p in alg.parameterDefinitions():
            assert chinese(p.description()), (name, p.name(), p.description())
            if isinstance(p, QgsProcessingParameterEnum):
                assert all(chinese(o) for o in p.options()), (name, p.name(), p.options())
        for o in alg.outputDefinitions():
            assert chinese(o.description()), (name, o.name(), o.description())
        if isinstance(alg, HpcsAlgorithm):
            # placeholders of the translated help and labels are those of the English
            assert sorted(FIELD.findall(alg.shortHelpString())) == sorted(
                FIELD.findall(alg.HELP)), name
            assert "<" not in alg.shortHelpString() and ">" not in alg.shortHelpString()
    # a message with placeholders formats the same fields in Chinese; the base
    # class's messages are translated once, in the context 'HpcsAlgorithm'
    alg = algs[0]
    base = {src for ctx, src, _ in messages() if ctx == "HpcsAlgorithm"}
    assert "Parameter {0}: '{1}' is not a valid raster layer." in base
    assert not [(ctx, src) for ctx, src, _ in messages()
                if ctx != "HpcsAlgorithm" and src in base]
    text = alg.tr("Parameter {0}: '{1}' is not a valid raster layer.")
    assert chinese(text) and text.format("DEM", "x.tif").count("DEM") == 1
    assert "x.tif" in text.format("DEM", "x.tif")


def test_english_without_the_qm(provider):
    """The registered algorithms stay English (the fixture removed the translator)."""
    from qgis.core import QgsApplication
    alg = QgsApplication.processingRegistry().algorithmById("hpcs:subareadelineation")
    assert alg.displayName() == "Mining/refilling sub-area delineation"
    assert not chinese(alg.shortHelpString())


@pytest.mark.parametrize("code, loaded", [("zh_CN", True), ("zh-Hans", True), ("zh", True),
                                         ("en_US", False), ("de", False)])
def test_plugin_installs_the_translator_for_chinese(qgis_app, code, loaded):
    from qgis.core import QgsApplication

    from hpcs_landform.plugin import HpcsLandformPlugin
    app = QgsApplication.instance()
    before = app.translation()
    QgsApplication.setTranslation(code)
    try:
        plugin = HpcsLandformPlugin(None)
        assert (plugin.translator is not None) == loaded, code
        if loaded:
            from qgis.PyQt.QtCore import QCoreApplication
            assert QCoreApplication.translate("HpcsProvider", "HPCS Landform") != "HPCS Landform"
        plugin.unload()
        from qgis.PyQt.QtCore import QCoreApplication
        assert QCoreApplication.translate("HpcsProvider", "HPCS Landform") == "HPCS Landform"
    finally:
        QgsApplication.setTranslation(before)
