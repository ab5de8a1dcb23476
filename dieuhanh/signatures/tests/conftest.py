from dieuhanh.documents.tests.conftest import exchange, media  # noqa: F401  (fixtures)
from dieuhanh.drafting.tests.conftest import drafting  # noqa: F401  (fixture)
