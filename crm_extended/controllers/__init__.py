from . import pbx
