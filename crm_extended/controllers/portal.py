import ast

from werkzeug.exceptions import Forbidden, NotFound

from odoo import fields, http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request
from odoo.tools import consteq
from odoo.tools.misc import get_lang

from odoo.addons.base.models.res_lang import intersperse
from odoo.addons.portal.controllers.portal import pager as portal_pager
from odoo.addons.sale.controllers.portal import CustomerPortal

from ..services import portal_scope

# the orders page's states: sale_stock's stored delivery status (Odoo's own compute)
ORDER_FILTERS = {
    "all": [],
    "pending": [("delivery_status", "in", ("pending", "started"))],
    "partial": [("delivery_status", "=", "partial")],
    "full": [("delivery_status", "=", "full")],
}

DELIVERY_FILTERS = {
    "all": [],
    "progress": [("state", "not in", ("done", "cancel"))],
    "done": [("state", "=", "done"), ("picking_type_code", "=", "outgoing")],
    "returned": [("picking_type_code", "=", "incoming")],
}


class CrmPortal(CustomerPortal):
    """The client's own window (#18): orders with their real state, deliveries, holdings.

    Every list is searched as the portal user (record rules of security/crm_portal_security.xml
    plus the entity domain below); a single document is read in sudo only after its access
    was checked (``_crm_picking_check_access``), as Odoo's own portal does."""

    # ------------------------------------------------------------------ scope

    def _crm_user(self):
        return request.env.user

    def _crm_require(self, document):
        """Forbidden when the contact's roles do not open ``document``."""
        user = self._crm_user()
        if user.share and not user._crm_portal_sees(document):
            raise Forbidden()

    def _crm_entity_values(self, entities=None):
        """``entities``: the user's entities when the caller already has them (one search less)."""
        user = self._crm_user()
        holding = bool(user.share and user.crm_portal_group_ids)
        if holding and entities is None:
            entities = user._crm_portal_entities()
        return {"crm_holding": holding, "crm_entities": entities if holding else False}

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        user = self._crm_user()
        if "crm_delivery_count" in counters:
            values["crm_delivery_count"] = (
                request.env["stock.picking"].search_count(self._crm_deliveries_domain(), limit=1)
                if user._crm_portal_sees(portal_scope.DELIVERIES)
                else 0
            )
        return values

    def _prepare_orders_domain(self, partner):
        """A client's orders are those its record rules let through: its entity's (every entity
        of the holding for a representative) and those it follows, as in Odoo. A domain on the
        entity here would be searched under the portal user's partner rules, which hide the
        holding's other entities."""
        if self._crm_user().share:
            return [("state", "=", "sale")]
        return super()._prepare_orders_domain(partner)

    def _prepare_quotations_domain(self, partner):
        if self._crm_user().share:
            return [("state", "=", "sent")]
        return super()._prepare_quotations_domain(partner)

    def _prepare_sale_portal_rendering_values(self, *args, quotation_page=False, **kwargs):
        if not quotation_page and self._crm_user().share:
            return self._crm_orders_page_values(**kwargs)
        values = super()._prepare_sale_portal_rendering_values(*args, quotation_page=quotation_page, **kwargs)
        values.update(self._crm_entity_values())
        return values

    def _crm_orders_scope(self, domain, entities=None):
        """``domain`` narrowed to the orders the portal user's record rules let through, written
        out to be searched in sudo: crm_extended's entity rule or sale's follower rule (group
        rules are OR'ed), within the multi-company rule. Under the rules, the follower rule's
        subquery reads and hashes every follower row of the contact's entity in each statement
        (52,500 for a representative following a holding's 50,000 orders: most of the page's
        time); here followers are looked up only for the orders outside the entities.
        tests/test_portal.py checks that both give the same orders."""
        user = request.env.user
        if entities is None:
            entities = user._crm_portal_entities()
        SaleOrder = request.env["sale.order"].sudo()  # sudo: the rules are written out below
        companies = ["|", ("company_id", "=", False), ("company_id", "in", request.env.companies.ids)]
        # the entities' partners as ids: PostgreSQL's statistics then see how few orders are
        # outside them, and probe their followers one by one
        partners = (
            request.env["res.partner"]
            .sudo()
            .with_context(active_test=False)
            .search([("commercial_partner_id", "in", entities.ids)], order="id")
        )
        # sale's rule's child_of written out as the partners' ids (what Odoo expands it to): left to
        # the search, they are a sub-select of res_partner that PostgreSQL judges by the size of
        # that table (2 follower rows where the representative has 52,500 among 100,000 partners:
        # it then probed every order they follow); as ids, it reads their followers' statistics.
        # In id order: on the confirmed orders, the columns read are all in sale_order_portal's
        # index (models/sale_order.py), scanned without visiting the table
        contacts = (
            request.env["res.partner"]
            .sudo()
            .with_context(active_test=False)
            .search([("id", "child_of", user.commercial_partner_id.id)])
        )
        followed = SaleOrder.search(
            [
                *domain,
                *companies,
                ("partner_id", "not in", partners.ids),
                ("message_partner_ids", "in", contacts.ids),
            ],
            order="id",
        )
        return [*domain, *companies, "|", ("partner_id", "in", partners.ids), ("id", "in", followed.ids)]

    def _crm_order_rows(self, orders):
        """{order id: {date, time, amount}}: each order's date (in the user's time zone) and
        total as the list shows them, formatted in the user's language once per page, not by a
        field converter per cell (three per row: most of the page's rendering). The language's
        separators are read once: ``res.lang.format`` reads them from its cache and parses the
        grouping again on every call (two thirds of the rows' time)."""
        env = request.env
        lang = env["res.lang"]._get_data(id=get_lang(env).id)
        grouping = ast.literal_eval(lang.grouping)
        separator = lang.thousands_sep or ""
        rows = {}
        for order in orders:
            moment = fields.Datetime.context_timestamp(order, order.date_order)
            currency = order.currency_id
            # res.lang.format(f"%.{digits}f", amount, grouping=True), its separators read once
            parts = f"{currency.round(order.amount_total):.{currency.decimal_places}f}".split(".")
            parts[0] = intersperse(parts[0], grouping, separator)[0]
            amount = lang.decimal_point.join(parts)
            symbol = currency.symbol or ""
            rows[order.id] = {
                "date": moment.strftime(lang.date_format),
                "time": moment.strftime(lang.time_format),
                "amount": f"{symbol}\N{NO-BREAK SPACE}{amount}"
                if currency.position == "before"
                else f"{amount}\N{NO-BREAK SPACE}{symbol}",
            }
        return rows

    def _crm_orders_page_values(
        self, page=1, date_begin=None, date_end=None, sortby=None, filterby=None, **_kw
    ):
        """The client's orders page: sale's list (same domain, order and pager) with each order's
        delivery and invoice status and the count of orders per delivery status. One grouped
        count gives the pager's total and the counts; the page's orders are one search."""
        # sudo: searched under _crm_orders_scope, the user's record rules as an explicit domain
        SaleOrder = request.env["sale.order"].sudo()
        domain = self._prepare_orders_domain(request.env.user.partner_id)
        if date_begin and date_end:
            domain += [("create_date", ">", date_begin), ("create_date", "<=", date_end)]
        entities = request.env.user._crm_portal_entities()
        domain = self._crm_orders_scope(domain, entities)
        sortings = self._get_sale_searchbar_sortings()
        sortby = sortby if sortby in sortings else "date"
        filterby = filterby if filterby in ORDER_FILTERS else "all"
        per_status = dict(SaleOrder._read_group(domain, ["delivery_status"], ["__count"]))
        counts = {
            "all": sum(per_status.values()),
            "pending": per_status.get("pending", 0) + per_status.get("started", 0),
            "partial": per_status.get("partial", 0),
            "full": per_status.get("full", 0),
        }
        url_args = {"date_begin": date_begin, "date_end": date_end, "filterby": filterby}
        if len(sortings) > 1:
            url_args["sortby"] = sortby
        pager = portal_pager(
            url="/my/orders", total=counts[filterby], page=page, step=self._items_per_page, url_args=url_args
        )
        orders = SaleOrder.search(
            domain + ORDER_FILTERS[filterby],
            order=sortings[sortby]["order"],
            limit=self._items_per_page,
            offset=pager["offset"],
        )
        # the page's orders checked again under the user's own record rules (any rule another
        # module adds included): only the orders the user may read are shown (rendered in sudo:
        # the holding's other entities, named on each order, are not partners a portal user reads).
        # A search under the rules, not Odoo's read check (_filtered_access): that check searches
        # sale's follower rule within the 80 ids, and with 100,000 partners PostgreSQL misjudged
        # the followers of its child_of sub-select (2 rows for 52,500) and probed every order
        # they follow, 280-400 ms; here their followers are hashed once, 12-25 ms
        readable = set(request.env["sale.order"].search([("id", "in", orders.ids)]).ids)
        orders = orders.filtered(lambda order: order.id in readable)
        labels = {
            "all": request.env._("All"),
            "pending": request.env._("Not Delivered"),
            "partial": request.env._("Partially Delivered"),
            "full": request.env._("Delivered"),
        }
        values = self._prepare_portal_layout_values()
        values.update(self._crm_entity_values(entities))
        values.update(
            {
                "date": date_begin,
                "quotations": request.env["sale.order"],
                "orders": orders,
                "page_name": "order",
                "pager": pager,
                "default_url": "/my/orders",
                "filterby": filterby,
                "crm_order_counts": [
                    {"key": key, "label": labels[key], "count": counts[key], "active": key == filterby}
                    for key in ORDER_FILTERS
                ],
                "crm_order_rows": self._crm_order_rows(orders),
                "crm_show_invoice_status": request.env.user._crm_portal_sees(portal_scope.INVOICES),
                # the labels once, not a field converter per row
                "crm_delivery_labels": dict(
                    SaleOrder._fields["delivery_status"]._description_selection(request.env)
                ),
                "crm_invoice_labels": dict(
                    SaleOrder._fields["invoice_status"]._description_selection(request.env)
                ),
            }
        )
        if len(sortings) > 1:
            values.update({"sortby": sortby, "searchbar_sortings": sortings})
        return values

    # ------------------------------------------------------------------ deliveries

    def _crm_deliveries_domain(self):
        # the record rules decide whose (see _prepare_orders_domain)
        return [("picking_type_code", "in", ("outgoing", "incoming")), ("state", "!=", "draft")]

    def _crm_picking_check_access(self, picking_id, access_token=None):
        """The delivery in sudo, when the user may read it (record rules) or holds its order's
        access token; MissingError / AccessError otherwise."""
        picking = request.env["stock.picking"].browse(picking_id)
        picking_sudo = picking.sudo().exists()  # sudo: existence only, access checked below
        if not picking_sudo or picking_sudo.picking_type_code not in ("outgoing", "incoming"):
            raise MissingError(request.env._("This delivery does not exist."))
        try:
            picking.check_access("read")
        except AccessError:
            order_token = picking_sudo.sale_id.access_token
            if not (access_token and order_token and consteq(order_token, access_token)):
                raise
        return picking_sudo

    @http.route(["/my/deliveries", "/my/deliveries/page/<int:page>"], type="http", auth="user", website=True)
    def portal_my_deliveries(self, page=1, filterby="all", search=None, sortby="date", **_kw):
        self._crm_require(portal_scope.DELIVERIES)
        Picking = request.env["stock.picking"]
        filterby = filterby if filterby in DELIVERY_FILTERS else "all"
        sortings = {
            "date": {"label": request.env._("Newest"), "order": "scheduled_date desc, id desc"},
            "name": {"label": request.env._("Reference"), "order": "name desc, id desc"},
        }
        sortby = sortby if sortby in sortings else "date"
        domain = self._crm_deliveries_domain() + DELIVERY_FILTERS[filterby]
        if search:
            search = search.strip()[:100]
            domain += [
                "|",
                "|",
                ("name", "ilike", search),
                ("origin", "ilike", search),
                ("crm_tracking_ref", "ilike", search),
            ]
        total = Picking.search_count(domain)
        pager = portal_pager(
            url="/my/deliveries",
            url_args={"filterby": filterby, "search": search or "", "sortby": sortby},
            total=total,
            page=page,
            step=self._items_per_page,
        )
        pickings = Picking.search(
            domain, order=sortings[sortby]["order"], limit=self._items_per_page, offset=pager["offset"]
        )
        request.session["my_deliveries_history"] = pickings.ids[:100]
        values = self._prepare_portal_layout_values()
        values.update(self._crm_entity_values())
        values.update(
            {
                # sudo: rows the user may read (searched above under its rules); their moves and lots
                # are not readable by portal users
                "pickings": pickings.sudo(),
                "page_name": "crm_delivery",
                "pager": pager,
                "default_url": "/my/deliveries",
                "filterby": filterby,
                "searchbar_filters": {
                    "all": {"label": request.env._("All")},
                    "progress": {"label": request.env._("In Progress")},
                    "done": {"label": request.env._("Delivered")},
                    "returned": {"label": request.env._("Returns")},
                },
                "sortby": sortby,
                "searchbar_sortings": sortings,
                "search": search or "",
                "search_in": "all",
                "searchbar_inputs": {
                    "all": {"input": "all", "label": request.env._("Reference, order or tracking number")}
                },
            }
        )
        return request.render("crm_extended.portal_my_deliveries", values)

    @http.route(["/my/deliveries/<int:picking_id>"], type="http", auth="public", website=True)
    def portal_my_delivery(self, picking_id, access_token=None, report_type=None, download=False, **_kw):
        try:
            picking_sudo = self._crm_picking_check_access(picking_id, access_token=access_token)
        except (AccessError, MissingError):
            raise NotFound() from None
        if report_type in ("html", "pdf"):
            return self._show_report(
                model=picking_sudo,
                report_type=report_type,
                report_ref="stock.action_report_delivery",
                download=download,
            )
        values = self._prepare_portal_layout_values()
        values.update(self._crm_entity_values())
        values.update(
            {
                "picking": picking_sudo,
                "page_name": "crm_delivery",
                "access_token": access_token,
                "report_query": f"access_token={access_token}" if access_token else "",
            }
        )
        values = self._get_page_view_values(
            picking_sudo, access_token, values, "my_deliveries_history", False
        )
        return request.render("crm_extended.portal_my_delivery", values)

    @http.route(["/my/deliveries/<int:picking_id>/slip"], type="http", auth="public", website=True)
    def portal_my_delivery_slip(
        self, picking_id, access_token=None, report_type="pdf", download=False, **_kw
    ):
        """The delivery slip: PDF, or HTML (``report_type=html``) where no PDF engine is installed."""
        try:
            picking_sudo = self._crm_picking_check_access(picking_id, access_token=access_token)
        except (AccessError, MissingError):
            raise NotFound() from None
        report_type = report_type if report_type in ("html", "pdf") else "pdf"
        return self._show_report(
            model=picking_sudo,
            report_type=report_type,
            report_ref="stock.action_report_delivery",
            download=download,
        )
