"""The higher apps register with documents' hooks at start-up (decision 0042): if a ``ready()`` lost its line,
issuing would skip the signature check, handlers would lose their documents, freezes their record files."""

from django.apps import apps

from dieuhanh.documents import hooks
from dieuhanh.processing import hooks as processing_hooks
from dieuhanh.processing.grants import handler_reads
from dieuhanh.records.freezing import record_file_freezing
from dieuhanh.signatures import jobs as signature_jobs
from dieuhanh.signatures import services as signature_services
from dieuhanh.tasks import selectors as task_selectors


def _registered() -> tuple:
    return (hooks.issue_checks(), hooks.files_arrived_callbacks(), hooks.reader_grants(), hooks.freezable_files(),
            processing_hooks.tracker_providers())


def test_every_higher_app_is_registered():
    issue_checks, files_arrived, grants, freezable, tracker = _registered()
    assert signature_services.require_valid_document_signatures in issue_checks
    assert signature_jobs.check_document_files in files_arrived
    assert handler_reads in grants  # other apps may add their own grants
    assert freezable is record_file_freezing
    assert tracker["task_rows"] is task_selectors.tracker


def test_registering_again_changes_nothing():
    """Some runners call ``ready()`` twice; the registries must not grow (a check would run twice)."""
    before = _registered()
    for label in ("signatures", "processing", "records", "tasks"):
        apps.get_app_config(label).ready()
    assert _registered() == before
    for registry in before[:3]:
        assert len(set(registry)) == len(registry)
