from . import crm_contact_role
from . import crm_client_group
from . import res_partner_relation_type
from . import res_partner_relation
from . import res_partner
from . import crm_lead
from . import crm_competitor_price
