"""Optional clean-up of a page image before OCR, for photos and faded thermal receipts.

Each step is an OCR option (`OcrOptions`), off unless docs/benchmarks.md ("Image preparation
and the in-process binding") showed it helps; every option is part of the OCR cache key.
The steps run in this order, the last after any enlargement (`agent.ocr.pages.upscale_for`):

- `grayscale`: colour pages become grey (the other steps work on grey and convert anyway);
- `contrast_stretch`: a page whose ink is faint or whose paper is grey (ink, the darkest
  0.5 % of pixels, less than `LOW_CONTRAST` grey levels below the paper, the median) is
  stretched to black ink on white paper; other pages, and pages with hardly any ink, are left
  alone;
- `deskew`: a page tilted by `MIN_SKEW`..`MAX_SKEW` degrees is rotated straight (the angle
  whose rows of ink are sharpest, found on a reduced copy);
- `binarize`: Sauvola's local threshold (black or white by the neighbourhood's mean and
  spread), which survives shadows and uneven light where one global threshold does not.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from agent.ocr.options import OcrOptions

INK_PERCENTILE, PAPER_PERCENTILE = 0.5, 50
LOW_CONTRAST, NO_INK = 200, 60
"""Paper minus ink, in grey levels: below LOW_CONTRAST a page is faint, below NO_INK blank."""
MIN_SKEW, MAX_SKEW = 0.5, 10.0
"""Tilts below MIN_SKEW degrees are left to Tesseract; beyond MAX_SKEW are not searched."""
SKEW_SIDE = 1000
"""Longer side, in pixels, of the reduced copy the skew angle is measured on."""
SAUVOLA_WINDOW, SAUVOLA_K, SAUVOLA_R = 31, 0.2, 128.0


def any_step(options: OcrOptions) -> bool:
    """Whether any preparation step is on (otherwise image files can go to OCR untouched)."""
    return options.grayscale or options.contrast_stretch or options.deskew or options.binarize


def before_scaling(image: Image.Image, options: OcrOptions) -> Image.Image:
    """The steps that work at the image's own resolution: grey, contrast, deskew."""
    if options.grayscale or options.contrast_stretch or options.deskew:
        image = _grey(image)
    if options.contrast_stretch:
        image = stretch_contrast(image)
    if options.deskew:
        image = deskew(image)
    return image


def after_scaling(image: Image.Image, options: OcrOptions) -> Image.Image:
    """The steps that work at the resolution OCR reads: binarisation."""
    return binarize(image) if options.binarize else image


def _grey(image: Image.Image) -> Image.Image:
    return image if image.mode == "L" else image.convert("L")


def ink_and_paper(image: Image.Image) -> tuple[float, float]:
    """The grey level of the page's ink (its darkest 0.5 %) and of its paper (the median)."""
    ink, paper = np.percentile(np.asarray(_grey(image)), (INK_PERCENTILE, PAPER_PERCENTILE))
    return float(ink), float(paper)


def stretch_contrast(image: Image.Image) -> Image.Image:
    """A faint page stretched linearly so its ink becomes black and its paper white."""
    image = _grey(image)
    ink, paper = ink_and_paper(image)
    if not NO_INK <= paper - ink < LOW_CONTRAST:
        return image
    gain = 255.0 / (paper - ink)
    return image.point([min(255, max(0, round((v - ink) * gain))) for v in range(256)])


def skew_angle(image: Image.Image) -> float:
    """Degrees (counter-clockwise) that make the page's text lines horizontal: the rotation
    whose row sums of ink vary most, searched coarse then fine on a reduced copy."""
    small = _grey(image).copy()
    small.thumbnail((SKEW_SIDE, SKEW_SIDE))
    grey = np.asarray(small, dtype=np.float32)
    ink = Image.fromarray(((grey < grey.mean() - grey.std()) * 255).astype(np.uint8))

    def sharpness(angle: float) -> float:
        rows = np.asarray(ink.rotate(angle, resample=Image.Resampling.NEAREST,
                                     expand=True), dtype=np.float32).sum(axis=1)
        return float(np.square(np.diff(rows)).sum())

    coarse = float(max(np.arange(-MAX_SKEW, MAX_SKEW + 0.01, 0.5), key=sharpness))
    if abs(coarse) >= MAX_SKEW or sharpness(coarse) <= sharpness(0.0):
        return 0.0  # no ink, or no angle better than none inside the search: no tilt found
    fine = max(np.arange(coarse - 0.4, coarse + 0.41, 0.1), key=sharpness)
    return round(float(fine), 1)


def deskew(image: Image.Image) -> Image.Image:
    """The page rotated straight when it is tilted by MIN_SKEW..MAX_SKEW degrees; the corners
    it uncovers are filled with the page's background."""
    image = _grey(image)
    angle = skew_angle(image)
    if abs(angle) < MIN_SKEW:
        return image
    background = int(np.percentile(np.asarray(image), 90))
    return image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True,
                        fillcolor=background)


def binarize(image: Image.Image) -> Image.Image:
    """Black text on white by Sauvola's threshold: a pixel is ink when it is darker than its
    window's mean lowered in proportion to how flat the window is."""
    grey = np.asarray(_grey(image))
    mean, std = _window_stats(grey, SAUVOLA_WINDOW)
    threshold = mean * (1 + SAUVOLA_K * (std / SAUVOLA_R - 1))
    return Image.fromarray(np.where(grey > threshold, 255, 0).astype(np.uint8), "L")


def _window_stats(grey: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard deviation of the `window` x `window` square around every pixel
    (integral images: the cost does not grow with the window)."""
    half = window // 2
    padded = np.pad(grey.astype(np.int64), half + 1, mode="edge")
    height, width = grey.shape

    def box_sum(values: np.ndarray) -> np.ndarray:
        table = values.cumsum(axis=0).cumsum(axis=1)
        top, left = slice(0, height), slice(0, width)
        bottom, right = slice(window, window + height), slice(window, window + width)
        return table[bottom, right] - table[top, right] - table[bottom, left] + table[top, left]

    area = float(window * window)
    mean = box_sum(padded) / area
    variance = box_sum(padded * padded) / area - mean * mean
    return mean.astype(np.float32), np.sqrt(np.maximum(variance, 0)).astype(np.float32)
