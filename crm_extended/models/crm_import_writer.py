from collections import defaultdict

from odoo import fields, models
from odoo.exceptions import UserError

from ..services import import_rows
from .crm_import_planner import CONTACT_FIELDS


class CrmImportWriter(models.AbstractModel):
    """Doing what the plan says: a batch of rows written with one create per
    kind of record, a failing row redone alone so that it never stops the
    others. Inherited by ``crm.import.job`` with ``crm.import.planner``."""

    _name = "crm.import.writer"
    _inherit = ["crm.import.planner"]
    _description = "Import Writing"

    def _crm_write_lines(self, lines):
        """Write a batch of rows: each row's records in one go with the
        others (one create per kind of record), a row that fails is redone
        alone so that it never stops the others."""
        self.ensure_one()
        if self.kind == "lead":
            self._crm_write_leads(lines)
        else:
            self._crm_write_partners(lines)

    def _crm_in_savepoint(self, lines, write):
        """Run ``write(lines)`` in a savepoint; on failure, each line alone,
        the failing ones marked failed with the reason."""
        try:
            with self.env.cr.savepoint():
                write(lines)
            return
        except Exception:
            self.env.invalidate_all()
        for line in lines:
            try:
                with self.env.cr.savepoint():
                    write(line)
            except Exception as error:
                self.env.invalidate_all()
                line.write({"state": "failed", "error": str(error)[:1000]})

    def _crm_holdings(self, lines):
        """{holding text: crm.client.group id}: groups found by name, or the
        group of the client whose tax id is given; missing ones created."""
        texts = {line.values.get("holding") for line in lines if line.values.get("holding")}
        if not texts:
            return {}
        Group, Partner = self.env["crm.client.group"], self.env["res.partner"]
        out = {}
        by_tax = {import_rows.tax_key(text, "RU"): text for text in texts if import_rows.looks_like_inn(text)}
        if by_tax:
            for partner in Partner.search_fetch(
                [("tax_key", "in", list(by_tax)), ("parent_id", "=", False)],
                ["tax_key", "client_group_id", "name"],
            ):
                text = by_tax[partner.tax_key]
                if text in out:
                    continue
                group = partner.client_group_id
                if not group:
                    group = Group.create({"name": partner.name})
                    partner.client_group_id = group
                out[text] = group.id
        names = [text for text in texts if text not in out and text not in by_tax.values()]
        for group in Group.search_fetch([("name", "in", names)], ["name"]):
            out.setdefault(group.name, group.id)
        missing = [name for name in names if name not in out]
        if missing:
            for group in Group.create([{"name": name} for name in missing]):
                out[group.name] = group.id
                lines[:1].created = (lines[:1].created or []) + [["crm.client.group", group.id]]
        return out

    def _crm_write_partners(self, lines):
        Partner = self.env["res.partner"]
        conflicts = lines.filtered(lambda line: line.action == "conflict" and not line.resolution_partner_id)
        conflicts.write(
            {"state": "failed", "error": self.env._("Not imported: the conflict was not resolved.")}
        )
        lines -= conflicts
        holdings = self._crm_holdings(lines)
        # the clients of earlier rows of the file (repeats), in one read
        origin_rows = [line.origin_row for line in lines if line.origin_row]
        origins = {}
        if origin_rows:
            for line in self.env["crm.import.line"].search(
                [("job_id", "=", self.id), ("row", "in", origin_rows)]
            ):
                origins[line.row] = line

        def company_vals(line):
            values = line.values
            is_company = bool(values.get("name"))
            vals = self._crm_company_vals(values, with_contact_fields=not values.get("contact_name"))
            vals.update(name=values.get("name") or values.get("contact_name"), is_company=is_company)
            if not is_company:
                vals["contact_role_ids"] = [fields.Command.set(values.get("role_ids") or [])]
            if values.get("holding") in holdings and is_company:
                vals["client_group_id"] = holdings[values["holding"]]
            return vals

        def create_companies(batch):
            partners = self._crm_create_partners([company_vals(line) for line in batch])
            for line, partner in zip(batch, partners, strict=True):
                line.write(
                    {
                        "result_partner_id": partner.id,
                        "created": (line.created or []) + [["res.partner", partner.id]],
                    }
                )

        creates = lines.filtered(lambda line: line.action == "create")
        self._crm_in_savepoint(creates, create_companies)

        def client_of(line):
            if line.action == "create":
                return line.result_partner_id
            if line.origin_row:
                return origins[line.origin_row].result_partner_id if line.origin_row in origins else Partner
            return line.resolution_partner_id or line.partner_id

        def complete(batch):
            contact_vals, contact_lines = [], []
            for line in batch:
                if line.state == "failed":
                    continue
                client, values = client_of(line), line.values
                if not client:
                    raise UserError(self.env._("The client of this row was not imported."))
                previous = []
                changes = values.get("company_changes") or {}
                if line.action in ("link", "update", "conflict") and changes:
                    previous.append(["res.partner", client.id, {f: _plain(client, f) for f in changes}])
                    client.write(changes)
                contact = line.contact_id
                contact_changes = values.get("contact_changes") or {}
                if contact and contact_changes:
                    old = {f: _plain(contact, f) for f in contact_changes}
                    previous.append(["res.partner", contact.id, old])
                    write = dict(contact_changes)
                    if "contact_role_ids" in write:
                        write["contact_role_ids"] = [
                            fields.Command.link(r) for r in write["contact_role_ids"]
                        ]
                    contact.write(write)
                if values.get("contact_name") and values.get("name") and not contact:
                    contact_vals.append(
                        {
                            "name": values["contact_name"],
                            "parent_id": client.id,
                            "type": "contact",
                            "contact_role_ids": [fields.Command.set(values.get("role_ids") or [])],
                            **{f: values[f] for f in CONTACT_FIELDS if values.get(f)},
                        }
                    )
                    contact_lines.append(line)
                line.write({"result_partner_id": client.id, "previous": previous or False, "state": "done"})
            contacts = self._crm_create_contacts(contact_vals)
            for line, contact in zip(contact_lines, contacts, strict=True):
                line.created = (line.created or []) + [["res.partner", contact.id]]

        self._crm_in_savepoint(lines.filtered(lambda line: line.state == "pending"), complete)

    # -- partners created in batches ---------------------------------------------------------------

    def _crm_create_partners(self, vals_list):
        """Partners without a parent (the clients of the rows), in one create."""
        Partner = self.env["res.partner"]
        return Partner.create(self._crm_with_defaults(Partner, vals_list))

    def _crm_create_contacts(self, vals_list):
        """Contacts of existing companies (``parent_id`` in each vals), in one
        create, with what ``res.partner.create`` does after it done for the
        batch: that ``create`` syncs each new contact with its company alone
        (``_fields_sync``: the commercial entity's fields written on the
        contact, the company's address copied, its language taken), a write
        and its module hooks per contact. Here the same values are written in
        the same order, grouped by value, as Odoo's own batch import path
        (``res.partner._load_records_create``) does: the commercial fields
        stored as plain columns go with the create (each contact has its
        company's tax id), the others (company-dependent, with an inverse)
        in one write per value, then the address, then the first-contact
        rule. A test compares what is stored with ``create``'s result."""
        Partner = self.env["res.partner"]
        # sudo: as _fields_sync, the commercial entity's fields (some hidden
        # from salespeople, such as the credit limit) are read and written
        # whoever creates the contact
        PartnerSudo = Partner.sudo()
        parents = PartnerSudo.browse(list(dict.fromkeys(vals["parent_id"] for vals in vals_list)))
        commercial_fields = Partner._commercial_fields()
        plain = [name for name in commercial_fields if _plain_column(Partner._fields[name])]
        parents.commercial_partner_id.fetch(plain)
        lang = self.env.context.get("default_lang") or self.env.lang
        # an empty value written on a new contact changes nothing (the ORM
        # skips a value equal to the one it holds): it goes with the create
        # only where a default would otherwise be stored
        defaults = Partner.default_get(plain)
        ready = []
        for vals in vals_list:
            parent = PartnerSudo.browse(vals["parent_id"]).with_prefetch(parents._prefetch_ids)
            commercial = parent.commercial_partner_id
            synced = {
                name: value
                for name, value in commercial._update_fields_values(plain).items()
                if value or defaults.get(name)
            }
            # _onchange_parent_id_for_lang: the parent's language unless one is given;
            # the commercial fields are the entity's, as the sync writes them after create
            ready.append({**vals, **({} if "lang" in vals else {"lang": parent.lang or lang}), **synced})
        contacts = (
            Partner.with_context(_partners_skip_fields_sync=True, crm_duplicate_guard_in_create=True)
            .create(self._crm_with_defaults(Partner, ready))
            .with_env(self.env)
        )
        Sync = PartnerSudo.with_context(crm_duplicate_guard_in_create=True)
        others = [name for name in commercial_fields if name not in plain]
        by_values = defaultdict(list)
        # the contacts' commercial entities computed together, then read together
        contacts.sudo().commercial_partner_id.fetch(others)
        for contact in contacts.sudo():
            if contact.commercial_partner_id != contact:
                values = contact.commercial_partner_id._update_fields_values(others)
                by_values[_key(values)].append((contact.id, values))
        for group in by_values.values():
            Sync.browse([contact_id for contact_id, _values in group]).write(group[0][1])
        by_address = defaultdict(list)
        for contact in contacts:
            if contact.parent_id and contact.type == "contact":
                values = contact.onchange_parent_id().get("value", {})
                if values:
                    by_address[_key(values)].append((contact.id, values))
        for group in by_address.values():
            Partner.browse([contact_id for contact_id, _values in group]).update_address(group[0][1])
        for contact in contacts:
            contact._handle_first_contact_creation()
        return contacts

    def _crm_write_leads(self, lines):
        Lead = self.env["crm.lead"]
        utm = {}
        for field, model in (
            ("source", "utm.source"),
            ("medium", "utm.medium"),
            ("campaign", "utm.campaign"),
        ):
            names = {line.values.get(field) for line in lines if line.values.get(field)}
            found = {}
            if names:
                for record in self.env[model].search_fetch([("name", "in", list(names))], ["name"]):
                    found.setdefault(record.name, record.id)
                missing = [name for name in names if name not in found]
                for record in self.env[model].create([{"name": name} for name in missing]):
                    found[record.name] = record.id
            utm[field] = found

        def lead_vals(line):
            values = line.values
            vals = {
                "name": line.name,
                "partner_name": values.get("partner_name"),
                "contact_name": values.get("contact_name"),
                "function": values.get("function"),
                "email_from": values.get("email"),
                "phone": values.get("phone"),
                "mobile": values.get("mobile"),
                "website": values.get("website"),
                "city": values.get("city"),
                "country_id": values.get("country_id"),
                "expected_revenue": values.get("expected_revenue") or 0.0,
                "description": values.get("comment"),
                "partner_id": values.get("partner_id"),
                "source_id": utm["source"].get(values.get("source")),
                "medium_id": utm["medium"].get(values.get("medium")),
                "campaign_id": utm["campaign"].get(values.get("campaign")),
            }
            if values.get("user_id"):
                vals["user_id"] = values["user_id"]
            return {key: value for key, value in vals.items() if value not in (None, False, "")}

        def create_leads(batch):
            for line, lead in zip(batch, Lead.create([lead_vals(line) for line in batch]), strict=True):
                line.write({"result_lead_id": lead.id, "created": [["crm.lead", lead.id]], "state": "done"})

        self._crm_in_savepoint(lines.filtered(lambda line: line.action in ("create", "link")), create_leads)

        def update_leads(batch):
            # written as the user: a lead they may not edit by hand fails its row
            for line in batch:
                lead, changes = line.lead_id, dict(line.values.get("lead_changes") or {})
                previous = [["crm.lead", lead.id, {f: _plain(lead, f) for f in changes}]]
                lead.write(changes)
                line.write({"result_lead_id": lead.id, "previous": previous, "state": "done"})

        self._crm_in_savepoint(lines.filtered(lambda line: line.action == "update"), update_leads)
        lines.filtered(lambda line: line.state == "pending").write({"state": "done"})

    # -- undo ----------------------------------------------------------------------------------

    def _crm_undo(self):
        """Restore what the rows updated and delete (archive, for who may
        not delete them) what they created, all or nothing: refused when a
        record was changed since the import."""
        self.ensure_one()
        lines = self.env["crm.import.line"].search([("job_id", "=", self.id), ("state", "=", "done")])
        created, previous = [], []
        for line in lines:
            created.extend(tuple(ref) for ref in line.created or [])
            previous.extend(line.previous or [])
        touched = {}
        for model, record_id in created:
            touched.setdefault(model, set()).add(record_id)
        for model, record_id, _old in previous:
            touched.setdefault(model, set()).add(record_id)
        changed = []
        for model, ids in touched.items():
            records = self.env[model].browse(list(ids)).exists()
            changed += records.filtered(
                lambda record: record.write_date and record.write_date > self.date_done
            )
        if changed:
            raise UserError(
                self.env._(
                    "This import cannot be undone: %(records)s changed since it was imported.",
                    records=", ".join(record.display_name for record in changed[:5])
                    + (self.env._(" and %(count)s more", count=len(changed) - 5) if len(changed) > 5 else ""),
                )
            )
        for model, record_id, old in reversed(previous):
            record = self.env[model].browse(record_id).exists()
            if record:
                write = dict(old)
                if "contact_role_ids" in write:
                    write["contact_role_ids"] = [fields.Command.set(write["contact_role_ids"])]
                record.write(write)
        for model in ("crm.lead", "res.partner", "crm.client.group"):
            ids = [record_id for name, record_id in reversed(created) if name == model]
            records = self.env[model].browse(ids).exists()
            if model == "res.partner":
                # contacts before their companies
                records = records.sorted(lambda partner: not partner.parent_id)
            if records.has_access("unlink"):
                records.unlink()
            else:
                # who may not delete these records by hand (a salesperson and
                # partners) gets them archived, as Odoo offers them to do
                records.action_archive()


def _plain(record, name):
    """A field's value as JSON keeps it: an id for a many2one, ids for the others."""
    field, value = record._fields[name], record[name]
    if field.type == "many2one":
        return value.id
    if field.relational:
        return value.ids
    return value


def _plain_column(field):
    """A stored column written as it is given, that anybody creating a
    partner may set: the same value stored whether it comes with ``create``
    or in a (sudo) ``write`` after it."""
    return bool(
        field.store
        and field.column_type
        and not field.company_dependent
        and not field.inverse
        and not (field.compute and field.readonly)
        and not field.groups
    )


def _key(values):
    """A hashable form of a dict of field values (commands are lists)."""
    return repr(sorted(values.items()))
