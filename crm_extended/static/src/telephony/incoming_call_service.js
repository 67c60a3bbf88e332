/** @odoo-module **/

import { markup } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { escape } from "@web/core/utils/strings";

/**
 * Who is calling: the PBX's ringing event reaches the users whose phone rings
 * through Odoo's bus; each sees the caller's card in a notification, with a
 * button to open it (or to create a lead for an unknown number).
 */
export function callerCardLines(card) {
    const lines = [];
    const partner = card.partner;
    if (partner) {
        const who = partner.company ? `${partner.name} (${partner.company})` : partner.name;
        lines.push(`<b>${escape(who)}</b>`);
        if (partner.roles.length) {
            lines.push(escape(partner.roles.join(", ")));
        }
        if (partner.salesperson) {
            lines.push(escape(_t("Salesperson: %s", partner.salesperson)));
        }
    }
    for (const lead of card.leads || []) {
        lines.push(escape(_t("Open: %(name)s (%(stage)s)", { name: lead.name, stage: lead.stage })));
    }
    if (card.overdue) {
        lines.push(`<span class="text-danger">${escape(_t("Overdue: %s", card.overdue))}</span>`);
    }
    if (card.last_order) {
        const order = card.last_order;
        lines.push(
            escape(
                _t("Last order %(name)s of %(date)s: %(delivery)s", {
                    name: order.name,
                    date: order.date,
                    delivery: order.delivery || _t("nothing to deliver"),
                })
            )
        );
    }
    for (const serviceCase of card.cases || []) {
        const line = _t("Case %(name)s: %(subject)s (%(stage)s)", {
            name: serviceCase.name,
            subject: serviceCase.subject,
            stage: serviceCase.stage,
        });
        lines.push(escape(serviceCase.warranty ? `${line}, ${serviceCase.warranty}` : line));
    }
    if (!card.known) {
        lines.push(escape(_t("Unknown number")));
    }
    return lines;
}

export const incomingCallService = {
    dependencies: ["bus_service", "notification", "action"],
    start(env, { bus_service, notification, action }) {
        bus_service.subscribe("crm_extended/incoming_call", (card) => {
            const lines = callerCardLines(card);
            const buttons = [];
            let close = () => {};
            if (card.partner) {
                buttons.push({
                    name: _t("Open the card"),
                    primary: true,
                    onClick: () => {
                        close();
                        action.doAction({
                            type: "ir.actions.act_window",
                            res_model: "res.partner",
                            res_id: card.partner.id,
                            views: [[false, "form"]],
                        });
                    },
                });
                if (card.case_context) {
                    buttons.push({
                        name: _t("New case"),
                        onClick: () => {
                            close();
                            action.doAction({
                                type: "ir.actions.act_window",
                                res_model: "crm.service.case",
                                views: [[false, "form"]],
                                context: card.case_context,
                            });
                        },
                    });
                }
            } else if (card.leads && card.leads.length) {
                buttons.push({
                    name: _t("Open the lead"),
                    primary: true,
                    onClick: () => {
                        close();
                        action.doAction({
                            type: "ir.actions.act_window",
                            res_model: "crm.lead",
                            res_id: card.leads[0].id,
                            views: [[false, "form"]],
                        });
                    },
                });
            } else {
                buttons.push({
                    name: _t("Create a lead"),
                    primary: true,
                    onClick: () => {
                        close();
                        action.doAction({
                            type: "ir.actions.act_window",
                            res_model: "crm.lead",
                            views: [[false, "form"]],
                            context: { default_phone: card.number, default_type: "lead" },
                        });
                    },
                });
            }
            close = notification.add(markup(lines.join("<br/>")), {
                title: _t("Incoming call: %s", card.number),
                type: "info",
                sticky: true,
                className: "o_crm_extended_incoming_call",
                buttons,
            });
        });
        bus_service.start();
    },
};

registry.category("services").add("crm_extended_incoming_call", incomingCallService);
