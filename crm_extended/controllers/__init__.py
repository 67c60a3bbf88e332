from . import pbx
from . import sms
from . import portal
