from . import res_partner_relation_all
