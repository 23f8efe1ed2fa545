"""Who people are on paper: Chinese names and resident ID numbers (GB 11643), and the ways they
get mistyped.

ID numbers are built as 17-digit integers (6-digit birthplace county, 8-digit birth date, 3-digit
sequence whose parity is the sex) and made unique by redrawing the sequence of duplicates; the
check character is the ISO 7064 MOD 11-2 value computed over a digit matrix, never per person.
Noise functions return a copy with a chosen share altered: one digit replaced, two adjacent
digits swapped, a character of the name swapped for a homophone or variant, a birth date shifted.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pyarrow as pa

# Common surnames in Yunnan with rough relative frequencies (assumption shaped to the 2010 census
# top-surname lists; 杨 and 李 lead in Yunnan).
SURNAMES = (
    "李杨张王刘陈赵罗周段何黄字普吴马朱杨刀沈胡郭施苏鲁高孙徐余谢邓朱罗"
    "熊彭董付和蒋唐许袁范起毕陶龙岩钱金晏保番沙木阿"
)
SURNAME_WEIGHTS = np.array([14, 13, 8, 8, 5, 5, 5, 4, 3, 3, 3, 3, 2, 2, 3, 3, 2, 2, 2] + [1] * 37)
MALE_CHARS = (
    "伟强军勇明华国建志文兵平刚杰涛斌东海波辉林超鹏学俊龙荣忠福德贵发成永宝金祥云昌光有正才顺"
)
FEMALE_CHARS = "芳秀英华丽敏静燕红霞艳玲桂兰梅琼娟萍莲珍凤翠美仙菊春花云丹妹芬娇蓉秋彩月琴"
# Homophones and variant characters that clerks mix up (a few dozen common pairs).
VARIANTS = dict(
    zip(
        "丽莉明铭华花芳方伟玮军君英瑛红宏兰蓝云芸杰洁艳燕玲琳静晶梅玫刚钢涛韬斌彬林琳波博平萍",
        "莉丽铭明花华方芳玮伟君军瑛英宏红蓝兰芸云洁杰燕艳琳玲晶静玫梅钢刚韬涛彬斌琳林博波萍平",
        strict=True,
    )
)
_WEIGHTS = np.array([pow(2, 17 - i, 11) for i in range(17)])  # ISO 7064 MOD 11-2
_CHECK = np.frombuffer(b"10X98765432", dtype=np.uint8)
EPOCH = np.datetime64("1970-01-01")


def names(rng: np.random.Generator, surname_idx: np.ndarray, sex: np.ndarray) -> pl.Series:
    """Given names of one or two characters (70% two), sex-typical characters: positions drawn
    in numpy, characters gathered in polars (one character table: male first, then female)."""
    n = len(sex)
    chars = pl.Series(list(MALE_CHARS) + list(FEMALE_CHARS) + [""])
    nm, nf = len(MALE_CHARS), len(FEMALE_CHARS)

    def pick() -> np.ndarray:
        return np.where(sex == 1, rng.integers(0, nm, n), nm + rng.integers(0, nf, n))

    first = pick()
    second = np.where(rng.random(n) < 0.7, pick(), nm + nf)
    frame = pl.DataFrame(
        {
            "s": pl.Series(list(SURNAMES)).gather(surname_idx.astype(np.int64)),
            "a": chars.gather(first),
            "b": chars.gather(second),
        }
    )
    return frame.select(pl.concat_str("s", "a", "b").alias("name"))["name"]


def draw_surnames(rng: np.random.Generator, n: int) -> np.ndarray:
    w = SURNAME_WEIGHTS / SURNAME_WEIGHTS.sum()
    return rng.choice(len(SURNAMES), size=n, p=w).astype(np.int16)


def id_bodies(
    rng: np.random.Generator,
    birthplace: np.ndarray,
    birth_days: np.ndarray,
    sex: np.ndarray,
    taken: np.ndarray | None = None,
) -> np.ndarray:
    """Unique 17-digit bodies (int64). The first population draws sequence numbers 000-799; people
    added later draw 800-999 and are checked only against ``taken``, the earlier additions, so no
    addition can collide with anyone (newborns' birth dates are new anyway)."""
    dates = (EPOCH + birth_days.astype("timedelta64[D]")).astype("datetime64[D]")
    ymd = np.char.replace(np.datetime_as_string(dates), "-", "").astype(np.int64)
    prefix = birthplace.astype(np.int64) * 10**11 + ymd * 1000
    low, high = (0, 400) if taken is None else (400, 500)
    male = (sex == 1).astype(np.int64)
    body = prefix + rng.integers(low, high, len(sex)) * 2 + male
    for _ in range(50):
        clash = _duplicates(body)
        if taken is not None and len(taken):
            clash |= np.isin(body, taken)
        if not clash.any():
            return body
        k = int(clash.sum())
        body[clash] = prefix[clash] + rng.integers(low, high, k) * 2 + male[clash]
    raise RuntimeError("could not make ID numbers unique")


def _duplicates(values: np.ndarray) -> np.ndarray:
    order = np.argsort(values, kind="stable")
    s = values[order]
    dup_sorted = np.zeros(len(s), dtype=bool)
    dup_sorted[1:] = s[1:] == s[:-1]  # every repeat after the first is redrawn
    out = np.zeros(len(s), dtype=bool)
    out[order] = dup_sorted
    return out


def _digits(body: np.ndarray) -> np.ndarray:
    out = np.empty((len(body), 17), dtype=np.uint8)
    rest = body.astype(np.int64)
    for i in range(16, -1, -1):
        rest, out[:, i] = np.divmod(rest, 10)
    return out


def _to_strings(chars: np.ndarray) -> pl.Series:
    """Rows of ASCII bytes as one string column (fixed-width offsets: built and gathered fast)."""
    n, width = chars.shape
    offsets = np.arange(0, width * (n + 1), width, dtype=np.int64)
    data = np.ascontiguousarray(chars, dtype=np.uint8).tobytes()
    array = pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data))
    return pl.Series(pl.from_arrow(array))


def id_strings(body: np.ndarray) -> pl.Series:
    """18-character ID numbers: the body and its MOD 11-2 check character."""
    d = _digits(body)
    check = _CHECK[(d.astype(np.int64) @ _WEIGHTS) % 11]
    chars = np.concatenate([d + ord("0"), check[:, None]], axis=1).astype(np.uint8)
    return _to_strings(chars)


def _chars(ids: pl.Series) -> np.ndarray:
    raw = "".join(ids.to_list()).encode("ascii")
    return np.frombuffer(raw, dtype=np.uint8).reshape(len(ids), 18).copy()


def check_char_ok(ids: pl.Series) -> np.ndarray:
    """Whether each 18-character ID number carries a correct check character (vectorised)."""
    raw = _chars(ids)
    digits = raw[:, :17].astype(np.int64) - ord("0")
    return _CHECK[(digits @ _WEIGHTS) % 11] == raw[:, 17]


def mistype(rng: np.random.Generator, ids: pl.Series, typo: float, transpose: float) -> pl.Series:
    """A copy of ``ids`` where a share ``typo`` has one body digit replaced by another and a share
    ``transpose`` has two adjacent unequal digits swapped (the check character is left as typed,
    so GB 11643's MOD 11-2 check catches every one of them). Only the altered rows are rebuilt."""
    n = len(ids)
    u = rng.random(n)
    rows = np.flatnonzero(u < typo + transpose)
    if not len(rows):
        return ids
    raw = _chars(ids.gather(rows))
    is_typo = u[rows] < typo
    t = np.flatnonzero(is_typo)
    pos = rng.integers(6, 17, len(t))  # region code digits are rarely mistyped: keep them
    raw[t, pos] = (raw[t, pos] - 48 + rng.integers(1, 10, len(t)).astype(np.uint8)) % 10 + 48
    s = np.flatnonzero(~is_typo)
    # Swap a random adjacent pair whose digits differ (a swap of equal digits changes nothing).
    differs = raw[s, 6:16] != raw[s, 7:17]
    pos = 6 + np.argmax(differs * rng.random(differs.shape), axis=1)
    a, b = raw[s, pos].copy(), raw[s, pos + 1].copy()
    raw[s, pos], raw[s, pos + 1] = b, a
    return ids.clone().scatter(rows, _to_strings(raw)).alias(ids.name)


def vary_names(rng: np.random.Generator, names_: pl.Series, share: float) -> pl.Series:
    """Swap the variant-able characters of a share of names for their homophones."""
    rows = np.flatnonzero(rng.random(len(names_)) < share)
    if not len(rows):
        return names_
    table = str.maketrans(VARIANTS)
    # A short Python pass over the chosen few (share ~1%), not over the population.
    changed = [v.translate(table) for v in names_.gather(rows).to_list()]
    return names_.clone().scatter(rows, pl.Series(changed, dtype=pl.String))


def assign(w: object, p: object, seed: int) -> None:
    """Give the people added since the last call a name, an ID number, and the ID number and name
    as the registry clerk typed them (kept per person, so the same typo recurs every year)."""
    from lantu.simulator.params import Params, stream
    from lantu.simulator.people import World

    assert isinstance(w, World) and isinstance(p, Params)
    S = w.series
    start = len(S["id"]) if "id" in S else 0
    n = w.n_people
    if start >= n:
        return
    rng = stream(seed, f"identity-{start}")
    P = w.P
    sl = slice(start, n)
    taken = w.extra.get("added_bodies") if start else None
    body = id_bodies(
        rng,
        P["birthplace"][sl],
        P["birth"][sl],
        P["sex"][sl],
        np.zeros(0, dtype=np.int64) if start and taken is None else taken,
    )
    if start:
        w.extra["added_bodies"] = body if taken is None else np.concatenate([taken, body])
    ids = id_strings(body)
    nm = names(rng, P["surname"][sl], P["sex"][sl])
    typed = mistype(rng, ids, p.f("registry.id_typo"), p.f("registry.id_transpose"))
    typed_names = vary_names(rng, nm, p.f("registry.name_variant"))
    for key, new in (("id", ids), ("name", nm), ("reg_id", typed), ("reg_name", typed_names)):
        S[key] = (
            new.alias(key) if key not in S else pl.concat([S[key], new.alias(key)], rechunk=True)
        )
