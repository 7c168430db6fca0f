"""hpcs:channelextraction through processing.run."""
import numpy as np
import pytest
from rasters import write_tif as _write_tif

from hpcs_landform.core.grid import read_raster

OUTS = ("OUTPUT_FILLED", "OUTPUT_FLOWDIR", "OUTPUT_ACCUMULATION", "OUTPUT_CHANNELS",
        "OUTPUT_RIDGES", "OUTPUT_CATCHMENTS")


def _write(path, array, epsg=32616, gt=(0, 30, 0, 3000, 0, -30), nodata=None):
    return _write_tif(path, array, gt, epsg=epsg, nodata=nodata, dtype="float32")


def test_outputs_on_real_dem(run_alg, data_dir, tmp_path):
    dem = str(data_dir / "r_stars_olinda_dem_utm25s.tif")
    params = {"INPUT": dem, "THRESHOLD_METHOD": 0}
    params.update({k: str(tmp_path / f"{k.lower()}.tif") for k in OUTS})
    res = run_alg("hpcs:channelextraction", params)
    z, g = read_raster(dem)
    for k in OUTS:
        arr, og = read_raster(res[k])
        assert og.same_as(g), k
        assert og.crs_wkt, k
        assert (tmp_path / f"{k.lower()}.qml").exists() or k == "OUTPUT_FILLED"
    t = res["CHANNEL_THRESHOLD_USED"]
    assert t >= 2
    acc, _ = read_raster(res["OUTPUT_ACCUMULATION"])
    ch, _ = read_raster(res["OUTPUT_CHANNELS"])
    valid = np.isfinite(z)
    # the channel mask is exactly accumulation >= reported threshold
    assert np.array_equal(ch[valid] == 1, acc[valid] >= t)
    fd, _ = read_raster(res["OUTPUT_FLOWDIR"])
    assert set(np.unique(fd[valid])) <= {0, 1, 2, 4, 8, 16, 32, 64, 128}


def test_fixed_threshold(run_alg, data_dir, tmp_path):
    res = run_alg("hpcs:channelextraction", {
        "INPUT": str(data_dir / "landlab_hugo_site.tif"), "THRESHOLD_METHOD": 2,
        "CHANNEL_THRESHOLD": 50, "RIDGE_THRESHOLD": 40,
        "OUTPUT_CHANNELS": str(tmp_path / "ch.tif")})
    assert res["CHANNEL_THRESHOLD_USED"] == 50
    assert res["RIDGE_THRESHOLD_USED"] == 40


def test_fixed_threshold_left_blank_names_the_parameter(run_alg, data_dir, tmp_path):
    """CHANNEL_THRESHOLD has no default: 'Fixed' without it says which input is missing
    and writes nothing."""
    from qgis.core import QgsProcessingException
    with pytest.raises(QgsProcessingException, match="needs CHANNEL_THRESHOLD"):
        run_alg("hpcs:channelextraction", {
            "INPUT": str(data_dir / "landlab_hugo_site.tif"), "THRESHOLD_METHOD": 2,
            "OUTPUT_CHANNELS": str(tmp_path / "ch.tif")})
    assert not (tmp_path / "ch.tif").exists()


@pytest.mark.parametrize("case, message", [
    ("geographic", "geographic CRS"),
    ("nodata", "no valid cells"),
    ("constant", "flat"),
    ("tiny", "1 x 1"),
    ("notraster", "INPUT"),
])
def test_bad_inputs_give_clear_errors(run_alg, tmp_path, case, message):
    from qgis.core import QgsProcessingException
    if case == "geographic":
        path = _write(tmp_path / "g.tif", np.random.default_rng(0).random((20, 20)), epsg=4326,
                      gt=(10.0, 0.001, 0, 50.0, 0, -0.001))
    elif case == "nodata":
        path = _write(tmp_path / "n.tif", np.full((10, 10), -9999.0), nodata=-9999.0)
    elif case == "constant":
        path = _write(tmp_path / "c.tif", np.full((10, 10), 5.0))
    elif case == "tiny":
        path = _write(tmp_path / "t.tif", np.full((1, 1), 5.0))
    else:
        path = str(tmp_path / "x.tif")
        with open(path, "w") as fh:
            fh.write("this is not a raster\n")
    with pytest.raises(QgsProcessingException) as err:
        run_alg("hpcs:channelextraction", {"INPUT": path,
                                           "OUTPUT_FILLED": str(tmp_path / "f.tif")})
    assert message in str(err.value)
    assert not (tmp_path / "f.tif").exists()


def test_progress_and_cancel(run_alg, data_dir, tmp_path):
    from qgis.core import QgsProcessingException, QgsProcessingFeedback

    seen = []
    fb = QgsProcessingFeedback()
    fb.progressChanged.connect(seen.append)
    run_alg("hpcs:channelextraction", {"INPUT": str(data_dir / "landlab_hugo_site.tif"),
                                       "OUTPUT_CHANNELS": str(tmp_path / "a.tif")}, fb)
    assert seen and max(seen) == 100 and seen == sorted(seen)

    class CancelSoon(QgsProcessingFeedback):
        def __init__(self):
            super().__init__()
            self.calls = 0

        def setProgress(self, p):  # noqa: N802
            self.calls += 1
            if self.calls == 2:
                self.cancel()
            super().setProgress(p)

    out = tmp_path / "cancelled.tif"
    with pytest.raises(QgsProcessingException) as err:
        run_alg("hpcs:channelextraction", {"INPUT": str(data_dir / "landlab_hugo_site.tif"),
                                           "OUTPUT_CHANNELS": str(out)}, CancelSoon())
    assert "cancel" in str(err.value).lower()
    assert not out.exists()


def test_weak_break_is_warned(run_alg, data_dir, tmp_path):
    # the demo's 25 m window has one power law in D(T) (tests/test_threshold_core.py:
    # slopes within 0.06 of each other): the channel step says its threshold is not
    # set by the terrain; jacksboro's clear break is not warned about
    from pathlib import Path

    from qgis.core import QgsProcessingFeedback

    class Warnings(QgsProcessingFeedback):
        def __init__(self):
            super().__init__()
            self.seen = []

        def pushWarning(self, text):  # noqa: N802
            self.seen.append(text)
            super().pushWarning(text)

    demo = Path(__file__).resolve().parents[1] / "data" / "demo" / "dem_25m.tif"
    for dem, weak in ((demo, True), (data_dir / "jacksboro_fault_dem_utm16n_80m.tif", False)):
        fb = Warnings()
        res = run_alg("hpcs:channelextraction", {
            "INPUT": str(dem), "OUTPUT_CHANNELS": str(tmp_path / f"{dem.stem}.tif")}, fb)
        said = [w for w in fb.seen if w.startswith("Weak channel break")]
        assert bool(said) == weak, fb.seen
        if weak:
            assert f"threshold of {res['CHANNEL_THRESHOLD_USED']:g} cells" in said[0]
