"""Signing benchmark: PAdES signatures per second per core, with the key kept loaded, and validations per second.

Uses the same functions the application does (``signatures.pki`` for keys and certificates, ``signatures.pades``
for signing and validating); no database and no network. One process is one core; ``--processes N`` also runs N
processes side by side to show how the work scales over the machine's cores.

    .venv/bin/python bench/signing_bench.py                 # ~1 minute on 2 cores
    .venv/bin/python bench/signing_bench.py --seconds 5 --profile ecdsa-p256

Measured: signing a two-page draft (visible field, incremental update) with ECDSA P-256 and RSA-2048, without and
with a time stamp from the local TSA (RSA-2048, in-process, so no network time is counted); validating a file that
carries one and two signatures against the trust list (intact, chain to the root, modification analysis).
"""

import argparse
import cProfile
import io
import logging
import multiprocessing
import os
import pstats
import time

from _common import ROOT, percentile

TARGET_ECDSA_PER_S = 40


def sample_pdf(pages=2):
    """A draft-like PDF: Vietnamese text set in DejaVu (embedded subset), a few paragraphs per page."""
    from reportlab.pdfgen import canvas

    from dieuhanh.kernel.pdf import register_fonts

    register_fonts()
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    for page in range(pages):
        c.setFont("DejaVu", 12)
        c.drawString(72, 770, "THÀNH ỦY HÀ NỘI")
        c.drawString(72, 740, "QUYẾT ĐỊNH về việc điều động cán bộ tăng cường cho các đảng ủy phường")
        for i in range(30):
            c.drawString(72, 700 - 18 * i, f"Điều {i + 1}. Nội dung dự thảo đo hiệu năng ký số, dòng {i + 1}.")
        c.drawString(72, 60, f"Trang {page + 1}")
        c.showPage()
    c.save()
    return buf.getvalue()


class Fixture:
    """A test CA, a TSA, and one signer per algorithm; everything created once, in memory."""

    def __init__(self):
        from dieuhanh.signatures import pades, pki

        self.ca = pki.create_ca("Bench CA", organization="dieuhanh bench")
        self.tsa = pki.issue(self.ca, "Bench TSA", organization="dieuhanh bench", purpose="timestamping",
                             algorithm="rsa-2048")
        self.trust = [self.ca.pem]
        self.pdf = sample_pdf()
        self.signers = {}
        for algorithm in pki.ALGORITHMS:
            person = pki.issue(self.ca, f"Người ký {algorithm}", organization="dieuhanh bench", algorithm=algorithm)
            # as in the application: the key comes out of its PKCS#12 once, then stays loaded
            key, cert, chain = pki.load_p12(person.p12("bench", chain=[self.ca.certificate]), "bench")
            self.signers[algorithm] = pades.software_signer(key, cert, chain)

    def sign(self, algorithm, data=None, *, timestamp=False, slot=0, name="KyDuyet"):
        from dieuhanh.signatures import pades

        return pades.sign(data or self.pdf, self.signers[algorithm], field_name=f"{name}{slot}",
                          lines=["Ký bởi: Người ký", "Bí thư", "Thành ủy Hà Nội", "Ngày ký: 26/11/2026 10:00"],
                          placement=pades.Placement(slot=slot),
                          timestamper=pades.local_timestamper(self.tsa) if timestamp else None,
                          reason="Ký duyệt văn bản")


def run_for(seconds, fn, minimum=5):
    """Call ``fn`` until ``seconds`` have passed (at least ``minimum`` times); return (wall ms per call, CPU seconds
    used by this process in all). The CPU time is what a core spends, whatever else runs on the machine."""
    out = []
    cpu = time.process_time()
    deadline = time.perf_counter() + seconds
    while len(out) < minimum or time.perf_counter() < deadline:
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out, time.process_time() - cpu


def line(name, measured, unit="signatures/s"):
    """Print a measure; return the rate per core from CPU time."""
    samples_ms, cpu = measured
    rate = len(samples_ms) / cpu
    print(f"{name:<44} {rate:6.1f} {unit:<13} per CPU-second; wall: {1000 * len(samples_ms) / sum(samples_ms):6.1f}/s"
          f"  p50={percentile(samples_ms, 50):6.1f} ms  p95={percentile(samples_ms, 95):6.1f} ms  n={len(samples_ms)}")
    return rate


def _worker(args):
    """One process signing for ``seconds``; returns the number of signatures made."""
    algorithm, seconds = args
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    fixture = Fixture()
    fixture.sign(algorithm)  # warm-up: font subsetting caches, imports
    return len(run_for(seconds, lambda: fixture.sign(algorithm))[0])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=8.0, help="time per measure (default 8)")
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1,
                        help="processes for the whole-machine run (default: the number of cores)")
    parser.add_argument("--profile", choices=["ecdsa-p256", "rsa-2048"],
                        help="print where the time of one algorithm's signing goes (cProfile), then stop")
    args = parser.parse_args()
    os.chdir(ROOT)
    logging.getLogger("fontTools").setLevel(logging.ERROR)  # "FFTM NOT subset" for every stamp otherwise
    fixture = Fixture()
    for algorithm in fixture.signers:  # warm-up
        fixture.sign(algorithm, timestamp=True)
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        run_for(args.seconds, lambda: fixture.sign(args.profile))
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(20)
        return

    print(f"cores: {os.cpu_count()}; PDF of {len(fixture.pdf):,} bytes, 2 pages; {args.seconds:.0f} s per measure")
    print("-- signing, one process (= per core), key loaded once")
    rates = {}
    for algorithm in fixture.signers:
        rates[algorithm] = line(f"sign {algorithm}", run_for(args.seconds, lambda a=algorithm: fixture.sign(a)))
    for algorithm in fixture.signers:
        line(f"sign {algorithm} + time stamp (local TSA)",
             run_for(args.seconds, lambda a=algorithm: fixture.sign(a, timestamp=True)))

    print("-- validation, one process: every signature of the file against the trust list")
    from dieuhanh.signatures import pades

    once = fixture.sign("ecdsa-p256", timestamp=True)
    twice = fixture.sign("rsa-2048", once, timestamp=True, slot=1, name="DonVi")
    assert all(r["valid"] for r in pades.validate(twice, fixture.trust)), pades.validate(twice, fixture.trust)
    one = run_for(args.seconds, lambda: pades.validate(once, fixture.trust))
    files_per_s = line("validate a file with 1 signature", one, "files/s")
    two = run_for(args.seconds, lambda: pades.validate(twice, fixture.trust))
    two_files_per_s = line("validate a file with 2 signatures", two, "files/s")
    print(f"  signatures validated per CPU-second: {files_per_s:.1f} (1 per file), {2 * two_files_per_s:.1f} "
          f"(2 per file)")

    if args.processes > 1:
        print(f"-- signing, {args.processes} processes side by side (the whole machine)")
        for algorithm in fixture.signers:
            with multiprocessing.get_context("spawn").Pool(args.processes) as pool:
                start = time.perf_counter()
                counts = pool.map(_worker, [(algorithm, args.seconds)] * args.processes)
            # each worker builds its fixture first; count only the timed part
            print(f"{'sign ' + algorithm:<46} {sum(counts) / args.seconds:7.1f} signatures/s in total "
                  f"({sum(counts)} in {args.seconds:.0f} s per process; wall {time.perf_counter() - start:.1f} s)")

    verdict = "met" if rates["ecdsa-p256"] >= TARGET_ECDSA_PER_S else "NOT met"
    print(f"target: >= {TARGET_ECDSA_PER_S} ECDSA P-256 signatures/s per core: {rates['ecdsa-p256']:.1f}/s, {verdict}")


if __name__ == "__main__":
    main()
