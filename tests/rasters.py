"""Small GeoTIFFs for tests (GDAL only, no QGIS)."""
import numpy as np
from osgeo import gdal, osr

_TYPES = {"float64": gdal.GDT_Float64, "float32": gdal.GDT_Float32}


def write_tif(path, array, gt, epsg=32616, nodata=-9999.0, dtype="float64"):
    """Write ``array`` as a one-band GeoTIFF with geotransform ``gt``.

    epsg: the CRS (None: no CRS); nodata: the band's nodata value (None: not
    set); nan cells are written as ``nodata`` when it is set.
    """
    array = np.asarray(array, dtype=float)
    ds = gdal.GetDriverByName("GTiff").Create(str(path), array.shape[1], array.shape[0], 1,
                                              _TYPES[dtype])
    ds.SetGeoTransform(tuple(gt))
    if epsg:
        srs = osr.SpatialReference()
        srs.ImportFromEPSG(int(epsg))
        ds.SetProjection(srs.ExportToWkt())
    band = ds.GetRasterBand(1)
    if nodata is not None:
        band.SetNoDataValue(float(nodata))
        array = np.where(np.isfinite(array), array, nodata)
    band.WriteArray(array)
    ds = None
    return str(path)
