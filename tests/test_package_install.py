"""Install from ZIP into a clean profile, as Plugins > Install from ZIP does (issue 14, item 4).

The zip of scripts/package.py (``make package``) is unpacked into
``<profile>/python/plugins/`` of a fresh QGIS profile and enabled the way the
plugin manager does it (QSettings ``PythonPlugins/hpcs_landform = true`` in the
profile's QGIS3.ini); QGIS_PLUGINPATH is NOT set, so nothing is found in the
checkout. Then:

* qgis_process.bin (that profile) loads the plugin, lists every algorithm of
  provider.ALGORITHMS and the shipped model, and runs hpcs:cutfill; the volumes
  are checked against numpy on the same rasters;
* QGIS desktop (qgis.bin under Xvfb, ``--profiles-path``) loads the plugin from
  the profile (not from the checkout), registers the provider and runs
  hpcs:cutfill through processing.run.
"""
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from qgis_process_util import QGIS_PROCESS, parse_results

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
DEM = SAMPLE / "jacksboro_fault_dem_utm16n_80m.tif"
FLOOR = SAMPLE / "seam_floor.tif"
sys.path.insert(0, str(ROOT / "scripts"))


def expected_ids():
    from hpcs_landform.provider import ALGORITHMS
    return {f"hpcs:{cls.NAME}" for cls in ALGORITHMS} | {
        f"hpcs:{p.stem}" for p in (ROOT / "models").glob("*.model3")}


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    import package as pkg
    out = pkg.main(["--out-dir", str(tmp_path_factory.mktemp("dist"))])
    assert out.exists()
    return out


def install(zip_path, root):
    """Unzip into root/profiles/default/python/plugins and enable the plugin in
    root/profiles/default/QGIS/QGIS3.ini, as the plugin manager does."""
    from qgis.PyQt.QtCore import QSettings
    profile = root / "profiles" / "default"
    plugins = profile / "python" / "plugins"
    plugins.mkdir(parents=True)
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(plugins)
    ini = QSettings(str(profile / "QGIS" / "QGIS3.ini"), QSettings.IniFormat)
    ini.setValue("PythonPlugins/hpcs_landform", True)
    ini.setValue("qgis/showTips", False)
    ini.setValue("qgis/checkVersion", False)
    ini.sync()
    assert ini.status() == QSettings.NoError
    os.chmod(root, 0o700)
    return plugins / "hpcs_landform"


def clean_env(root):
    env = {k: v for k, v in os.environ.items()
           if k not in ("QGIS_PLUGINPATH", "PYTHONPATH", "QGIS_CUSTOM_CONFIG_PATH")}
    env["XDG_RUNTIME_DIR"] = str(root)
    return env


def cutfill_expected():
    from osgeo import gdal
    a_ds, b_ds = gdal.Open(str(DEM)), gdal.Open(str(FLOOR))
    a = a_ds.GetRasterBand(1).ReadAsArray().astype(float)
    b = b_ds.GetRasterBand(1).ReadAsArray().astype(float)
    for arr, ds in ((a, a_ds), (b, b_ds)):
        nd = ds.GetRasterBand(1).GetNoDataValue()
        if nd is not None:
            arr[arr == nd] = np.nan
    gt = a_ds.GetGeoTransform()
    area = abs(gt[1] * gt[5])
    d = b - a
    ok = np.isfinite(d)
    return {"CUT": float(-d[ok & (d < 0)].sum() * area),
            "FILL": float(d[ok & (d > 0)].sum() * area)}


def test_zip_holds_the_plugin_only(package):
    with zipfile.ZipFile(package) as zf:
        names = zf.namelist()
    assert {n.split("/")[0] for n in names} == {"hpcs_landform"}
    for need in ("metadata.txt", "__init__.py", "plugin.py", "provider.py",
                 "models/hpcs_pipeline.model3", "icons/hpcs.svg", "algorithms/base.py"):
        assert f"hpcs_landform/{need}" in names, need
    assert not [n for n in names if n.split("/")[1] in ("tests", "benchmarks", "scripts",
                                                       "build", "dist", ".git")]


def test_qgis_process_in_clean_profile(package, tmp_path):
    root = tmp_path / "cfg"
    install(package, root)
    env = clean_env(root)
    env.update(QGIS_CUSTOM_CONFIG_PATH=str(root), QT_QPA_PLATFORM="offscreen")
    plugins = subprocess.run([QGIS_PROCESS, "plugins"], env=env, capture_output=True,
                             text=True, timeout=300)
    assert "hpcs_landform" in plugins.stdout, plugins.stdout + plugins.stderr
    listing = subprocess.run([QGIS_PROCESS, "list"], env=env, capture_output=True, text=True,
                             timeout=300)
    listed = {line.split("\t")[1] for line in listing.stdout.splitlines()
              if line.startswith("\thpcs:")}
    assert expected_ids() <= listed, expected_ids() - listed
    out = tmp_path / "diff.tif"
    run = subprocess.run([QGIS_PROCESS, "run", "hpcs:cutfill", "--", f"SURFACE_A={DEM}",
                          f"SURFACE_B={FLOOR}", "TOLERANCE=0.5", f"OUTPUT={out}",
                          f"OUTPUT_TABLE={tmp_path / 'cf.csv'}"],
                         env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    res = parse_results(run.stdout)
    want = cutfill_expected()
    assert want["CUT"] > 0
    for key in ("CUT", "FILL"):
        assert float(res[key]) == pytest.approx(want[key], rel=1e-6, abs=1.0), key
    assert out.exists() and (tmp_path / "cf.csv").exists()


def test_desktop_qgis_loads_it_from_the_profile(package, tmp_path):
    assert shutil.which("xvfb-run"), "xvfb-run is missing: apt-get install xvfb (make test does)"
    root = tmp_path / "profiles"
    installed = install(package, root)
    report = tmp_path / "report.json"
    env = clean_env(tmp_path)
    env.pop("QT_QPA_PLATFORM", None)           # a real X display (Xvfb)
    env.update(HPCS_PROBE_OUT=str(report), HPCS_PROBE_PARAMS=json.dumps({
        "SURFACE_A": str(DEM), "SURFACE_B": str(FLOOR), "TOLERANCE": 0.5,
        "OUTPUT": str(tmp_path / "diff.tif"), "OUTPUT_TABLE": str(tmp_path / "cf.csv")}))
    cmd = ["xvfb-run", "-a", "-s", "-screen 0 1280x1024x24", "/usr/bin/qgis.bin", "--nologo",
           "--noversioncheck", "--profiles-path", str(root),
           "--code", str(ROOT / "tests" / "package_install_probe.py")]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert report.exists(), proc.stdout[-2000:] + proc.stderr[-2000:]
    r = json.loads(report.read_text(encoding="utf-8"))
    assert "error" not in r, r["error"]
    assert "hpcs_landform" in r["plugins"] and "hpcs_landform" in r["active"]
    assert Path(r["module_file"]).resolve().parent == installed.resolve()
    assert r["provider"] == "HPCS Landform"
    assert expected_ids() <= set(r["algorithms"]), expected_ids() - set(r["algorithms"])
    want = cutfill_expected()
    for key in ("CUT", "FILL"):
        assert r["run"][key] == pytest.approx(want[key], rel=1e-6, abs=1.0), key
