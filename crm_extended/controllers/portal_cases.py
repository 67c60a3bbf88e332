from werkzeug.exceptions import NotFound

from odoo import http
from odoo.http import request

from odoo.addons.portal.controllers.portal import pager as portal_pager

from ..services import portal_uploads
from ..services.portal_uploads import UploadRefused
from .portal import CrmPortal


class CrmPortalCases(CrmPortal):
    """The client's service requests (#18): list, detail with stage and history, new request,
    messages to the case's chatter.

    Portal users have no access to ``crm.service.case``: every case is searched in sudo under
    the explicit entity domain of ``_crm_portal_domain`` (own entity, the holding's for a
    representative), and a case outside it answers 404 like a case that does not exist."""

    def _crm_cases_sudo(self):
        # sudo: portal users have no access to cases; the domain below is the check
        return request.env["crm.service.case"].sudo()

    def _crm_case_check(self, case_id):
        Case = self._crm_cases_sudo()
        user = request.env.user
        if not user.share and not user._is_public():
            case = Case.browse(case_id).exists()
            if case and case.with_user(user).has_access("read"):
                return case
            raise NotFound()
        case = Case.search([("id", "=", case_id), *Case._crm_portal_domain(user)], limit=1)
        if not case:
            raise NotFound()
        return case

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "crm_case_count" in counters:
            Case = self._crm_cases_sudo()
            values["crm_case_count"] = Case.search_count(Case._crm_portal_domain(request.env.user), limit=1)
        return values

    def _crm_entity_choice(self, entity_id):
        """The entity a new request is for: one the user sees (own entity by default)."""
        entities = request.env.user._crm_portal_entities()
        try:
            entity = entities.filtered(lambda e: e.id == int(entity_id or 0))
        except ValueError:
            entity = entities.browse()
        return entity or entities[:1]

    def _crm_case_types(self):
        # sudo: the types offered to the client, named only
        return (
            request.env["crm.service.case.type"]
            .sudo()
            .search([("company_id", "in", [False, *request.env.user.company_ids.ids])])
        )

    @http.route(["/my/cases", "/my/cases/page/<int:page>"], type="http", auth="user", website=True)
    def portal_my_cases(self, page=1, filterby="open", **_kw):
        Case = self._crm_cases_sudo()
        filters = {
            "open": {"label": request.env._("Open"), "domain": [("is_closed", "=", False)]},
            "all": {"label": request.env._("All"), "domain": []},
        }
        filterby = filterby if filterby in filters else "open"
        domain = Case._crm_portal_domain(request.env.user) + filters[filterby]["domain"]
        pager = portal_pager(
            url="/my/cases",
            url_args={"filterby": filterby},
            total=Case.search_count(domain),
            page=page,
            step=self._items_per_page,
        )
        cases = Case.search(
            domain, order="date_open desc, id desc", limit=self._items_per_page, offset=pager["offset"]
        )
        values = self._prepare_portal_layout_values()
        values.update(self._crm_entity_values())
        values.update(
            {
                "cases": cases,
                "page_name": "crm_case",
                "pager": pager,
                "default_url": "/my/cases",
                "filterby": filterby,
                "searchbar_filters": filters,
            }
        )
        return request.render("crm_extended.portal_my_cases", values)

    @http.route(["/my/cases/<int:case_id>"], type="http", auth="user", website=True)
    def portal_my_case(self, case_id, message_sent=None, error=None, **_kw):
        case = self._crm_case_check(case_id)
        values = self._prepare_portal_layout_values()
        values.update(self._crm_entity_values())
        values.update(
            {
                "case": case,
                "page_name": "crm_case",
                "message_sent": bool(message_sent),
                "error": error if error in ("empty", "files") else None,
                "limits": self._crm_upload_limits(),
            }
        )
        return request.render("crm_extended.portal_my_case", values)

    @http.route(["/my/cases/<int:case_id>/message"], type="http", auth="user", website=True, methods=["POST"])
    def portal_my_case_message(self, case_id, body="", **_kw):
        case = self._crm_case_check(case_id)
        body = (body or "").strip()[: portal_uploads.MAX_DESCRIPTION]
        try:
            files = self._crm_uploaded_files()
        except UploadRefused:
            return request.redirect(f"/my/cases/{case.id}?error=files")
        if not body and not files:
            return request.redirect(f"/my/cases/{case.id}?error=empty")
        case._crm_portal_post(request.env.user.partner_id, body, files)
        return request.redirect(f"/my/cases/{case.id}?message_sent=1")

    @http.route(
        ["/my/cases/<int:case_id>/attachments/<int:attachment_id>"], type="http", auth="public", website=True
    )
    def portal_my_case_attachment(self, case_id, attachment_id, **_kw):
        """A file of the case's public messages, downloaded by the case's own client: 404 for a
        visitor, another client, an archived contact, a note's file or any other attachment."""
        if request.env.user._is_public():
            raise NotFound()
        case = self._crm_case_check(case_id)
        attachment = case._crm_portal_attachments().filtered(lambda a: a.id == attachment_id)
        if not attachment:
            raise NotFound()
        return request.env["ir.binary"]._get_stream_from(attachment).get_response(as_attachment=True)

    def _crm_upload_limits(self):
        return {
            "files": portal_uploads.MAX_FILES,
            "mb": portal_uploads.MAX_FILE_BYTES // (1024 * 1024),
            "chars": portal_uploads.MAX_DESCRIPTION,
        }

    def _crm_uploaded_files(self):
        uploads = request.httprequest.files.getlist("attachments")
        if len(uploads) > portal_uploads.MAX_FILES:
            raise UploadRefused("too_many", limit=portal_uploads.MAX_FILES)
        files = []
        for upload in uploads:
            data = upload.read(portal_uploads.MAX_FILE_BYTES + 1)
            files.append((upload.filename, data))
        return portal_uploads.check_uploads(files)

    def _crm_upload_message(self, refusal):
        env = request.env
        params = refusal.params
        messages = {
            "too_many": env._("Attach at most %(limit)s files.", limit=params.get("limit")),
            "empty": env._("%(name)s is empty.", name=params.get("name")),
            "too_big": env._(
                "%(name)s is larger than %(limit)s MB.", name=params.get("name"), limit=params.get("limit")
            ),
            "type": env._(
                "%(name)s is not a PDF, an image or a text file.",
                name=params.get("name"),
            ),
            "total": env._("The files together exceed %(limit)s MB.", limit=params.get("limit")),
        }
        return messages.get(refusal.reason, env._("This file cannot be attached."))

    def _crm_new_case_values(self, form=None, errors=None):
        user = request.env.user
        form = form or {}
        entity = self._crm_entity_choice(form.get("entity_id"))
        values = self._prepare_portal_layout_values()
        values.update(self._crm_entity_values())
        values.update(
            {
                "page_name": "crm_case",
                "entities": user._crm_portal_entities(),
                "entity": entity,
                "case_types": self._crm_case_types(),
                "products": self._crm_cases_sudo()._crm_portal_delivered_products(entity),
                "form": form,
                "errors": errors or [],
                "limits": self._crm_upload_limits(),
            }
        )
        return values

    @http.route(["/my/cases/new"], type="http", auth="user", website=True, methods=["GET"])
    def portal_my_case_new(self, **kw):
        return request.render("crm_extended.portal_my_case_new", self._crm_new_case_values(kw))

    @http.route(["/my/cases/warranty"], type="json", auth="user")
    def portal_my_case_warranty(self, serial=None, entity_id=None):
        """The warranty of a serial for the chosen entity, shown as soon as it is typed."""
        entity = self._crm_entity_choice(entity_id)
        answer = self._crm_cases_sudo()._crm_portal_warranty(serial, entity)
        return {key: answer.get(key) for key in ("ok", "state", "label", "product")}

    @http.route(["/my/cases/new"], type="http", auth="user", website=True, methods=["POST"])
    def portal_my_case_create(self, **form):
        env = request.env
        user = env.user
        Case = self._crm_cases_sudo()
        errors = []
        if Case._crm_portal_recent_count(user) >= Case._crm_portal_rate_limit():
            errors.append(
                env._(
                    "You have opened %(count)s requests within the hour: please wait before opening another.",
                    count=Case._crm_portal_rate_limit(),
                )
            )
            response = request.render(
                "crm_extended.portal_my_case_new", self._crm_new_case_values(form, errors)
            )
            response.status_code = 429
            return response
        entity = self._crm_entity_choice(form.get("entity_id"))
        subject = (form.get("subject") or "").strip()[:200]
        description = (form.get("description") or "").strip()
        if not subject:
            errors.append(env._("Say in a few words what the request is about."))
        if len(description) > portal_uploads.MAX_DESCRIPTION:
            errors.append(
                env._(
                    "The description is limited to %(limit)s characters.",
                    limit=portal_uploads.MAX_DESCRIPTION,
                )
            )
        case_type = self._crm_case_types().filtered(lambda t: str(t.id) == str(form.get("type_id")))[:1]
        if not case_type:
            errors.append(env._("Choose the kind of request."))
        products = Case._crm_portal_delivered_products(entity)
        product = products.filtered(lambda p: str(p.id) == str(form.get("product_id")))[:1]
        lot = env["stock.lot"]
        company = user.company_id
        serial = (form.get("serial") or "").strip()
        if serial:
            warranty = Case._crm_portal_warranty(serial, entity)
            if not warranty["ok"]:
                errors.append(warranty["label"])
            else:
                # sudo: the serial was delivered to this client (checked above)
                lot = env["stock.lot"].sudo().browse(warranty["lot_id"])
                if product and product != lot.product_id:
                    errors.append(
                        env._(
                            "Serial %(serial)s is a %(product)s, not a %(chosen)s.",
                            serial=serial,
                            product=lot.product_id.display_name,
                            chosen=product.display_name,
                        )
                    )
                product = lot.product_id
                company = env["res.company"].sudo().browse(warranty["company_id"]) or company
        elif form.get("product_id") and not product:
            errors.append(env._("Choose a product that was delivered to you."))
        if case_type.is_warranty and not lot:
            errors.append(env._("A warranty claim needs the serial number of the unit."))
        try:
            files = self._crm_uploaded_files()
        except UploadRefused as refusal:
            errors.append(self._crm_upload_message(refusal))
            files = []
        if errors:
            response = request.render(
                "crm_extended.portal_my_case_new", self._crm_new_case_values(form, errors)
            )
            response.status_code = 400
            return response
        vals = Case._prepare_portal_case_vals(
            user, entity, case_type, subject, description, product, lot, company
        )
        case = Case.with_company(company).with_context(mail_create_nosubscribe=True).create(vals)
        case.message_subscribe(partner_ids=user.partner_id.ids)
        if files:
            case._crm_portal_post(user.partner_id, env._("Files attached to the request."), files)
        return request.redirect(case._crm_portal_url())
