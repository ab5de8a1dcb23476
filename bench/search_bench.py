"""Search latency at scale: synthetic Vietnamese documents, selective and common-word queries.

    createdb -h 127.0.0.1 -U postgres dh_search
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dh_search .venv/bin/python bench/search_bench.py --docs 100000
    DATABASE_URL=… .venv/bin/python bench/search_bench.py --docs 1000000     # adds 900,000 more

Documents are written straight into the tables with COPY (the service path is measured by the exchange bench);
their index rows are made by the same ``index_text`` the service uses. Text: syllables built from Vietnamese
onsets, rhymes and tones, drawn with a Zipf distribution (s = 1.1) like real word frequencies, so a handful of
syllables are in most documents and most syllables are rare. Each document belongs to one of 50 units; the clerk
timed here belongs to one of them (sees ~2% of the documents), the administrator sees all of them.
"""

import argparse
import datetime
import io
import multiprocessing
import random
import sys
import threading
import time
import unicodedata

from _common import percentile, setup_django

ONSETS = ["", "b", "c", "ch", "d", "đ", "g", "gi", "h", "k", "kh", "l", "m", "n", "ng", "nh", "ph", "qu", "r", "s",
          "t", "th", "tr", "v", "x"]
RHYMES = ["a", "ai", "ao", "an", "anh", "am", "ang", "at", "ac", "ach", "ăn", "ăng", "ăt", "âm", "ân", "âng", "ât",
          "âu", "ây", "e", "en", "em", "eo", "et", "ê", "ên", "ênh", "êt", "i", "in", "inh", "it", "ich", "iêu", "iên",
          "iêt", "o", "oa", "oai", "oan", "oang", "oanh", "oc", "ong", "op", "ot", "ô", "ôi", "ôn", "ông", "ôt", "ơ",
          "ơi", "ơn", "u", "ui", "un", "ung", "uc", "ut", "uyên", "ư", "ưa", "ưng", "ươi", "ương", "ươc", "ưu", "y"]
TONES = ["", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323"]
VOWELS = set("aăâeêioôơuưy")
UNITS = 50


def syllable(onset, rhyme, tone):
    # the tone goes on the last "hatted" vowel, else the first vowel: close enough to the spelling rules
    marks = [i for i, c in enumerate(rhyme) if c in "ăâêôơư"]
    vowels = [i for i, c in enumerate(rhyme) if c in VOWELS]
    at = marks[-1] if marks else vowels[0]
    return unicodedata.normalize("NFC", onset + rhyme[:at + 1] + tone + rhyme[at + 1:])


def vocabulary(rng):
    words = sorted({syllable(o, r, t) for o in ONSETS for r in RHYMES for t in TONES})
    rng.shuffle(words)
    weights = [1 / (rank + 1) ** 1.1 for rank in range(len(words))]
    return words, weights


def copy_row(values):
    """One line of COPY's text format: backslash, tab and newline escaped."""
    return "\t".join(str(v).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
                     for v in values) + "\n"


def make_text(rng, words, cum, n):
    return " ".join(rng.choices(words, cum_weights=cum, k=n))


def seed(args, words, weights):
    from django.db import connection, transaction

    from dieuhanh.accounts.models import Membership, Role, User
    from dieuhanh.documents.models import Document, DocumentType
    from dieuhanh.operations.reference import ensure_reference_data
    from dieuhanh.units.models import Unit, UnitKind
    from dieuhanh.units.services import create_unit

    ensure_reference_data()
    admin = User.objects.filter(username="bench.admin").first()
    if admin is None:
        admin = User.objects.create(username="bench.admin", full_name="Bench admin", is_superuser=True)
    units = list(Unit.objects.filter(code__startswith="SB.").order_by("code"))
    if not units:
        root = create_unit(actor=admin, parent=None, code="SB.000", name="Ban bench", short_name="BB",
                           kind=UnitKind.CENTRAL, effective_from=datetime.date(2025, 1, 1))
        units = [create_unit(actor=admin, parent=root, code=f"SB.{i:03d}", name=f"Tỉnh ủy {i}", short_name="TU",
                             kind=UnitKind.PROVINCE, effective_from=datetime.date(2025, 1, 1))
                 for i in range(1, UNITS + 1)]
    clerk = User.objects.filter(username="bench.clerk").first()
    if clerk is None:
        clerk = User.objects.create(username="bench.clerk", full_name="Bench clerk")
        Membership.objects.create(user=clerk, unit=units[0], role=Role.CLERK)
    have = Document.objects.filter(created_by=admin).count()
    types = list(DocumentType.objects.filter(system="state").values_list("id", "abbreviation"))
    cum, total = [], 0.0
    for w in weights:
        total += w
        cum.append(total)
    start, batch = time.perf_counter(), 20_000
    todo = args.docs - have
    print(f"documents present: {have:,}; adding {max(todo, 0):,}", flush=True)
    next_id = (Document.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    bulk = todo > 50_000
    if bulk:  # a bulk load builds the GIN indexes and the vocabulary once at the end, as a restore would
        with connection.cursor() as cur:
            for index in GIN_INDEXES:
                cur.execute(f"DROP INDEX IF EXISTS {index}")
            cur.execute("ALTER TABLE search_searchentry DISABLE TRIGGER search_entry_words")
    global _GEN
    _GEN = {"types": types, "units": [(u.pk, u.short_name) for u in units], "words": words, "cum": cum,
            "admin": admin.pk}
    jobs = []
    while todo > 0:
        n = min(batch, todo)
        jobs.append((next_id, n))
        next_id += n
        todo -= n
    done = have
    # rows are made in worker processes (folding and tokens take most of the time) and copied in here
    with multiprocessing.get_context("fork").Pool(args.workers) as pool:
        for docs, entries, n in pool.imap(_rows, jobs):
            with transaction.atomic(), connection.cursor() as cur:
                raw = cur.cursor if hasattr(cur, "cursor") else cur
                with raw.copy("COPY documents_document (id, document_type_id, issuing_unit_id, issuer_name, "
                              "status, period, symbol, place, issued_on, subject, signer_name, signer_position, "
                              "authority, urgency, confidentiality, page_count, language, created_by_id, "
                              "created_at) FROM STDIN") as copy:
                    copy.write(docs)
                with raw.copy("COPY search_searchentry (document_id, text, folded, pairs, symbol_key, issuer_key, "
                              "sort_date, updated_at) FROM STDIN") as copy:
                    copy.write(entries)
            done += n
            rate = (done - have) / (time.perf_counter() - start)
            print(f"  {done:,} documents ({rate:,.0f}/s)", flush=True)
    with connection.cursor() as cur:
        if bulk:
            t0 = time.perf_counter()
            # the two GIN indexes are built side by side, one connection each
            threads = [threading.Thread(target=_build_index, args=(name, column))
                       for name, column in GIN_INDEXES.items()]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            cur.execute("ALTER TABLE search_searchentry ENABLE TRIGGER search_entry_words")
            cur.execute("INSERT INTO search_searchword(word) SELECT word FROM ts_stat('SELECT search_tsv FROM "
                        "search_searchentry') WHERE word NOT LIKE 'zq%%' AND length(word) BETWEEN 3 AND 40 "
                        "AND word !~ '^[0-9]+$' ON CONFLICT DO NOTHING")
            print(f"  GIN indexes and vocabulary built in {time.perf_counter() - t0:.0f} s", flush=True)
        cur.execute("SELECT setval(pg_get_serial_sequence('documents_document', 'id'), "
                    "(SELECT max(id) FROM documents_document))")
        cur.execute("ANALYZE documents_document")
        cur.execute("ANALYZE search_searchentry")
    return admin, clerk


GIN_INDEXES = {"search_entry_tsv": "search_tsv", "search_entry_pairs": "pairs_tsv"}
_GEN = {}


def _build_index(name, column):
    from django.db import connection

    with connection.cursor() as cur:
        t0 = time.perf_counter()
        cur.execute("SET maintenance_work_mem = '1GB'")
        cur.execute(f"CREATE INDEX {name} ON search_searchentry USING gin ({column})")
        print(f"  {name} built in {time.perf_counter() - t0:.0f} s", flush=True)
    connection.close()


def _rows(job):
    """COPY lines of ``n`` documents from ``first`` on (run in a worker process; same rows for the same ids)."""
    from dieuhanh.kernel.text import fold
    from dieuhanh.search.text import dated_tokens, index_fields, reader_tokens, symbol_key

    first, n = job
    g = _GEN
    rng = random.Random(first)
    day0 = datetime.date(2020, 1, 1)
    docs, entries = io.StringIO(), io.StringIO()
    for doc_id in range(first, first + n):
        type_id, abbr = rng.choice(g["types"])
        unit_pk, short = g["units"][doc_id % UNITS]
        subject = make_text(rng, g["words"], g["cum"], rng.randint(8, 18))
        body = make_text(rng, g["words"], g["cum"], rng.randint(40, 90))
        symbol = f"{doc_id % 3000 + 1}/{abbr or 'UBND'}-{short}{doc_id % UNITS}"
        day = day0 + datetime.timedelta(days=doc_id % 2500)
        issuer = f"Tỉnh ủy {doc_id % UNITS + 1}"
        docs.write(copy_row([doc_id, type_id, unit_pk, issuer, "issued", "", symbol, "", day.isoformat(),
                             subject, "", "", "", 0, 0, 1, "vi", g["admin"], "2026-01-01 00:00:00+00"]))
        text = "\n".join([f"Số: {symbol}", subject, issuer, body])
        readers = reader_tokens(units=[unit_pk])
        fields = index_fields(text, readers + dated_tokens(readers, day))
        entries.write(copy_row([doc_id, text, fields["folded"], fields["pairs"], symbol_key(symbol), fold(issuer),
                                day.isoformat(), "2026-01-01 00:00:00+00"]))
    return docs.getvalue(), entries.getvalue(), n


def queries(words):
    """Selective: two rare words; common: the two most frequent; accented and phrase forms too."""
    from dieuhanh.kernel.text import fold

    rare = words[1500:1560]
    return {
        "selective, 2 rare words, folded": [f"{fold(rare[i])} {fold(rare[i + 1])}" for i in range(0, 60, 2)],
        "selective, 1 rare word, accented": rare[:30],
        "common, top-2 words, folded": [f"{fold(words[0])} {fold(words[1])}"] * 5
        + [f"{fold(words[i])} {fold(words[i + 1])}" for i in range(2, 12)],
        "common, top word + mid word": [f"{words[0]} {words[200 + i]}" for i in range(30)],
        "phrase of 2 mid words": [f'"{fold(words[100 + i])} {fold(words[101 + i])}"' for i in range(30)],
        "number/symbol like 12/QĐ-TU3": [f"{n}/QĐ-TU{(n - 1) % UNITS}" for n in range(10, 40)],
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=2, help="times each query list is run")
    parser.add_argument("--workers", type=int, default=2, help="processes making the rows to load")
    parser.add_argument("--prewarm", action="store_true",
                        help="read the search tables and indexes into the OS cache first (pg_prewarm), as a "
                             "server that has been running a while has them; without it the first reads of each "
                             "query come from disk")
    args = parser.parse_args()
    setup_django()
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("Run on PostgreSQL: DATABASE_URL=postgres://postgres@127.0.0.1:5432/dh_search")
    from dieuhanh.search import selectors

    words, weights = vocabulary(random.Random(7))
    admin, clerk = seed(args, words, weights)
    if args.prewarm:
        t0 = time.perf_counter()
        with connection.cursor() as cur:
            cur.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
            cur.execute("SELECT sum(pg_prewarm(c.oid, 'read')) FROM pg_class c WHERE c.relname = ANY(%s) "
                        "OR c.oid = (SELECT reltoastrelid FROM pg_class WHERE relname = 'search_searchentry')",
                        [["search_searchentry", "search_searchentry_pkey", "search_entry_date", *GIN_INDEXES,
                          "documents_document", "documents_document_pkey"]])
            blocks = cur.fetchone()[0]
        print(f"prewarmed {blocks:,} blocks ({blocks * 8 / 1024:,.0f} MB) in {time.perf_counter() - t0:.1f} s")
    total = args.docs
    print(f"\nsearch at {total:,} documents (p50 / p95 over first pages of 20, count capped at "
          f"{selectors.COUNT_CAP}):")
    for who, user in (("clerk of 1 unit of 50", clerk), ("administrator (all)", admin)):
        for sort in ("relevance", "date"):
            for name, qs in queries(words).items():
                samples, counts = [], []
                for _ in range(args.repeat):
                    for q in qs:
                        user = type(user).objects.get(pk=user.pk)  # a new request: grants read again
                        t0 = time.perf_counter()
                        result = selectors.search(user, q=q, sort=sort, limit=20)
                        samples.append((time.perf_counter() - t0) * 1000)
                        counts.append(result.count)
                print(f"  {who:<22} {sort:<9} {name:<34} p50={percentile(samples, 50):7.1f} ms "
                      f"p95={percentile(samples, 95):7.1f} ms  hits~{int(percentile(counts, 50))}", flush=True)


if __name__ == "__main__":
    main()
