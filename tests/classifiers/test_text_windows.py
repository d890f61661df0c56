from classifiers.text_windows import head_tail


def test_short_input_is_unchanged() -> None:
    assert head_tail([1, 2, 3], 5) == [1, 2, 3]


def test_long_input_keeps_head_and_tail() -> None:
    ids = list(range(100))
    out = head_tail(ids, 10, head_fraction=0.7)
    assert out == [0, 1, 2, 3, 4, 5, 6, 97, 98, 99]


def test_head_only_and_zero_budget() -> None:
    assert head_tail(list(range(20)), 4, head_fraction=1.0) == [0, 1, 2, 3]
    assert head_tail(list(range(20)), 0) == []
