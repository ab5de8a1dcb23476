"""The search index: one row per document, kept in step with the document in the same transaction.

The full-text structure itself lives beside this table and is created by backend-specific SQL in the
migrations: an FTS5 table kept in sync by triggers on SQLite, a generated ``tsvector`` column with a GIN index
(and a pg_trgm index for fuzzy matching) on PostgreSQL. See docs/decisions/0019-search.md.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchEntry(models.Model):
    document = models.OneToOneField("documents.Document", on_delete=models.CASCADE, primary_key=True,
                                    related_name="search_entry")
    # The searchable text as written (NFC), for snippets: metadata, file texts, processing opinions.
    text = models.TextField()
    # Folded words (no diacritics, đ -> d, [a-z0-9] only), then one token per accented word for ranking exact
    # accented matches first. This is what the full-text index reads.
    folded = models.TextField()
    # One token per pair of adjacent folded words, for phrases (PostgreSQL indexes them in their own column).
    pairs = models.TextField(blank=True, default="")
    symbol_key = models.CharField(max_length=100, blank=True, db_index=True)
    issuer_key = models.CharField(max_length=255, blank=True)  # folded words of the issuer's name
    # Issue date, or the day the document was created: the "by date" order never meets a NULL.
    sort_date = models.DateField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["sort_date", "document"], name="search_entry_date")]


class BlobText(models.Model):
    """Text extracted once from a stored file (PDF text layer, .docx); files never change, so neither does this."""

    blob = models.OneToOneField("documents.Blob", on_delete=models.CASCADE, primary_key=True, related_name="+")
    text = models.TextField(blank=True)
    extracted_at = models.DateTimeField(auto_now_add=True)


class SavedSearch(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches")
    name = models.CharField(_("name"), max_length=100)
    params = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="saved_search_unique_name")]

    def __str__(self):
        return self.name


class SearchWord(models.Model):
    """The vocabulary of the index (PostgreSQL only, filled by a trigger), searched with pg_trgm to correct typos.

    A corrected word is only ever used to run the search again under the person's permissions; it is shown only
    when that search finds documents they can open, so the vocabulary itself never leaks a word."""

    word = models.CharField(max_length=40, primary_key=True)
