from odoo import api, fields, models
from odoo.tools import SQL


class ResCurrency(models.Model):
    _inherit = "res.currency"

    @api.model
    def _crm_convert_rows(self, rows):
        """Convert many amounts at once, each at its own date, as
        :meth:`res.currency._convert` would (unrounded), in one query whatever
        the number of distinct currencies and dates.

        :param rows: ``(amount, from_currency, to_currency, company, date)``
            tuples, where ``company`` is the document's company: its root's
            rates apply, as in ``_convert(amount, to_currency, company, date)``
        :return: the converted amounts, in the order of ``rows``

        ``_convert`` reads rates with one query per currency and date (a
        roll-up over a year of invoices in another currency would run
        hundreds); this reads the same rates, chosen the same way
        (``res.currency._get_rates``: the latest rate on or before the date,
        the company's before a shared one, 1.0 without any), for every row in
        one statement. Rows in their own currency cost nothing.
        """
        rows = [
            (amount, from_currency, to_currency, company, fields.Date.to_date(date))
            for amount, from_currency, to_currency, company, date in rows
        ]
        if any(not row[4] and row[1] != row[2] for row in rows):
            today = fields.Date.context_today(self)
            rows = [row if row[4] else (*row[:4], today) for row in rows]
        keys = set()
        for _amount, from_currency, to_currency, company, date in rows:
            if from_currency != to_currency:
                root_id = company.root_id.id
                keys.add((from_currency.id, root_id, date))
                keys.add((to_currency.id, root_id, date))
        rates = self._crm_rates(keys) if keys else {}
        result = []
        for amount, from_currency, to_currency, company, date in rows:
            if from_currency == to_currency or not amount:
                result.append(amount or 0.0)
                continue
            root_id = company.root_id.id
            ratio = rates[(to_currency.id, root_id, date)] / rates[(from_currency.id, root_id, date)]
            result.append(amount * ratio)
        return result

    @api.model
    def _crm_rates(self, keys):
        """{(currency id, root company id, date): rate} for every key, from one
        query choosing each rate as ``res.currency._get_rates`` does."""
        self.env["res.currency.rate"].flush_model(["rate", "currency_id", "company_id", "name"])
        keys = sorted(keys, key=lambda key: (key[0], key[1], str(key[2])))
        self.env.cr.execute(
            SQL(
                """
                SELECT key.currency_id, key.company_id, key.date,
                       COALESCE((SELECT r.rate FROM res_currency_rate r
                                  WHERE r.currency_id = key.currency_id AND r.name <= key.date
                                    AND (r.company_id IS NULL OR r.company_id = key.company_id)
                                  ORDER BY r.company_id, r.name DESC
                                  LIMIT 1), 1.0)
                  FROM unnest(%s::int[], %s::int[], %s::date[]) AS key(currency_id, company_id, date)
                """,
                [key[0] for key in keys],
                [key[1] for key in keys],
                [key[2] for key in keys],
            )
        )
        return {
            (currency_id, company_id, date): rate
            for currency_id, company_id, date, rate in self.env.cr.fetchall()
        }

    @api.model
    def _crm_ratio_sql(self, from_currency, to_currency, date, company):
        """SQL of the factor converting an amount of ``from_currency`` into ``to_currency`` at
        ``date``, with the rates ``_convert(amount, to_currency, company, date)`` would use (the
        latest on or before the date, the root company's before a shared one, 1.0 without any).

        :param from_currency: SQL of the source currency's id (a column of the row)
        :param to_currency: the target ``res.currency`` record
        :param date: SQL of the date (a column of the row)
        :param company: the ``res.company`` whose rates apply
        """
        self.env["res.currency.rate"].flush_model(["rate", "currency_id", "company_id", "name"])

        def rate(currency):
            return SQL(
                """COALESCE((SELECT r.rate FROM res_currency_rate r
                              WHERE r.currency_id = %(currency)s AND r.name <= %(date)s
                                AND (r.company_id IS NULL OR r.company_id = %(company)s)
                              ORDER BY r.company_id, r.name DESC
                              LIMIT 1), 1.0)""",
                currency=currency,
                date=date,
                company=company.root_id.id,
            )

        return SQL(
            "CASE WHEN %(source)s = %(target)s THEN 1.0 ELSE %(to_rate)s / %(from_rate)s END",
            source=from_currency,
            target=to_currency.id,
            to_rate=rate(to_currency.id),
            from_rate=rate(from_currency),
        )
