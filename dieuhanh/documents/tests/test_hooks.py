"""The higher apps register with documents' hooks at start-up (decision 0042): if a ``ready()`` lost its line,
issuing would skip the signature check, handlers would lose their documents, freezes their record files."""

from dieuhanh.documents import hooks
from dieuhanh.processing import hooks as processing_hooks
from dieuhanh.processing.grants import handler_reads
from dieuhanh.records.freezing import record_file_freezing
from dieuhanh.signatures import jobs as signature_jobs
from dieuhanh.signatures import services as signature_services
from dieuhanh.tasks import selectors as task_selectors


def test_every_higher_app_is_registered_once():
    assert hooks.issue_checks() == (signature_services.require_valid_document_signatures,)
    assert hooks.files_arrived_callbacks() == (signature_jobs.check_document_files,)
    assert hooks.reader_grants() == (handler_reads,)
    assert hooks.freezable_files() is record_file_freezing
    assert processing_hooks.tracker_providers() == {"task_rows": task_selectors.tracker}


def test_registering_again_changes_nothing():
    """Some runners call ``ready()`` twice; the lists must not grow (a check would run twice)."""
    from django.apps import apps

    for label in ("signatures", "processing", "records", "tasks"):
        apps.get_app_config(label).ready()
    test_every_higher_app_is_registered_once()
