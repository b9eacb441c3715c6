from events.web.views.anniversaries import desk_plan_anniversary
from events.web.views.desk import (
    desk_confirm,
    desk_create,
    desk_dashboard,
    desk_import,
    desk_retry,
)
from events.web.views.public import (
    city_detail,
    day_list,
    event_detail,
    event_list,
    home,
    month_grid,
    partnership_detail,
)

__all__ = [
    "city_detail",
    "day_list",
    "desk_confirm",
    "desk_create",
    "desk_dashboard",
    "desk_import",
    "desk_plan_anniversary",
    "desk_retry",
    "event_detail",
    "event_list",
    "home",
    "month_grid",
    "partnership_detail",
]
