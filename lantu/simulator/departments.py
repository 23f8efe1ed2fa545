"""The departments' datasets (部门数据): what public security, vehicle registration, real estate,
market regulation, the personnel office, medical insurance, education, the disabled persons'
federation, emergency management and human resources each record about people.

Each year's events are collected as person indexes (``collect``); at the end ``write_all`` gives
every record an ID number and a name as that department holds them — with its own coverage gaps,
missing and mistyped ID numbers and variant names (params.yaml ``departments``) — writes
``observed/departments/<dept>.parquet`` and the hidden link ``truth/links/<dept>.parquet``
(record_id → person_id). Column lists are declared in ``COLUMNS`` and documented in
docs/simulator.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from lantu.simulator import identity
from lantu.simulator import lifecycle as lc
from lantu.simulator.economy import public_start, wage_growth
from lantu.simulator.params import Params, stream
from lantu.simulator.people import World
from lantu.simulator.tables import append, village_code

if TYPE_CHECKING:
    from lantu.simulator.run import Buffers

Arrays = dict[str, np.ndarray]
DEST = np.array(["", "township", "county", "province", "outside", ""])
COLUMNS = {
    "public_security": [
        "record_id",
        "id_number",
        "name",
        "sex",
        "birth_date",
        "hukou_region_code",
        "hukou_status",
        "death_date",
        "hukou_no",
    ],
    "vehicles": [
        "record_id",
        "owner_id_number",
        "owner_name",
        "plate_no",
        "vehicle_type",
        "registered_year",
        "purchase_price",
        "hukou_region_code",
        "owner_phone",
    ],
    "real_estate": [
        "record_id",
        "owner_id_number",
        "owner_name",
        "property_type",
        "location_county",
        "floor_area",
        "registered_year",
        "price",
        "owner_phone",
    ],
    "business": [
        "record_id",
        "legal_rep_id_number",
        "legal_rep_name",
        "company_name",
        "registered_year",
        "registered_capital",
        "status",
        "legal_rep_phone",
    ],
    "public_employees": ["record_id", "id_number", "name", "employer_type", "start_year"],
    "medical_bills": [
        "record_id",
        "id_number",
        "name",
        "birth_date",
        "sex",
        "hukou_region_code",
        "year",
        "inpatient",
        "total_cost",
        "reimbursed",
        "out_of_pocket",
    ],
    "school_enrolment": [
        "record_id",
        "student_id_number",
        "student_name",
        "birth_date",
        "sex",
        "hukou_region_code",
        "year",
        "level",
    ],
    "disability_certificates": ["record_id", "id_number", "name", "grade", "issue_year"],
    "disaster_reports": [
        "record_id",
        "head_id_number",
        "head_name",
        "region_code",
        "household_size",
        "year",
        "disaster_type",
        "loss_yuan",
    ],
    "employment": [
        "record_id",
        "id_number",
        "name",
        "birth_date",
        "sex",
        "hukou_region_code",
        "year",
        "work_place",
        "months",
        "monthly_wage",
        "social_insurance",
    ],
}
# The contact phone a department's form records (params.yaml ``departments.identifying``: phone).
PHONE = {"real_estate": "owner_phone", "business": "legal_rep_phone", "vehicles": "owner_phone"}
DISASTERS = np.array(["flood", "drought", "landslide", "hail"])
LEVELS = np.array(
    ["", "preschool", "primary", "junior", "senior", "vocational", "higher", "home_teaching", ""]
)


def _covered(rng: np.random.Generator, p: Params, dept: str, n: int) -> np.ndarray:
    return rng.random(n) < float(p.get("departments.coverage")[dept])


def collect(
    w: World,
    p: Params,
    rng: np.random.Generator,
    year: int,
    inc: Arrays,
    med: Arrays,
    dis: Arrays,
    school: np.ndarray,
    buf: Buffers,
) -> None:
    P = w.P
    who = med["who"]
    keep = _covered(rng, p, "medical_bills", len(who))
    buf.sink.add(
        "medical_bills",
        pl.DataFrame(
            {
                "person": who[keep],
                "year": np.full(int(keep.sum()), year, dtype=np.int32),
                "inpatient": np.ones(int(keep.sum()), dtype=bool),
                "total_cost": np.round(med["cost"][keep], 2),
                "reimbursed": np.round(med["reimbursed"][keep], 2),
                "out_of_pocket": np.round(med["oop"][keep], 2),
            }
        ),
    )
    studs = np.flatnonzero(P["present"] & (school >= lc.S_PRE) & (school <= lc.S_HOME))
    studs = studs[_covered(rng, p, "school_enrolment", len(studs))]
    buf.sink.add(
        "school_enrolment",
        pl.DataFrame(
            {
                "person": studs,
                "year": np.full(len(studs), year, dtype=np.int32),
                "level": pl.Series(LEVELS).gather(school[studs].astype(np.int64)),
            }
        ),
    )
    mig = np.flatnonzero(P["present"] & (P["work"] >= lc.W_TOWNSHIP) & (P["work"] <= lc.W_OUTSIDE))
    mig = mig[_covered(rng, p, "employment", len(mig))]
    wage = p.get("work.monthly_wage")
    rate = np.array([0, wage["township"], wage["county"], wage["province"], wage["outside"], 0])
    buf.sink.add(
        "employment",
        pl.DataFrame(
            {
                "person": mig,
                "year": np.full(len(mig), year, dtype=np.int32),
                "work_place": pl.Series(DEST).gather(P["work"][mig].astype(np.int64)),
                "months": P["months"][mig].astype(np.int32),
                "monthly_wage": np.round(
                    rate[P["work"][mig]] * wage_growth(p, year) * rng.lognormal(0, 0.2, len(mig)),
                    0,
                ),
                "social_insurance": rng.random(len(mig))
                < p.yearly("departments.social_insurance", year),
            }
        ),
    )
    head = lc.heads(w)
    hit = np.flatnonzero(dis["disaster"] & (head >= 0))
    hit = hit[_covered(rng, p, "disaster_reports", len(hit))]
    size = np.bincount(P["hh"][P["present"]], minlength=w.n_households)
    buf.sink.add(
        "disaster_reports",
        pl.DataFrame(
            {
                "person": head[hit],
                "household": hit,
                "household_size": size[hit].astype(np.int32),
                "year": np.full(len(hit), year, dtype=np.int32),
                "disaster_type": pl.Series(DISASTERS).gather(dis["kind"][hit].astype(np.int64)),
                "loss_yuan": np.round(inc["business"][hit] * 0.4, 0),
            }
        ),
    )
    _purchases(w, p, rng, year, inc, head, buf)


def _purchases(
    w: World,
    p: Params,
    rng: np.random.Generator,
    year: int,
    inc: Arrays,
    head: np.ndarray,
    buf: Buffers,
) -> None:
    for dept, key in (("vehicles", "vehicle"), ("real_estate", "town_house")):
        spec = p.get(f"departments.{key}")
        prob = (
            np.clip(spec["rate_per_10k_income"] * inc["pc"] / 10000.0, 0, 0.3) + spec["floor_rate"]
        )
        buy = np.flatnonzero((head >= 0) & (rng.random(w.n_households) < prob))
        buy = buy[_covered(rng, p, dept, len(buy))]
        price = rng.lognormal(np.log(spec["price_mean"]), spec["price_sigma"], len(buy))
        buf.sink.add(
            dept,
            pl.DataFrame(
                {
                    "person": head[buy],
                    "household": buy,
                    "year": np.full(len(buy), year, dtype=np.int32),
                    "price": np.round(price, -2),
                }
            ),
        )


def _finals(w: World, p: Params, seed: int, end: int) -> dict[str, pl.DataFrame]:
    P, H = w.P, w.H
    rng = stream(seed, "departments-final")
    n = w.n_people
    idx = np.arange(n)
    age = lc.ages(w, end)
    status = np.where(
        P["left_reason"] == lc.DEATH,
        "deceased",
        np.where(P["left_reason"] == lc.MARRIAGE, "moved_out", "active"),
    )
    death = (
        np.datetime64(f"{end}-01-01") - 365 * (end - P["left_year"]).astype("timedelta64[D]")
    ) + rng.integers(0, 365, n).astype("timedelta64[D]")
    ps = idx[_covered(rng, p, "public_security", n)]
    out = {
        "public_security": pl.DataFrame(
            {
                "person": ps,
                # 户号: the household register's own number of the person's household (常住人口
                # 登记表): the village code and a 5-digit number of the police's own.
                "hukou_no": _hukou_numbers(w, P["hh"][ps], seed),
                "sex": pl.Series(["1", "2"]).gather(P["sex"][ps].astype(np.int64) - 1),
                "birth_date": P["birth"][ps].astype("datetime64[D]"),
                "hukou_region_code": village_code(w, P["hh"][ps]),
                "hukou_status": status[ps],
                "death_date": np.where(
                    P["left_reason"][ps] == lc.DEATH, death[ps], np.datetime64("NaT")
                ),
            }
        )
    }
    adult = (age >= 22) & (age < 60)
    # The roster of serving public employees: those the year loop put in a public post
    # (economy.public_employment, whose salary was household income), alive and under the
    # retirement age at the end.
    spec = p.get("departments.public_employee")
    start = public_start(w)
    serving = (start > 0) & (age < int(spec["retire_age"])) & (P["left_reason"] != lc.DEATH)
    emp = idx[serving]
    emp = emp[_covered(rng, p, "public_employees", len(emp))]
    out["public_employees"] = pl.DataFrame(
        {
            "person": emp,
            "employer_type": np.where(rng.random(len(emp)) < 0.6, "institution", "government"),
            "start_year": start[emp].astype(np.int32),
        }
    )
    bspec = p.get("departments.business")
    skill = H["skill"][P["hh"]]
    biz = idx[adult & (rng.random(n) < bspec["rate"] * np.clip(skill, 0.2, 4))]
    biz = biz[_covered(rng, p, "business", len(biz))]
    out["business"] = pl.DataFrame(
        {
            "person": biz,
            "company_name": "商贸有限公司" + pl.Series(biz).cast(pl.String).str.zfill(8),
            "registered_year": (end - rng.integers(0, 15, len(biz))).astype(np.int32),
            "registered_capital": np.round(rng.lognormal(np.log(200000), 1.0, len(biz)), -3),
            "status": np.where(rng.random(len(biz)) < 0.8, "operating", "cancelled"),
        }
    )
    dis = idx[(P["disab"] > 0)]
    dis = dis[_covered(rng, p, "disability_certificates", len(dis))]
    out["disability_certificates"] = pl.DataFrame(
        {
            "person": dis,
            "grade": P["disab"][dis].astype(np.int32),
            "issue_year": (end - rng.integers(0, 12, len(dis))).astype(np.int32),
        }
    )
    return out


class Sink:
    """Resolves each batch of department records as it comes (a year's events, or the final
    snapshots): record ids continue per department, ID numbers and names are those of the person
    as the department holds them (its own missing and mistyped IDs, variant names); the records
    and the hidden links are appended to one Parquet file each, a row group per batch."""

    def __init__(self, w: World, p: Params, out: Path, seed: int) -> None:
        self.w, self.p, self.out, self.seed = w, p, out, seed
        self.count: dict[str, int] = dict.fromkeys(COLUMNS, 0)
        # Records that carry a contact phone wait for the registry's phones (``registry_phones``,
        # written at the end): (dept, frame, tag), written in order by ``finish``.
        self.pending: list[tuple[str, pl.DataFrame, str]] = []
        self.house_phone: pl.Series | None = None
        self.own_phone: np.ndarray | None = None

    def registry_phones(self, households: np.ndarray, phone: pl.Series) -> None:
        """The registry's phone of each of its households (households.phone as written)."""
        series = pl.Series("phone", [None] * self.w.n_households, dtype=pl.String)
        self.house_phone = series.scatter(households.astype(np.int64), phone)

    def add(self, dept: str, frame: pl.DataFrame) -> None:
        if frame.height == 0:
            return
        tag = f"{dept}-{self.count[dept]}"
        ids, names = self._person_fields(dept, frame["person"].to_numpy(), tag)
        start = self.count[dept]
        self.count[dept] += frame.height
        frame = frame.with_columns(
            record_id=pl.int_range(start, start + frame.height, dtype=pl.Int64)
        )
        cols = COLUMNS[dept]
        frame = frame.with_columns(
            ids.alias(cols[1]), names.alias(cols[2]), *self._identifying(dept, frame, tag)
        )
        frame = _shape(self.w, dept, frame)
        if dept in PHONE and "phone" in self.p.get("departments.identifying").get(dept, []):
            self.pending.append((dept, frame, tag))
            return
        self._write(dept, frame)

    def _write(self, dept: str, frame: pl.DataFrame) -> None:
        append(
            frame.select(COLUMNS[dept]), self.out / "observed" / "departments" / f"{dept}.parquet"
        )
        link = frame.select("record_id", pl.col("person").cast(pl.Int64).alias("person_id"))
        append(link, self.out / "truth" / "links" / f"{dept}.parquet")

    def _phones(self, dept: str, frame: pl.DataFrame, tag: str) -> pl.Series:
        """The contact phone on each record: for a person of a registry household, the
        household's phone as the registry has it, except a share (``departments.phone_changed``)
        that gives another number (changed since, or the person's own mobile); for anyone else,
        and for that share, the person's own number (one per person, generated)."""
        person = frame["person"].to_numpy().astype(np.int64)
        if self.house_phone is None:
            raise RuntimeError("registry phones are needed before the departments' phones")
        house = self.house_phone.gather(self.w.P["hh"][person].astype(np.int64))
        if self.own_phone is None:  # one number per person, drawn once
            own = stream(self.seed, "dept-phones").integers(0, 6 * 10**9, self.w.n_people)
            self.own_phone = 13 * 10**9 + own
        own_phone = pl.Series(self.own_phone[person]).cast(pl.String)
        rng = stream(self.seed, f"dept-phone-{tag}")
        changed = rng.random(len(person)) < float(self.p.get("departments.phone_changed")[dept])
        return (
            pl.DataFrame({"h": house, "o": own_phone, "c": changed})
            .select(pl.when(pl.col("c") | pl.col("h").is_null()).then("o").otherwise("h"))
            .to_series()
            .alias(PHONE[dept])
        )

    def _person_fields(
        self, dept: str, person: np.ndarray, tag: str
    ) -> tuple[pl.Series, pl.Series]:
        p = self.p
        rng = stream(self.seed, f"dept-{tag}")
        ids = self.w.series["id"].gather(person)
        ids = identity.mistype(rng, ids, float(p.get("departments.id_typo")[dept]), 0.0)
        missing = rng.random(len(person)) < float(p.get("departments.id_missing")[dept])
        ids = pl.DataFrame({"i": ids, "m": missing}).select(
            pl.when("m").then(None).otherwise("i").alias("i")
        )["i"]
        names = identity.vary_names(
            rng, self.w.series["name"].gather(person), p.f("departments.name_variant")
        )
        return ids, names

    def _identifying(self, dept: str, frame: pl.DataFrame, tag: str) -> list[pl.Series]:
        """The person fields the department's system holds beside ID number and name
        (params.yaml ``departments.identifying``): birth date (a share entered a month or a year
        off, ``departments.birth_date_error``), sex, hukou village. Drawn from a stream of their
        own, so the ID numbers and names of every department stay what they were."""
        wanted = self.p.get("departments.identifying").get(dept, [])
        person = frame["person"].to_numpy()
        P, out = self.w.P, []
        if "birth_date" in wanted:
            rng = stream(self.seed, f"dept-birth-{tag}")
            birth = P["birth"][person].astype(np.int64)
            wrong = rng.random(len(person)) < self.p.f("departments.birth_date_error")
            shift = rng.choice([-30, 30, 365, -365], len(person))
            birth = np.where(wrong, birth + shift, birth)
            out.append(pl.Series("birth_date", birth.astype("datetime64[D]")))
        if "sex" in wanted:
            out.append(pl.Series(["1", "2"]).gather(P["sex"][person].astype(np.int64) - 1))
            out[-1] = out[-1].alias("sex")
        if "hukou_region_code" in wanted:
            out.append(village_code(self.w, P["hh"][person]).alias("hukou_region_code"))
        return out

    def finish(self, end: int) -> None:
        for dept, frame in _finals(self.w, self.p, self.seed, end).items():
            self.add(dept, frame)
        for dept, frame, tag in self.pending:
            self._write(dept, frame.with_columns(self._phones(dept, frame, tag)))
        self.pending.clear()
        for dept, cols in COLUMNS.items():
            if self.count[dept] == 0:  # a tiny run may have no record of a kind: an empty file
                empty = pl.DataFrame(schema=dict.fromkeys(cols, pl.String))
                append(empty, self.out / "observed" / "departments" / f"{dept}.parquet")
                link = pl.DataFrame(schema={"record_id": pl.Int64, "person_id": pl.Int64})
                append(link, self.out / "truth" / "links" / f"{dept}.parquet")


def _hukou_numbers(w: World, households: np.ndarray, seed: int) -> pl.Series:
    """户号 per person: the household's village code + a 5-digit number drawn per household
    (the order of a random key within the village), from a stream of its own."""
    key = stream(seed, "hukou-no").random(int(households.max()) + 1 if len(households) else 1)
    frame = pl.DataFrame({"hh": households, "village": village_code(w, households)})
    per_hh = frame.unique("hh", maintain_order=True)
    per_hh = per_hh.with_columns(k=pl.Series(key[per_hh["hh"].to_numpy()]))
    per_hh = per_hh.with_columns(
        no=pl.col("k").rank("ordinal").over("village").cast(pl.Int64)
    ).select("hh", (pl.col("village") + pl.col("no").cast(pl.String).str.zfill(5)).alias("h"))
    return frame.join(per_hh, on="hh", how="left", maintain_order="left")["h"]


def _shape(w: World, dept: str, frame: pl.DataFrame) -> pl.DataFrame:
    """The department-specific columns derived from the collected ones."""
    if dept == "vehicles":
        return frame.with_columns(
            plate_no=pl.concat_str(pl.lit("云A"), pl.col("record_id").cast(pl.String).str.zfill(5)),
            vehicle_type=pl.lit("car"),
            registered_year="year",
            purchase_price="price",
        )
    if dept == "real_estate":
        hh = frame["household"].to_numpy()
        return frame.with_columns(
            property_type=pl.lit("town_house"),
            registered_year="year",
            location_county=village_code(w, hh).str.slice(0, 6) + "000000",
            floor_area=pl.lit(95.0),
        )
    if dept == "disaster_reports":
        return frame.with_columns(region_code=village_code(w, frame["household"].to_numpy()))
    return frame
