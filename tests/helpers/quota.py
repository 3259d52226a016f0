"""Quotas in tests: setting the demo cloud's, reading a ``<meter>`` as a browser
colours it, and the colour Chromium actually drew."""

from __future__ import annotations

import base64

from webapp.cloud.demo import data as demo_data


def set_quota(monkeypatch, project="demo", *, instances=None, cores=None, ram_mb=None):
    """Change the demo cloud's compute quotas of ``project`` for one test (the
    wizards opened afterwards list them)."""
    old = demo_data.QUOTAS[project]
    new = (
        old[0] if instances is None else instances,
        old[1] if cores is None else cores,
        old[2] if ram_mb is None else ram_mb,
    )
    monkeypatch.setitem(demo_data.QUOTAS, project, new)


def _clamped(attrs: dict[str, float]) -> tuple[float, float, float, float]:
    low, high, lowest, highest = attrs["low"], attrs["high"], attrs["min"], attrs["max"]
    low = min(max(low, lowest), highest)
    high = min(max(high, low), highest)
    value = min(max(attrs["value"], lowest), highest)
    optimum = min(max(attrs["optimum"], lowest), highest)
    return low, high, value, optimum


def meter_region(attrs: dict[str, float]) -> str:
    """The region a browser draws a meter with these attributes in: "optimum"
    (green), "suboptimal" (amber) or "even-less-good" (red), as the HTML standard
    says and Chromium does (``HTMLMeterElement::GetGaugeRegion``)."""
    low, high, value, optimum = _clamped(attrs)
    if optimum < low:
        if value <= low:
            return "optimum"
        return "suboptimal" if value <= high else "even-less-good"
    if high < optimum:
        if value >= high:
            return "optimum"
        return "suboptimal" if value >= low else "even-less-good"
    return "optimum" if low <= value <= high else "suboptimal"


#: draws a PNG (base64) on a canvas and answers the colour of its pixel at
#: (x, y) as [r, g, b]: the browser decodes the screenshot it took
_PIXEL = """async ([png, x, y]) => {
  const image = new Image();
  image.src = "data:image/png;base64," + png;
  await image.decode();
  const canvas = document.createElement("canvas");
  canvas.width = image.width;
  canvas.height = image.height;
  const drawing = canvas.getContext("2d");
  drawing.drawImage(image, 0, 0);
  return Array.from(drawing.getImageData(x, y, 1, 1).data.slice(0, 3));
}"""


def drawn_colour(context, locator, *, at=0.25) -> tuple[int, int, int]:
    """The colour Chromium drew at ``at`` of the width of ``locator``'s element,
    half-way down (read in a blank page of ``context``: the portal's CSP would
    refuse the ``data:`` image)."""
    png = locator.screenshot(animations="disabled")
    box = locator.bounding_box()
    assert box, "the element is not on screen"
    # the contexts of the tests draw one device pixel per CSS pixel
    x, y = int(box["width"] * at), int(box["height"] / 2)
    blank = context.new_page()
    try:
        red, green, blue = blank.evaluate(_PIXEL, [base64.b64encode(png).decode(), x, y])
    finally:
        blank.close()
    return red, green, blue


def colour_name(rgb: tuple[int, int, int]) -> str:
    """Red, amber or green, for a meter's bar colour (anything else: "other")."""
    red, green, blue = rgb
    # (198, 40, 40) in the light scheme, (255, 138, 128) in the dark one
    if red > 150 and red - green > 80 and red - blue > 80:
        return "red"
    if red > 180 and green > 120 and blue < 110:
        return "amber"
    if green > 100 and green > red + 30 and green > blue:
        return "green"
    return "other"
