"""Each lead's client facts for the channel report (#12), kept on the lead so
that the report joins instead of sorting every lead per client on each query:
its client (the commercial partner), the campaign, source and medium of the
client's first lead (first touch) and whether it is the client's first won
deal (a new customer). Over all companies: the report uses them only when no
client of the selected companies has a lead outside them."""

from odoo.tools import SQL

FIELDS = ("crm_client_id", "crm_ft_campaign_id", "crm_ft_source_id", "crm_ft_medium_id", "crm_new_customer")


def refresh(cr, client_ids=None):
    """Recompute the facts of the leads of ``client_ids`` (commercial partner
    ids; every lead when None) in two statements, writing only what changed."""
    clients = (
        SQL("TRUE") if client_ids is None else SQL("p.commercial_partner_id = ANY(%s)", list(client_ids))
    )
    cr.execute(
        SQL(
            """
            WITH src AS (
                SELECT l.id, p.commercial_partner_id AS client_id, l.campaign_id, l.source_id, l.medium_id,
                       l.create_date, l.date_closed, COALESCE(l.active AND s.is_won, FALSE) AS won
                  FROM crm_lead l
                  JOIN res_partner p ON p.id = l.partner_id
                  LEFT JOIN crm_stage s ON s.id = l.stage_id
                 WHERE %(clients)s
            ),
            fact AS (
                SELECT src.id, src.client_id,
                       first_value(src.campaign_id) OVER w_client AS ft_campaign_id,
                       first_value(src.source_id) OVER w_client AS ft_source_id,
                       first_value(src.medium_id) OVER w_client AS ft_medium_id,
                       (src.won AND ARRAY[extract(epoch FROM src.date_closed), src.id]
                                    = min(ARRAY[extract(epoch FROM src.date_closed), src.id])
                                          FILTER (WHERE src.won) OVER w_all) AS new_customer
                  FROM src
                WINDOW w_all AS (PARTITION BY src.client_id),
                       w_client AS (w_all ORDER BY src.create_date, src.id
                                    ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
            )
            UPDATE crm_lead l
               SET crm_client_id = f.client_id, crm_ft_campaign_id = f.ft_campaign_id,
                   crm_ft_source_id = f.ft_source_id, crm_ft_medium_id = f.ft_medium_id,
                   crm_new_customer = f.new_customer
              FROM fact f
             WHERE l.id = f.id
               AND (l.crm_client_id, l.crm_ft_campaign_id, l.crm_ft_source_id, l.crm_ft_medium_id,
                    l.crm_new_customer)
                   IS DISTINCT FROM (f.client_id, f.ft_campaign_id, f.ft_source_id, f.ft_medium_id,
                                     f.new_customer)
            """,
            clients=clients,
        )
    )
    # leads that lost their client
    former = SQL("TRUE") if client_ids is None else SQL("crm_client_id = ANY(%s)", list(client_ids))
    cr.execute(
        SQL(
            """
            UPDATE crm_lead
               SET crm_client_id = NULL, crm_ft_campaign_id = NULL, crm_ft_source_id = NULL,
                   crm_ft_medium_id = NULL, crm_new_customer = FALSE
             WHERE partner_id IS NULL AND crm_client_id IS NOT NULL AND %(former)s
            """,
            former=former,
        )
    )
