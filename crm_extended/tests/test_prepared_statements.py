from odoo import fields
from odoo.tests import tagged
from odoo.tools import SQL

from ..services import sql_markers
from ..services.sql_markers import Marker, fill
from ..wizards.stock_delivery_desk import _KEY, _PHONES
from .common import CrmExtendedCase, captured_queries


@tagged("post_install", "-at_install")
class TestPreparedStatements(CrmExtendedCase):
    """The kept statements of the caller lookup and the delivery desk run as prepared
    statements of the connection: the same rows as the statement sent as text (Odoo's own
    way), planned once, surviving rollbacks, following rule changes, and off on demand."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.order = cls.env["sale.order"].create(
            {
                "partner_id": cls.entity_a.id,
                "order_line": [fields.Command.create({"product_id": cls.product.id, "product_uom_qty": 2})],
            }
        )
        cls.order.action_confirm()
        cls.picking = cls.order.picking_ids
        cls.Desk = cls.env["stock.delivery.desk"].with_user(cls.user_stock)

    def _desk_statement(self):
        return self.Desk._exact_pickings_template(True)

    def _prepared_rows(self, statement, values):
        sql_markers.execute(self.Desk.env, statement, values)
        return self.env.cr.fetchall()

    def _text_rows(self, statement, values):
        self.env.cr.execute(*fill(statement, values))
        return self.env.cr.fetchall()

    def _plans(self, statement):
        """(generic plans, custom plans) PostgreSQL made of ``statement``'s prepared statement."""
        text, _markers = sql_markers._prepared_text(self.env.cr, statement)
        name = sql_markers._PREPARED[sql_markers._connection(self.env.cr)][text]
        self.env.cr.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = %s", [name]
        )
        return self.env.cr.fetchone()

    def test_same_rows_as_the_statement_sent_as_text(self):
        """Order, invoice-less, phone and unknown keys: the prepared statement's rows are the
        text statement's, in the same order, for the warehouse user and for the admin."""
        self.env.flush_all()
        keys = [
            (self.order.name.upper(), None),
            (self.picking.name.upper(), None),
            ("NOTHING-LIKE-IT", None),
            ("89137004567", ["+79137004567"]),
            ("89130000000", ["+79130000000"]),
        ]
        for desk in (self.Desk, self.env["stock.delivery.desk"]):
            for key, phones in keys:
                with self.subTest(user=desk.env.user.login, key=key):
                    statement = desk._exact_pickings_template(phones is not None)
                    values = {_KEY: key, _PHONES: phones}
                    prepared = self._prepared_rows(statement, values)
                    self.assertEqual(prepared, self._text_rows(statement, values))
        found = self._prepared_rows(self._desk_statement(), {_KEY: self.order.name.upper(), _PHONES: []})
        self.assertEqual([row[0] for row in found], self.picking.ids)

    def test_planned_once_with_the_generic_plan(self):
        """After its first call, a statement is not planned again: every call uses the one
        generic plan (none planned for the call's own values)."""
        statement = self._desk_statement()
        for key in ("A", "B", self.order.name.upper()):
            self._prepared_rows(statement, {_KEY: key, _PHONES: ["+79137004567"]})
        generic, custom = self._plans(statement)
        self.assertGreaterEqual(generic, 3)
        self.assertEqual(custom, 0)

    def test_a_call_is_one_query_once_prepared(self):
        """Prepared on first use (PREPARE, then the call), then one query a call."""
        self.env.flush_all()
        statement = self._desk_statement()
        connection = sql_markers._connection(self.env.cr)
        sql_markers._PREPARED.get(connection, {}).clear()  # as a new connection would be
        with captured_queries() as first:
            self._prepared_rows(statement, {_KEY: "X", _PHONES: []})
        self.assertTrue(any(query.startswith("PREPARE ") for query in first), first)
        with captured_queries() as second:
            self._prepared_rows(statement, {_KEY: "Y", _PHONES: []})
        self.assertEqual(len(second), 1, second)
        self.assertIn("EXECUTE crm_extended_", second[0])

    def test_outlives_a_rollback(self):
        """Prepared in a transaction that is rolled back, the statement is still the
        connection's: the next call runs it and finds the same delivery."""
        self.env.flush_all()
        statement = self._desk_statement()
        sql_markers._PREPARED.get(sql_markers._connection(self.env.cr), {}).clear()
        values = {_KEY: self.order.name.upper(), _PHONES: []}
        with self.assertRaises(ZeroDivisionError), self.env.cr.savepoint():
            self.assertEqual(len(self._prepared_rows(statement, values)), 1)
            1 / 0  # noqa: B018 (the rollback)
        self.assertEqual([row[0] for row in self._prepared_rows(statement, values)], self.picking.ids)

    def test_lost_bookkeeping_prepares_nothing_twice(self):
        """A connection whose statement exists but this process forgot it (a reloaded module)
        runs it without preparing it again (PostgreSQL would refuse)."""
        statement = self._desk_statement()
        values = {_KEY: self.order.name.upper(), _PHONES: []}
        self._prepared_rows(statement, values)
        sql_markers._PREPARED[sql_markers._connection(self.env.cr)].clear()
        with captured_queries() as queries:
            rows = self._prepared_rows(statement, values)
        self.assertFalse([query for query in queries if query.startswith("PREPARE ")], queries)
        self.assertEqual([row[0] for row in rows], self.picking.ids)

    def test_a_new_rule_gives_a_new_statement(self):
        """A record rule created after the statement was prepared restricts the very next
        call: the rule changes the statement, hence the prepared statement."""
        self.env.flush_all()
        self.assertEqual(self.Desk._find_pickings(self.order.name), self.picking)
        self.env["ir.rule"].create(
            {
                "name": "Test: no deliveries for the warehouse",
                "model_id": self.env["ir.model"]._get_id("stock.picking"),
                "groups": [(6, 0, self.env.ref("stock.group_stock_user").ids)],
                "domain_force": "[('id', '=', 0)]",
                "perm_read": True,
            }
        )
        self.assertFalse(self.Desk._find_pickings(self.order.name))
        self.assertEqual(self.env["stock.delivery.desk"]._find_pickings(self.order.name), self.picking)

    def test_caller_lookup_prepared(self):
        """The caller lookup runs prepared too, with the same answer as its text statement."""
        Partner = self.env["res.partner"].with_user(self.user_salesman)
        first = Partner.crm_lookup_phone("8 913 700-45-67")
        with captured_queries() as queries:
            again = Partner.crm_lookup_phone("+7 (913) 700 45 67")
        self.assertEqual(len(queries), 1, queries)
        self.assertIn("EXECUTE crm_extended_", queries[0])
        self.assertEqual(first["partners"], self.contact_buyer)
        self.assertEqual((again["partners"], again["companies"]), (first["partners"], first["companies"]))

    def test_switched_off_by_the_system_parameter(self):
        """With crm_extended.prepared_statements = 0 (a pooler in transaction mode), the
        statement goes as text, with the same answer."""
        self.env["ir.config_parameter"].sudo().set_param(sql_markers.PARAMETER, "0")
        self.env.flush_all()
        sql_markers._PREPARED.get(sql_markers._connection(self.env.cr), {}).clear()
        with captured_queries() as queries:
            found = self.Desk._find_pickings(self.order.name)
        self.assertEqual(found, self.picking)
        self.assertFalse([query for query in queries if "PREPARE" in query or "EXECUTE" in query], queries)

    def test_markers_become_parameters_and_values_are_written_in(self):
        """A marker used twice is one parameter; the statement's other values are written in
        as literals (a tuple, a string with a per cent sign, sent as they are)."""
        keys, name = Marker("keys"), Marker("name")
        statement = SQL(
            "SELECT id FROM res_partner WHERE (phone_e164 = ANY(%s) OR mobile_e164 = ANY(%s))"
            " AND name NOT LIKE %s AND id IN %s AND name <> %s",
            keys,
            keys,
            "100%",
            (self.contact_buyer.id, 1),
            name,
        )
        text, markers = sql_markers._prepared_text(self.env.cr, statement)
        self.assertEqual(markers, [keys, name])
        self.assertIn("phone_e164 = ANY($1) OR mobile_e164 = ANY($1)", text)
        self.assertIn("name NOT LIKE '100%'", text)
        self.assertIn(f"id IN ({self.contact_buyer.id}, 1)", text)
        self.assertIn("name <> $2", text)
        self.env.flush_all()
        values = {keys: ["+79137004567"], name: "Nobody"}
        self.assertEqual(self._prepared_rows(statement, values), [(self.contact_buyer.id,)])
        self.assertEqual(self._text_rows(statement, values), [(self.contact_buyer.id,)])
        values[name] = self.contact_buyer.name
        self.assertEqual(self._prepared_rows(statement, values), [])
