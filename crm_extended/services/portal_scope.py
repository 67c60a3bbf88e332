"""What a client's contact sees in the portal: plain rules, no ORM.

A contact sees the documents of its own legal entity; a contact marked as its
holding's representative, those of every entity of the holding. Its roles
decide which documents: orders and service requests for everybody, invoices and
statements for the money roles, deliveries for the goods roles. A contact
without any role (a sole trader, a small client's only contact) sees them all,
as in Odoo's own portal.
"""

ORDERS = "orders"
DELIVERIES = "deliveries"
INVOICES = "invoices"
CASES = "cases"
ALL_DOCUMENTS = frozenset({ORDERS, DELIVERIES, INVOICES, CASES})

# role code -> the documents it opens (beyond orders and cases, open to all)
ROLE_DOCUMENTS = {
    "director": ALL_DOCUMENTS,
    "decision_maker": frozenset({INVOICES}),
    "accountant": frozenset({INVOICES}),
    "buyer": frozenset({DELIVERIES}),
    "storekeeper": frozenset({DELIVERIES}),
    "technical": frozenset({DELIVERIES}),
}
EVERYBODY = frozenset({ORDERS, CASES})


def documents_for_roles(role_codes):
    """The documents a contact with these role codes sees (a frozenset of the names above)."""
    codes = [code for code in role_codes if code]
    if not codes:
        return ALL_DOCUMENTS
    documents = set(EVERYBODY)
    for code in codes:
        documents |= ROLE_DOCUMENTS.get(code, frozenset())
    return frozenset(documents)
