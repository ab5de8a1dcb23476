"""Image preparation before OCR, for scans as offices really make them (issue 18):

- the resolution is worked out from the pixel size whenever the stored one is implausible (phones write 72 dpi,
  which OCRmyPDF refuses as "not credible");
- a phone photo's page is found against the desk and straightened (perspective);
- uneven light (shadows, a dark side) is evened out by dividing by the page's own background;
- a red seal is taken out by colour: the red channel of a colour scan shows red ink as bright paper while black
  print stays black, so the signer's name under the seal reads again.

Pillow only (no numpy/OpenCV): the page search works on a 160-pixel-wide thumbnail, where Python loops are cheap.
"""

from dataclasses import dataclass, field

from PIL import Image, ImageFilter, ImageMath, ImageOps

from .scans import perspective_coefficients

A4_SHORT, A4_LONG = 8.27, 11.69
MIN_CREDIBLE_PPI = 100  # below: a screen or phone default (72, 96), not a scanner setting
# a page (or a cut-out strip of one) is 3 to 17.5 inches long; a stored resolution that makes it shorter or
# longer is wrong
MIN_LONG_INCHES, MAX_LONG_INCHES = 3.0, 17.5
THUMB = 160
SEAL_LEVEL = 185  # red-channel grey at or above this becomes paper
MIN_LIFT_PPI = 190
SEAL_CORNER = (0.45, 0.4)  # the signer block and its seal: right of 45 % of the width, below 40 % of the height
PRINT_SHARE = 0.003  # the darkest 0.3 % of a page's pixels: the core of its print


def grey_seal_curve(core):
    """Greyscale: what is within 35 levels of the print's core stays, the next 40 levels are stretched to paper,
    lighter is paper (a grey seal prints at 100-200 where the print's core is near 25). At 150 ppi or under heavy
    JPEG the print itself is lighter, and the curve moves with it rather than erasing thin strokes."""
    keep = min(max(core, 0) + 35, 160)
    return [v if v < keep else min(255, keep + (v - keep) * (255 - keep) // 40) for v in range(256)]


@dataclass
class Prepared:
    image: Image.Image  # "L", ready for OCR
    ppi: float
    steps: list = field(default_factory=list)  # what was done, for the audit and the review page


def credible_ppi(stored, width, height):
    """The stored resolution when it is believable for a sheet of paper, else the one that makes the image's short
    side an A4 short side. Returns (ppi, derived)."""
    short, long = min(width, height), max(width, height)
    if stored and MIN_CREDIBLE_PPI <= stored <= 1200 and MIN_LONG_INCHES <= long / stored <= MAX_LONG_INCHES:
        return float(stored), False
    return max(short / A4_SHORT, long / A4_LONG), True


def prepare(image, stored_ppi=None):
    """Grey page ready for OCR from a decoded scan or photo (any mode)."""
    steps = []
    image = ImageOps.exif_transpose(image)
    colour = image.mode not in ("1", "L", "LA", "I", "I;16", "F")
    rgb = image.convert("RGB") if colour else None
    grey = image.convert("L")
    ppi, derived = credible_ppi(stored_ppi, *grey.size)
    if derived:
        steps.append("resolution-derived")
    quad = find_page(grey)
    if quad is not None:
        rgb, grey, ppi = _straighten(rgb, grey, quad)
        steps.append("perspective")
    if colour and _is_colour(rgb):
        # red channel: red seal ink reads as paper, black stays black, blue signature ink stays dark
        grey = rgb.getchannel("R")
        steps.append("seal-removed")
    flat = even_light(grey)
    if flat is not None:
        grey = flat
        steps.append("light-evened")
    if "seal-removed" not in steps:
        # a greyscale scan has no colour to tell the seal by, but the seal prints mid-grey and the text near
        # black: lifting the mid-greys to paper clears the seal and the signature's pale strokes from the name.
        # Under 200 ppi regular-weight strokes are mid-grey themselves and would go with it: left as they are.
        curve = grey_seal_curve(_percentiles(grey, PRINT_SHARE)[0])
        if ppi >= MIN_LIFT_PPI:
            grey = grey.point(curve)
            steps.append("mid-grey-lifted")
        else:
            # ... so only the signer's corner, where the seal sits, is lifted: there the authority, position and
            # name are bold (Decree 30) and keep their dark core, while the seal's ring over the name goes
            grey = grey.copy()
            box = (int(grey.width * SEAL_CORNER[0]), int(grey.height * SEAL_CORNER[1]), grey.width, grey.height)
            grey.paste(grey.crop(box).point(curve), box)
            steps.append("seal-corner-lifted")
    else:
        # what is left of the seal in the red channel is a light grey ring: lift it to paper, print stays dark
        grey = grey.point(lambda v: min(255, v * 255 // SEAL_LEVEL))
    return Prepared(image=grey, ppi=ppi, steps=steps)


def _is_colour(rgb):
    """Whether the scan holds real colour (a seal, a signature), not grey stored as RGB."""
    small = rgb.copy()
    small.thumbnail((THUMB * 2, THUMB * 2))
    r, g, b = small.split()
    from PIL import ImageChops

    spread = ImageChops.difference(r, b).histogram()
    return sum(spread[40:]) > 0.001 * small.size[0] * small.size[1]


def even_light(grey):
    """Divide the page by its background (text removed by a max filter), so shadows and a dark side become white
    paper; None when the light is already even (a flatbed scan), which spares the work."""
    w, h = grey.size
    small = grey.resize((max(1, w // 16), max(1, h // 16)), Image.BILINEAR)
    background = small.filter(ImageFilter.MaxFilter(5)).filter(ImageFilter.GaussianBlur(3))
    low, high = _percentiles(background, 0.02, 0.98)
    if high - low < 25 and low > 200:
        return None
    background = background.resize((w, h), Image.BILINEAR)
    return ImageMath.lambda_eval(
        lambda a: a["convert"](a["min"](a["g"] * 255 / (a["b"] + 1), 255), "L"), g=grey, b=background)


def _percentiles(image, *shares):
    histogram = image.histogram()
    total = sum(histogram)
    out = []
    for share in shares:
        count, target = 0, share * total
        for value, n in enumerate(histogram):
            count += n
            if count >= target:
                out.append(value)
                break
    return out


def find_page(grey):
    """The four corners (full-size coordinates, clockwise from top left) of a paper sheet photographed on a darker
    surface, or None when the image is the page itself (a scan) or no clear sheet is found."""
    w, h = grey.size
    scale = THUMB / w
    small = grey.resize((THUMB, max(1, round(h * scale))), Image.BILINEAR).filter(ImageFilter.MedianFilter(5))
    sw, sh = small.size
    pixels = small.load()
    # the desk is what the frame's edge shows, the paper what its middle shows; a global (Otsu) threshold split a
    # page lit unevenly into a light and a dark part instead
    ring = sorted([pixels[x, y] for x in range(sw) for y in (0, 1, sh - 2, sh - 1)]
                  + [pixels[x, y] for y in range(sh) for x in (0, 1, sw - 2, sw - 1)])
    middle = sorted(pixels[x, y] for x in range(sw // 4, 3 * sw // 4) for y in range(sh // 4, 3 * sh // 4))
    desk, paper = ring[len(ring) * 3 // 4], middle[len(middle) // 2]
    if paper - desk < 30:
        return None  # no darker surface around: a scan, or a photo cropped to the page
    threshold = desk + (paper - desk) * 0.25
    bright = [[pixels[x, y] > threshold for x in range(sw)] for y in range(sh)]
    border = [bright[y][x] for x in range(sw) for y in (0, 1, sh - 2, sh - 1)] + \
        [bright[y][x] for y in range(sh) for x in (0, 1, sw - 2, sw - 1)]
    if sum(border) > 0.35 * len(border):
        return None  # the sheet reaches the edges: a scan, or a photo cropped to the page
    inside = sum(map(sum, bright))
    if inside < 0.3 * sw * sh:
        return None
    corners = [None] * 4
    best = [None] * 4
    for y in range(sh):
        row = bright[y]
        for x in range(sw):
            if not row[x]:
                continue
            for k, score in enumerate((-x - y, x - y, x + y, y - x)):
                if best[k] is None or score > best[k]:
                    best[k], corners[k] = score, (x, y)
    quad = [((x + 0.5) / scale, (y + 0.5) / scale) for x, y in corners]
    # a sheet, not a blob: opposite sides of similar length and an A-series-like aspect
    top, bottom = _dist(quad[0], quad[1]), _dist(quad[3], quad[2])
    left, right = _dist(quad[0], quad[3]), _dist(quad[1], quad[2])
    if min(top, bottom) < 0.6 * max(top, bottom) or min(left, right) < 0.6 * max(left, right):
        return None
    aspect = (left + right) / (top + bottom)
    if not 1.1 < aspect < 1.8:
        return None
    # a photo of a page is mostly page: a small quadrilateral is a part of it cut off by a shadow, and reading
    # the whole photo loses less than straightening a part
    area = abs(sum(quad[i][0] * quad[(i + 1) % 4][1] - quad[(i + 1) % 4][0] * quad[i][1] for i in range(4))) / 2
    if area < 0.45 * w * h:
        return None
    return quad


def _dist(a, b):
    return ((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) ** 0.5


def _straighten(rgb, grey, quad):
    """Map the sheet onto an upright A4 rectangle as wide as the sheet's top and bottom edges on average."""
    width = (_dist(quad[0], quad[1]) + _dist(quad[3], quad[2])) / 2
    out = (round(width), round(width * A4_LONG / A4_SHORT))
    target = [(0, 0), (out[0], 0), (out[0], out[1]), (0, out[1])]
    coeffs = perspective_coefficients(target, quad)
    grey = grey.transform(out, Image.PERSPECTIVE, coeffs, Image.BICUBIC, fillcolor=255)
    if rgb is not None:
        rgb = rgb.transform(out, Image.PERSPECTIVE, coeffs, Image.BICUBIC, fillcolor=(255, 255, 255))
    return rgb, grey, out[0] / A4_SHORT
