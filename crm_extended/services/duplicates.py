"""The duplicate guard's one definition of "the same client".

A client (a partner, or the prospect of a lead) is described by its strong
keys: its tax key, its E.164 phone keys and its normalised e-mail. Two clients
are likely the same when they share one of them; which ones they share is what
the warning tells the user.
"""

TAX = "tax"
PHONE = "phone"
EMAIL = "email"


def client_keys(tax_key, phone_keys, email):
    """A client's strong keys as :func:`shared_keys` compares them; empty
    values (False, None, "") are no key."""
    return tax_key or None, frozenset(key for key in phone_keys if key), email or None


def shared_keys(keys, other):
    """The kinds of key (TAX, PHONE, EMAIL, in that order) that two clients'
    :func:`client_keys` have in common; empty when they share none."""
    tax, phones, email = keys
    other_tax, other_phones, other_email = other
    kinds = []
    if tax and tax == other_tax:
        kinds.append(TAX)
    if phones & other_phones:
        kinds.append(PHONE)
    if email and email == other_email:
        kinds.append(EMAIL)
    return kinds
