from . import base_partner_merge_automatic_wizard
from . import crm_lead2opportunity_partner
from . import sale_order_overdue_confirm
from . import stock_delivery_desk
from . import stock_delivery_desk_line
from . import crm_notice_compose
from . import crm_notice_compose_line
from . import mailing_sms_test
