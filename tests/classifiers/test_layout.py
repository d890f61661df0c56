"""Layout features from synthetic word boxes: a table page and a prose page differ the way a
person would expect, and the features do not depend on the scan's resolution."""

from __future__ import annotations

import random

import numpy as np
import pytest

from classifiers.layout import LAYOUT_FEATURE_NAMES, PageLayout, layout_features

W, H = 1700, 2200  # letter at 200 dpi


def feature(vector: np.ndarray, name: str) -> float:
    return float(vector[LAYOUT_FEATURE_NAMES.index(name)])


def prose_page(seed: int = 1, width: int = W, height: int = H) -> PageLayout:
    """40 lines of 8-13 lower-case words of random length from one left margin."""
    rng = random.Random(seed)
    words = []
    sx, sy = width / W, height / H
    for line in range(40):
        x, y = 200, 250 + line * 42
        for _ in range(rng.randint(8, 13)):
            w = rng.randint(40, 140)
            if x + w > 1500:
                break
            words.append(("word", 90.0, round(x * sx), round(y * sy), round(w * sx),
                          round(28 * sy)))
            x += w + 18
    return PageLayout(width, height, words)


def table_page(seed: int = 2) -> PageLayout:
    """A title and 30 rows of five columns: a code, a description, three amounts."""
    rng = random.Random(seed)
    words = [("STATEMENT", 95.0, 200, 120, 400, 50), ("ACCOUNT", 93.0, 650, 120, 300, 50)]
    for row in range(30):
        y = 300 + row * 50
        words.append((f"A{row:03d}", 85.0, 200, y, 90, 26))
        words.append(("Widget", 80.0, 420, y, rng.randint(90, 160), 26))
        for right in (1000, 1250, 1500):  # right-aligned amounts
            w = rng.randint(70, 110)
            words.append((f"{rng.randint(1, 999)}.{rng.randint(0, 99):02d}", 88.0,
                           right - w, y, w, 26))
    return PageLayout(W, H, words)


def test_a_table_and_a_prose_page_differ_as_expected() -> None:
    table, prose = layout_features([table_page()]), layout_features([prose_page()])
    assert table.shape == prose.shape == (len(LAYOUT_FEATURE_NAMES),)
    assert table.dtype == np.float32
    assert feature(table, "numeric_share") > 0.5 > feature(prose, "numeric_share")
    assert feature(table, "left_aligned_share") > 0.8
    assert feature(prose, "left_aligned_share") < 0.3
    assert feature(table, "right_aligned_share") > feature(prose, "right_aligned_share") + 0.3
    assert feature(prose, "log_words_per_line") > feature(table, "log_words_per_line")
    assert feature(prose, "line_start_positions") == pytest.approx(0.1)
    assert feature(table, "upper_share") > feature(prose, "upper_share")
    assert feature(table, "empty") == feature(prose, "empty") == 0.0


def test_lines_are_found_from_vertical_overlap() -> None:
    prose = layout_features([prose_page()])
    assert np.expm1(feature(prose, "log_lines_per_page")) == pytest.approx(40)
    slightly_skewed = PageLayout(W, H, [("a", 90.0, 100 + 60 * i, 500 + i, 50, 30)
                                        for i in range(10)])
    assert np.expm1(feature(layout_features([slightly_skewed]), "log_lines_per_page")) \
        == pytest.approx(1)


def test_features_do_not_depend_on_resolution() -> None:
    at_200 = layout_features([prose_page()])
    at_100 = layout_features([prose_page(width=W // 2, height=H // 2)])
    np.testing.assert_allclose(at_100, at_200, atol=0.03)


def test_extent_confidence_and_page_shares() -> None:
    page = PageLayout(1000, 2000, [("Header", 30.0, 100, 50, 200, 40),
                                   ("body", 90.0, 300, 1000, 100, 40),
                                   ("Footer", 60.0, 500, 1900, 400, 40)])
    f = layout_features([page])
    assert feature(f, "text_top") == pytest.approx(0.025)
    assert feature(f, "text_bottom") == pytest.approx(0.97)
    assert feature(f, "text_left") == pytest.approx(0.1)
    assert feature(f, "text_right") == pytest.approx(0.9)
    assert feature(f, "mean_confidence") == pytest.approx(0.6)
    assert feature(f, "low_confidence_share") == pytest.approx(1 / 3)
    assert feature(f, "top_share") == feature(f, "bottom_share") == pytest.approx(1 / 3)
    assert feature(f, "aspect_ratio") == pytest.approx(2.0)
    assert feature(f, "ink_coverage") == pytest.approx((200 + 100 + 400) * 40 / 2e6)


def test_empty_documents_give_a_defined_vector() -> None:
    for pages in ([], [PageLayout(1000, 1400, [])], [PageLayout(0, 0, [("x", 1, 0, 0, 1, 1)])]):
        f = layout_features(pages)
        assert f.shape == (len(LAYOUT_FEATURE_NAMES),) and np.isfinite(f).all()
        assert feature(f, "empty") == 1.0
        assert feature(f, "log_pages") == pytest.approx(np.log1p(len(pages)))
        assert np.count_nonzero(f) == (2 if pages else 1)


def test_pages_are_averaged_and_counted() -> None:
    one = layout_features([table_page()])
    two = layout_features([table_page(), PageLayout(W, H, [])])  # a blank second page
    np.testing.assert_allclose(two[2:], one[2:])
    assert feature(two, "log_pages") == pytest.approx(np.log(3))
    mixed = layout_features([table_page(), prose_page()])
    assert feature(mixed, "numeric_share") == pytest.approx(
        (feature(one, "numeric_share") + feature(layout_features([prose_page()]),
                                                 "numeric_share")) / 2, abs=1e-6)
