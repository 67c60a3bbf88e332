from . import pbx
from . import sms
from . import portal
from . import portal_cases
from . import portal_statement
from . import portal_notifications
