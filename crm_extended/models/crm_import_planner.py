import itertools
import re

from odoo import fields, models
from odoo.osv import expression
from odoo.tools import SQL

from ..services import duplicates, import_matching, import_rows
from ..services.import_mapping import normalize_header

PLAN_BATCH_SIZE = 2000
# A total line under the list ("Итого: 120", "Total"), not a client.
TOTAL_LINE = re.compile(r"^\s*(итого|всего|итог|total|totals|sum|grand total)\b", re.IGNORECASE)
# Fields of a company filled from a row when the existing client has none.
COMPANY_FIELDS = ("vat", "kpp", "phone", "website", "street", "city", "zip", "country_id", "comment")
# ... and of a contact person.
CONTACT_FIELDS = ("function", "mobile", "email")
# fields a row fills on an existing lead when it has them empty: lead field -> row field
LEAD_FILL_FIELDS = {
    "partner_name": "partner_name",
    "contact_name": "contact_name",
    "function": "function",
    "email_from": "email",
    "phone": "phone",
    "mobile": "mobile",
    "website": "website",
    "city": "city",
    "description": "comment",
}
# the order in which match kinds are named
_KIND_ORDER = [duplicates.TAX, duplicates.PHONE, duplicates.EMAIL, import_matching.NAME]


def _norm_name(text):
    """A name as compared: import_mapping's header form (case, "ё", punctuation)."""
    return normalize_header(text)


class _FileKeys:
    """What the plan remembers of the rows already planned, for the rows to come: each key's
    first row (``import_matching.Clusters``' store) and the contacts seen per client. Kept in
    a temporary table of the transaction, so that the process holds one batch's keys whatever
    the file's size (held in dicts, 100,000 rows' keys took about 150 MB)."""

    def __init__(self, cr):
        self.cr = cr
        cr.execute(
            SQL(
                """CREATE TEMPORARY TABLE IF NOT EXISTS crm_import_file_keys (
                       kind varchar NOT NULL, value varchar NOT NULL, owner integer NOT NULL,
                       PRIMARY KEY (kind, value)
                   ) ON COMMIT DROP"""
            )
        )
        # a second plan in the same transaction starts afresh
        cr.execute(SQL("TRUNCATE crm_import_file_keys"))

    def owners(self, tags):
        """{(kind, value): owner} of those of ``tags`` already saved."""
        tags = list(tags)
        self.cr.execute(
            SQL(
                """SELECT k.kind, k.value, k.owner
                     FROM unnest(%s::varchar[], %s::varchar[]) AS t(kind, value)
                     JOIN crm_import_file_keys k ON k.kind = t.kind AND k.value = t.value""",
                [kind for kind, _value in tags],
                [value for _kind, value in tags],
            )
        )
        return {(kind, value): owner for kind, value, owner in self.cr.fetchall()}

    def save(self, owners):
        """Save ``owners`` ({(kind, value): owner}); a key saved before keeps its owner."""
        self.cr.execute(
            SQL(
                """INSERT INTO crm_import_file_keys (kind, value, owner)
                   SELECT * FROM unnest(%s::varchar[], %s::varchar[], %s::int[])
                   ON CONFLICT DO NOTHING""",
                [kind for kind, _value in owners],
                [value for _kind, value in owners],
                list(owners.values()),
            )
        )


class CrmImportPlanner(models.AbstractModel):
    """What an import does with each row: the preview's plan (matching within
    the file and against the directory, one look-up per batch of rows).
    Writing the rows is ``crm.import.writer``; both are inherited by
    ``crm.import.job``."""

    _name = "crm.import.planner"
    _description = "Import Planning"

    # -- the plan ------------------------------------------------------------------------------

    def _crm_plan(self, rows, mapping):
        """Create the preview lines of ``rows`` (the table's row iterator) and return the counts."""
        self.ensure_one()
        context = self._crm_plan_context()
        context["file_keys"] = _FileKeys(self.env.cr)
        clusters = import_matching.Clusters(context["file_keys"])
        counts = dict.fromkeys(("create", "update", "link", "skip", "conflict", "error"), 0)
        Line = self.env["crm.import.line"]
        total = 0
        while True:
            batch = list(itertools.islice(rows, PLAN_BATCH_SIZE))
            if not batch:
                break
            entries = [self._crm_read_row(number, values, mapping, context) for number, values in batch]
            plan = self._crm_plan_leads if self.kind == "lead" else self._crm_plan_partners
            vals_list = plan(entries, clusters, context)
            for vals in vals_list:
                counts[vals["action"]] += 1
                vals["job_id"] = self.id
                if vals["action"] in ("skip", "error"):
                    vals["state"] = "done"
            Line.create(self._crm_with_defaults(Line, vals_list))
            total += len(vals_list)
            # each batch's lines and the clients it read go to the database and out of the
            # cache, which kept them all (100,000 rows took a process from 168 to 657 MB); the
            # keys of the rows planned are in the database too (``_FileKeys``)
            self.env.flush_all()
            self.env.invalidate_all()
        return {f"{action}_count": count for action, count in counts.items()} | {"row_count": total}

    def _crm_with_defaults(self, model, vals_list):
        """``vals_list`` with the defaults of ``model`` filled in as its
        ``create`` fills them (``_add_missing_default_values``), but computed
        once per set of keys instead of once per record: they depend on the
        context only, and some cost a query each time (account's default
        invoice template counts the invoice reports)."""
        defaults_of, out = {}, []
        for vals in vals_list:
            shape = frozenset(vals)
            if shape not in defaults_of:
                defaults = model.default_get([name for name in model._fields if name not in vals])
                for name, value in defaults.items():
                    field = model._fields[name]
                    if field.type == "many2many" and value and isinstance(value[0], int):
                        defaults[name] = [fields.Command.set(value)]
                    elif field.type == "one2many" and value and isinstance(value[0], dict):
                        defaults[name] = [fields.Command.create(item) for item in value]
                defaults_of[shape] = defaults
            out.append({**_copied(defaults_of[shape]), **vals})
        return out

    def _crm_plan_context(self):
        """What every row is read with: countries by name and code, the
        regions national numbers are read in, the roles by name."""
        Partner = self.env["res.partner"]
        countries = {}
        for country in self.env["res.country"].with_context(lang="en_US").search([]):
            countries[country.code.lower()] = (country.id, country.code)
            countries[_norm_name(country.name)] = (country.id, country.code)
        for country in self.env["res.country"].search([]):
            countries[_norm_name(country.name)] = (country.id, country.code)
        home = Partner._crm_company_region(self.company_id.id)
        regions = list(dict.fromkeys(region for region in (home, *Partner._crm_client_regions()) if region))
        roles = {}
        for role in self.env["crm.contact.role"].search([]):
            roles[_norm_name(role.name)] = role.id
            if role.code:
                roles[_norm_name(role.code)] = role.id
        for role in self.env["crm.contact.role"].with_context(lang="en_US").search([]):
            roles.setdefault(_norm_name(role.name), role.id)
        return {"countries": countries, "regions": regions or ["RU"], "roles": roles}

    def _crm_read_row(self, number, values, mapping, context):
        """A row's fields, problems, keys and resolved values."""
        row_fields, cell_problems = import_rows.row_fields(values, mapping)
        problems = [(field, code) for _column, field, code in cell_problems]
        country = None
        if row_fields.get("country"):
            country = context["countries"].get(_norm_name(row_fields["country"]))
            if not country:
                problems.append(("country", "country"))
        regions = [country[1]] if country else context["regions"]
        flags, keys = import_rows.check(row_fields, country and country[1], regions)
        problems.extend(flags.items())
        roles = []
        for text in re.split(r"[,;/]", row_fields.get("role", "")):
            if text.strip():
                role = context["roles"].get(_norm_name(text))
                if role:
                    roles.append(role)
                else:
                    problems.append(("role", "role"))
        if "kpp" in flags:
            row_fields.pop("kpp")
        if "vat" in flags:
            row_fields.pop("vat")
        return {
            "row": number,
            "fields": row_fields,
            "problems": problems,
            "keys": keys,
            "country_id": country and country[0],
            "role_ids": roles,
        }

    def _crm_problem_text(self, problems):
        labels = {
            "formula": self.env._("a formula: import values, not formulas"),
            "date": self.env._("a date where text is expected"),
            "number": self.env._("not a number"),
            "country": self.env._("unknown country"),
            "role": self.env._("unknown contact role"),
            "inn_digits": self.env._("an INN has digits only"),
            "inn_length": self.env._("an INN has 10 or 12 digits"),
            "inn_checksum10": self.env._("INN check digit does not match"),
            "inn_checksum12": self.env._("INN check digits do not match"),
            "kpp": self.env._("not a KPP (9 characters)"),
            "user": self.env._("no such salesperson: the lead goes to you"),
            "phone": self.env._("not a valid phone number, kept as typed"),
            "email": self.env._("not a valid e-mail address, kept as typed"),
        }
        columns = dict(self.env["crm.import.column"]._fields["field"]._description_selection(self.env))
        return (
            "\n".join(f"{columns.get(field, field)}: {labels.get(code, code)}" for field, code in problems)
            or False
        )

    def _crm_kinds_text(self, kinds):
        labels = {
            duplicates.TAX: self.env._("tax id"),
            duplicates.PHONE: self.env._("phone"),
            duplicates.EMAIL: self.env._("e-mail"),
            import_matching.NAME: self.env._("name"),
        }
        return ", ".join(labels[kind] for kind in kinds)

    def _crm_plan_partners(self, entries, clusters, context):
        """Lines of a batch of client rows: each row's client is new, a
        repeat of an earlier row, an existing client (to link, update or
        skip) or a conflict; one look-up of the directory for the batch."""
        Partner = self.env["res.partner"]
        items = []
        for entry in entries:
            company_keys, contact_keys = import_rows.partner_keys(entry["fields"], entry["keys"])
            entry["company_keys"], entry["contact_keys"] = company_keys, contact_keys
            entry["all_keys"] = import_rows.all_keys(company_keys, contact_keys)
            entry["name"] = entry["fields"].get("name") or entry["fields"].get("contact_name")
            name = _norm_name(entry["fields"].get("name")) if entry["fields"].get("name") else None
            if entry["name"] and TOTAL_LINE.match(entry["name"]) and not any(entry["keys"].values()):
                entry["name"] = None
            keys = entry["all_keys"] if entry["name"] else duplicates.client_keys(None, (), None)
            items.append((entry["row"], keys, name))
        # a client of the file is known by its first row's number
        places = [
            place if entry["name"] else None
            for entry, place in zip(entries, clusters.add_batch(items), strict=True)
        ]
        # the contacts already seen under the batch's clients of the file
        contact_tags = [
            self._crm_contact_tag(place[1], entry["fields"]["contact_name"])
            for entry, place in zip(entries, places, strict=True)
            if place
            and place[0] != import_matching.CONFLICT
            and entry["fields"].get("name")
            and entry["fields"].get("contact_name")
        ]
        file_keys = context["file_keys"]
        seen = set(file_keys.owners(contact_tags)) if contact_tags else set()
        context["contacts_seen"], known = seen, set(seen)
        # one look-up of the directory for the batch's keys, under the user's rules
        taxes, phones, emails = import_matching.key_values([entry["all_keys"] for entry in entries])
        found = Partner.browse()
        domain = Partner._get_crm_duplicate_domain(taxes, phones, emails)
        if domain:
            found = Partner.search_fetch(
                domain,
                [
                    "tax_key",
                    "phone_e164",
                    "mobile_e164",
                    "email_normalized",
                    "parent_id",
                    "commercial_partner_id",
                ],
            )
        candidates = [
            (partner.id, partner.commercial_partner_id.id, partner._crm_duplicate_keys(legal_entity_tax=True))
            for partner in found
        ]
        matches = import_matching.match([entry["all_keys"] for entry in entries], candidates)
        # companies without any key are found by their name (exact, as typed)
        unkeyed = {
            entry["fields"]["name"]
            for entry, found_ in zip(entries, matches, strict=True)
            if not found_
            and entry["fields"].get("name")
            and not entry["company_keys"][0]
            and not entry["company_keys"][1]
        }
        by_name = {}
        if unkeyed:
            for company in Partner.search_fetch(
                [("name", "in", list(unkeyed)), ("is_company", "=", True), ("parent_id", "=", False)],
                ["name"],
            ):
                by_name.setdefault(company.name, company.id)
        clients = Partner.browse({client for found_ in matches for client in found_} | set(by_name.values()))
        clients.fetch([*COMPANY_FIELDS, "email", "mobile", "name"])
        contacts = {}
        names = {entry["fields"]["contact_name"] for entry in entries if entry["fields"].get("contact_name")}
        if clients and names:
            # the clients' contacts, then their names compared here: with the
            # batch's names in the query, PostgreSQL may take the names'
            # trigram index, whose every look-up of "Contact 000123" reads
            # the postings of all the similar names (34 s for a batch of
            # 2,000 rows on 10,000 partners instead of milliseconds)
            named = Partner.search_fetch([("parent_id", "in", clients.ids)], ["name", "parent_id"]).filtered(
                lambda contact: contact.name in names
            )
            named.fetch([*CONTACT_FIELDS, "contact_role_ids"])
            for contact in named:
                contacts.setdefault((contact.parent_id.id, _norm_name(contact.name)), contact)
        found_by_id = {partner.id: partner for partner in found}
        # the clients are read together: a client browsed alone would be
        # read alone (its display name, what it lacks), one query per row
        context["clients_prefetch"] = clients._prefetch_ids
        vals_list = []
        for entry, place, found_ in zip(entries, places, matches, strict=True):
            vals = self._crm_partner_line(entry, place, found_, by_name, found_by_id, contacts, context)
            vals_list.append(vals)
        # a contact's key says all (its client's first row and its name): no owner to keep
        new = dict.fromkeys(seen - known, 0)
        if new:
            file_keys.save(new)
        return vals_list

    def _crm_contact_tag(self, group, contact_name):
        """The key of a contact person under a client of the file (its first row)."""
        return ("contact", f"{group}:{_norm_name(contact_name)}")

    def _crm_partner_line(self, entry, place, found, by_name, found_by_id, contacts, context):
        Partner = self.env["res.partner"]
        row_fields = entry["fields"]
        vals = {
            "row": entry["row"],
            "name": row_fields.get("name") or row_fields.get("contact_name"),
            "contact_name": row_fields.get("contact_name") if row_fields.get("name") else False,
            "problems": self._crm_problem_text(entry["problems"]),
            "values": dict(row_fields, country_id=entry["country_id"], role_ids=entry["role_ids"]),
        }
        if place is None:
            vals["name"] = vals["name"] or False
            blank = not any(row_fields.get(f) for f in ("vat", "phone", "mobile", "email"))
            return vals | {
                "action": "skip" if blank else "error",
                "reason": self.env._("Empty or a total line: no name and no contact details")
                if blank
                else self.env._("No name: the row has contact details but neither a company nor a person"),
            }
        kind, where, kinds = place
        if kind == import_matching.CONFLICT:
            return vals | {
                "action": "conflict",
                "match_kinds": self._crm_kinds_text(kinds),
                "reason": self.env._(
                    "Matches rows %(rows)s of the file, which are different clients (same %(kinds)s)",
                    rows=", ".join(str(row) for row in where),
                    kinds=self._crm_kinds_text(kinds),
                ),
            }
        client_id, conflict = import_matching.best_client(found)
        # the same person within the file: the same name under the same client (its first row)
        repeated_contact = False
        if vals["contact_name"]:
            tag = self._crm_contact_tag(where, vals["contact_name"])
            repeated_contact = tag in context["contacts_seen"]
            context["contacts_seen"].add(tag)
        if kind == import_matching.REPEAT and not client_id:
            origin = where
            has_contact = bool(vals["contact_name"]) and not repeated_contact
            return vals | {
                "action": "link" if has_contact else "skip",
                "origin_row": origin,
                "match_kinds": self._crm_kinds_text(kinds),
                "reason": self.env._(
                    "Same client as row %(row)s of the file (same %(kinds)s)",
                    row=origin,
                    kinds=self._crm_kinds_text(kinds),
                ),
            }
        if conflict:
            candidates = Partner.browse(list(found))
            return vals | {
                "action": "conflict",
                "candidate_ids": [fields.Command.set(candidates.ids)],
                "match_kinds": self._crm_kinds_text(
                    sorted({k for kinds_, _p in found.values() for k in kinds_}, key=_KIND_ORDER.index)
                ),
                "reason": self.env._(
                    "Matches several clients in the directory: %(clients)s",
                    clients=Partner._crm_describe_matches(entry["all_keys"], candidates),
                ),
            }
        kinds = found[client_id][0] if client_id else []
        if not client_id and row_fields.get("name") in by_name:
            client_id, kinds = by_name[row_fields["name"]], [import_matching.NAME]
        if not client_id:
            return vals | {"action": "create", "reason": self.env._("New client")}
        client = Partner.browse(client_id).with_prefetch(context.get("clients_prefetch"))
        changes = self._crm_company_changes(client, entry)
        contact, contact_changes = self._crm_find_contact(client, entry, found, found_by_id, contacts)
        labels = []
        if changes:
            labels.append(self.env._("client: %(fields)s", fields=", ".join(sorted(changes))))
        if contact_changes:
            labels.append(self.env._("contact: %(fields)s", fields=", ".join(sorted(contact_changes))))
        new_contact = bool(vals["contact_name"]) and not contact
        action = "update" if changes or contact_changes else "link" if new_contact else "skip"
        named = {"client": client.display_name, "kinds": self._crm_kinds_text(kinds)}
        if action == "update":
            reason = self.env._(
                "Client in the directory: %(client)s (same %(kinds)s); fields to fill", **named
            )
        elif action == "link":
            reason = self.env._(
                "Client in the directory: %(client)s (same %(kinds)s); a new contact is added", **named
            )
        else:
            reason = self.env._("Already in the directory: %(client)s (same %(kinds)s)", **named)
        return vals | {
            "action": action,
            "partner_id": client.id,
            "contact_id": contact.id,
            "match_kinds": self._crm_kinds_text(kinds),
            "reason": reason,
            "changes": "; ".join(labels) or False,
            "values": vals["values"] | {"company_changes": changes, "contact_changes": contact_changes},
        }

    def _crm_company_vals(self, entry_values, with_contact_fields):
        """The company's (or a lone person's) values of a row."""
        values = {
            field: entry_values[field]
            for field in ("vat", "kpp", "phone", "website", "street", "city", "zip", "comment")
            if entry_values.get(field)
        }
        if entry_values.get("country_id"):
            values["country_id"] = entry_values["country_id"]
        if with_contact_fields:
            values.update(
                {f: entry_values[f] for f in ("mobile", "email", "function") if entry_values.get(f)}
            )
        return values

    def _crm_company_changes(self, client, entry):
        """{field: value} of the row that the existing client lacks (nothing is overwritten)."""
        row = dict(entry["fields"], country_id=entry["country_id"])
        wanted = self._crm_company_vals(row, with_contact_fields=not row.get("contact_name"))
        wanted.pop("function", None)
        return {field: value for field, value in wanted.items() if not client[field]}

    def _crm_find_contact(self, client, entry, found, found_by_id, contacts):
        """The existing contact of the row, by name under the client, else by
        its mobile (personal; an e-mail such as info@ is often shared by a
        whole office), and the fields it lacks."""
        name = entry["fields"].get("contact_name")
        if not name or not entry["fields"].get("name"):
            return client.browse(), {}
        contact = contacts.get((client.id, _norm_name(name)), client.browse())
        mobile = entry["keys"].get("mobile")
        _kinds, partner_ids = found.get(client.id, ([], []))
        for partner_id in partner_ids if not contact and mobile else []:
            partner = found_by_id[partner_id]
            if partner.parent_id and mobile in (partner.mobile_e164, partner.phone_e164):
                contact = partner
                break
        if not contact:
            return contact, {}
        changes = {f: entry["fields"][f] for f in CONTACT_FIELDS if entry["fields"].get(f) and not contact[f]}
        missing_roles = set(entry["role_ids"]) - set(contact.contact_role_ids.ids)
        if missing_roles:
            changes["contact_role_ids"] = sorted(missing_roles)
        return contact, changes

    def _crm_plan_leads(self, entries, clusters, context):
        """Lines of a batch of lead rows: new leads (linked to the client
        found in the directory), repeats within the file and leads already
        open for the same phone or e-mail are skipped."""
        Lead, Partner = self.env["crm.lead"], self.env["res.partner"]
        for entry in entries:
            keys = entry["keys"]
            entry["lead_keys"] = duplicates.client_keys(
                None, [keys.get("phone"), keys.get("mobile")], keys.get("email")
            )
            entry["all_keys"] = duplicates.client_keys(
                keys.get("vat"), entry["lead_keys"][1], keys.get("email")
            )
        taxes, phones, emails = import_matching.key_values([entry["all_keys"] for entry in entries])
        leads = Lead.browse()
        if phones or emails:
            branches = []
            if phones:
                branches += [[("phone_e164", "in", phones)], [("mobile_e164", "in", phones)]]
            if emails:
                branches.append([("email_normalized", "in", emails)])
            leads = Lead.search_fetch(
                expression.OR(branches),
                [
                    "name",
                    "phone_e164",
                    "mobile_e164",
                    "email_normalized",
                    "partner_id",
                    "user_id",
                    "country_id",
                ]
                + list(LEAD_FILL_FIELDS),
            )
        lead_candidates = [
            (
                lead.id,
                lead.id,
                duplicates.client_keys(None, (lead.phone_e164, lead.mobile_e164), lead.email_normalized),
            )
            for lead in leads
        ]
        lead_matches = import_matching.match([entry["lead_keys"] for entry in entries], lead_candidates)
        # a lead without phone or e-mail is the same lead under the same name (re-import)
        unkeyed = {
            entry["fields"].get("name")
            for entry in entries
            if entry["fields"].get("name") and not entry["lead_keys"][1] and not entry["lead_keys"][2]
        }
        leads_by_name = {}
        if unkeyed:
            for lead in Lead.search_fetch([("name", "in", list(unkeyed))], ["name"]):
                leads_by_name.setdefault(lead.name, lead.id)
        found = Partner.browse()
        domain = Partner._get_crm_duplicate_domain(taxes, phones, emails)
        if domain:
            found = Partner.search_fetch(
                domain,
                [
                    "tax_key",
                    "phone_e164",
                    "mobile_e164",
                    "email_normalized",
                    "parent_id",
                    "commercial_partner_id",
                ],
            )
        candidates = [(p.id, p.id, p._crm_duplicate_keys(legal_entity_tax=True)) for p in found]
        partner_matches = import_matching.match([entry["all_keys"] for entry in entries], candidates)
        users = self._crm_users([entry["fields"].get("user") for entry in entries])
        names = [
            entry["fields"].get("name")
            or entry["fields"].get("partner_name")
            or entry["fields"].get("contact_name")
            for entry in entries
        ]
        places = clusters.add_batch(
            [
                (entry["row"], entry["lead_keys"] if name else duplicates.client_keys(None, (), None), None)
                for entry, name in zip(entries, names, strict=True)
            ]
        )
        vals_list = []
        for entry, name, place, lead_found, partner_found in zip(
            entries, names, places, lead_matches, partner_matches, strict=True
        ):
            row_fields = entry["fields"]
            if row_fields.get("user") and row_fields["user"] not in users:
                entry["problems"].append(("user", "user"))
            values = dict(
                row_fields, country_id=entry["country_id"], user_id=users.get(row_fields.get("user"))
            )
            vals = {
                "row": entry["row"],
                "name": name,
                "contact_name": row_fields.get("contact_name"),
                "values": values,
                "problems": self._crm_problem_text(entry["problems"]),
            }
            if not name:
                vals_list.append(
                    vals | {"action": "skip", "reason": self.env._("Empty or a total line: no name")}
                )
                continue
            kind, where, kinds = place
            if kind != import_matching.NEW:
                rows = where if isinstance(where, list) else [where]
                vals_list.append(
                    vals
                    | {
                        "action": "skip",
                        "origin_row": rows[0],
                        "match_kinds": self._crm_kinds_text(kinds),
                        "reason": self.env._(
                            "Same lead as row %(row)s of the file (same %(kinds)s)",
                            row=rows[0],
                            kinds=self._crm_kinds_text(kinds),
                        ),
                    }
                )
                continue
            if not lead_found and row_fields.get("name") in leads_by_name and not any(entry["lead_keys"][1:]):
                lead_found = {leads_by_name[row_fields["name"]]: ([import_matching.NAME], [])}
            client_id, _conflict = import_matching.best_client(
                {Partner.browse(pid).commercial_partner_id.id: v for pid, v in partner_found.items()}
            )
            if lead_found:
                lead = Lead.browse(next(iter(lead_found)))
                kinds = self._crm_kinds_text(next(iter(lead_found.values()))[0])
                changes = self._crm_lead_changes(lead, values, client_id)
                if changes:
                    vals["values"] = values | {"lead_changes": changes}
                    extra = {
                        "action": "update",
                        "changes": self.env._("lead: %(fields)s", fields=", ".join(sorted(changes))),
                        "reason": self.env._(
                            "Already a lead: %(lead)s (same %(kinds)s); fields to fill",
                            lead=lead.name,
                            kinds=kinds,
                        ),
                    }
                else:
                    extra = {
                        "action": "skip",
                        "reason": self.env._(
                            "Already a lead: %(lead)s (same %(kinds)s)", lead=lead.name, kinds=kinds
                        ),
                    }
                vals_list.append(vals | extra | {"lead_id": lead.id, "match_kinds": kinds})
                continue
            if client_id:
                values["partner_id"] = client_id
                vals_list.append(
                    vals
                    | {
                        "action": "link",
                        "partner_id": client_id,
                        "reason": self.env._(
                            "New lead of a client in the directory: %(client)s",
                            client=Partner.browse(client_id).display_name,
                        ),
                    }
                )
            else:
                vals_list.append(vals | {"action": "create", "reason": self.env._("New lead")})
        return vals_list

    def _crm_lead_changes(self, lead, values, client_id):
        """What a row fills on an existing lead: the fields the lead has
        empty and the row gives (never overwriting what someone typed)."""
        wanted = {lead_field: values.get(row_field) for lead_field, row_field in LEAD_FILL_FIELDS.items()}
        wanted.update(
            country_id=values.get("country_id"), user_id=values.get("user_id"), partner_id=client_id
        )
        wanted["expected_revenue"] = values.get("expected_revenue")
        changes = {}
        for name, value in wanted.items():
            current = lead[name]
            empty = not current if lead._fields[name].type != "many2one" else not current.id
            if value and empty:
                changes[name] = value
        return changes

    def _crm_users(self, texts):
        """{text: user id} for salespeople named by login or name (one query)."""
        texts = [text for text in set(texts) if text]
        if not texts:
            return {}
        users = self.env["res.users"].search_fetch(
            ["|", ("login", "in", texts), ("name", "in", texts), ("share", "=", False)], ["login", "name"]
        )
        out = {}
        for user in users:
            out.setdefault(user.login, user.id)
            out.setdefault(user.name, user.id)
        return out


def _copied(values):
    """A dict whose list values (commands) are new lists, so no two creates share one."""
    return {name: list(value) if isinstance(value, list) else value for name, value in values.items()}
