from . import (
    test_delivery_desk,
    test_directory,
    test_duplicates,
    test_i18n,
    test_install,
    test_phone,
    test_security,
    test_tax_id,
    test_ui,
)
