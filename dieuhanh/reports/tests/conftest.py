from dieuhanh.documents.tests.conftest import exchange, media  # noqa: F401 - fixtures
from dieuhanh.reorg.tests.conftest import reorg_world  # noqa: F401 - fixture
