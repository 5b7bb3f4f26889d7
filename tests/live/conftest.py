"""Fixtures shared by the live tests."""

import pytest
from rest_framework.authtoken.models import Token


@pytest.fixture
def tokens(board) -> dict[str, str]:
    """A DRF token for each of alice, bob and carol."""
    return {
        u.username: Token.objects.create(user=u).key for u in (board.alice, board.bob, board.carol)
    }
