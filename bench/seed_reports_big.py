"""Seed the issue-16 scale on PostgreSQL with set-based SQL (generate_series, INSERT ... SELECT; no ORM loops):
about 50,000 units (root, 63 provinces, 12 communes each, 65 grassroots cells per commune), 3,000,000 issued
documents with 10,000,000 deliveries (copies), 5,000,000 incoming registrations, 5,000,000 processing flows
(4,000,000 roots, 1,000,000 assignments below them) and 600,000 tasks over the last 3 years.

The database is kept after the run (other benchmarks read it); re-running refuses unless --force drops the rows.
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dieuhanh_bench_big .venv/bin/python bench/seed_reports_big.py \
        [--scale 1.0] [--force]
--scale 0.1 seeds a tenth of every table except the units (a quick dry run).
"""

import argparse
import time

from _common import setup_django

PROVINCES, COMMUNES, CELLS = 63, 12, 65  # per parent
SPAN_DAYS = 3 * 365


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args()
    setup_django()
    from django.db import connection
    from django.utils import timezone

    from dieuhanh.operations.demo import bootstrap_admin

    assert connection.vendor == "postgresql", "the big seed is for PostgreSQL"
    admin = bootstrap_admin()
    today = timezone.localdate()
    n_docs, n_deliveries = int(3_000_000 * args.scale), int(10_000_000 * args.scale)
    n_entries, n_roots = int(5_000_000 * args.scale), int(4_000_000 * args.scale)
    n_children = int(1_000_000 * args.scale)
    n_tasks = int(600_000 * args.scale)
    began = time.perf_counter()

    def step(label: str, sql: str, params: dict | None = None) -> None:
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, params or {})
            rows = cursor.rowcount
        print(f"  {label:<44} {rows:>11,} rows {time.perf_counter() - start:7.1f}s "
              f"(total {time.perf_counter() - began:6.0f}s)", flush=True)

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM units_unit WHERE code LIKE 'BIG%%'")
        (existing,) = cursor.fetchone()
    if existing and not args.force:
        print(f"already seeded ({existing} BIG units); --force to reseed")
        return
    p = {"today": today, "span": SPAN_DAYS, "admin": admin.pk, "docs": n_docs, "deliveries": n_deliveries,
         "entries": n_entries, "roots": n_roots, "children": n_children, "tasks": n_tasks}
    with connection.cursor() as cursor:
        # the foreign keys are valid by construction; skip their triggers, and do not wait for the disk
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SET work_mem = '256MB'")
        cursor.execute("SET maintenance_work_mem = '512MB'")
        cursor.execute("SELECT setseed(0.16)")
    if existing:
        print("removing the previous seed")
        for table in ("reports_dailyfigure", "reports_monthlyfigure", "reports_dirtymark", "reports_refreshstate",
                      "processing_flow", "documents_incomingentry", "documents_delivery", "tasks_task",
                      "documents_register", "documents_document"):
            if table in connection.introspection.table_names():
                step(f"truncate {table}", f"TRUNCATE {table} CASCADE")
        step("delete units", "DELETE FROM units_unit WHERE code LIKE 'BIG%%'")

    big = ("documents_document", "documents_delivery", "documents_incomingentry", "processing_flow", "tasks_task")
    with connection.cursor() as cursor:
        # secondary indexes are built once at the end (a sort each) rather than row by row
        cursor.execute("""
            SELECT i.indexname, i.indexdef FROM pg_indexes i
            WHERE i.schemaname = 'public' AND i.tablename = ANY(%s) AND NOT EXISTS (
                SELECT 1 FROM pg_constraint c WHERE c.conindid = (quote_ident(i.indexname))::regclass)""",
                       [list(big)])
        found = cursor.fetchall()
        # remembered in the database, so a run that stops half-way still rebuilds them the next time
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_indexes (name text PRIMARY KEY, definition text)")
        cursor.executemany("INSERT INTO bench_indexes VALUES (%s, %s) ON CONFLICT DO NOTHING", found)
        cursor.execute("SELECT name, definition FROM bench_indexes ORDER BY name")
        secondary = cursor.fetchall()
    for name, _definition in secondary:
        step(f"drop index {name[:30]}", f'DROP INDEX IF EXISTS "{name}"')
    print(f"seeding: scale {args.scale}, today {today}", flush=True)
    b36 = "'0123456789abcdefghijklmnopqrstuvwxyz'"

    def enc(expr: str) -> str:  # a 4-character base-36 path step, as units.services.encode_step
        return (f"(substr({b36}, ({expr}) / 46656 %% 36 + 1, 1) || substr({b36}, ({expr}) / 1296 %% 36 + 1, 1) || "
                f"substr({b36}, ({expr}) / 36 %% 36 + 1, 1) || substr({b36}, ({expr}) %% 36 + 1, 1))")

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM units_unit WHERE depth = 1")
        root_step = cursor.fetchone()[0] + 1
    unit_cols = ("code, name, short_name, kind, parent_id, path, depth, child_counter, effective_from, status, "
                 "search_text, sort_key, created_at, updated_at")
    step("units: root", f"""
        INSERT INTO units_unit ({unit_cols})
        SELECT 'BIG0', 'Trung ương (thử tải)', 'TW', 'central', NULL,
               {enc(str(root_step))},
               1, {PROVINCES}, %(today)s, 'active', 'trung uong thu tai big0', 'trung uong', now(), now()""", p)
    step("units: provinces", f"""
        INSERT INTO units_unit ({unit_cols})
        SELECT 'BIGP' || g, 'Tỉnh ' || g, 'T' || g, 'province', r.id, r.path || {enc("g")}, 2, {COMMUNES},
               %(today)s, 'active', 'tinh ' || g, 'tinh ' || lpad(g::text, 6, '0'), now(), now()
        FROM units_unit r, generate_series(1, {PROVINCES}) g WHERE r.code = 'BIG0' ORDER BY g""", p)
    step("units: communes", f"""
        INSERT INTO units_unit ({unit_cols})
        SELECT 'BIGC' || p.id || '.' || g, 'Xã ' || g || ' ' || p.name, 'X' || g, 'commune', p.id,
               p.path || {enc("g")}, 3, {CELLS}, %(today)s, 'active', 'xa ' || g, 'xa ' || lpad(g::text, 6, '0'),
               now(), now()
        FROM units_unit p, generate_series(1, {COMMUNES}) g WHERE p.code LIKE 'BIGP%%' ORDER BY p.id, g""", p)
    step("units: cells", f"""
        INSERT INTO units_unit ({unit_cols})
        SELECT 'BIGB' || c.id || '.' || g, 'Chi bộ ' || g || ' ' || c.name, 'CB' || g, 'cell', c.id,
               c.path || {enc("g")}, 4, 0, %(today)s, 'active', 'chi bo ' || g, 'chi bo ' || lpad(g::text, 6, '0'),
               now(), now()
        FROM units_unit c, generate_series(1, {CELLS}) g WHERE c.code LIKE 'BIGC%%' ORDER BY c.id, g""", p)
    # a dense numbering of the units, weighted so that higher levels write more: 0..63 root and provinces,
    # then communes, then cells; pick(x) maps a uniform x in [0, 1) to a unit
    step("units: numbering", """
        DROP TABLE IF EXISTS bench_units;
        CREATE UNLOGGED TABLE bench_units AS
        SELECT (row_number() OVER (ORDER BY depth, id) - 1)::int AS n, id, depth FROM units_unit
        WHERE code LIKE 'BIG%%';
        CREATE UNIQUE INDEX ON bench_units (n); ANALYZE bench_units""")
    with connection.cursor() as cursor:
        cursor.execute("SELECT depth, min(n), count(*) FROM bench_units GROUP BY depth ORDER BY depth")
        levels = {d: (lo, cnt) for d, lo, cnt in cursor.fetchall()}
    top = levels[1][1] + levels[2][1]
    communes_lo, communes = levels[3]
    cells_lo, cells = levels[4]
    total_units = top + communes + cells
    # 25% of the work at the root and provinces, 35% at communes, 40% at cells
    pick = (f"(CASE WHEN {{x}} < 0.25 THEN floor({{x}} / 0.25 * {top}) "
            f"WHEN {{x}} < 0.60 THEN {communes_lo} + floor(({{x}} - 0.25) / 0.35 * {communes}) "
            f"ELSE {cells_lo} + floor(({{x}} - 0.60) / 0.40 * {cells}) END)::int")
    print(f"  {total_units} units", flush=True)

    step("document type", """
        INSERT INTO documents_documenttype (system, name, abbreviation, legal_normative, is_letter, active)
        SELECT 'party', 'Thông báo (thử tải)', 'TBTT', false, false, true
        WHERE NOT EXISTS (SELECT 1 FROM documents_documenttype WHERE abbreviation = 'TBTT')""")
    # issued documents: a uniform issue day over 3 years, 3% confidential (levels 1..3)
    step("documents (issued)", f"""
        DROP TABLE IF EXISTS bench_docs;
        CREATE UNLOGGED TABLE bench_docs AS
        SELECT g AS n, u.id AS unit_id, %(today)s::date - floor(random() * %(span)s)::int AS issued_on,
               (CASE WHEN random() < 0.03 THEN 1 + floor(random() * 3) ELSE 0 END)::smallint AS conf
        FROM (SELECT g, random() AS x FROM generate_series(0, %(docs)s - 1) g) s
        JOIN bench_units u ON u.n = {pick.format(x="s.x")};
        INSERT INTO documents_document (issuer_name, status, period, number, symbol, place, issued_on, subject,
            signer_name, signer_position, authority, urgency, confidentiality, page_count, language, created_at,
            issued_at, created_by_id, drafting_unit_id, issued_by_id, issuing_unit_id, document_type_id)
        SELECT 'Đơn vị ' || d.unit_id, 'issued', extract(year FROM d.issued_on)::text, d.n + 1, (d.n + 1) || '-TB',
               'Hà Nội', d.issued_on, 'Văn bản thử tải số ' || d.n, 'Người ký', 'Bí thư', '', 0, d.conf, 1, 'vi',
               d.issued_on, d.issued_on, %(admin)s, d.unit_id, %(admin)s, d.unit_id,
               (SELECT id FROM documents_documenttype WHERE abbreviation = 'TBTT' LIMIT 1)
        FROM bench_docs d ORDER BY d.n""", p)
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id) FROM documents_document WHERE symbol LIKE '%%-TB'")
        (doc_lo,) = cursor.fetchone()
    # copies: document k of round j goes to a unit that depends on j, so (document, recipient, channel) is unique;
    # 70% internal, 20% paper, 10% through the gateway
    step("deliveries", f"""
        INSERT INTO documents_delivery (external_code, recipient_name, channel, status, status_at, urgency, reason,
            created_at, recipient_unit_id, sender_unit_id, document_id, sender_code, sender_name)
        SELECT '', 'Nơi nhận', s.channel, '03', s.issued_on, 0, '', s.issued_on, r.id, s.unit_id,
               {doc_lo} + s.k, '', ''
        FROM (SELECT g, g %% %(docs)s AS k, g / %(docs)s AS j, d.unit_id, d.issued_on,
                     CASE WHEN random() < 0.7 THEN 'internal' WHEN random() < 0.67 THEN 'paper' ELSE 'gateway' END
                         AS channel
              FROM generate_series(0, %(deliveries)s - 1) g JOIN bench_docs d ON d.n = g %% %(docs)s) s
        JOIN bench_units r ON r.n = ((s.unit_id * 7919 + s.j * 15485863 + s.j * s.j * 101) %% {total_units})""", p)
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id) FROM documents_delivery WHERE recipient_name = 'Nơi nhận'")
        (delivery_lo,) = cursor.fetchone()
    step("registers (incoming, per unit and year)", """
        INSERT INTO documents_register (kind, secret, year, name, last_entry_number, unit_id)
        SELECT 'incoming', false, y, 'Sổ văn bản đến ' || y, 0, u.id
        FROM bench_units u, generate_series(extract(year FROM %(today)s::date - %(span)s)::int,
                                            extract(year FROM %(today)s::date)::int) y
        ON CONFLICT DO NOTHING""", p)
    # registrations: the first copies that are not on paper... and some on paper; arrival 0-3 days after issue
    step("incoming registrations", f"""
        DROP TABLE IF EXISTS bench_entries;
        CREATE UNLOGGED TABLE bench_entries AS
        SELECT v.id - {delivery_lo} + 1 AS n, v.id AS delivery_id, v.document_id,
               v.recipient_unit_id AS unit_id, v.channel,
               least(v.status_at::date + floor(random() * 4)::int, %(today)s::date) AS arrived_on
        FROM documents_delivery v WHERE v.id >= {delivery_lo} AND v.id < {delivery_lo} + %(entries)s;
        INSERT INTO documents_incomingentry (arrival_number, arrived_on, origin, handler, notes, registered_at,
            recalled_at, delivery_id, document_id, registered_by_id, unit_id, register_id)
        SELECT e.n, e.arrived_on, CASE WHEN e.channel = 'paper' THEN 'paper' ELSE 'electronic' END, '', '',
               e.arrived_on, CASE WHEN random() < 0.01 THEN e.arrived_on::timestamptz END, e.delivery_id,
               e.document_id, %(admin)s, e.unit_id, r.id
        FROM bench_entries e JOIN documents_register r
          ON r.unit_id = e.unit_id AND r.kind = 'incoming' AND NOT r.secret
         AND r.year = extract(year FROM e.arrived_on)::int
        ORDER BY e.n""", p)
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id) FROM documents_incomingentry WHERE registered_by_id = %s", [admin.pk])
        (entry_lo,) = cursor.fetchone()
    # root flows for 80% of the registrations: deadline 10-20 days after arrival (10% none); ended ones
    # completed 0-25 days after arrival; never in the future
    step("root flows", f"""
        INSERT INTO processing_flow (depth, role, direction, deadline, urgency, status, status_at, result, reason,
            extensions, created_at, completed_at, assigned_by_id, entry_id, handler_unit_id, unit_id)
        SELECT 0, 'lead', '', s.deadline, 0, s.status, s.arrived_on, '', '', 0, s.arrived_on,
               CASE WHEN s.status = 'completed' THEN s.done END, %(admin)s, s.entry_id, s.unit_id, s.unit_id
        FROM (SELECT e.n, {entry_lo} + e.n - 1 AS entry_id, e.unit_id, e.arrived_on,
                     CASE WHEN random() < 0.1 THEN NULL ELSE e.arrived_on + 10 + floor(random() * 11)::int END
                         AS deadline,
                     least(e.arrived_on + floor(random() * 26)::int, %(today)s::date)::timestamptz
                         + interval '10 hours' AS done,
                     CASE WHEN e.arrived_on > %(today)s::date - 30 AND random() < 0.6
                          THEN (ARRAY['pending', 'in_progress'])[1 + floor(random() * 2)::int]
                          WHEN random() < 0.06 THEN 'returned'
                          WHEN random() < 0.03 THEN 'in_progress'
                          ELSE 'completed' END AS status
              FROM bench_entries e WHERE e.n <= %(roots)s) s
        ORDER BY s.n""", p)
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id) FROM processing_flow WHERE parent_id IS NULL AND assigned_by_id = %s",
                       [admin.pk])
        (root_lo,) = cursor.fetchone()
    step("child flows (assignments)", f"""
        INSERT INTO processing_flow (depth, role, direction, deadline, urgency, status, status_at, result, reason,
            extensions, created_at, completed_at, assigned_by_id, entry_id, handler_user_id, unit_id, parent_id)
        SELECT 1, 'lead', 'Xử lý', f.deadline, 0, f.status, f.status_at, '', '', 0, f.created_at, f.completed_at,
               %(admin)s, f.entry_id, %(admin)s, f.unit_id, f.id
        FROM processing_flow f
        WHERE f.id >= {root_lo} AND f.id < {root_lo} + %(roots)s AND (f.id - {root_lo}) %% 4 = 0
          AND (f.id - {root_lo}) / 4 < %(children)s""", p)
    step("tasks", f"""
        INSERT INTO tasks_task (title, description, start_date, deadline, origin, origin_text, status, status_at,
            percent_done, extensions, created_at, completed_at, assigned_by_id, assigning_unit_id, executing_unit_id)
        SELECT 'Nhiệm vụ ' || s.g, '', s.start_date, s.start_date + s.len, 'none', '', s.status,
               s.start_date, 0, CASE WHEN random() < 0.1 THEN 1 ELSE 0 END, s.start_date,
               CASE WHEN s.status = 'completed' THEN least(s.start_date + floor(random() * 45)::int,
                                                            %(today)s::date)::timestamptz END,
               %(admin)s, coalesce(u.parent_id, u.id), u.id
        FROM (SELECT g, %(today)s::date - floor(random() * %(span)s)::int AS start_date,
                     10 + floor(random() * 30)::int AS len, random() AS x,
                     (ARRAY['not_started', 'in_progress', 'completed', 'completed', 'completed', 'closed'])
                         [1 + floor(random() * 6)::int] AS status
              FROM generate_series(1, %(tasks)s) g) s
        JOIN bench_units b ON b.n = {pick.format(x="s.x")} JOIN units_unit u ON u.id = b.id""", p)
    for name, definition in secondary:
        step(f"index {name[:38]}", definition.replace("%", "%%").replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS")
             .replace("CREATE UNIQUE INDEX", "CREATE UNIQUE INDEX IF NOT EXISTS"))
    step("forget the index list", "DROP TABLE bench_indexes")
    step("analyze", "ANALYZE")
    print(f"seeded in {time.perf_counter() - began:.0f}s", flush=True)


if __name__ == "__main__":
    main()
