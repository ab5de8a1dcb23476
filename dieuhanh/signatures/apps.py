from django.apps import AppConfig

from dieuhanh.documents import hooks


class SignaturesConfig(AppConfig):
    name = "dieuhanh.signatures"
    label = "signatures"

    def ready(self) -> None:
        # documents sits below signatures: it asks through its hooks, and signatures answers (decision 0042)
        from . import jobs, services  # app loading: they import models

        hooks.register_issue_check(services.require_valid_document_signatures)
        hooks.register_files_arrived(jobs.check_document_files)
