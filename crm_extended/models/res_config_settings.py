from odoo import fields, models
from odoo.exceptions import UserError

from ..services import customer_classes

# as Odoo's own settings of system parameters: the settings screen is the administrators'
SETTINGS_ADMINS = "base.group_system"


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    crm_overdue_reminder_days = fields.Integer(related="company_id.crm_overdue_reminder_days", readonly=False)
    crm_overdue_reminders = fields.Integer(related="company_id.crm_overdue_reminders", readonly=False)
    # the customer classes' thresholds (#15), read by crm.analytics._crm_class_parameters
    crm_class_months = fields.Integer(
        string="Classes Period (Months)",
        config_parameter="crm_extended.class_months",
        default=12,
        groups=SETTINGS_ADMINS,
        help="The whole months of invoices up to today that ABC, XYZ and RFM classes are computed from.",
    )
    crm_class_abc_a = fields.Float(
        string="Class A Share (%)",
        config_parameter="crm_extended.class_abc_a",
        default=round(customer_classes.ABC_THRESHOLDS[0] * 100, 2),
        groups=SETTINGS_ADMINS,
        help="Clients are A while the clients before them make less than this share of the revenue.",
    )
    crm_class_abc_b = fields.Float(
        string="Class B Share (%)",
        config_parameter="crm_extended.class_abc_b",
        default=round(customer_classes.ABC_THRESHOLDS[1] * 100, 2),
        groups=SETTINGS_ADMINS,
        help="The next share of the revenue whose clients are B; the rest are C.",
    )
    crm_class_abc_c = fields.Float(
        string="Class C Share (%)",
        config_parameter="crm_extended.class_abc_c",
        default=round(customer_classes.ABC_THRESHOLDS[2] * 100, 2),
        groups=SETTINGS_ADMINS,
        help="The last share of the revenue: A, B and C make 100%.",
    )
    crm_class_xyz_x = fields.Float(
        string="Class X Variation up to",
        config_parameter="crm_extended.class_xyz_x",
        default=customer_classes.XYZ_THRESHOLDS[0],
        groups=SETTINGS_ADMINS,
        help="Clients whose monthly revenue varies up to this (coefficient of variation) are X.",
    )
    crm_class_xyz_y = fields.Float(
        string="Class Y Variation up to",
        config_parameter="crm_extended.class_xyz_y",
        default=customer_classes.XYZ_THRESHOLDS[1],
        groups=SETTINGS_ADMINS,
        help="Up to this they are Y, above it Z.",
    )
    crm_hhi_warning = fields.Float(
        string="Concentration Warning (HHI)",
        config_parameter="crm_extended.hhi_warning",
        default=customer_classes.HHI_WARNING,
        groups=SETTINGS_ADMINS,
        help="The dashboard warns when the Herfindahl-Hirschman index of revenue reaches this "
        "(10,000: one client; 1,000: ten equal ones).",
    )

    def set_values(self):
        self._crm_check_class_thresholds()
        return super().set_values()

    def _crm_check_class_thresholds(self):
        for settings in self:
            shares = (settings.crm_class_abc_a, settings.crm_class_abc_b, settings.crm_class_abc_c)
            if min(shares) <= 0 or abs(sum(shares) - 100.0) > 0.01:
                raise UserError(
                    self.env._(
                        "The shares of classes A, B and C must each be above 0%% and make 100%% "
                        "together (now %(a)s + %(b)s + %(c)s).",
                        a=shares[0],
                        b=shares[1],
                        c=shares[2],
                    )
                )
            if not 0 < settings.crm_class_xyz_x < settings.crm_class_xyz_y:
                raise UserError(
                    self.env._("The variation of class X must be above 0 and below that of class Y.")
                )
            if settings.crm_class_months < 1:
                raise UserError(self.env._("The classes' period is at least one month."))
            if settings.crm_hhi_warning <= 0:
                raise UserError(self.env._("The concentration warning must be above 0."))
