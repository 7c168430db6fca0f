"""Pure computation for HPCS Landform.

Nothing in this package imports qgis or PyQt: every function takes and
returns numpy arrays plus a small :class:`~.grid.Grid` description, so it can
be tested and reused without QGIS.  GDAL is used for raster I/O only.
"""
