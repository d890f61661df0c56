"""How pages become text: the options every OCR engine shares, and one options class per engine.

`Settings.ocr` holds one engine's options; their `kind` names the engine (see
`agent.ocr.engines.OCR_ENGINES`). The default engine, Tesseract, reads `PAPERTRAIL_OCR_*`.
Another engine is chosen with `PAPERTRAIL_OCR='{"kind": "<name>", ...}'`.

A new engine brings: its options class here (a subclass of `OcrOptions` with its own `kind`
literal and env prefix, added to `OcrEngineOptions`), its `OcrEngine` in a module of its own, and
one line in `OCR_ENGINES`. Every field of an engine's options is part of the OCR cache key.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class OcrOptions(BaseSettings):
    """Options of every engine: how a scanned page is rendered, and when OCR is not needed."""

    kind: str
    dpi: int = Field(300, ge=72, le=600, description="Render resolution for scanned PDF pages.")
    text_layer_min_chars: int = Field(
        20, ge=1, description="A PDF page whose text layer has at least this many letters/digits "
        "is read from the text layer instead of OCR."
    )
    upscale_below_dpi: int = Field(
        150, ge=0, le=1200, description="Image pages (PNG/JPEG/TIFF) whose estimated resolution "
        "is below this are enlarged by `upscale_factor` before OCR; 0 = never. PDF pages are "
        "rendered at `dpi` instead."
    )
    upscale_factor: float = Field(
        2.0, ge=1.0, le=4.0, description="How much a low-resolution image page is enlarged "
        "(Lanczos), capped by the pixel limit."
    )
    # Image preparation (agent/ocr/prepare.py): off, as none measurably helped the receipts'
    # fields (docs/benchmarks.md, "Image preparation and the in-process binding").
    grayscale: bool = Field(
        False, description="Convert colour page images to grey before OCR.")
    contrast_stretch: bool = Field(
        False, description="Stretch faint pages (ink, the darkest 0.5 % of pixels, less than "
        "200 grey levels below the paper: faded thermal print, grey paper) to black on white "
        "before OCR.")
    deskew: bool = Field(
        False, description="Rotate pages tilted by 0.5-10 degrees straight before OCR.")
    binarize: bool = Field(
        False, description="Threshold pages to black and white (Sauvola, local) before OCR, "
        "after any enlargement.")


class TesseractOptions(OcrOptions):
    """Tesseract: the default engine, in this process (tesserocr) or as a command (pytesseract)."""

    model_config = SettingsConfigDict(env_prefix="PAPERTRAIL_OCR_", extra="ignore")

    kind: Literal["tesseract"] = "tesseract"
    lang: str = Field("eng", description="Tesseract language(s), e.g. 'eng' or 'eng+deu'.")
    psm: int = Field(3, ge=0, le=13, description="Tesseract page segmentation mode.")
    oem: int = Field(1, ge=0, le=3, description="Tesseract engine mode (1 = LSTM).")
    binding: Literal["api", "cli"] = Field(
        "api", description="`api`: Tesseract's library loaded once in this process (tesserocr), "
        "one engine per page read at once; `cli`: the `tesseract` command through pytesseract, "
        "one process per page, ~0.15 s slower per page for starting and loading its model.")


class RapidOcrOptions(OcrOptions):
    """RapidOCR (PP-OCRv4 detection + recognition, ONNX models shipped in its wheel) on
    onnxruntime. Slower than Tesseract but reads receipts closer to their transcripts
    (docs/benchmarks.md). `PAPERTRAIL_RAPIDOCR_*` configures it as the second reader of the
    `auto` OCR policy (and as the only reader of the `rapidocr` policy)."""

    model_config = SettingsConfigDict(env_prefix="PAPERTRAIL_RAPIDOCR_", extra="ignore")

    kind: Literal["rapidocr"] = "rapidocr"
    upscale_below_dpi: int = Field(
        0, ge=0, le=1200, description="As for Tesseract; 0 = never: the detector resizes the "
        "page itself (`det_limit_side_len`).")
    det_limit_side_len: int = Field(
        736, ge=320, le=4096, description="Side length the text detector scales the page to "
        "(see `det_limit_type`): lower is faster, higher finds smaller text.")
    det_limit_type: Literal["min", "max"] = Field(
        "min", description="`min`: the shorter side is enlarged to at least "
        "`det_limit_side_len`; `max`: the longer side is reduced to at most that.")
    intra_op_threads: int = Field(
        2, ge=1, le=64, description="onnxruntime threads per page (one page at a time per "
        "this many threads: the OCR pool runs `ocr_workers // intra_op_threads` pages at once).")
    use_angle_cls: bool = Field(
        False, description="Run the text-direction classifier (for upside-down lines; measured "
        "to change neither speed nor accuracy on receipts).")
    text_score: float = Field(
        0.5, ge=0.0, le=1.0, description="Lines recognised with a lower score are dropped.")


# Each engine's options class joins the union: `kind` picks one.
OcrEngineOptions = Annotated[Union[TesseractOptions, RapidOcrOptions],  # noqa: UP007
                             Field(discriminator="kind")]
