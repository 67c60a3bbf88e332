import polib

from odoo.tests import tagged
from odoo.tools.misc import file_path
from odoo.tools.translate import TranslationModuleReader

from .common import CrmExtendedCase


@tagged("post_install", "-at_install")
class TestI18n(CrmExtendedCase):
    def test_every_term_has_a_russian_translation(self):
        """Every term crm_extended shows (fields, views, menus, data, code) is translated in ru.po."""
        reader = TranslationModuleReader(self.env.cr, modules=["crm_extended"])
        terms = {source for module, _type, _name, _res_id, source, _value, _comments in reader}
        terms = {term for term in terms if term and term.strip()}
        self.assertGreater(len(terms), 50, "the export found suspiciously few terms")
        po = polib.pofile(file_path("crm_extended/i18n/ru.po"))
        translated = {entry.msgid for entry in po if entry.msgstr and "fuzzy" not in entry.flags}
        missing = sorted(terms - translated)
        self.assertFalse(missing, f"{len(missing)} term(s) without a Russian translation: {missing[:20]}")

    def test_russian_user_sees_russian_labels(self):
        """With Russian installed, the add-on's field labels and data read in Russian."""
        self.env["res.lang"]._activate_lang("ru_RU")
        self.env["ir.module.module"].search([("name", "=", "crm_extended")])._update_translations(["ru_RU"])
        env_ru = self.env(context=dict(self.env.context, lang="ru_RU"))
        self.assertEqual(env_ru["crm.contact.role"].search([("code", "=", "accountant")]).name, "Бухгалтер")
        description = env_ru["res.partner"].fields_get(["client_group_id"])["client_group_id"]["string"]
        self.assertEqual(description, "Группа клиентов")
