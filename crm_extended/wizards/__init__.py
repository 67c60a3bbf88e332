from . import stock_delivery_desk, stock_delivery_desk_line
