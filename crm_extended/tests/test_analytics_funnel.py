from datetime import datetime, timedelta

from odoo.exceptions import AccessError
from odoo.tests import tagged

from ..services import funnel as funnel_service
from ..services import stage_history
from .common import AnalyticsCommon

D0 = datetime(2026, 3, 2, 9, 0)


def day(n):
    return D0 + timedelta(days=n)


@tagged("post_install", "-at_install")
class TestFunnel(AnalyticsCommon):
    """Six opportunities of one team, stages New (N), Qualified (Q), Proposition (P), Won (W):

    L1  N d0 -> Q d2 -> P d5 -> W d10   won      (salesman)
    L2  N d0 -> Q d4, lost in Q                  (salesman)
    L3  N d0 -> P d1 (skips Q) -> W d7  won      (salesman)
    L4  N d0, lost in N                          (other salesman)
    L5  N d0, still open in N                    (other salesman)
    L6  N d0 -> Q d6, still open in Q            (other salesman)
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        N, Q, P, W = cls.stage_new, cls.stage_qualified, cls.stage_proposition, cls.stage_won
        me, other = cls.user_salesman, cls.user_salesman_other
        cls.l1 = cls._lead_path("L1", [(N, day(0)), (Q, day(2)), (P, day(5)), (W, day(10))], "won", me)
        cls.l2 = cls._lead_path("L2", [(N, day(0)), (Q, day(4))], "lost", me)
        cls.l3 = cls._lead_path("L3", [(N, day(0)), (P, day(1)), (W, day(7))], "won", me)
        cls.l4 = cls._lead_path("L4", [(N, day(0))], "lost", other)
        cls.l5 = cls._lead_path("L5", [(N, day(0))], "open", other)
        cls.l6 = cls._lead_path("L6", [(N, day(0)), (Q, day(6))], "open", other)

    def _funnel(self, env=None, min_sample=1, **filters):
        result = (env or self.env)["crm.analytics"].get_funnel(
            team_ids=self.team.ids, min_sample=min_sample, **filters
        )
        self.assertEqual(len(result["groups"]), 1)
        return result["groups"][0]

    def _step(self, figures, stage):
        return next(step for step in figures["steps"] if step["stage_id"] == stage.id)

    def test_entered_and_reached(self):
        """Entered counts stays; reached counts leads at the stage or further (skips and wins pass)."""
        figures = self._funnel()
        self.assertEqual((figures["leads"], figures["won"], figures["lost"], figures["open"]), (6, 2, 2, 2))
        # entered: N all six; Q L1, L2, L6 = 3; P L1, L3 = 2
        # reached: N 6; Q L1, L2, L3 (skipped Q), L6 = 4; P L1, L3 = 2
        new, qualified, proposition = (
            self._step(figures, s) for s in (self.stage_new, self.stage_qualified, self.stage_proposition)
        )
        self.assertEqual((new["entered"], new["reached"]), (6, 6))
        self.assertEqual((qualified["entered"], qualified["reached"]), (3, 4))
        self.assertEqual((proposition["entered"], proposition["reached"]), (2, 2))
        self.assertEqual(figures["steps"][-1]["reached"], 2)

    def test_conversion_and_inverse(self):
        """Conversion to the next stage and to won, and the leads at a stage per won deal."""
        figures = self._funnel()
        new, qualified, proposition = (
            self._step(figures, s) for s in (self.stage_new, self.stage_qualified, self.stage_proposition)
        )
        # N -> Q: 4 / 6; Q -> P: 2 / 4; P -> Won: 2 / 2
        self.assertAlmostEqual(new["conversion_next"], 4 / 6)
        self.assertAlmostEqual(qualified["conversion_next"], 0.5)
        self.assertAlmostEqual(proposition["conversion_next"], 1.0)
        # to won: 2 / 6, 2 / 4, 2 / 2
        self.assertAlmostEqual(new["conversion_won"], 1 / 3)
        self.assertAlmostEqual(qualified["conversion_won"], 0.5)
        # per won deal: 6 / 2 = 3 leads at New, 4 / 2 = 2 at Qualified, 2 / 2 = 1 at Proposition
        self.assertEqual(
            [new["leads_per_won"], qualified["leads_per_won"], proposition["leads_per_won"]], [3, 2, 1]
        )

    def test_time_in_stage(self):
        """Median and 80th percentile of finished stays, interpolated (percentile_cont)."""
        figures = self._funnel()
        new, qualified, proposition = (
            self._step(figures, s) for s in (self.stage_new, self.stage_qualified, self.stage_proposition)
        )
        # New: finished stays L1 2, L2 4, L3 1, L6 6 days -> [1, 2, 4, 6]; L4 (lost) and L5 (open) never left
        # median: rank 1.5 -> (2 + 4) / 2 = 3; p80: rank 0.8 * 3 = 2.4 -> 4 + 0.4 * (6 - 4) = 4.8
        self.assertEqual(new["stays"], 4)
        self.assertAlmostEqual(new["median_days"], 3.0)
        self.assertAlmostEqual(new["p80_days"], 4.8)
        # Qualified: only L1 left it (d2 -> d5): 3 days; L2 was lost there, L6 is still there
        self.assertAlmostEqual(qualified["median_days"], 3.0)
        # Proposition: L1 5 days (d5 -> d10), L3 6 days (d1 -> d7): median 5.5, p80 5 + 0.8 = 5.8
        self.assertAlmostEqual(proposition["median_days"], 5.5)
        self.assertAlmostEqual(proposition["p80_days"], 5.8)

    def test_not_enough_data(self):
        """Under the minimum sample, ratios and times are None (not enough data), never 0 or 100%."""
        figures = self._funnel(min_sample=5)
        new, qualified = self._step(figures, self.stage_new), self._step(figures, self.stage_qualified)
        self.assertAlmostEqual(new["conversion_next"], 4 / 6)  # 6 leads >= 5
        self.assertIsNone(qualified["conversion_next"])  # 4 leads < 5
        self.assertIsNone(new["leads_per_won"])  # 2 won deals < 5
        self.assertIsNone(new["median_days"])  # 4 stays < 5

    def test_empty_period(self):
        """A period without leads gives zero counts and no ratio (no division by zero)."""
        figures = self._funnel(date_from="2020-01-01", date_to="2020-12-31")
        self.assertEqual(figures["leads"], 0)
        self.assertTrue(all(step["conversion_next"] is None for step in figures["steps"]))

    def test_rules_inside_sql_as_salesperson(self):
        """A salesperson's funnel counts only the leads their record rules let them read (L1-L3)."""
        figures = self._funnel(env=self.env(user=self.user_salesman))
        # L1, L2, L3: reached N 3, Q 3 (L3 skipped it), P 2; won 2, lost 1
        self.assertEqual((figures["leads"], figures["won"], figures["lost"]), (3, 2, 1))
        self.assertEqual(self._step(figures, self.stage_qualified)["reached"], 3)
        manager = self._funnel(env=self.env(user=self.user_sales_manager))
        self.assertEqual(manager["leads"], 6)

    def test_group_by_salesperson(self):
        """Split per salesperson: each gets its own funnel."""
        result = self.env["crm.analytics"].get_funnel(team_ids=self.team.ids, group_by="user", min_sample=1)
        by_user = {group["key"]: group for group in result["groups"]}
        self.assertEqual(by_user[self.user_salesman.id]["won"], 2)
        self.assertEqual(by_user[self.user_salesman_other.id]["leads"], 3)
        self.assertEqual(by_user[self.user_salesman_other.id]["won"], 0)

    def test_current_pipeline(self):
        """The pipeline beside the funnel: open leads per stage now (L5 in New, L6 in Qualified)."""
        pipeline = self.env["crm.analytics"].get_funnel(team_ids=self.team.ids)["pipeline"]
        counts = {stage["stage_id"]: stage["count"] for stage in pipeline["stages"]}
        self.assertEqual((counts[self.stage_new.id], counts[self.stage_qualified.id]), (1, 1))

    def test_forecast_statistics_sql_equal_python(self):
        """The forecast's statistics aggregated in SQL equal the same computed in Python from the paths."""
        from ..services import forecast

        Analytics = self.env["crm.analytics"]
        stages = Analytics._crm_stages()
        since, as_of = datetime(2000, 1, 1), datetime.now() + timedelta(days=1)
        by_sql = Analytics._crm_stage_statistics(stages, since, as_of, team_ids=self.team.ids)
        by_python = forecast.stage_statistics(
            Analytics._crm_lead_paths(team_ids=self.team.ids), stages, as_of, since
        )
        self.assertTrue(by_sql)
        self.assertEqual(set(by_sql), set(by_python))
        for key, stat in by_python.items():
            self.assertEqual(
                (by_sql[key].reached_closed, by_sql[key].won), (stat.reached_closed, stat.won), key
            )
            self.assertEqual(sorted(by_sql[key].samples()), sorted(stat.samples()), key)

    def test_forecast_statistics_furthest_stage_of_lost(self):
        """A lost lead counts up to the furthest stage it entered, not the one it was lost in: X,
        N d0 -> P d1 -> N d3, lost in N (bounced back), and Y, N d0 -> P d2, lost in P (skipped Q),
        both reached N, Q and P. With L1..L4 closed (L1, L3 won; L2 lost in Q, L4 in N): N reached
        by L1-L4, X, Y = 6, Q by L1, L2, L3, X, Y = 5, P by L1, L3, X, Y = 4; 2 won each."""
        from ..services import forecast

        N, P = self.stage_new, self.stage_proposition
        lost = self._lead_path("X", [(N, day(0)), (P, day(1)), (N, day(3))], "lost", self.user_salesman)
        lost |= self._lead_path("Y", [(N, day(0)), (P, day(2))], "lost", self.user_salesman)
        # closed (the forecast's statistics read the leads closed in their window)
        (lost | self.l2 | self.l4).write({"date_closed": day(12)})
        self.env.flush_all()
        Analytics = self.env["crm.analytics"]
        stages = Analytics._crm_stages()
        since, as_of = datetime(2000, 1, 1), datetime.now() + timedelta(days=1)
        by_sql = Analytics._crm_stage_statistics(stages, since, as_of, team_ids=self.team.ids)
        for stage, reached in ((N, 6), (self.stage_qualified, 5), (P, 4)):
            stat = by_sql[(self.team.id, stage.id)]
            self.assertEqual((stat.reached_closed, stat.won), (reached, 2), stage.name)
        by_python = forecast.stage_statistics(
            Analytics._crm_lead_paths(team_ids=self.team.ids), stages, as_of, since
        )
        self.assertEqual(
            {key: (stat.reached_closed, stat.won) for key, stat in by_sql.items()},
            {key: (stat.reached_closed, stat.won) for key, stat in by_python.items()},
        )

    def test_percentile(self):
        """percentile interpolates between ranks; empty gives None."""
        self.assertIsNone(funnel_service.percentile([], 0.5))
        self.assertEqual(funnel_service.percentile([7], 0.8), 7)
        self.assertAlmostEqual(funnel_service.percentile([1, 2, 3, 4, 5], 0.8), 4.2)


@tagged("post_install", "-at_install")
class TestStageHistory(AnalyticsCommon):
    def test_written_on_create_and_write(self):
        """Creating a lead enters its stage; a bulk stage change writes one row per lead that moved."""
        History = self.env["crm.lead.stage.history"]
        leads = self.env["crm.lead"].create(
            [
                {"name": name, "type": "opportunity", "team_id": self.team.id, "stage_id": self.stage_new.id}
                for name in ("A", "B")
            ]
        )
        self.assertEqual(History.search_count([("lead_id", "in", leads.ids)]), 2)
        leads.write({"stage_id": self.stage_qualified.id})
        moves = History.search([("lead_id", "in", leads.ids), ("stage_from_id", "=", self.stage_new.id)])
        self.assertEqual(len(moves), 2)
        self.assertEqual(moves.stage_id, self.stage_qualified)
        leads.write({"stage_id": self.stage_qualified.id})  # no move, no row
        self.assertEqual(History.search_count([("lead_id", "in", leads.ids)]), 4)

    def test_backfill_from_tracking_values(self):
        """The back-fill turns Odoo's tracked stage changes into history, revenue as it was then."""
        env = self.env(context=dict(self.env.context, tracking_disable=False, mail_notrack=False))
        lead = env["crm.lead"].create(
            {
                "name": "Tracked",
                "type": "opportunity",
                "team_id": self.team.id,
                "stage_id": self.stage_new.id,
                "expected_revenue": 500.0,
            }
        )
        self.env.flush_all()
        self.env.cr.flush()
        moments = [datetime(2026, 1, 2), datetime(2026, 1, 3), datetime(2026, 1, 5)]
        for vals, moment in zip(
            [
                {"stage_id": self.stage_qualified.id},
                {"expected_revenue": 800.0},
                {"stage_id": self.stage_proposition.id},
            ],
            moments,
            strict=True,
        ):
            lead.write(vals)
            self.env.flush_all()
            self.env.cr.flush()
            self.env.cr.execute(
                """UPDATE mail_message SET date = %s
                    WHERE id = (SELECT max(m.id) FROM mail_message m JOIN mail_tracking_value v
                                  ON v.mail_message_id = m.id
                                 WHERE m.model = 'crm.lead' AND m.res_id = %s)""",
                (moment, lead.id),
            )
        self.env.cr.execute(
            "UPDATE crm_lead SET create_date = %s WHERE id = %s", (datetime(2026, 1, 1), lead.id)
        )
        self.env["crm.lead.stage.history"].sudo().search([("lead_id", "=", lead.id)]).unlink()
        self.env.flush_all()
        self.assertEqual(stage_history.backfill(self.env.cr, [lead.id]), 3)
        rows = self.env["crm.lead.stage.history"].search([("lead_id", "=", lead.id)], order="date, id")
        # entered New at creation (the first change's old value); New -> Qualified; Qualified -> Proposition
        self.assertEqual(
            [(r.stage_from_id, r.stage_id, r.date) for r in rows],
            [
                (self.stage_new.browse(), self.stage_new, datetime(2026, 1, 1)),
                (self.stage_new, self.stage_qualified, moments[0]),
                (self.stage_qualified, self.stage_proposition, moments[2]),
            ],
        )
        # revenue then: 500 before the change of 3 January (its old value), 800 after it
        self.assertEqual(rows.mapped("expected_revenue"), [500.0, 500.0, 800.0])

    def test_readable_as_the_lead(self):
        """A salesperson reads the history of their own leads, not of a colleague's."""
        mine = self._lead_path("Mine", [(self.stage_new, D0)], user=self.user_salesman)
        theirs = self._lead_path("Theirs", [(self.stage_new, D0)], user=self.user_salesman_other)
        History = self.env["crm.lead.stage.history"].with_user(self.user_salesman)
        self.assertTrue(History.search([("lead_id", "=", mine.id)]))
        self.assertFalse(History.search([("lead_id", "=", theirs.id)]))


@tagged("post_install", "-at_install")
class TestStageEntry(AnalyticsCommon):
    """The history's summary per lead and stage (crm.lead.stage.entry) that the forecast reads."""

    def _entries(self, leads):
        entries = self.env["crm.lead.stage.entry"].search([("lead_id", "in", leads.ids)])
        return {(e.lead_id.id, e.stage_id.id): (e.date_first, e.date_last, e.entry_count) for e in entries}

    def test_kept_by_the_history(self):
        """A lead that goes N d0 -> Q d2 -> N d5 -> Q d9 entered N at d0 and d5 (twice), Q at d2
        and d9 (twice); removing its last change leaves Q entered once, at d2."""
        N, Q = self.stage_new, self.stage_qualified
        lead = self._lead_path("Bounce", [(N, day(0)), (Q, day(2)), (N, day(5)), (Q, day(9))])
        self.assertEqual(
            self._entries(lead),
            {(lead.id, N.id): (day(0), day(5), 2), (lead.id, Q.id): (day(2), day(9), 2)},
        )
        History = self.env["crm.lead.stage.history"].sudo()
        History.search([("lead_id", "=", lead.id), ("date", "=", day(9))]).unlink()
        self.assertEqual(
            self._entries(lead),
            {(lead.id, N.id): (day(0), day(5), 2), (lead.id, Q.id): (day(2), day(2), 1)},
        )
        History.search([("lead_id", "=", lead.id), ("stage_id", "=", Q.id)]).unlink()
        self.assertEqual(self._entries(lead), {(lead.id, N.id): (day(0), day(5), 2)})

    def test_written_by_stage_changes(self):
        """Creating two leads and moving both writes their entries in one batch: New then Qualified."""
        leads = self.env["crm.lead"].create(
            [
                {"name": name, "type": "opportunity", "team_id": self.team.id, "stage_id": self.stage_new.id}
                for name in ("A", "B")
            ]
        )
        leads.write({"stage_id": self.stage_qualified.id})
        entries = self.env["crm.lead.stage.entry"].search([("lead_id", "in", leads.ids)])
        self.assertEqual(len(entries), 4)
        self.assertEqual(set(entries.mapped("entry_count")), {1})
        self.assertEqual(
            {(entry.lead_id, entry.stage_id) for entry in entries},
            {(lead, stage) for lead in leads for stage in (self.stage_new, self.stage_qualified)},
        )

    def test_backfill_equals_the_orm(self):
        """The install's back-fill in SQL gives the rows the ORM keeps, lead by lead."""
        N, Q, P, W = self.stage_new, self.stage_qualified, self.stage_proposition, self.stage_won
        leads = self._lead_path(
            "One", [(N, day(0)), (Q, day(1)), (N, day(3)), (P, day(4)), (W, day(8))], "won"
        )
        leads |= self._lead_path("Two", [(N, day(2)), (Q, day(2) + timedelta(hours=5))], "lost")
        leads |= self._lead_path("Three", [(P, day(6))])
        self.env.flush_all()
        by_orm = self._entries(leads)
        self.assertEqual(len(by_orm), 7)
        self.env.cr.execute("DELETE FROM crm_lead_stage_entry WHERE lead_id = ANY(%s)", [leads.ids])
        self.env.invalidate_all()
        self.assertFalse(self._entries(leads))
        self.assertEqual(stage_history.backfill_entries(self.env.cr, leads.ids), 7)
        self.assertEqual(self._entries(leads), by_orm)

    def test_stage_path_kept_by_the_history(self):
        """The stages a lead entered (crm_stage_path: their ids in order between commas) follow its
        history: N -> P -> N holds N and P; without its P change N only; without any change none."""
        N, Q, P = self.stage_new, self.stage_qualified, self.stage_proposition
        lead = self._lead_path("Skips Q", [(N, day(0)), (P, day(2)), (N, day(4))], "lost")
        self.assertEqual(lead.crm_stage_path, stage_history.stage_path([P.id, N.id]))
        self.assertEqual(
            stage_history.stage_path([P.id, N.id, N.id]), f",{min(N.id, P.id)},{max(N.id, P.id)},"
        )
        self.assertNotIn(f",{Q.id},", lead.crm_stage_path)
        History = self.env["crm.lead.stage.history"].sudo()
        History.search([("lead_id", "=", lead.id), ("stage_id", "=", P.id)]).unlink()
        self.assertEqual(lead.crm_stage_path, f",{N.id},")
        History.search([("lead_id", "=", lead.id)]).unlink()
        self.assertFalse(lead.crm_stage_path)
        # and read as the database holds it
        self.env.cr.execute("SELECT crm_stage_path FROM crm_lead WHERE id = %s", [lead.id])
        self.assertIsNone(self.env.cr.fetchone()[0])

    def test_stage_path_written_by_stage_changes(self):
        """A lead created in New and moved to Qualified holds both, through the ORM's own write."""
        lead = self.env["crm.lead"].create(
            {"name": "Moved", "type": "opportunity", "team_id": self.team.id, "stage_id": self.stage_new.id}
        )
        self.assertEqual(lead.crm_stage_path, f",{self.stage_new.id},")
        lead.write({"stage_id": self.stage_qualified.id})
        self.assertEqual(
            lead.crm_stage_path, stage_history.stage_path([self.stage_new.id, self.stage_qualified.id])
        )

    def test_stage_path_backfill_equals_the_orm(self):
        """The install's and upgrade's fill in SQL writes the paths the ORM keeps, and only those
        that differ: a second run writes nothing."""
        N, Q, P, W = self.stage_new, self.stage_qualified, self.stage_proposition, self.stage_won
        leads = self._lead_path(
            "One", [(N, day(0)), (Q, day(1)), (N, day(3)), (P, day(4)), (W, day(8))], "won"
        )
        leads |= self._lead_path("Two", [(N, day(2)), (Q, day(3))], "lost")
        leads |= self._lead_path("Three", [(P, day(6))])
        self.env.flush_all()
        by_orm = {lead.id: lead.crm_stage_path for lead in leads}
        self.assertEqual(by_orm[leads[2].id], f",{P.id},")
        self.env.cr.execute("UPDATE crm_lead SET crm_stage_path = NULL WHERE id = ANY(%s)", [leads.ids])
        self.assertEqual(stage_history.refresh_paths(self.env.cr, leads.ids), 3)
        self.assertEqual(stage_history.refresh_paths(self.env.cr, leads.ids), 0)
        leads.invalidate_recordset(["crm_stage_path"])
        self.assertEqual({lead.id: lead.crm_stage_path for lead in leads}, by_orm)

    def test_readable_as_the_lead(self):
        """A salesperson reads the entries of their own leads, not a colleague's, and writes none."""
        mine = self._lead_path("Mine", [(self.stage_new, D0)], user=self.user_salesman)
        theirs = self._lead_path("Theirs", [(self.stage_new, D0)], user=self.user_salesman_other)
        Entry = self.env["crm.lead.stage.entry"].with_user(self.user_salesman)
        self.assertTrue(Entry.search([("lead_id", "=", mine.id)]))
        self.assertFalse(Entry.search([("lead_id", "=", theirs.id)]))
        with self.assertRaises(AccessError):
            Entry.search([("lead_id", "=", mine.id)]).write({"entry_count": 5})
