from . import pbx
from . import sms
