from . import (
    crm_client_group,
    crm_competitor_price,
    crm_contact_role,
    crm_lead,
    res_partner,
    res_partner_relation,
    res_partner_relation_type,
)
