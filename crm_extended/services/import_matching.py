"""Which rows of an import are the same client, within the file and against
the directory.

Plain Python. A row's client is described by the strong keys of
services/duplicates.py (``client_keys``: tax key, E.164 phone keys,
normalised e-mail): two rows, or a row and a partner, are the same client
when they share one key (``shared_keys``), as the duplicate guard says.

- :func:`cluster` groups the rows of a file: each row is the first of its
  client, a repeat of an earlier row, or a conflict (its keys point to two
  different earlier clients).
- :func:`key_values` lists the keys of a batch of rows, to look every
  partner up in one query; :func:`match` then says, for each row, which
  existing clients (commercial entities) share a key with it, and how.
"""

from collections import defaultdict

from . import duplicates

NEW, REPEAT, CONFLICT = "new", "repeat", "conflict"


def tagged_keys(keys):
    """The keys of a client_keys tuple as (kind, value) pairs."""
    tax, phones, email = keys
    if tax:
        yield duplicates.TAX, tax
    for phone in sorted(phones):
        yield duplicates.PHONE, phone
    if email:
        yield duplicates.EMAIL, email


class Clusters:
    """The clients of a file so far, row after row (see :func:`cluster`).

    Without a ``store`` every key of the file stays here. With one, only the
    keys of the batch being placed do (:meth:`add_batch`): the owners the
    batch's keys got in earlier batches are read from the store at once
    (``store.owners(tags) -> {tag: owner}``) and the keys it brings are written
    to it at once (``store.save({tag: owner})``), so that memory does not grow
    with the file. Both ways place every row the same.
    """

    def __init__(self, store=None):
        self.owner = {}
        self.count = 0
        self.store = store

    def add(self, keys, name=None, label=None):
        """The row's place: ``(NEW, label, [])``, ``(REPEAT, label of the
        first row of its client, kinds shared)`` or ``(CONFLICT, [labels of
        the first rows of the clients it matches], kinds)``; a row's label is
        ``label`` or, without one, its index among the rows added."""
        index, self.count = self.count, self.count + 1
        label = index if label is None else label
        hits = defaultdict(list)
        tags = row_tags(keys, name)
        for tagged in tags:
            if tagged in self.owner:
                hits[self.owner[tagged]].append(tagged[0])
        if len(hits) > 1:
            kinds = sorted({kind for kinds in hits.values() for kind in kinds}, key=_KIND_ORDER.index)
            return CONFLICT, sorted(hits), kinds
        if hits:
            ((group, kinds),) = hits.items()
            place = (REPEAT, group, sorted(set(kinds), key=_KIND_ORDER.index))
        else:
            group, place = label, (NEW, label, [])
        for tagged in tags:
            self.owner.setdefault(tagged, group)
        return place

    def add_batch(self, items):
        """The places of a batch of rows, ``items`` being ``(label, keys,
        name)`` in file order: as :meth:`add` row by row, with one read and
        one write of the store for the batch."""
        if self.store is None:
            return [self.add(keys, name, label) for label, keys, name in items]
        tags = {tagged for _label, keys, name in items for tagged in row_tags(keys, name)}
        self.owner = self.store.owners(tags) if tags else {}
        known = set(self.owner)
        places = [self.add(keys, name, label) for label, keys, name in items]
        new = {tagged: owner for tagged, owner in self.owner.items() if tagged not in known}
        if new:
            self.store.save(new)
        self.owner = {}
        return places


def row_tags(keys, name=None):
    """The (kind, value) pairs a row is matched on: its keys, and its
    company name when it has no tax id."""
    tags = list(tagged_keys(keys))
    if name and not keys[0]:
        tags.append((NAME, name))
    return tags


class MemoryStore:
    """A store for :class:`Clusters` kept in a dict (tests, small files)."""

    def __init__(self):
        self.data = {}

    def owners(self, tags):
        return {tagged: self.data[tagged] for tagged in tags if tagged in self.data}

    def save(self, owners):
        for tagged, owner in owners.items():
            self.data.setdefault(tagged, owner)


def cluster(rows_keys, names=None):
    """For each row's keys (``client_keys`` tuples, in file order):
    ``(NEW, index, [])`` for the first row of a client, ``(REPEAT, index of
    that first row, kinds shared)`` for a later row of the same client,
    ``(CONFLICT, [first rows of the clients it matches], kinds)`` for a row
    whose keys belong to two clients of the file. A row without keys is
    always NEW: nothing says it repeats another. ``names`` (normalised
    company names, per row) are a key too, kind NAME, for the rows without a
    tax id: a company repeated on each of its contacts' rows without its
    tax id is one client."""
    clusters = Clusters()
    return [clusters.add(keys, names[index] if names else None) for index, keys in enumerate(rows_keys)]


NAME = "name"
_KIND_ORDER = [duplicates.TAX, duplicates.PHONE, duplicates.EMAIL, NAME]


def key_values(rows_keys):
    """(tax keys, phone keys, e-mails) of a batch: what one query looks up."""
    taxes, phones, emails = set(), set(), set()
    for tax, row_phones, email in rows_keys:
        if tax:
            taxes.add(tax)
        phones.update(row_phones)
        if email:
            emails.add(email)
    return sorted(taxes), sorted(phones), sorted(emails)


def match(rows_keys, candidates):
    """For each row: {client id: (kinds shared, [ids of the partners that share them])}.

    ``candidates`` are the partners found for the batch: (partner id, client
    id, client_keys), the client id being the partner's commercial entity.
    """
    by_key = defaultdict(list)
    for partner_id, client_id, keys in candidates:
        for tagged in tagged_keys(keys):
            by_key[tagged].append((partner_id, client_id))
    result = []
    for keys in rows_keys:
        found = {}
        for tagged in tagged_keys(keys):
            for partner_id, client_id in by_key.get(tagged, ()):
                kinds, partners = found.setdefault(client_id, (set(), []))
                kinds.add(tagged[0])
                if partner_id not in partners:
                    partners.append(partner_id)
        result.append(
            {
                client_id: (sorted(kinds, key=_KIND_ORDER.index), partners)
                for client_id, (kinds, partners) in found.items()
            }
        )
    return result


def best_client(found):
    """The one client a row matches ({client: (kinds, partners)} from
    :func:`match`), or None when it matches none; a tax id match decides
    between several (the tax id names a legal entity, a phone may be a
    shared switchboard). Returns (client id or None, conflict: bool)."""
    if not found:
        return None, False
    if len(found) == 1:
        return next(iter(found)), False
    by_tax = [client for client, (kinds, _partners) in found.items() if duplicates.TAX in kinds]
    if len(by_tax) == 1:
        return by_tax[0], False
    return None, True
