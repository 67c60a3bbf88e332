"""Odoo's HTTP server for bench/portal.py, with one more route: Odoo's own portal orders page.

With crm_extended installed, ``/my/orders`` is crm_extended's page (its controller extends sale's
``CustomerPortal``). So that both pages are served by the same server, on the same database, to
the same session, this launcher adds ``/bench/stock/my/orders``: the body of sale's
``portal_my_orders`` run on an instance of sale's own ``CustomerPortal`` class (sale and portal in
its hierarchy, crm_extended's override not), rendering sale's template. A controller defined
outside an add-on is routed on every database (``odoo.http._generate_routing_rules``); nothing
in the database changes. Then it runs ``odoo-bin`` with the arguments it was given.
"""

import sys

import odoo
from odoo import http
from odoo.http import request


class BenchStockOrders(http.Controller):
    @http.route(["/bench/stock/my/orders"], type="http", auth="user", website=True)
    def bench_stock_orders(self, **kwargs):
        # imported here: the add-ons are on the path once the server has started
        from odoo.addons.sale.controllers.portal import CustomerPortal

        page = CustomerPortal()  # sale's class itself, not the routed one crm_extended extends
        values = page._prepare_sale_portal_rendering_values(quotation_page=False, **kwargs)
        request.session["my_orders_history"] = values["orders"].ids[:100]
        return request.render("sale.portal_my_orders", values)


if __name__ == "__main__":
    sys.argv = [sys.argv[0], *sys.argv[1:]]
    odoo.cli.main()
