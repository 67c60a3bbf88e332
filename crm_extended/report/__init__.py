from . import res_partner_relation_all
from . import account_invoice_report
from . import crm_channel_report
from . import crm_service_case_report
from . import crm_response_report
from . import crm_my_day
from . import crm_kpi_report
