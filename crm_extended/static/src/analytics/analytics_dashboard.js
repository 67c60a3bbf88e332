/** @odoo-module **/

import { Component, onMounted, onPatched, onWillStart, onWillUnmount, useRef, useState } from "@odoo/owl";
import { loadBundle } from "@web/core/assets";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { formatFloat } from "@web/views/fields/formatters";
import { useService } from "@web/core/utils/hooks";

const PERIODS = [3, 6, 12, 24];

function isoDate(date) {
    return date.toISOString().slice(0, 10);
}

/**
 * CRM > Reporting > Dashboard: the statistical funnel beside today's pipeline,
 * the forecast from it beside Odoo's own, the concentration of revenue and the
 * lost reasons, filtered by team and period. Every figure comes from
 * crm.analytics (the user's record rules applied inside its SQL).
 */
export class AnalyticsDashboard extends Component {
    static template = "crm_extended.AnalyticsDashboard";
    static props = ["*"];

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.funnelCanvas = useRef("funnel");
        this.forecastCanvas = useRef("forecast");
        this.concentrationCanvas = useRef("concentration");
        this.lostCanvas = useRef("lost");
        this.charts = [];
        this.periods = PERIODS;
        this.state = useState({ teamId: false, months: 12, teams: [], data: null, loading: true, mape: null });
        onWillStart(async () => {
            // the charts' library, the teams and the figures at once: none waits for another
            const [, teams] = await Promise.all([
                loadBundle("web.chartjs_lib"),
                this.orm.searchRead("crm.team", [], ["name"]),
                this.load(),
            ]);
            this.state.teams = teams;
        });
        onMounted(() => this.renderCharts());
        onPatched(() => this.renderCharts());
        onWillUnmount(() => this.destroyCharts());
    }

    get period() {
        const to = new Date();
        const from = new Date(to.getFullYear(), to.getMonth() - this.state.months + 1, 1);
        return { date_from: isoDate(from), date_to: isoDate(to) };
    }

    get teamIds() {
        return this.state.teamId ? [this.state.teamId] : [];
    }

    async load() {
        this.state.loading = true;
        const period = this.period;
        const teamIds = this.teamIds;
        const lostDomain = [["date", ">=", period.date_from], ["date", "<=", period.date_to]];
        if (teamIds.length) {
            lostDomain.push(["team_id", "in", teamIds]);
        }
        const [funnel, forecast, dependence, lost] = await Promise.all([
            this.orm.call("crm.analytics", "get_funnel", [], { team_ids: teamIds, ...period }),
            this.orm.call("crm.analytics", "get_forecast", [], { team_ids: teamIds, backtest: false }),
            this.orm.call("crm.analytics", "get_dependence", [], period),
            this.orm.readGroup(
                "crm.lead.report.lost",
                lostDomain,
                ["lost_count:sum", "lost_revenue:sum"],
                ["lost_reason_id"]
            ),
        ]);
        this.state.data = { funnel: funnel.groups[0], pipeline: funnel.pipeline, forecast, dependence, lost };
        this.state.loading = false;
        this.loadBacktest(teamIds);
    }

    /** The backtest reads every lead's path: it comes after the charts. */
    async loadBacktest(teamIds) {
        const request = (this.backtestRequest = (this.backtestRequest || 0) + 1);
        this.state.mape = null;
        const result = await this.orm.call("crm.analytics", "get_backtest", [], { team_ids: teamIds });
        if (request === this.backtestRequest) {
            this.state.mape = result.mape;
        }
    }

    async onTeamChange(ev) {
        this.state.teamId = parseInt(ev.target.value) || false;
        await this.load();
    }

    async onPeriodChange(ev) {
        this.state.months = parseInt(ev.target.value);
        await this.load();
    }

    percent(value) {
        return value === null || value === undefined ? _t("not enough data") : `${formatFloat(value * 100, { digits: [false, 1] })} %`;
    }

    days(value) {
        return value === null || value === undefined ? _t("not enough data") : formatFloat(value, { digits: [false, 1] });
    }

    number(value, digits = 1) {
        return value === null || value === undefined ? _t("not enough data") : formatFloat(value, { digits: [false, digits] });
    }

    periodLabel(months) {
        return _t("%s months", months);
    }

    money(value, currency) {
        return value === null || value === undefined ? "" : `${formatFloat(value, { digits: [false, 0] })} ${currency}`;
    }

    openStage(step) {
        if (typeof step.stage_id !== "number") {
            return;
        }
        const period = this.period;
        const domain = [
            ["stage_history_ids.stage_id", "=", step.stage_id],
            ["create_date", ">=", `${period.date_from} 00:00:00`],
            ["create_date", "<=", `${period.date_to} 23:59:59`],
        ];
        if (this.state.teamId) {
            domain.push(["team_id", "=", this.state.teamId]);
        }
        this.action.doAction({
            type: "ir.actions.act_window",
            name: _t("Leads that entered %s", step.name),
            res_model: "crm.lead",
            views: [
                [false, "list"],
                [false, "form"],
            ],
            domain,
            context: { active_test: false },
        });
    }

    destroyCharts() {
        for (const chart of this.charts) {
            chart.destroy();
        }
        this.charts = [];
    }

    renderCharts() {
        this.destroyCharts();
        const data = this.state.data;
        if (!data || !this.funnelCanvas.el) {
            return;
        }
        const Chart = window.Chart;
        const steps = data.funnel.steps;
        const pipeline = Object.fromEntries(data.pipeline.stages.map((stage) => [stage.stage_id, stage.count]));
        this.charts.push(
            new Chart(this.funnelCanvas.el, {
                type: "bar",
                data: {
                    labels: steps.map((step) => step.name),
                    datasets: [
                        { label: _t("Reached in the period"), data: steps.map((step) => step.reached), backgroundColor: "#1f77b4" },
                        { label: _t("In the pipeline now"), data: steps.map((step) => pipeline[step.stage_id] || 0), backgroundColor: "#ff7f0e" },
                    ],
                },
                options: { responsive: true, maintainAspectRatio: false, animation: false },
            })
        );
        const months = data.forecast.months;
        this.charts.push(
            new Chart(this.forecastCanvas.el, {
                type: "line",
                data: {
                    labels: months.map((month) => month.start),
                    datasets: [
                        { label: _t("Funnel forecast"), data: months.map((m) => m.revenue), borderColor: "#1f77b4" },
                        { label: _t("Funnel, low (90%)"), data: months.map((m) => m.revenue_low), borderColor: "#aec7e8", borderDash: [4, 4] },
                        { label: _t("Funnel, high (90%)"), data: months.map((m) => m.revenue_high), borderColor: "#aec7e8", borderDash: [4, 4] },
                        { label: _t("Odoo's forecast"), data: months.map((m) => m.odoo_revenue), borderColor: "#2ca02c" },
                    ],
                },
                options: { responsive: true, maintainAspectRatio: false, animation: false },
            })
        );
        const quarters = data.dependence.quarters;
        this.charts.push(
            new Chart(this.concentrationCanvas.el, {
                type: "bar",
                data: {
                    labels: quarters.map((quarter) => quarter.start),
                    datasets: [
                        { label: _t("HHI"), data: quarters.map((quarter) => quarter.hhi), backgroundColor: "#9467bd" },
                        {
                            type: "line",
                            label: _t("Warning threshold"),
                            data: quarters.map(() => data.dependence.hhi_threshold),
                            borderColor: "#d62728",
                        },
                    ],
                },
                options: { responsive: true, maintainAspectRatio: false, animation: false },
            })
        );
        const lost = data.lost;
        this.charts.push(
            new Chart(this.lostCanvas.el, {
                type: "bar",
                data: {
                    labels: lost.map((group) => (group.lost_reason_id ? group.lost_reason_id[1] : _t("No reason"))),
                    datasets: [{ label: _t("Lost deals"), data: lost.map((group) => group.lost_count), backgroundColor: "#d62728" }],
                },
                options: { responsive: true, maintainAspectRatio: false, animation: false, indexAxis: "y" },
            })
        );
    }
}

registry.category("actions").add("crm_extended.analytics_dashboard", AnalyticsDashboard);
