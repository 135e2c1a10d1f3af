"""Case search benchmark: the first page of a name search among 1,000,000 cases, on SQLite and PostgreSQL.

Times `passage.services.case_search.search_cases` as the Cases page calls it (a new session per call,
first page of 50): names typed in Latin for persons recorded in Arabic, Dari or Latin script, a full
name, a prefix, a name in Arabic script, an external reference, for a programme manager of every
programme and one of a single programme. The persons (about three per case) bear Arabic, Dari and
Latin names: common first names, and family names from a long tail (a few very common ones, most
rare), as a registration database holds them. The seeded databases are kept (bench/out/search.sqlite;
PostgreSQL database `passage_bench_search`, 127.0.0.1:5432, skipped with the reason where none
answers) and reused while they hold the right counts; `--fresh` seeds them again.

    .venv/bin/python -m bench.case_search [--cases 1000000] [--calls 50] [--backend both] [--fresh]
"""

import argparse
import json
import os
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from functools import cache
from itertools import accumulate, islice
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, func, select, text
from sqlalchemy.pool import NullPool
from sqlmodel import Session, col

from bench import common  # noqa: F401  (first: a throwaway home, before Passage is imported)
from bench.inbox_query import postgres_url, timed
from models import Case, CaseSearchKey, Person, Role, RoleGrant, User
from models.common import utcnow
from passage.core.db import get_engine, init_db
from passage.core.search_keys import name_keys, ref_key
from passage.core.settings import get_settings
from passage.programme.registry import all_programmes
from passage.services.case_search import CasePage, search_cases

SQLITE = Path(__file__).parent / "out" / "search.sqlite"
CHUNK = 50_000
POSTGRES_DB = "passage_bench_search"
WEIGHTS = [50, 10, 20, 3, 1, 8, 6, 2]  # as bench/inbox_query.py: resettlement half of the cases
PERSONLESS = {"labour-inclusion", "funder-report"}
STAFF = [("pm.anna", "*"), ("pm.lotte", "family-reunification")]
ARABIC_FIRST = (
    "محمد أحمد علي حسن حسين خالد عمر يوسف إبراهيم مصطفى محمود عبدالله سامي فاطمة زينب مريم عائشة نور ليلى سارة هدى رنا"
).split()
DARI_FIRST = "احمد محمد عبدالله رحیم کریم نجیب فرید گل‌احمد شکیلا مریم سمیرا فریبا زهره نرگس پروین".split()
LATIN_FIRST = (
    "Mohammed Muhammad Mohamed Ahmad Ahmed Ali Hassan Hussein Khaled Omar Youssef Ibrahim Mustafa Abdullah "
    "Fatima Zainab Maryam Aisha Nour Layla Sara Huda Rana Rahim Karim Farid Samira Fariba Tesfay Yohannes"
).split()
ROOTS = (
    "Ahmad Khatib Halabi Haddad Nasser Jamal Saad Karim Rahim Nouri Aziz Zein Hamdan Sabbagh Darwish Masri "
    "Shami Homsi Qassem Sharif Tamimi Awad Bakri Hakim Jaber Mansour Najjar Qadir Rashid Salem Taher Yasin "
    "Zaki Barakat Fakhoury Ghanem Hijazi Issa Kanaan Maalouf Naim Obeid Qasim Rahal Saleh Tannous Wahab "
    "Yousef Zaidan Amini Bahrami Farahani Ghani Habibi Jafari Kazemi Latifi Mahmoudi Naderi Omidi Popal "
    "Qaderi Rasuli Sadat Tahiri Wardak Yusufzai Zahir Stanekzai Durrani Karzai Noorzai Safi Mohmand"
).split()
ARABIC_LETTERS = "بتثجحخدذرزسشصضطظعغفقكلمنهوي"
# A Latin spelling written in Arabic script, letter by letter (short e dropped): enough for made-up names
# to be written in both scripts with the same consonants, as a UNHCR record and a passport write them.
TO_ARABIC = {"kh": "خ", "sh": "ش", "gh": "غ", "th": "ث", "dh": "ذ"} | dict(
    zip("abcdefghijklmnopqrstuvwxyz", "ابكد فجحيجكلمنوپقرستوفوكيز", strict=True)
)


def arabic_script(latin: str) -> str:
    """A made-up family name in Arabic script from its Latin spelling ("Al-Khatib" → "الخاتيب")."""
    rest, written = latin.lower().removeprefix("al-"), "ال" if latin.lower().startswith("al-") else ""
    while rest:
        size = 2 if rest[:2] in TO_ARABIC else 1
        letter = TO_ARABIC.get(rest[:size], "").strip()
        written += "" if written.endswith(letter) else letter  # a doubled letter is written once (shadda)
        rest = rest[size:]
    return written


def family_names() -> list[tuple[str, str]]:
    """A long tail of family names, (Latin, Arabic script): the roots' in both, the made-up rare ones in one."""
    pick, names = random.Random(3), []
    for root in ROOTS:
        for suffix in ("", "i", "ani", "awi", "zada"):
            latin = f"Al-{root}{suffix}" if pick.random() < 0.4 else f"{root}{suffix}"
            names.append((latin, arabic_script(latin)))
    while len(names) < 30_000:  # the tail: rare names, half in Arabic script
        length = pick.randint(3, 5)
        if pick.random() < 0.5:
            names.append(("", "".join(pick.choice(ARABIC_LETTERS) for _ in range(length))))
        else:
            syllables = [pick.choice("bdfghjklmnrstwyz") + pick.choice("aeiou") for _ in range(length - 1)]
            names.append(("".join(syllables).capitalize() + pick.choice("dlmnrst"), ""))
    return names


def people(pick: random.Random, families: list[tuple[str, str]], cumulated: list[float]) -> list[str]:
    """One family's names: one to six persons sharing a family name, all in one script (Arabic, Dari, Latin)."""
    latin, arabic = pick.choices(families, cum_weights=cumulated)[0]
    script = pick.random() if latin and arabic else (0.0 if arabic else 1.0)
    count = min(6, 1 + int(pick.expovariate(0.5)))
    if script < 0.35:
        return [f"{pick.choice(ARABIC_FIRST)} {arabic}" for _ in range(count)]
    if script < 0.55:
        return [f"{pick.choice(DARI_FIRST)} {arabic}" for _ in range(count)]
    return [f"{pick.choice(LATIN_FIRST)} {latin}" for _ in range(count)]


@cache
def word_keys(word: str) -> frozenset[str]:
    return frozenset(name_keys(word))


def external_ref(programme: str, n: int) -> tuple[str, str] | None:
    field = {"resettlement-nl": "unhcr_ref", "afghan-transfer": "embassy_ref", "family-reunification": "ind_ref"}
    return (field[programme], f"LEB-26-{n:06d}") if programme in field else None


def generate(count: int) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]], set[str]]]:
    """Each case, its persons and its search keys."""
    pick, now = random.Random(1), utcnow()
    programmes, families = list(all_programmes()), family_names()
    prefixes = {slug: p.ref_prefix for slug, p in all_programmes().items()}
    cumulated = list(accumulate(1 / (rank + 1) ** 0.9 for rank in range(len(families))))  # Zipf-like
    for n in range(1, count + 1):
        programme = pick.choices(programmes, WEIGHTS)[0]
        ref, partner = f"{prefixes[programme]}-{n:05d}", external_ref(programme, n)
        names = [] if programme in PERSONLESS else people(pick, families, cumulated)
        title = f"{names[0]} (+{len(names) - 1})" if names else f"Session {n}"
        data = {partner[0]: partner[1]} if partner else {}
        case = {
            "id": n,
            "programme": programme,
            "title": title,
            "ref": ref,
            "uid": f"{n:032x}",
            "status": "active" if n % 4 else "closed",
            "current_step": "arrival" if n % 4 else None,
            "data": json.dumps(data),
            "flags": "[]",
            "opened_by": "cw.amal",
            "created_at": now - timedelta(minutes=count - n),
        }
        persons = [
            {"case_id": n, "full_name": name, "nationality": "SY", "is_principal": i == 0}
            for i, name in enumerate(names)
        ]
        keys = {k for r in (ref, partner[1] if partner else "") if (k := ref_key(r))}
        for name in names or [title]:
            keys.update(*(word_keys(word) for word in name.split()))
        yield case, persons, keys


def seed(url: str, count: int) -> float:
    """Fill an empty, migrated database; returns the seconds it took."""
    started = time.perf_counter()
    engine = loading_engine(url)
    with Session(engine) as session:
        for username, programme in STAFF:
            session.add(User(username=username, full_name=username, email=f"{username}@example.org"))
            session.flush()
            session.add(RoleGrant(username=username, role=Role.PROGRAMME_MANAGER, programme=programme))
        session.commit()
    with keys_unindexed(engine):
        rows = generate(count)
        while chunk := list(islice(rows, CHUNK)):
            load(engine, "case", [case for case, _, _ in chunk])
            load(engine, "person", [person for _, persons, _ in chunk for person in persons])
            load(engine, "case_search_key", [{"key": k, "case_id": c["id"]} for c, _, keys in chunk for k in keys])
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))
    engine.dispose()
    return time.perf_counter() - started


def loading_engine(url: str) -> Engine:
    """An engine for seeding: on SQLite with a page cache that holds the key index, and no fsync."""
    engine = create_engine(url, poolclass=NullPool)
    if engine.dialect.name == "sqlite":

        def pragmas(connection: Any, _record: Any) -> None:
            for pragma in ("cache_size = -4000000", "synchronous = OFF", "journal_mode = WAL"):
                connection.execute(f"PRAGMA {pragma}")

        event.listen(engine, "connect", pragmas)
    return engine


def load(engine: Engine, table: str, rows: list[dict[str, Any]]) -> None:
    """COPY on PostgreSQL, executemany on SQLite."""
    if not rows:
        return
    columns = list(rows[0])
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            with connection.connection.cursor().copy(f'COPY "{table}" ({", ".join(columns)}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row([row[c] for c in columns])
        else:
            values = ", ".join(f":{c}" for c in columns)
            connection.execute(text(f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({values})'), rows)


@contextmanager
def keys_unindexed(engine: Engine) -> Iterator[None]:
    """PostgreSQL: the keys loaded without their indexes and foreign key check, which are built after."""
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE case_search_key DROP CONSTRAINT case_search_key_pkey"))
        connection.execute(text("ALTER TABLE case_search_key DROP CONSTRAINT case_search_key_case_id_fkey"))
        connection.execute(text("DROP INDEX ix_case_search_key_case"))
    yield
    with engine.begin() as connection:
        connection.execute(text("SET maintenance_work_mem = '1GB'"))
        connection.execute(text("ALTER TABLE case_search_key ADD PRIMARY KEY (key, case_id)"))
        connection.execute(text("CREATE INDEX ix_case_search_key_case ON case_search_key (case_id, key)"))
        connection.execute(
            text(
                "ALTER TABLE case_search_key ADD CONSTRAINT case_search_key_case_id_fkey "
                'FOREIGN KEY (case_id) REFERENCES "case" (id)'
            )
        )


def counts(engine: Engine) -> tuple[int, int]:
    with engine.connect() as connection:
        cases = connection.execute(select(func.count()).select_from(Case)).scalar_one()
        keys = connection.execute(select(func.count()).select_from(CaseSearchKey)).scalar_one()
        return cases, keys


def prepare(url: str, count: int) -> str:
    """The database at `url` migrated and seeded; says whether it was seeded now or reused."""
    engine = get_engine(url)
    init_db(engine)
    found = counts(engine)
    if found[0] == count and found[1] > count:
        return "reused"
    if found != (0, 0):
        raise SystemExit(f"{url} holds other data: run with --fresh to seed it again")
    return f"seeded in {seed(url, count) / 60:.1f} min"


def someone(case_id: int) -> str:
    """The name of the first person of the first case from `case_id` on that has persons."""
    with Session(get_engine()) as session:
        query = (
            select(col(Person.full_name))
            .where(col(Person.case_id) >= case_id)
            .order_by(col(Person.case_id), col(Person.id))
        )
        return str(session.execute(query.limit(1)).scalar_one())


def page(actor: str, query: str) -> Callable[[], CasePage]:
    def call() -> CasePage:
        with Session(get_engine()) as session:
            return search_cases(session=session, actor=actor, text=query)

    return call


QUERIES = [
    ("pm.anna", "Mohammed", "a common first name, Latin (Arabic, Dari and Latin records)"),
    ("pm.anna", "Mohammed Al-Khatib", "first and family name, Latin"),
    ("pm.anna", "محمد الخطيب", "first and family name, Arabic script"),
    ("pm.anna", "Rahimi", "a family name, Latin"),
    ("pm.anna", "Moham", "the start of a name"),
    ("pm.anna", "", "the full name of one person (the first one of the middle case)"),
    ("pm.anna", "LEB-26-012345", "an external reference"),
    ("pm.lotte", "Mohammed", "a common first name, one programme"),
    ("pm.lotte", "Fatima Haddad", "first and family name, one programme"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--fresh", action="store_true", help="seed the databases again")
    args = parser.parse_args()
    backends: dict[str, str | None] = {}
    if args.backend in ("sqlite", "both"):
        SQLITE.parent.mkdir(parents=True, exist_ok=True)
        for path in SQLITE.parent.glob(f"{SQLITE.name}*") if args.fresh else []:
            path.unlink()
        backends["SQLite"] = f"sqlite:///{SQLITE.resolve()}"
    if args.backend in ("postgresql", "both"):
        backends["PostgreSQL"] = postgres_url(args.fresh, POSTGRES_DB)
    rows = []
    for name, url in backends.items():
        if url is None:
            rows.append(
                f"| {name} | skipped: no server answers at 127.0.0.1:5432 (the reason is printed above) | | | | | |"
            )
            continue
        state = prepare(url, args.cases)
        os.environ["PASSAGE_DATABASE_URL"] = url
        get_settings.cache_clear()
        get_engine.cache_clear()
        for actor, query, what in QUERIES:
            query = query or someone(args.cases // 2)
            shown = page(actor, query)()
            p50, p95, cpu = timed(page(actor, query), args.calls)
            more = "+" if shown.has_more else ""
            rows.append(
                f"| {name} | {what}: `{query}` ({actor}) | {len(shown.rows)}{more} "
                f"| {p50:.1f} ms | {p95:.1f} ms | {cpu:.1f} ms | {state} |"
            )
    print(f"\n{args.cases:,} cases, first page (50 rows) of search_cases, {args.calls} calls each\n")
    print(f"machine load (1 min) at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores\n")
    print("| backend | search | rows | p50 | p95 | CPU (median) | database |")
    print("|---|---|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
