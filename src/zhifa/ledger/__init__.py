"""The ledger: every write in Zhifa appends one entry here, in the same
transaction as the write (see ``append``)."""


def append(**kwargs):
    """Append one ledger entry; see ``zhifa.ledger.services.entry_append``."""
    from zhifa.ledger.services import entry_append

    return entry_append(**kwargs)
