import numpy as np
import polars as pl
from stdnum.cn import ric

from lantu.simulator import identity


def _ids(n, seed=1):
    rng = np.random.default_rng(seed)
    birthplace = np.full(n, 530602)
    days = rng.integers(-15000, 15000, n).astype(np.int32)
    sex = rng.integers(1, 3, n).astype(np.int8)
    return identity.id_strings(identity.id_bodies(rng, birthplace, days, sex)), sex


def test_check_character_agrees_with_stdnum():
    ids, sex = _ids(2000)
    assert ids.str.len_chars().eq(18).all()
    assert identity.check_char_ok(ids).all()
    for number in ids.head(200).to_list():
        assert ric.calc_check_digit(number) == number[-1]
    parity = ids.str.slice(16, 1).cast(pl.Int32) % 2
    assert ((parity == 1) == pl.Series(sex == 1)).all()


def test_ids_are_unique_even_when_crowded():
    rng = np.random.default_rng(3)
    n = 20000  # 20,000 men on 200 birth dates (400 numbers each): many draws clash
    body = identity.id_bodies(
        rng, np.full(n, 530602), rng.integers(0, 200, n).astype(np.int32), np.ones(n, dtype=np.int8)
    )
    assert len(np.unique(body)) == n


def test_mistyped_share_is_what_was_asked_and_every_one_fails_the_check():
    ids, _ = _ids(200_000, seed=5)
    typo, transpose = 0.01, 0.005
    typed = identity.mistype(np.random.default_rng(9), ids, typo, transpose)
    changed = (typed != ids).to_numpy()
    expected = typo + transpose
    sd = np.sqrt(expected * (1 - expected) / len(ids))
    assert abs(changed.mean() - expected) < 4 * sd
    assert not identity.check_char_ok(typed.filter(pl.Series(changed))).any()
    # Only body digits after the birthplace change, and a transposition keeps the same digits.
    assert (typed.str.slice(0, 6) == ids.str.slice(0, 6)).all()


def test_name_variants_change_about_the_asked_share():
    names = pl.Series(["李丽", "王明", "张芳"] * 20000)
    varied = identity.vary_names(np.random.default_rng(2), names, 0.05)
    share = (varied != names).mean()
    assert 0.04 < share < 0.06
