from datetime import date, datetime, timedelta

from odoo.tests import BaseCase, tagged

from ..services import forecast
from ..services.funnel import LeadPath, Stage
from .common import AnalyticsCommon

N, Q, W = Stage(1, "New", 1), Stage(2, "Qualified", 2), Stage(3, "Won", 3, True)
STAGES = [N, Q, W]
JUN1 = datetime(2026, 6, 1)  # a Monday


def d(month, day):
    return datetime(2026, month, day)


def path(lead_id, stays, outcome="open", closed=None, revenue=1000.0, probability=0.0, deadline=None):
    """stays: [(stage, moment)]; each stay ends when the next begins; a won lead ends in Won."""
    rows = []
    for position, (stage, moment) in enumerate(stays):
        left = stays[position + 1][1] if position + 1 < len(stays) else None
        rows.append((stage.id, moment, left, revenue))
    return LeadPath(lead_id, outcome, closed, rows, None, revenue, 1, probability, deadline)


def history():
    """Closed in April and May (team 1):
    A  N 1/4 -> Q 11/4 -> won 21/4   revenue 1000   close days: from N 20, from Q 10
    B  N 1/4 -> Q 6/4  -> won 6/5    revenue 2000   close days: from N 35, from Q 30
    C  N 1/4, lost 4/4
    D  N 1/4 -> Q 3/4, lost 9/4
    New: 4 closed leads reached it, 2 won: p 1/2, close days [20, 35]
    Qualified: A, B, D reached it, 2 won: p 2/3, close days [10, 30]
    """
    return [
        path(1, [(N, d(4, 1)), (Q, d(4, 11)), (W, d(4, 21))], "won", d(4, 21), 1000.0),
        path(2, [(N, d(4, 1)), (Q, d(4, 6)), (W, d(5, 6))], "won", d(5, 6), 2000.0),
        path(3, [(N, d(4, 1))], "lost", d(4, 4)),
        path(4, [(N, d(4, 1)), (Q, d(4, 3))], "lost", d(4, 9)),
    ]


def pipeline():
    """Open on 1 June:
    E  in Qualified since 27/5 (5 days), 900, Odoo: 40% by 10 June
    F  in New since 2/5 (30 days), 1000, Odoo: 10%, no closing date
    """
    return [
        path(5, [(N, d(5, 20)), (Q, d(5, 27))], revenue=900.0, probability=40.0, deadline=date(2026, 6, 10)),
        path(6, [(N, d(5, 2))], revenue=1000.0, probability=10.0),
    ]


@tagged("post_install", "-at_install")
class TestForecastService(BaseCase):
    def test_stage_statistics(self):
        """Won share of the closed leads that reached each stage, and their days to the win."""
        stats = forecast.stage_statistics(history(), STAGES)
        self.assertEqual((stats[(None, 1)].reached_closed, stats[(None, 1)].won), (4, 2))
        self.assertEqual(sorted(stats[(None, 1)].close_days), [20, 35])
        self.assertAlmostEqual(stats[(None, 2)].p_win(), 2 / 3)
        self.assertEqual(sorted(stats[(None, 2)].close_days), [10, 30])

    def test_projection_per_week_and_month(self):
        """Each open lead spreads its win chance over the days still possible after its age."""
        stats = forecast.stage_statistics(history(), STAGES)
        open_leads = forecast.open_at(history() + pipeline())
        self.assertEqual(len(open_leads), 2)
        months, without = forecast.project(open_leads, stats, JUN1, forecast.month_buckets(JUN1, 2), 1)
        self.assertEqual(without, 0)
        # E (Qualified, 5 days old): days left [10 - 5, 30 - 5] = [5, 25], each 2/3 / 2 = 1/3: 6 and 26 June
        # F (New, 30 days old): 20 <= 30 dropped, [35 - 30] = [5], chance 1/2: 6 June
        # June: won 1/3 + 1/3 + 1/2 = 7/6; revenue 900 * 2/3 + 1000 / 2 = 600 + 500 = 1100
        june = months[0]
        self.assertAlmostEqual(june["won"], 7 / 6)
        self.assertAlmostEqual(june["revenue"], 1100.0)
        # variance: E 2/3 * 1/3 * 900^2 = 180000, F 1/2 * 1/2 * 1000^2 = 250000 -> sd sqrt(430000) = 655.74
        # 90%: 1100 -+ 1.645 * 655.74 = 21.30 .. 2178.70
        self.assertAlmostEqual(june["revenue_low"], 1100 - 1.645 * 430000**0.5)
        self.assertAlmostEqual(june["revenue_high"], 1100 + 1.645 * 430000**0.5)
        self.assertEqual(months[1]["revenue"], 0.0)
        weeks, _without = forecast.project(open_leads, stats, JUN1, forecast.week_buckets(JUN1, 4), 1)
        # week of 1 June: E's 1/3 (300) and F's 1/2 (500); week of 22 June: E's other 1/3 (300)
        self.assertEqual([round(week["revenue"], 6) for week in weeks], [800.0, 0.0, 0.0, 300.0])

    def test_not_enough_data(self):
        """Stages with fewer closed leads than the minimum are not projected but counted."""
        stats = forecast.stage_statistics(history(), STAGES)
        open_leads = forecast.open_at(history() + pipeline())
        # New: 4 closed leads, Qualified: 3 -> both under 5
        months, without = forecast.project(open_leads, stats, JUN1, forecast.month_buckets(JUN1, 1), 5)
        self.assertEqual((without, months[0]["revenue"]), (2, 0.0))

    def test_odoo_forecast(self):
        """Odoo's own: expected revenue x probability in the week of the closing date; undated apart."""
        open_leads = forecast.open_at(pipeline())
        weeks, undated = forecast.odoo_forecast(open_leads, forecast.week_buckets(JUN1, 3))
        # E: 900 * 40% = 360 in the week of 8 June; F: 1000 * 10% = 100 without a date
        self.assertEqual(weeks, [0.0, 360.0, 0.0])
        self.assertEqual(undated, 100.0)

    def test_flags(self):
        """Months far above or under the recent average are peaks or dips, with their stages."""
        stats = forecast.stage_statistics(history(), STAGES)
        paths = history() + pipeline()
        months, _without = forecast.project(
            forecast.open_at(paths), stats, JUN1, forecast.month_buckets(JUN1, 2), 1
        )
        forecast.flag_months(months, forecast.recent_average(paths, JUN1))
        # won December-May: 1000 (April) + 2000 (May) over 6 months = 500 a month
        # June 1100 > 1.3 * 500: a peak; July 0 < 0.7 * 500: a dip
        self.assertEqual([month["flag"] for month in months], ["peak", "dip"])
        self.assertEqual(months[0]["recent_average"], 500.0)
        # June by stage: Qualified 600, New 500; mean over the two months 300 and 250:
        # June is above by 300 (Qualified) and 250 (New); July below by the same
        self.assertEqual(months[0]["causes"], [Q.id, N.id])
        self.assertEqual(months[1]["causes"], [Q.id, N.id])

    def test_backtest(self):
        """June forecast on 1 June from what was known then, against what was won in June."""
        won_e = path(
            5, [(N, d(5, 20)), (Q, d(5, 27)), (W, d(6, 6))], "won", d(6, 6), 900.0, 0.0, date(2026, 6, 10)
        )
        lost_f = path(6, [(N, d(5, 2))], "lost", d(6, 20), 1000.0)
        rows, mape = forecast.backtest(
            history() + [won_e, lost_f],
            STAGES,
            d(7, 1),
            months=1,
            min_sample=1,
            stage_probability={2: 50.0, 1: 20.0},
        )
        june = rows[0]
        # on 1 June E was in Qualified (5 days) and F in New (30 days): 600 + 500 = 1100 projected; 900 won
        self.assertAlmostEqual(june["funnel"], 1100.0)
        self.assertEqual(june["actual"], 900.0)
        # Odoo: E 900 x Qualified's 50% (closing 10 June) = 450; F has no closing date
        self.assertAlmostEqual(june["odoo"], 450.0)
        # APE: |1100 - 900| / 900 = 22.2%; |450 - 900| / 900 = 50%
        self.assertAlmostEqual(june["funnel_ape"], 200 / 9)
        self.assertAlmostEqual(mape["odoo"], 50.0)

    def test_many_wins_read_as_quantiles(self):
        """Over 20 wins, the days to close are read as their 20 quantiles (the cost stays flat)."""
        stat = forecast.StageStat(40, 40, [float(day) for day in range(1, 41)])
        # quantile (k + 0.5) / 20 of 1..40: rank 39 * 0.025 = 0.975 -> 1.975, ... ; their mean is 20.5
        self.assertEqual(len(stat.samples()), 20)
        self.assertAlmostEqual(stat.samples()[0], 1.975)
        self.assertAlmostEqual(sum(stat.samples()) / 20, 20.5)

    def test_backtest_month_without_wins(self):
        """A month where nothing was won has no percentage error (not a division by zero)."""
        rows, mape = forecast.backtest(history(), STAGES, d(4, 1), months=2, min_sample=1)
        self.assertEqual([row["funnel_ape"] for row in rows], [None, None])
        self.assertIsNone(mape["funnel"])


@tagged("post_install", "-at_install")
class TestForecast(AnalyticsCommon):
    def test_forecast_of_the_team(self):
        """The dashboard's forecast reads the team's leads, rules applied; a salesperson sees theirs."""
        now = datetime.now()
        self._lead_path(
            "Won",
            [(self.stage_new, now - timedelta(days=40)), (self.stage_won, now - timedelta(days=30))],
            "won",
            self.user_salesman,
            revenue=500.0,
        )
        self._lead_path(
            "Open",
            [(self.stage_new, now - timedelta(days=2))],
            user=self.user_salesman_other,
            revenue=700.0,
            probability=50,
            date_deadline=now.date(),
        )
        result = self.env["crm.analytics"].get_forecast(team_ids=self.team.ids, min_sample=1)
        self.assertEqual(result["open_leads"], 1)
        # New: 1 closed lead, won after 10 days; the open lead (2 days) closes in 8 days: all of 700 projected
        self.assertAlmostEqual(sum(month["revenue"] for month in result["months"]), 700.0)
        self.assertAlmostEqual(sum(month["odoo_revenue"] for month in result["months"]), 350.0)
        self.assertEqual(len(result["backtest"]), 12)
        alone = self.env["crm.analytics"].get_backtest(team_ids=self.team.ids, min_sample=1)
        self.assertEqual(alone["backtest"], result["backtest"])
        mine = self.env["crm.analytics"].with_user(self.user_salesman).get_forecast(team_ids=self.team.ids)
        self.assertEqual(mine["open_leads"], 0)

    def test_team_without_history(self):
        """A team with no history: no projection, no error."""
        team = self.env["crm.team"].create({"name": "Empty"})
        result = self.env["crm.analytics"].get_forecast(team_ids=team.ids)
        self.assertEqual((result["open_leads"], result["mape"]["funnel"]), (0, None))

    def test_statistics_of_many_wins(self):
        """Over QUANTILES wins the days to the win are the quantiles of the wins
        alone: the lost leads that reached the stage lower its share won, they
        are not wins of 0 days; the statement says what the service does."""
        now = datetime.now().replace(microsecond=0)
        paths = []
        # 22 wins from New after 1, 2 ... 22 days
        for days in range(1, 23):
            start = now - timedelta(days=60)
            paths.append(
                (f"Won {days}", [(self.stage_new, start), (self.stage_won, start + timedelta(days=days))])
            )
        for name, path in paths:
            self._lead_path(name, path, "won")
        # 10 leads lost in New
        for i in range(10):
            lost = self._lead_path(f"Lost {i}", [(self.stage_new, now - timedelta(days=50))], "lost")
            lost.date_closed = now - timedelta(days=45)
        self.env.flush_all()
        analytics = self.env["crm.analytics"]
        stages = analytics._crm_stages()
        since = now - timedelta(days=730)
        stats = analytics._crm_stage_statistics(
            stages, since, now + timedelta(seconds=1), team_ids=self.team.ids
        )
        new = stats[(self.team.id, self.stage_new.id)]
        self.assertEqual((new.reached_closed, new.won), (32, 22))
        # the k-th of 20 quantiles of 1..22 days: 1 + 21 (k + 1/2) / 20 (from 1.525 to 22.475)
        expected = [1 + 21 * (k + 0.5) / 20 for k in range(20)]
        for value, wanted in zip(sorted(new.samples()), expected, strict=True):
            self.assertAlmostEqual(value, wanted)
        leads = analytics._crm_lead_paths(closed_since=since, team_ids=self.team.ids)
        service = forecast.stage_statistics(leads, stages, as_of=now + timedelta(seconds=1), since=since)
        self.assertEqual(set(stats), set(service))
        for key, stat in service.items():
            self.assertEqual((stats[key].reached_closed, stats[key].won), (stat.reached_closed, stat.won))
            for value, wanted in zip(sorted(stats[key].samples()), sorted(stat.samples()), strict=True):
                self.assertAlmostEqual(value, wanted)
