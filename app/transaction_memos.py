"""What a transaction has already done, kept on its session until the transaction ends."""

from __future__ import annotations

from sqlalchemy import event
from sqlmodel import Session

# What the session's transaction has already done that holds until it ends: the case writers' lock taken,
# the end of its audit lane (app/audit/chain.py), the case page versions moved. Later flushes of
# the same transaction skip doing them again. Only what is done outside a savepoint is kept: a
# savepoint rolled back takes its lock, its entries and its version moves away with it.
_TRANSACTION = "homeward.transaction"


def this_transaction(session: Session) -> dict:
    """The memo itself: what is put in it directly stays even if a savepoint is rolled back."""
    return session.info.setdefault(_TRANSACTION, {})


def remember_for_transaction(session: Session, key: str, value) -> None:
    """Keep `value` for the rest of the session's transaction, unless a savepoint could undo it."""
    if not session.in_nested_transaction():
        this_transaction(session)[key] = value


def forget_for_transaction(session: Session, key: str) -> None:
    """Drop what `remember_for_transaction` kept under `key` (a savepoint changed it, and may be undone)."""
    this_transaction(session).pop(key, None)


def for_transaction(session: Session, key: str):
    """What `remember_for_transaction` kept for this transaction, or None."""
    return this_transaction(session).get(key)


@event.listens_for(Session, "after_transaction_end")
def _transaction_ended(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_TRANSACTION, None)
