"""The pure draw (INS-01): the documented stream, reproducibility, sensitivity
to every input, conflicts and categories honoured."""

import hashlib
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhifa.inspections import draw

pytestmark = pytest.mark.req("INS-01")

SEED = hashlib.sha256(b"test").digest()


def material(**changes):
    values = {
        "plan_id": 1,
        "agency_id": 2,
        "matter_code": "SJ-001",
        "ratio_percent": "30",
        "count": None,
        "inspectors_per_target": 2,
        "frequency": "quarterly",
        "period_start": "2026-10-01",
        "period_end": "2026-12-31",
        "targets_digest": "a" * 64,
        "inspectors_digest": "b" * 64,
        "conflicts_digest": "c" * 64,
        "beacon_source": "福彩3D 2026年第320期",
        "nonce": "d" * 64,
        **changes,
    }
    return draw.seed_material(**values)


def test_stream_is_sha256_counter_mode():
    stream = draw.HashStream(SEED)
    block0 = hashlib.sha256(SEED + (0).to_bytes(8, "big")).digest()
    block1 = hashlib.sha256(SEED + (1).to_bytes(8, "big")).digest()
    words = [int.from_bytes(b[i : i + 8], "big") for b in (block0, block1) for i in (0, 8, 16, 24)]
    assert [stream.next_u64() for _ in range(8)] == words


def test_below_is_in_range_and_rejects_the_biased_tail():
    stream = draw.HashStream(SEED)
    assert all(0 <= stream.below(7) < 7 for _ in range(1000))
    with pytest.raises(ValueError):
        stream.below(0)


def test_seed_material_and_seed_are_canonical():
    m = material()
    assert draw.commitment_of(m) == hashlib.sha256(draw.canonical(m)).hexdigest()
    expected = hashlib.sha256(
        draw.canonical({"v": 1, "material": m, "beacon_value": "3 7 1"})
    ).digest()
    assert draw.seed_of(m, "3 7 1") == expected
    assert m["ratio_percent"] == "30.00"


@pytest.mark.parametrize(
    "change",
    [
        {"plan_id": 9},
        {"agency_id": 9},
        {"matter_code": "SJ-002"},
        {"ratio_percent": "31"},
        {"inspectors_per_target": 3},
        {"frequency": "yearly"},
        {"period_end": "2026-12-30"},
        {"targets_digest": "e" * 64},
        {"inspectors_digest": "e" * 64},
        {"conflicts_digest": "e" * 64},
        {"beacon_source": "福彩3D 2026年第321期"},
        {"nonce": "e" * 64},
    ],
)
def test_every_input_changes_the_commitment_and_the_seed(change):
    assert draw.commitment_of(material(**change)) != draw.commitment_of(material())
    assert draw.seed_of(material(**change), "371") != draw.seed_of(material(), "371")


def test_the_beacon_changes_the_seed():
    assert draw.seed_of(material(), "3 7 1") != draw.seed_of(material(), "3 7 2")


def run(seed=SEED, targets=20, inspectors=6, conflicts=(), k=5, per_target=2):
    return draw.run(
        seed=seed,
        target_categories=["市场监管"] * targets,
        inspector_categories=[["市场监管"]] * inspectors,
        conflicts=conflicts,
        k=k,
        per_target=per_target,
    )


def test_same_inputs_same_result_other_seed_other_result():
    assert run() == run()
    assert run() != run(seed=hashlib.sha256(b"other").digest())


def test_targets_distinct_inspectors_distinct():
    result = run(targets=50, k=50, inspectors=4, per_target=3)
    assert sorted(t for t, _ in result) == list(range(50))
    assert all(len(set(i)) == 3 for _, i in result)


def test_target_count_rounds_up_and_caps():
    assert draw.target_count(10, ratio_percent="25", count=None) == 3
    assert draw.target_count(10, ratio_percent=None, count=50) == 10
    assert draw.target_count(0, ratio_percent="5", count=None) == 0


def test_too_few_inspectors_is_raised():
    with pytest.raises(draw.TooFewInspectors) as raised:
        run(inspectors=1)
    assert (raised.value.available, raised.value.needed) == (1, 2)


def test_categories_are_respected():
    result = draw.run(
        seed=SEED,
        target_categories=["市场监管", "安全生产"] * 10,
        inspector_categories=[["市场监管"], ["市场监管"], ["安全生产"], ["安全生产", "市场监管"]],
        conflicts=(),
        k=20,
        per_target=2,
    )
    for target, chosen in result:
        if target % 2:  # 安全生产
            assert set(chosen) <= {2, 3}
        else:
            assert set(chosen) <= {0, 1, 3}


def test_split_categories():
    assert draw.split_categories("市场监管、安全生产") == ["安全生产", "市场监管"]
    assert draw.split_categories(" 市场监管，食品 / 药品 ") == ["市场监管", "药品", "食品"]


@settings(max_examples=150, deadline=None)
@given(
    seed=st.binary(min_size=32, max_size=32),
    targets=st.integers(1, 30),
    inspectors=st.integers(3, 10),
    data=st.data(),
)
def test_a_conflicted_inspector_is_never_drawn_for_that_target(seed, targets, inspectors, data):
    pairs = data.draw(
        st.sets(st.tuples(st.integers(0, targets - 1), st.integers(0, inspectors - 1)), max_size=40)
    )
    # Keep at least two free inspectors per target so the draw can succeed.
    conflicts = {(t, i) for t, i in pairs if sum(1 for tt, _ in pairs if tt == t) <= inspectors - 2}
    k = data.draw(st.integers(1, targets))
    result = run(seed=seed, targets=targets, inspectors=inspectors, conflicts=conflicts, k=k)
    assert len(result) == k
    for target, chosen in result:
        assert not any((target, i) in conflicts for i in chosen)
        assert len(set(chosen)) == 2


@pytest.mark.parametrize("n,k", [(1, 1), (10, 3), (10, 10), (1000, 50)])
def test_sparse_shuffle_equals_the_in_place_fisher_yates(n, k):
    stream = draw.HashStream(SEED)
    items = list(range(n))
    for i in range(k):
        j = i + stream.below(n - i)
        items[i], items[j] = items[j], items[i]
    assert draw.partial_shuffle(draw.HashStream(SEED), n, k) == items[:k]


@pytest.mark.parametrize(
    ("frequency", "day", "window"),
    [
        ("yearly", "2025-12-31", ("2025-01-01", "2025-12-31")),
        ("yearly", "2026-01-01", ("2026-01-01", "2026-12-31")),
        ("half_yearly", "2026-06-30", ("2026-01-01", "2026-06-30")),
        ("half_yearly", "2026-07-01", ("2026-07-01", "2026-12-31")),
        ("quarterly", "2026-03-31", ("2026-01-01", "2026-03-31")),
        ("quarterly", "2026-04-01", ("2026-04-01", "2026-06-30")),
        ("quarterly", "2026-12-31", ("2026-10-01", "2026-12-31")),
        ("monthly", "2028-02-10", ("2028-02-01", "2028-02-29")),
        ("monthly", "2026-02-28", ("2026-02-01", "2026-02-28")),
    ],
)
def test_frequency_window_is_the_calendar_window_holding_the_day(frequency, day, window):
    expected = tuple(date.fromisoformat(d) for d in window)
    assert draw.frequency_window(frequency, date.fromisoformat(day)) == expected


def test_once_has_no_window_and_overlaps_everything():
    assert draw.frequency_window("once", date(2026, 5, 1)) is None
    assert draw.windows_overlap(None, date(2000, 1, 1), date(2000, 1, 1))
    june = draw.frequency_window("monthly", date(2026, 6, 15))
    assert draw.windows_overlap(june, date(2026, 6, 30), date(2026, 7, 5))
    assert not draw.windows_overlap(june, date(2026, 7, 1), date(2026, 7, 5))


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)))
def test_windows_hold_the_day_and_nest(day):
    windows = [draw.frequency_window(f, day) for f in draw.WINDOW_MONTHS]
    for start, end in windows:
        assert start <= day <= end and start.day == 1
    # Each window lies within the next wider one.
    for narrow, wide in zip(windows[1:], windows, strict=False):
        assert wide[0] <= narrow[0] and narrow[1] <= wide[1]


def test_version_1_material_is_unchanged_version_2_adds_the_exclusion():
    v1 = material()
    assert v1["v"] == 1 and "excluded_digest" not in v1
    v2 = material(excluded_digest="f" * 64, window=("2026-10-01", "2026-12-31"))
    assert v2["v"] == 2 and v2["window"] == ["2026-10-01", "2026-12-31"]
    assert draw.commitment_of(v2) != draw.commitment_of(material(excluded_digest="e" * 64))
    wrapped = draw.canonical({"v": 2, "material": v2, "beacon_value": "1"})
    assert draw.seed_of(v2, "1") == hashlib.sha256(wrapped).digest()


def test_version_3_material_marks_the_sealed_lists():
    v3 = material(excluded_digest="f" * 64, window=None, sealed=True)
    assert v3["v"] == 3 and draw.is_sealed(v3)
    v2 = material(excluded_digest="f" * 64, window=None)
    assert not draw.is_sealed(v2)
    assert {k: v for k, v in v3.items() if k != "v"} == {k: v for k, v in v2.items() if k != "v"}
    assert draw.commitment_of(v3) != draw.commitment_of(v2)
    with pytest.raises(ValueError):
        material(sealed=True)


def test_seals_bind_their_contents_and_salts_are_keyed():
    key = "ab" * 32
    salts = {draw.seal_salt(key, kind, n) for kind in ("inspector", "conflicts") for n in range(3)}
    assert len(salts) == 6 and all(len(s) == 64 for s in salts)
    assert draw.seal_salt(key, "inspector", 0) != draw.seal_salt("cd" * 32, "inspector", 0)
    opened = draw.opened_conflicts(key, 3, [(2, 1), (0, 4), (2, 0)])
    assert [row[:2] for row in opened] == [[0, [4]], [1, []], [2, [0, 1]]]
    sealed = draw.sealed_conflicts(opened)
    assert [row[0] for row in sealed] == [0, 1, 2]
    salt = opened[2][2]
    assert sealed[2][1] == draw.conflicts_seal(salt, 2, [1, 0])
    assert sealed[2][1] != draw.conflicts_seal(salt, 2, [1])
    assert sealed[2][1] != draw.conflicts_seal(salt, 1, [0, 1])
    inspectors = draw.opened_inspectors(key, [[0, "T001", "张三", ["市场监管"]]])
    assert draw.sealed_inspectors(inspectors) == [
        [0, ["市场监管"], draw.inspector_seal(inspectors[0][4], "T001", "张三")]
    ]
    assert (
        draw.inspector_seal(inspectors[0][4], "T001", "李四")
        != draw.sealed_inspectors(inspectors)[0][2]
    )
