"""Project registry at scale: 10,000 projects across 50,000 units; time the duplicate candidates of one proposal.

Seeds (once; re-runs reuse them) 50,000 synthetic units and 10,000 projects whose names and objectives are drawn
from realistic Vietnamese phrases, indexed as the services index them (Term rows, TermStat frequencies), then times
``selectors.candidates`` for random projects used as the proposal.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_proj .venv/bin/python bench/projects_bench.py
"""

import argparse
import datetime
import random
import time
from collections import Counter

from _common import report, setup_django, timed

SUBJECTS = ["hệ thống quản lý văn bản và điều hành", "phần mềm quản lý hồ sơ đảng viên", "cơ sở dữ liệu cán bộ",
            "hệ thống hội nghị truyền hình trực tuyến", "cổng thông tin điện tử", "hệ thống thư điện tử công vụ",
            "phần mềm một cửa điện tử", "kho dữ liệu dùng chung", "hệ thống chữ ký số", "phần mềm kế toán",
            "hệ thống camera giám sát", "nền tảng học tập trực tuyến", "cơ sở dữ liệu đất đai",
            "phần mềm quản lý đơn thư khiếu nại", "trung tâm điều hành thông minh", "hệ thống báo cáo thống kê",
            "phần mềm quản lý đoàn viên", "hệ thống lưu trữ hồ sơ điện tử", "bản đồ số địa giới hành chính",
            "hệ thống giám sát an toàn thông tin", "phần mềm quản lý tài sản công", "hệ thống thi đua khen thưởng"]
VERBS = ["Xây dựng", "Nâng cấp", "Triển khai", "Mở rộng", "Thuê dịch vụ", "Đầu tư"]
PLACES = ["cấp tỉnh", "cấp huyện", "cấp xã", "của văn phòng", "toàn ngành", "của đảng ủy", "của ban tổ chức",
          "giai đoạn 2026-2030", "giai đoạn 2", "năm 2026"]
OBJECTIVES = ["tin học hóa quy trình nghiệp vụ", "giảm giấy tờ và thời gian xử lý", "kết nối liên thông với cấp trên",
              "phục vụ chỉ đạo điều hành", "báo cáo số liệu kịp thời", "bảo đảm an toàn thông tin",
              "số hóa dữ liệu lịch sử", "dùng chung dữ liệu giữa các cơ quan", "phục vụ người dân và doanh nghiệp"]


def seed(n_units: int, n_projects: int) -> None:
    from django.db import transaction

    from dieuhanh.operations.demo import bootstrap_admin
    from dieuhanh.projects.index import N_KEY
    from dieuhanh.projects.models import Function, Project, Term, TermStat
    from dieuhanh.projects.similarity import features, idf, project_text, sublinear
    from dieuhanh.projects.vocabulary import ensure
    from dieuhanh.units.models import Unit
    from dieuhanh.units.services import seed_synthetic_tree

    ensure()
    admin = bootstrap_admin()
    have = Unit.objects.filter(code__startswith="J0000").count()
    if have < n_units:
        start = time.perf_counter()
        seed_synthetic_tree(actor=admin, count=n_units - have, code_prefix="J")
        print(f"seeded {n_units - have} units in {time.perf_counter() - start:.1f} s")
    have = Project.objects.filter(code__startswith="BENCH-").count()
    if have >= n_projects:
        return
    start = time.perf_counter()
    rnd = random.Random(19)
    units = list(Unit.objects.filter(code__startswith="J0000").values_list("pk", "path", "parent_id"))
    functions = list(Function.objects.values_list("pk", flat=True))
    rows, texts = [], []
    for i in range(have, n_projects):
        pk, path, parent = rnd.choice(units)
        name = f"{rnd.choice(VERBS)} {rnd.choice(SUBJECTS)} {rnd.choice(PLACES)}"
        objective = f"{rnd.choice(OBJECTIVES).capitalize()}, {rnd.choice(OBJECTIVES)}"
        begin = datetime.date(2024 + rnd.randrange(4), rnd.randrange(1, 13), 1)
        rows.append(Project(code=f"BENCH-{i}", name=name, objective=objective, unit_id=pk, scope_id=pk,
                            scope_path=path, reviewing_unit_id=parent or pk, level="commune", kind="software",
                            starts_on=begin, ends_on=begin + datetime.timedelta(days=365 * rnd.randint(1, 3)),
                            budget_amount=rnd.randrange(1, 50) * 100_000_000, currency="VND", created_by=admin,
                            search_text=name.lower()))
        texts.append(project_text(name, objective))
    with transaction.atomic():
        created = Project.objects.bulk_create(rows, batch_size=2000)
        through = Project.functions.through
        through.objects.bulk_create([through(project_id=p.pk, function_id=f) for p in created
                                     for f in rnd.sample(functions, rnd.randint(1, 3))], batch_size=5000)
        tfs = [sublinear(features(t)) for t in texts]
        Term.objects.bulk_create([Term(project_id=p.pk, term=t, tf=w) for p, tf in zip(created, tfs, strict=True)
                                  for t, w in tf.items()], batch_size=10000)
        df = Counter()
        for tf in tfs:
            df.update(tf.keys())
        df[N_KEY] = len(tfs)
        existing = dict(TermStat.objects.values_list("term", "df"))
        TermStat.objects.all().delete()
        merged = Counter(existing)
        merged.update(df)
        TermStat.objects.bulk_create([TermStat(term=t, df=n) for t, n in merged.items()], batch_size=10000)
        n = merged[N_KEY]
        for p, tf in zip(created, tfs, strict=True):
            p.sim_norm = sum((w * idf(merged[t], n)) ** 2 for t, w in tf.items()) ** 0.5
        Project.objects.bulk_update(created, ["sim_norm"], batch_size=2000)
    print(f"seeded {len(created)} projects in {time.perf_counter() - start:.1f} s")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=50_000)
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    setup_django()
    from django.db import connection

    from dieuhanh.projects import selectors
    from dieuhanh.projects.models import Project, Term

    seed(args.units, args.projects)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE projects_project; ANALYZE projects_term; ANALYZE projects_termstat;"
                           " ANALYZE projects_project_functions")
    ids = list(Project.objects.filter(code__startswith="BENCH-").values_list("pk", flat=True))
    rnd = random.Random(7)
    sample = [rnd.choice(ids) for _ in range(args.repeat)]
    print(f"database={connection.vendor} projects={len(ids)} term rows={Term.objects.count()}")
    found = []

    def one(i):
        project = Project.objects.get(pk=sample[i])
        found.append(len(selectors.candidates(project)["candidates"]))

    timed(one, 10)  # warm the caches
    found.clear()
    report("candidates for one proposal", timed(one, args.repeat))
    print(f"candidates per proposal: mean {sum(found) / len(found):.1f}, max {max(found)}")
    report("text scores only (TF-IDF over Term rows)",
           timed(lambda i: selectors.text_scores(Project.objects.get(pk=sample[i])), args.repeat))


if __name__ == "__main__":
    main()
