"""A bad database_url is a clear error that never shows the password it contains."""

from __future__ import annotations

import pytest

from kansa.appdb import Database
from kansa.errors import KansaError


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg//kansa:s3cret-pw@db.internal/kansa",  # missing ':' after the scheme
        "not a url kansa:s3cret-pw@db",
    ],
)
def test_unparseable_url_is_reported_without_the_password(url: str) -> None:
    with pytest.raises(KansaError) as err:
        Database(url)
    assert "s3cret-pw" not in err.value.message
    assert "database_url" in err.value.message


def test_unsupported_backend_is_named() -> None:
    with pytest.raises(KansaError) as err:
        Database("mysql://kansa:s3cret-pw@db/kansa")
    assert "mysql" in err.value.message and "s3cret-pw" not in err.value.message
