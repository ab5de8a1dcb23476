"""The forms of the records pages' actions: one per action. They only parse what was posted (ids by the kernel's
one parser, dates); every rule is the service's, whose errors come back beside the fields or as messages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from dieuhanh.kernel.actions import ActionForm, NoFieldsForm, ReasonForm  # noqa: F401 (this page's forms)
from dieuhanh.kernel.forms import FlagField, IdField, IdListField, LookupIdField, TextField

COUNCIL_ROWS = 5  # member rows offered by the decision form (at least three are required)


class OpenFileForm(ActionForm):
    """Open a file ad hoc (the records page) or from an entry of the approved list (the list page)."""

    symbol = TextField()
    title = TextField()
    retention = IdField()
    entry_id = LookupIdField()


class SectionForm(ActionForm):
    title = TextField()


class EntryForm(ActionForm):
    symbol = TextField()
    title = TextField()
    retention = IdField()
    section = IdField()
    responsible = TextField()
    notes = TextField()


class EntryRefForm(ActionForm):
    entry_id = LookupIdField()


class AttachForm(ActionForm):
    document_ids = TextField()  # ids or numbers and symbols, as typed: the service reads them


class DetachForm(ActionForm):
    document_id = LookupIdField()


class CloseForm(ActionForm):
    title = TextField()
    retention = IdField()


class HoldForm(ActionForm):
    """Place (``hold=1``) or lift a legal hold; the appraisal page names the file in ``file_id``."""

    hold = FlagField()
    reason = TextField()
    file_id = LookupIdField()


class LendForm(ActionForm):
    """Lend a file: the file page's own file, or one named by its code on the usage register."""

    service_fields = {"borrower_name": "borrower"}
    file_code = TextField()
    purpose = TextField()
    borrower = TextField()
    due_on = forms.DateField(required=False)


class LoanRefForm(ActionForm):
    loan_id = LookupIdField()


class UnmarkForm(ActionForm):
    mark = LookupIdField()
    reason = TextField()


class MergeForm(ActionForm):
    kept = LookupIdField()
    member = IdListField(error_messages={"invalid": _("Not a document of this group.")})


class AttachToFileForm(ActionForm):
    """The workbench's attach: one click on a suggestion (``one`` = "file:document") or the chosen ``document``s to
    ``file``."""

    one = TextField()
    file = LookupIdField()
    document = IdListField()


class DepositForm(ActionForm):
    file = IdListField()
    collection_name = TextField()
    giver_name = TextField()
    giver_position = TextField()
    basis = TextField()
    condition = TextField()


class AcceptDepositForm(ActionForm):
    receiver_name = TextField()
    receiver_position = TextField()
    condition = TextField()


class DecisionForm(ActionForm):
    """The council's decision: its number and date, the member rows (``member-<i>-name``/``-position``), the files."""

    number = TextField()
    decided_on = forms.DateField(required=False)
    file = IdListField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(COUNCIL_ROWS):
            self.fields[f"member-{i}-name"] = TextField()
            self.fields[f"member-{i}-position"] = TextField()

    @staticmethod
    def members_of(data):
        """The members from the rows filled in (``cleaned_data``), and the row each came from (errors name the row
        shown)."""
        members, rows = [], []
        for i in range(COUNCIL_ROWS):
            name, position = data[f"member-{i}-name"], data[f"member-{i}-position"]
            if name.strip() or position.strip():
                members.append({"name": name, "position": position})
                rows.append(i)
        return members, rows
