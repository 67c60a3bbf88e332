"""Back-fill of the stage history (crm.lead.stage.history) from Odoo's own
tracking values of ``crm.lead.stage_id``: each tracked change becomes a row
(from, to, the message's date, the user who wrote it), and each lead gets a
row for entering its first stage at its creation (the old value of its first
tracked change, else its current stage). The expected revenue at each moment
is read from the tracking values of ``expected_revenue`` (the last value set
at or before it, else the value before the first later change, else the
lead's current one). One statement for all leads. Then the history's
summary per lead and stage (crm.lead.stage.entry) from the history, one
statement too."""

from odoo.tools import SQL


def is_empty(cr):
    cr.execute("SELECT 1 FROM crm_lead_stage_history LIMIT 1")
    return not cr.rowcount


def backfill(cr, lead_ids=None):
    """Insert the history of ``lead_ids`` (every lead when None) from the
    tracking values; returns the number of rows inserted. The caller makes
    sure these leads have no history yet."""
    cr.execute(
        """
        SELECT f.name, f.id FROM ir_model_fields f
         WHERE f.model = 'crm.lead' AND f.name IN ('stage_id', 'expected_revenue')
        """
    )
    field_ids = dict(cr.fetchall())
    if "stage_id" not in field_ids:
        return 0
    leads = SQL("TRUE") if lead_ids is None else SQL("l.id = ANY(%s)", list(lead_ids))
    cr.execute(
        SQL(
            """
            WITH tv AS (
                SELECT m.res_id AS lead_id, v.id AS tv_id, m.date, v.create_uid,
                       NULLIF(v.old_value_integer, 0) AS old_stage,
                       NULLIF(v.new_value_integer, 0) AS new_stage
                  FROM mail_tracking_value v
                  JOIN mail_message m ON m.id = v.mail_message_id
                  JOIN crm_lead l ON l.id = m.res_id
                 WHERE v.field_id = %(stage_field)s AND m.model = 'crm.lead' AND %(leads)s
            ),
            first_tv AS (
                SELECT DISTINCT ON (lead_id) lead_id, old_stage FROM tv ORDER BY lead_id, date, tv_id
            ),
            rows AS (
                SELECT l.id AS lead_id, NULL::int AS stage_from_id,
                       CASE WHEN f.lead_id IS NULL THEN l.stage_id ELSE f.old_stage END AS stage_id,
                       l.create_date AS date, l.create_uid AS user_id, 0 AS seq
                  FROM crm_lead l
                  LEFT JOIN first_tv f ON f.lead_id = l.id
                 WHERE %(leads)s
                UNION ALL
                SELECT tv.lead_id, tv.old_stage, tv.new_stage, tv.date, tv.create_uid, tv.tv_id
                  FROM tv
            )
            INSERT INTO crm_lead_stage_history
                   (lead_id, stage_from_id, stage_id, date, user_id, company_id, currency_id,
                    expected_revenue, create_uid, create_date, write_uid, write_date)
            SELECT r.lead_id, fs.id, r.stage_id, r.date, u.id, l.company_id,
                   COALESCE(c.currency_id, (SELECT currency_id FROM res_company ORDER BY id LIMIT 1)),
                   COALESCE(
                       (SELECT e.new_value_float
                          FROM mail_tracking_value e JOIN mail_message em ON em.id = e.mail_message_id
                         WHERE e.field_id = %(revenue_field)s AND em.model = 'crm.lead'
                           AND em.res_id = r.lead_id
                           AND em.date <= r.date
                         ORDER BY em.date DESC, e.id DESC LIMIT 1),
                       (SELECT e.old_value_float
                          FROM mail_tracking_value e JOIN mail_message em ON em.id = e.mail_message_id
                         WHERE e.field_id = %(revenue_field)s AND em.model = 'crm.lead'
                           AND em.res_id = r.lead_id
                           AND em.date > r.date
                         ORDER BY em.date, e.id LIMIT 1),
                       l.expected_revenue),
                   1, now() AT TIME ZONE 'UTC', 1, now() AT TIME ZONE 'UTC'
              FROM rows r
              JOIN crm_lead l ON l.id = r.lead_id
              JOIN crm_stage s ON s.id = r.stage_id
              LEFT JOIN crm_stage fs ON fs.id = r.stage_from_id
              LEFT JOIN res_users u ON u.id = r.user_id
              LEFT JOIN res_company c ON c.id = l.company_id
             ORDER BY r.lead_id, r.date, r.seq
            """,
            stage_field=field_ids["stage_id"],
            revenue_field=field_ids.get("expected_revenue", 0),
            leads=leads,
        )
    )
    return cr.rowcount


def entries_missing(cr):
    """True when the stage history has rows and its summary per lead and
    stage (crm.lead.stage.entry) has none: a new install or an upgrade."""
    cr.execute(
        "SELECT EXISTS (SELECT 1 FROM crm_lead_stage_history)"
        " AND NOT EXISTS (SELECT 1 FROM crm_lead_stage_entry)"
    )
    return cr.fetchone()[0]


def backfill_entries(cr, lead_ids=None):
    """Insert the summary per lead and stage (first and last entry, how many
    times) of the stage history of ``lead_ids`` (every lead when None), in one
    statement, in lead order; returns the number of rows inserted. The caller
    makes sure these leads have no entries yet. What crm.lead.stage.entry's
    ``_crm_sync`` keeps through the ORM afterwards."""
    leads = SQL("TRUE") if lead_ids is None else SQL("h.lead_id = ANY(%s)", list(lead_ids))
    cr.execute(
        SQL(
            """
            INSERT INTO crm_lead_stage_entry (lead_id, stage_id, date_first, date_last, entry_count)
            SELECT h.lead_id, h.stage_id, MIN(h.date), MAX(h.date), COUNT(*)
              FROM crm_lead_stage_history h
             WHERE %(leads)s
          GROUP BY h.lead_id, h.stage_id
          ORDER BY h.lead_id, h.stage_id
            """,
            leads=leads,
        )
    )
    count = cr.rowcount
    if lead_ids is None:  # the forecast's statements are planned on the table's new size
        cr.execute("ANALYZE crm_lead_stage_entry")
    return count


def stage_path(stage_ids):
    """The stages entered as ``crm_lead.crm_stage_path`` holds them: their
    ids in order between commas (``,1,3,``), None without any."""
    ids = sorted(set(stage_ids))
    return f",{','.join(str(stage_id) for stage_id in ids)}," if ids else None


def path_contains(column, stage_id):
    """The SQL condition "the path ``column`` holds stage ``stage_id``"."""
    return SQL("strpos(%s, %s) > 0", column, stage_path([stage_id]))


def refresh_paths(cr, lead_ids=None):
    """Write on the leads ``lead_ids`` (every lead when None) the stages they
    entered (``crm_lead.crm_stage_path``, see ``stage_path``) from their
    summary per stage (crm.lead.stage.entry), in one statement, only where it
    changes; returns the number of leads written. The forecast counts a
    closed lead's furthest stage from it without reading its entries."""
    leads = SQL("TRUE") if lead_ids is None else SQL("l.id = ANY(%s)", list(lead_ids))
    entries = SQL("TRUE") if lead_ids is None else SQL("e.lead_id = ANY(%s)", list(lead_ids))
    cr.execute(
        SQL(
            """
            UPDATE crm_lead t SET crm_stage_path = p.path
              FROM (SELECT l.id, a.path
                      FROM crm_lead l
                      LEFT JOIN (SELECT e.lead_id,
                                        ',' || string_agg(e.stage_id::text, ',' ORDER BY e.stage_id)
                                            || ',' AS path
                                   FROM crm_lead_stage_entry e
                                  WHERE %(entries)s
                               GROUP BY e.lead_id) a ON a.lead_id = l.id
                     WHERE %(leads)s) p
             WHERE t.id = p.id AND t.crm_stage_path IS DISTINCT FROM p.path
            """,
            leads=leads,
            entries=entries,
        )
    )
    return cr.rowcount
