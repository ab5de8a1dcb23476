"""Search: Vietnamese folding, accented matches first, phrases, symbols, filters, pages, indexing in the
writing transaction. Runs on SQLite FTS5 and on PostgreSQL full text alike."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from dieuhanh.search import selectors
from dieuhanh.search.models import SearchEntry
from dieuhanh.search.selectors import Filters


def ids(result):
    return [h.document.pk for h in result.hits]


def test_folded_query_finds_accented_text_and_exact_accents_rank_first(paper, exchange):
    clerk = exchange.org.clerk_a
    near = paper("Về việc điều đồng cán bộ")  # other tones, same letters
    exact = paper("Quyết định điều động cán bộ")
    other = paper("Báo cáo tình hình kinh tế")
    plain = selectors.search(clerk, q="dieu dong can bo")
    assert set(ids(plain)) == {near.pk, exact.pk} and other.pk not in ids(plain)
    accented = selectors.search(clerk, q="điều động cán bộ")
    assert ids(accented)[0] == exact.pk and set(ids(accented)) == {near.pk, exact.pk}
    assert selectors.search(clerk, q="ĐIỀU ĐỘNG").hits[0].document.pk == exact.pk
    # the snippet marks the words as written
    assert "<mark>động</mark>" in str(accented.hits[0].snippet)


def test_phrase_query_needs_adjacent_words(paper, exchange):
    clerk = exchange.org.clerk_a
    together = paper("Kế hoạch điều động cán bộ năm 2026")
    apart = paper("Cán bộ được điều về, không động viên")
    assert set(ids(selectors.search(clerk, q="can bo dieu"))) == {together.pk, apart.pk}
    assert ids(selectors.search(clerk, q='"dieu dong can bo"')) == [together.pk]
    assert ids(selectors.search(clerk, q='"điều động" kế hoạch')) == [together.pk]


@pytest.mark.parametrize("typed", ["12/QĐ-UBND", "12/QD-UBND", "số 12/qd-ubnd", "12 / QĐ - UBND"])
def test_state_symbol_with_or_without_diacritics(paper, exchange, typed):
    hit = paper("Về việc thành lập tổ công tác", symbol="12/QĐ-UBND")
    paper("Về việc thành lập tổ công tác", symbol="121/QĐ-UBND")
    paper("Về việc thành lập tổ công tác", symbol="12/TB-UBND")
    assert ids(selectors.search(exchange.org.clerk_a, q=typed)) == [hit.pk]


def test_party_symbol_and_symbol_filter(paper, exchange):
    hit = paper("Quyết định về công tác cán bộ", symbol="127-QĐ/TW", issuer="Ban Chấp hành Trung ương",
                type_name="Quyết định")
    paper("Kết luận", symbol="127-KL/TW", issuer="Ban Chấp hành Trung ương", type_name="Quyết định")
    clerk = exchange.org.clerk_a
    assert ids(selectors.search(clerk, q="127-QĐ/TW")) == [hit.pk]
    assert ids(selectors.search(clerk, q="127-qd/tw")) == [hit.pk]
    assert ids(selectors.search(clerk, filters=Filters(symbol="127-QD/TW"))) == [hit.pk]


def test_file_text_and_opinions_are_searched(paper, exchange):
    clerk = exchange.org.clerk_a
    doc = paper("Công văn số 5", body=["Đề nghị rà soát hồ sơ đảng viên chuyển sinh hoạt"])
    assert ids(selectors.search(clerk, q="ra soat ho so dang vien")) == [doc.pk]
    from dieuhanh.processing import services as processing

    entry = doc.incoming_entries.get()
    flows = processing.assign(actor=exchange.org.leader_a, entry=entry, direction="Giao Văn phòng tham mưu gấp",
                              handlers=[{"user_id": exchange.org.clerk_a.pk, "role": "lead"}])
    assert ids(selectors.search(clerk, q="tham muu gap")) == [doc.pk]
    mine = [f for f in flows if f.handler_user_id][0]
    processing.add_opinion(actor=exchange.org.clerk_a, flow=mine, text="Đã phối hợp với Ban Tổ chức")
    assert ids(selectors.search(clerk, q="ban to chuc phoi hop")) == [doc.pk]


def test_index_is_written_in_the_same_transaction(paper, exchange):
    with pytest.raises(RuntimeError), transaction.atomic():
        doc = paper("Thông báo kết luận của Ban Thường vụ")
        assert SearchEntry.objects.filter(document=doc).exists()
        raise RuntimeError("the write fails after the document was saved")
    assert not SearchEntry.objects.exists()
    assert ids(selectors.search(exchange.org.clerk_a, q="thong bao ket luan")) == []


def test_filters_combine_with_free_text(paper, exchange):
    org = exchange.org
    march = paper("Kế hoạch tuyên truyền", issued_on=datetime.date(2026, 3, 2), urgency=1)
    april = paper("Kế hoạch tuyên truyền", issued_on=datetime.date(2026, 4, 2), issuer="Thành ủy Hà Nội")
    clerk = org.clerk_a
    assert ids(selectors.search(clerk, q="ke hoach", filters=Filters(date_from=datetime.date(2026, 4, 1)))) \
        == [april.pk]
    assert ids(selectors.search(clerk, q="ke hoach", filters=Filters(urgency=1))) == [march.pk]
    assert ids(selectors.search(clerk, q="ke hoach", filters=Filters(issuer="thanh uy ha noi"))) == [april.pk]
    assert set(ids(selectors.search(clerk, filters=Filters(unit_id=org.a.pk)))) == {march.pk, april.pk}
    assert ids(selectors.search(clerk, q="ke hoach", filters=Filters(status="issued"))) == []
    with pytest.raises(ValidationError) as exc:
        selectors.search(clerk, filters=Filters(date_from=datetime.date(2026, 5, 1),
                                                date_to=datetime.date(2026, 4, 1)))
    assert "date_to" in exc.value.message_dict


@pytest.mark.parametrize("sort", ["relevance", "date"])
def test_keyset_pages_cover_every_hit_once(paper, exchange, sort):
    made = [paper(f"Báo cáo công tác tháng {i}" + " công tác" * (i % 4), issued_on=datetime.date(2026, 1, 1 + i % 5))
            for i in range(23)]
    seen, cursor = [], None
    for _ in range(10):
        result = selectors.search(exchange.org.clerk_a, q="cong tac", sort=sort, cursor=cursor, limit=5)
        seen.extend(ids(result))
        cursor = result.next_cursor
        if cursor is None:
            break
    assert sorted(seen) == sorted(d.pk for d in made) and len(seen) == len(set(seen))
    if sort == "date":
        days = [d.issued_on for d in sorted(made, key=lambda d: seen.index(d.pk))]
        assert days == sorted(days, reverse=True)


def test_counts_stop_at_the_cap(paper, exchange, monkeypatch):
    monkeypatch.setattr(selectors, "COUNT_CAP", 3)
    for i in range(5):
        paper(f"Giấy mời họp {i}")
    result = selectors.search(exchange.org.clerk_a, q="giay moi", limit=2)
    assert result.more and result.count == 3 and len(result.hits) == 2


def test_reindex_rebuilds_missing_rows_in_batches(paper, exchange):
    docs = [paper(f"Tờ trình số {i}") for i in range(7)]
    SearchEntry.objects.all().delete()
    assert ids(selectors.search(exchange.org.clerk_a, q="to trinh")) == []
    from dieuhanh.search import services

    calls = []
    assert services.reindex(batch=3, progress=lambda done, last: calls.append(done)) == 7
    assert calls == [3, 6, 7]
    assert sorted(ids(selectors.search(exchange.org.clerk_a, q="to trinh"))) == sorted(d.pk for d in docs)


def test_typos_are_corrected_on_postgresql_only(paper, exchange):
    from django.db import connection

    doc = paper("Quyết định điều động cán bộ tăng cường")
    result = selectors.search(exchange.org.clerk_a, q="tang cuongg")
    if connection.vendor == "postgresql":  # pg_trgm over the index vocabulary
        assert ids(result) == [doc.pk] and result.corrected == "tang cuong"
    else:  # the embedded default has no fuzzy matching: nothing found, nothing claimed
        assert ids(result) == [] and result.corrected == ""
    assert selectors.search(exchange.org.clerk_a, q="tang cuong").corrected == ""


def test_reindex_command_reports_progress_and_resumes(paper, exchange):
    from io import StringIO

    from django.core.management import call_command

    docs = [paper(f"Chỉ thị số {i}") for i in range(4)]
    SearchEntry.objects.all().delete()
    out = StringIO()
    call_command("reindex", "--batch", "2", "--after", str(docs[1].pk), stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("2/2 documents (100.0%)") and lines[-1] == "Indexed 2 documents."
    assert sorted(SearchEntry.objects.values_list("document_id", flat=True)) == [docs[2].pk, docs[3].pk]


@pytest.mark.parametrize("sort", ["relevance", "date"])
def test_broad_queries_read_recent_months_first_with_the_same_answer(paper, exchange, monkeypatch, sort):
    """Slicing by month only changes how much is read: the pages equal those of a search without slices."""
    from dieuhanh.search import backends

    today = datetime.date.today()
    for i in range(14):  # from this month back over six years, older ones more often
        day = today - datetime.timedelta(days=[0, 20, 45, 100, 200, 400, 800, 1500, 2000, 2100, 2150, 2190,
                                               2200, 2210][i])
        paper(f"Công văn số {i} về công tác" + " công tác" * (i % 3), issued_on=day)
    monkeypatch.setattr(backends, "RANK_WINDOW", 4)
    monkeypatch.setattr(selectors, "RANK_WINDOW", 4)
    monkeypatch.setattr(selectors, "COUNT_CAP", 2)  # the count reads slices too: "more than 2" either way

    def pages():
        seen, cursor = [], None
        for _ in range(10):
            result = selectors.search(exchange.org.clerk_a, q="cong tac", sort=sort, cursor=cursor, limit=3)
            seen.append((ids(result), result.count, result.more))
            cursor = result.next_cursor
            if cursor is None:
                return seen
        return seen

    sliced = pages()
    monkeypatch.setattr(backends, "SLICES", ())
    assert sliced == pages()
    flat = [d for page, _, _ in sliced for d in page]
    assert len(flat) == (4 if sort == "relevance" else 14) and len(set(flat)) == len(flat)
    assert sliced[0][1:] == (2, True)


def test_reader_months_are_indexed_and_rows_indexed_before_them_get_them(paper, exchange, monkeypatch):
    """A broad search by a reader matches unit-and-month tokens; migration 0005 gives older rows the same ones
    from their own tokens, so a sliced search still finds them."""
    import importlib

    from django.apps import apps

    from dieuhanh.search import backends, text

    org = exchange.org
    day = datetime.date.today()
    docs = [paper(f"Thông báo kết luận số {i}", issued_on=day) for i in range(3)]
    month = text.month_token(day)
    entry = SearchEntry.objects.get(document=docs[-1])  # the newest: first in a page "by date"
    assert text.reader_month(f"{text.UNIT_PREFIX}{org.a.pk}", month) in entry.folded.split()
    fresh = entry.folded
    old = " ".join(t for t in fresh.split() if not t.startswith((text.UNIT_PREFIX, text.PERSON_PREFIX))
                   or "m" not in t)
    SearchEntry.objects.filter(pk=entry.pk).update(folded=old)
    monkeypatch.setattr(backends, "RANK_WINDOW", 1)
    monkeypatch.setattr(selectors, "RANK_WINDOW", 1)

    def first():
        return ids(selectors.search(exchange.org.clerk_a, q="thong bao", sort="date", limit=1))

    assert first() == [docs[-2].pk]  # the recent slice holds a full page without the old row
    importlib.import_module("dieuhanh.search.migrations.0005_reader_months").add_reader_months(apps, None)
    entry.refresh_from_db()
    assert sorted(entry.folded.split()) == sorted(fresh.split())
    assert first() == [docs[-1].pk]


def test_phrases_use_pair_tokens_and_rows_indexed_before_them_are_upgraded(paper, exchange):
    """The index holds one token per pair of adjacent words, which PostgreSQL's phrase match requires, in a column
    of its own. The migrations that introduced them (0003) and moved them out of the ranked words (0004) give a
    row indexed before either the same tokens as a fresh one, so no document drops out."""
    import importlib

    from django.apps import apps

    from dieuhanh.search import text

    together = paper("Kế hoạch điều động cán bộ năm 2026")
    paper("Cán bộ được điều về, không động viên")
    entry = SearchEntry.objects.get(document=together)
    fresh_folded, fresh_pairs = entry.folded, entry.pairs
    assert text.pair_token("dieu", "dong") in entry.pairs.split()
    assert text.pair_token("dong", "dieu") not in entry.pairs.split()
    assert not any(t.startswith(text.PAIR_PREFIX) for t in entry.folded.split())
    # a row written before pair tokens existed
    SearchEntry.objects.filter(pk=entry.pk).update(pairs="")
    assert ids(selectors.search(exchange.org.clerk_a, q='"dieu dong can bo"')) == ([]
                                                                                 if connection.vendor == "postgresql"
                                                                                 else [together.pk])
    importlib.import_module("dieuhanh.search.migrations.0003_pair_tokens").add_pair_tokens(apps, None)
    entry.refresh_from_db()
    assert text.pair_token("dieu", "dong") in entry.folded.split() and entry.pairs == ""
    importlib.import_module("dieuhanh.search.migrations.0004_pairs_column").move_pairs(apps, None)
    entry.refresh_from_db()
    assert sorted(entry.folded.split()) == sorted(fresh_folded.split())
    assert entry.pairs == fresh_pairs
    assert ids(selectors.search(exchange.org.clerk_a, q='"dieu dong can bo"')) == [together.pk]


def test_words_beginning_with_zq_are_searched_not_dropped_nor_read_as_index_tokens(paper, exchange):
    """Issue 14 item 16: a typed word that begins like an internal token ("zq...") was dropped from the query, so
    the search returned every visible document; and a document's own word "zqu5" could pose as a reader token."""
    from dieuhanh.search.text import parse_query

    clerk = exchange.org.clerk_a
    hit = paper("Dự án ZQuest và mã ZQX99")
    other = paper("Báo cáo tình hình kinh tế")
    assert parse_query("zquest").terms == ["zquest"]
    assert ids(selectors.search(clerk, q="zquest")) == [hit.pk]
    assert ids(selectors.search(clerk, q='"zquest va"')) == [hit.pk]
    assert ids(selectors.search(clerk, q="zqx99")) == [hit.pk]
    assert ids(selectors.search(clerk, q="zqnothing")) == []
    assert other.pk not in ids(selectors.search(clerk, q="zq"))
    # a document whose text names a unit's reader token does not carry that token in the index
    unit_b = exchange.org.b.pk
    posing = paper(f"Ghi chú zqu{unit_b} zqc9")
    folded = SearchEntry.objects.get(document=posing).folded.split()
    assert f"zqu{unit_b}" not in folded and "zqc9" not in folded
    assert ids(selectors.search(clerk, q=f"zqu{unit_b}")) == [posing.pk]


def test_migration_escapes_stored_zq_words_and_keeps_reader_tokens(paper, exchange):
    """Rows written before item 16 hold typed "zq" words bare; the migration escapes them by position."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("dieuhanh.search.migrations.0006_escape_typed_zq_words")
    clerk = exchange.org.clerk_a
    doc = paper("Dự án ZQuest")
    entry = SearchEntry.objects.get(document=doc)
    new_folded = entry.folded
    entry.folded = new_folded.replace("zqzzquest", "zquest")  # the old layout
    entry.save(update_fields=["folded"])
    assert ids(selectors.search(clerk, q="zquest")) == []
    migration.escape_words(apps, None)
    assert SearchEntry.objects.get(document=doc).folded == new_folded
    assert ids(selectors.search(clerk, q="zquest")) == [doc.pk]
    migration.escape_words(apps, None)  # twice changes nothing
    assert SearchEntry.objects.get(document=doc).folded == new_folded
