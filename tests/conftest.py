"""Test fixtures.

* The checkout is importable as ``hpcs_landform`` through ``build/`` (a link
  made here if ``make`` has not made it yet).
* ``provider`` registers the Processing provider once per session, on top of
  pytest-qgis's ``qgis_processing`` fixture; a reference is kept so the
  provider is not garbage-collected.
"""
import gc
import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "build"
DATA = ROOT / "tests" / "data"
LINK = BUILD / "hpcs_landform"
if not LINK.exists() or LINK.resolve() != ROOT:
    # (re)point build/hpcs_landform at this checkout
    BUILD.mkdir(exist_ok=True)
    if LINK.is_symlink() or LINK.exists():
        LINK.unlink()
    LINK.symlink_to(ROOT, target_is_directory=True)
if str(ROOT / "tests") not in sys.path:
    sys.path.insert(0, str(ROOT / "tests"))
if str(BUILD) not in sys.path:
    sys.path.insert(0, str(BUILD))


@pytest.fixture(autouse=True)
def _collect_while_qgis_runs():
    """Collect each test's garbage while QGIS still runs: a run's traceback or
    layers can keep QGIS objects (a QgsProcessingContext) in reference cycles,
    and collecting those after QGIS has exited, at the end of the session,
    crashes the interpreter (exit 139 after every test passed)."""
    yield
    gc.collect()


@pytest.fixture(scope="session")
def data_dir():
    return DATA


@pytest.fixture(scope="session")
def provider(qgis_processing):  # noqa: ARG001 (fixture dependency)
    from qgis.core import QgsApplication

    from hpcs_landform.provider import HpcsProvider

    registry = QgsApplication.processingRegistry()
    prov = registry.providerById("hpcs")
    if prov is None:
        prov = HpcsProvider()
        assert registry.addProvider(prov)
    yield prov


@pytest.fixture
def run_alg(provider, tmp_path):  # noqa: ARG001
    """processing.run with a fresh context; returns the result dict."""
    import processing
    from qgis.core import QgsProcessingContext, QgsProcessingFeedback

    def _run(alg_id, params, feedback=None):
        context = QgsProcessingContext()
        return processing.run(alg_id, params, context=context,
                              feedback=feedback or QgsProcessingFeedback())
    return _run
