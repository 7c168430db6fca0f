"""Smoke tests through /usr/bin/qgis_process.bin (the batch user's path)."""
import numpy as np
from qgis_process_util import parse_results, qgis_process, run_qgis_process

from hpcs_landform.core.grid import read_raster


def test_provider_listed_and_help(tmp_path):
    proc = qgis_process(["list"], tmp_path / "profile")
    assert proc.returncode == 0, proc.stderr
    assert "hpcs:channelextraction" in proc.stdout
    proc = qgis_process(["help", "hpcs:channelextraction"], tmp_path / "profile")
    assert proc.returncode == 0, proc.stderr
    for name in ("INPUT", "BAND", "THRESHOLD_METHOD", "CHANNEL_THRESHOLD", "RIDGE_THRESHOLD",
                 "OUTPUT_FILLED", "OUTPUT_FLOWDIR", "OUTPUT_ACCUMULATION", "OUTPUT_CHANNELS",
                 "OUTPUT_RIDGES", "OUTPUT_CATCHMENTS", "CHANNEL_THRESHOLD_USED",
                 "RIDGE_THRESHOLD_USED"):
        assert name in proc.stdout, name


def test_run_channel_extraction(tmp_path, data_dir):
    out = tmp_path / "channels.tif"
    code, stdout, stderr = run_qgis_process("hpcs:channelextraction", {
        "INPUT": data_dir / "r_stars_olinda_dem_utm25s.tif",
        "OUTPUT_CHANNELS": out, "OUTPUT_ACCUMULATION": tmp_path / "acc.tif"}, tmp_path)
    assert code == 0, stdout + stderr
    res = parse_results(stdout)
    t = float(res["CHANNEL_THRESHOLD_USED"])
    ch, _ = read_raster(out)
    acc, _ = read_raster(tmp_path / "acc.tif")
    valid = np.isfinite(acc)
    assert np.array_equal(ch[valid] == 1, acc[valid] >= t)
    assert (tmp_path / "channels.qml").exists()


def test_bad_input_message(tmp_path):
    bad = tmp_path / "bad.tif"
    bad.write_text("not a raster")
    code, stdout, stderr = run_qgis_process("hpcs:channelextraction", {"INPUT": bad}, tmp_path)
    assert code != 0
    assert "INPUT" in stdout + stderr
    assert "Traceback" not in stdout + stderr
