"""QGIS layer styles (QML) written next to output rasters, as plain text.

QGIS loads ``name.qml`` beside ``name.tif`` as the layer's default style, so
outputs open styled in the Toolbox, the Modeler and after ``qgis_process``.
Nothing here imports qgis: the QML is generated as text.
"""
import colorsys
import os


def escape(text, entities=None):
    """``xml.sax.saxutils.escape``: &, < and > (then ``entities``) as XML
    entities.  (Its module imports urllib.request, http.client, ssl and email,
    ~65 ms of every QGIS start-up for three replacements.)"""
    text = text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")
    for key, value in (entities or {}).items():
        text = text.replace(key, value)
    return text


_HEAD = ('<!DOCTYPE qgis PUBLIC \'http://mrcc.com/qgis.dtd\' \'SYSTEM\'>\n'
         '<qgis version="3.22.0" styleCategories="AllStyleCategories">\n'
         '  <pipe>\n')
_TAIL = ('    <brightnesscontrast brightness="0" contrast="0" gamma="1"/>\n'
         '    <huesaturation saturation="0" grayscaleMode="0" colorizeOn="0"/>\n'
         '    <rasterresampler maxOversampling="2"/>\n'
         '  </pipe>\n  <blendMode>0</blendMode>\n</qgis>\n')


def _hex(color):
    if isinstance(color, str):
        return color
    r, g, b = color[:3]
    return "#%02x%02x%02x" % (int(r), int(g), int(b))


def paletted(entries, opacity=1.0):
    """Unique-value style: entries are (value, colour, label); colour '#rrggbb'
    or an (r, g, b[, alpha 0-255]) tuple."""
    lines = []
    for value, color, label in entries:
        alpha = color[3] if (not isinstance(color, str) and len(color) > 3) else 255
        lines.append(f'        <paletteEntry value="{value}" color="{_hex(color)}" '
                     f'alpha="{alpha}" label="{escape(str(label), {chr(34): "&quot;"})}"/>\n')
    return (_HEAD
            + f'    <rasterrenderer type="paletted" band="1" opacity="{opacity}" '
              'alphaBand="-1" nodataColor="">\n'
            + '      <rasterTransparency/>\n      <colorPalette>\n'
            + "".join(lines)
            + '      </colorPalette>\n    </rasterrenderer>\n' + _TAIL)


def pseudocolor(stops, discrete=False, opacity=1.0, label_fmt="{:g}"):
    """Colour ramp: stops are (value, colour[, label]) in increasing value."""
    kind = "DISCRETE" if discrete else "INTERPOLATED"
    items = []
    for stop in stops:
        value, color = stop[0], stop[1]
        label = stop[2] if len(stop) > 2 else label_fmt.format(value)
        items.append(f'            <item value="{value}" color="{_hex(color)}" alpha="255" '
                     f'label="{escape(str(label))}"/>\n')
    lo, hi = stops[0][0], stops[-1][0]
    return (_HEAD
            + f'    <rasterrenderer type="singlebandpseudocolor" band="1" opacity="{opacity}" '
              f'alphaBand="-1" classificationMin="{lo}" classificationMax="{hi}" nodataColor="">\n'
            + '      <rasterTransparency/>\n      <rastershader>\n'
            + f'        <colorrampshader colorRampType="{kind}" classificationMode="1" '
              'clip="0" minimumValue="{0}" maximumValue="{1}">\n'.format(lo, hi)
            + "".join(items)
            + '        </colorrampshader>\n      </rastershader>\n    </rasterrenderer>\n'
            + _TAIL)


def distinct_colours(n, seed=0):
    """n well-separated colours (golden-ratio hue walk), as '#rrggbb'."""
    out = []
    h = (seed * 0.137) % 1.0
    for i in range(n):
        h = (h + 0.618033988749895) % 1.0
        s = 0.55 + 0.35 * ((i * 7) % 3) / 2.0
        v = 0.95 - 0.25 * ((i * 5) % 2)
        r, g, b = colorsys.hsv_to_rgb(h, s, v)
        out.append(_hex((r * 255, g * 255, b * 255)))
    return out


def write_style(raster_path, qml_text):
    """Write the QML beside the raster (same name, .qml)."""
    if not raster_path:
        return None
    from .grid import atomic_output
    path = os.path.splitext(str(raster_path))[0] + ".qml"
    with atomic_output(path, ".qml") as tmp, open(tmp, "w", encoding="utf-8") as fh:
        fh.write(qml_text)
    return path


# Ready-made styles --------------------------------------------------------

def mask_style(label, colour):
    """1 = feature (coloured), 0 = transparent."""
    return paletted([(0, (255, 255, 255, 0), "none"), (1, colour, label)])


def flowdir_style():
    names = [(1, "E"), (2, "SE"), (4, "S"), (8, "SW"), (16, "W"), (32, "NW"),
             (64, "N"), (128, "NE")]
    cols = distinct_colours(8, seed=3)
    entries = [(0, "#000000", "0: drains out of the grid")]
    entries += [(v, c, f"{v}: {n}") for (v, n), c in zip(names, cols)]
    return paletted(entries)


def log_ramp_style(max_value, colours=("#f7fbff", "#6baed6", "#2171b5", "#08306b")):
    """Discrete classes at powers of ten up to max_value (for accumulation)."""
    stops = []
    v = 1.0
    while v < max_value * 10:
        stops.append(v)
        v *= 10.0
    ramp = [colours[min(int(i * (len(colours) - 1) / max(len(stops) - 1, 1)), len(colours) - 1)]
            for i in range(len(stops))]
    return pseudocolor([(s, c, f"< {s:g}") for s, c in zip(stops, ramp)], discrete=True)


#: above this many ids a colour ramp replaces one palette entry per id
MAX_PALETTE = 3000


def categories_style(ids, label="id", seed=0, transparent_zero=True):
    """Random distinct colours for integer ids (catchments, strips ...)."""
    ids = [int(i) for i in ids]
    if len(ids) > MAX_PALETTE:
        lo, hi = min(ids), max(ids)
        ramp = distinct_colours(24, seed)
        step = (hi - lo) / 23.0 if hi > lo else 1.0
        return pseudocolor([(lo + k * step, c, f"{label} {lo + k * step:.0f}")
                            for k, c in enumerate(ramp)], discrete=True, opacity=0.8)
    cols = distinct_colours(len(ids), seed)
    entries = []
    for i, c in zip(ids, cols):
        if i == 0 and transparent_zero:
            entries.append((0, (255, 255, 255, 0), "0: none"))
        else:
            entries.append((i, c, f"{label} {i}"))
    return paletted(entries, opacity=0.8)
