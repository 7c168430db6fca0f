"""hpcs:channelextraction - channels and ridges with the OTSU threshold."""
import numpy as np
from qgis.core import (
    QgsProcessingOutputNumber,
    QgsProcessingParameterBand,
    QgsProcessingParameterEnum,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterDestination,
    QgsProcessingParameterRasterLayer,
)

from ..core import styles
from ..core.channels import METHODS, extract_channels
from .base import HpcsAlgorithm


class ChannelExtraction(HpcsAlgorithm):
    NAME = "channelextraction"
    DISPLAY_NAME = "Channel and ridge extraction (OTSU)"
    GROUP_ID = "hydrology"
    HELP = (
        "Extracts the runoff channels and the ridges (watershed lines) of a DEM, the first "
        "step of the HPCS model (Xia et al. 2023, section 1.1.2).\n\n"
        "The DEM (elevations in metres, projected CRS in metres) is depression-filled "
        "(priority-flood spill surface), flats are given a drainage gradient (Barnes et al. "
        "2014), and every cell drains to its steepest D8 neighbour (drop / distance, real "
        "cell width and height; ties to the first of E, SE, S, SW, W, NW, N, NE). Edge cells "
        "and cells next to nodata drain out of the grid.\n\n"
        "Channels are the cells whose flow accumulation (cells, the cell itself included) "
        "reaches the channel threshold; ridges are the channels of the inverted DEM "
        "(max - z) with their own threshold.\n\n"
        "Threshold method:\n"
        "- Otsu (scaling break), the paper's: channel density D(T) is computed for "
        "thresholds T on a geometric series (10 a decade, from 5 cells to 0.003 x the "
        "largest contributing area, so the same areas at any cell size); log D against "
        "log T has a steeper hillslope regime and a shallower fractal channel regime, and "
        "Otsu's criterion splits the local log-log slopes (fitted over 0.2 decade either "
        "side) into the two regimes. The threshold is the break, a contributing area of "
        "the terrain.\n"
        "- Otsu (histogram): Otsu's threshold on the histogram of log accumulation.\n"
        "- Fixed: the two thresholds given below, in cells (CHANNEL_THRESHOLD, blank for the "
        "other methods, must then be given).\n\n"
        "Outputs: the filled DEM, flow directions in ESRI codes (1 E, 2 SE, 4 S, 8 SW, 16 W, "
        "32 NW, 64 N, 128 NE, 0 drains out of the grid), accumulation, channel and ridge "
        "masks (1/0), and catchments (one id per channel link; every cell carries the id of "
        "the link it drains to, 0 if it leaves the grid before reaching a channel). The "
        "thresholds used are reported as numbers."
    )

    INPUT = "INPUT"
    BAND = "BAND"
    THRESHOLD_METHOD = "THRESHOLD_METHOD"
    CHANNEL_THRESHOLD = "CHANNEL_THRESHOLD"
    RIDGE_THRESHOLD = "RIDGE_THRESHOLD"
    OUTPUT_FILLED = "OUTPUT_FILLED"
    OUTPUT_FLOWDIR = "OUTPUT_FLOWDIR"
    OUTPUT_ACCUMULATION = "OUTPUT_ACCUMULATION"
    OUTPUT_CHANNELS = "OUTPUT_CHANNELS"
    OUTPUT_RIDGES = "OUTPUT_RIDGES"
    OUTPUT_CATCHMENTS = "OUTPUT_CATCHMENTS"
    CHANNEL_THRESHOLD_USED = "CHANNEL_THRESHOLD_USED"
    RIDGE_THRESHOLD_USED = "RIDGE_THRESHOLD_USED"

    METHOD_LABELS = ["Otsu (scaling break)", "Otsu (histogram)", "Fixed"]

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterRasterLayer(
            self.INPUT, self.tr("DEM (elevation in metres, projected CRS)")))
        self.addParameter(QgsProcessingParameterBand(
            self.BAND, self.tr("Band"), 1, self.INPUT, optional=True))
        self.addParameter(QgsProcessingParameterEnum(
            self.THRESHOLD_METHOD, self.tr("Threshold method"),
            options=[self.tr(s) for s in self.METHOD_LABELS], defaultValue=0))
        self.add_parameter(self.CHANNEL_THRESHOLD, optional=True)
        self.addParameter(QgsProcessingParameterNumber(
            self.RIDGE_THRESHOLD, self.tr("Ridge threshold (cells, used by 'Fixed')"),
            QgsProcessingParameterNumber.Integer, defaultValue=100, minValue=2))
        for name, label in (
                (self.OUTPUT_FILLED, "Depression-filled DEM"),
                (self.OUTPUT_FLOWDIR, "Flow direction (ESRI D8 codes)"),
                (self.OUTPUT_ACCUMULATION, "Flow accumulation (cells)"),
                (self.OUTPUT_CHANNELS, "Channels (1/0)"),
                (self.OUTPUT_RIDGES, "Ridges (1/0)"),
                (self.OUTPUT_CATCHMENTS, "Catchments (channel link ids)")):
            self.addParameter(QgsProcessingParameterRasterDestination(
                name, self.tr(label), optional=True, createByDefault=True))
        self.addOutput(QgsProcessingOutputNumber(
            self.CHANNEL_THRESHOLD_USED, self.tr("Channel threshold used (cells)")))
        self.addOutput(QgsProcessingOutputNumber(
            self.RIDGE_THRESHOLD_USED, self.tr("Ridge threshold used (cells)")))

    def _output(self, net, field, valid, n_links, grid):
        """(array to write, style) of one output of the network ``net``."""
        a = getattr(net, field)
        if field == "filled":                 # in the written type: no float64 copy
            out = a.astype(grid.float_dtype)
            out[~valid] = grid.nodata
            return out, None
        if field == "flowdir":
            return a, styles.flowdir_style()
        if field == "accumulation":
            top = float(np.nanmax(a))
            out = np.full(a.shape, -1, dtype=np.int32)
            np.copyto(out, a, where=valid, casting="unsafe")
            return out, styles.log_ramp_style(top)
        if field in ("channels", "ridges"):
            out = a.astype(np.uint8)
            out[~valid] = 255
            if field == "channels":
                return out, styles.mask_style(self.tr("channel"), "#1f6fd1")
            return out, styles.mask_style(self.tr("ridge"), "#c0392b")
        return a.astype(np.int32, copy=False), styles.categories_style(
            range(n_links + 1), self.tr("catchment"))

    def run_algorithm(self, parameters, context, feedback):
        band = self.parameterAsInt(parameters, self.BAND, context) or 1
        z, grid = self.read_raster(parameters, self.INPUT, context, band=band)
        method = METHODS[self.parameterAsEnum(parameters, self.THRESHOLD_METHOD, context)]
        valid = np.isfinite(z)
        held = [z]                # the DEM is handed over: freed once conditioned (memory)
        del z
        net = extract_channels(
            held.pop(), grid.dx, grid.dy, method=method,
            channel_threshold=self.optional_number(parameters, self.CHANNEL_THRESHOLD, context),
            ridge_threshold=self.parameterAsDouble(parameters, self.RIDGE_THRESHOLD, context),
            progress=self.progress(feedback, 0, 90))
        feedback.pushInfo(self.tr("Channel threshold: {0:g} cells ({1:g} m2); ridge threshold: "
                                  "{2:g} cells; {3} channel links.").format(
            net.channel_threshold, net.channel_threshold * grid.cell_area,
            net.ridge_threshold, net.n_links))
        no_break = {
            "channel": self.tr("No channel break found: the log-log slopes of D(T) only "
                               "steepen with T, so Otsu's split is not a hillslope/channel "
                               "break; check the channels on a hillshade or use 'Fixed'."),
            "ridge": self.tr("No ridge break found: the log-log slopes of D(T) only steepen "
                             "with T, so Otsu's split is not a hillslope/ridge break; check "
                             "the ridges on a hillshade or use 'Fixed'.")}
        for what, message in no_break.items():
            if not net.diagnostics.get(what, {}).get("break_found", True):
                feedback.pushWarning(message)
        weak = {"channel": (net.channel_threshold, self.tr(
                    "Weak channel break: the log-log slopes of D(T) differ by only {0:.3f} "
                    "between Otsu's two classes (a hillslope/channel break: 0.15 or more), so "
                    "the density curve is one power law within noise and the threshold of "
                    "{1:g} cells is not set by the terrain: it moves with the DEM's extent and "
                    "cell size. Give a DEM reaching further around the mine, or use 'Fixed'.")),
                "ridge": (net.ridge_threshold, self.tr(
                    "Weak ridge break: the log-log slopes of D(T) differ by only {0:.3f} "
                    "between Otsu's two classes (a hillslope/ridge break: 0.15 or more), so "
                    "the ridge threshold of {1:g} cells is not set by the terrain. Give a DEM "
                    "reaching further around the mine, or use 'Fixed'."))}
        for what, (threshold, message) in weak.items():
            info = net.diagnostics.get(what, {})
            if info.get("weak_break"):
                feedback.pushWarning(message.format(info["break_strength"], threshold))
        n_links = net.n_links
        net.receivers = net.links = None           # not outputs: free them
        results = {self.CHANNEL_THRESHOLD_USED: net.channel_threshold,
                   self.RIDGE_THRESHOLD_USED: net.ridge_threshold}
        # one output array at a time, each grid released once written (memory)
        outputs = ((self.OUTPUT_FILLED, "filled", grid.float_dtype, None),
                   (self.OUTPUT_FLOWDIR, "flowdir", "uint8", 255),
                   (self.OUTPUT_ACCUMULATION, "accumulation", "int32", -1),
                   (self.OUTPUT_CHANNELS, "channels", "uint8", 255),
                   (self.OUTPUT_RIDGES, "ridges", "uint8", 255),
                   (self.OUTPUT_CATCHMENTS, "catchments", "int32", -1))
        for i, (name, field, dtype, nodata) in enumerate(outputs):
            array, style = self._output(net, field, valid, n_links, grid)
            setattr(net, field, None)
            results[name] = self.write_raster(parameters, name, context, array, grid, dtype,
                                              nodata, style)
            del array
            feedback.setProgress(90 + 10 * (i + 1) / len(outputs))
        return results
