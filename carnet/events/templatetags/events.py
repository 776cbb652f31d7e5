from typing import Any

from django import template

from carnet.events.queries import overdue_task_count

register = template.Library()


@register.inclusion_tag("events/_nav_link.html", takes_context=True)
def my_tasks_link(context: Any) -> dict[str, Any]:
    """The navigation's link to My tasks, with the number of the user's overdue tasks (one indexed count)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    signed_in = bool(getattr(user, "is_authenticated", False))
    match = getattr(request, "resolver_match", None)
    return {
        "overdue": overdue_task_count(user) if signed_in else 0,  # type: ignore[arg-type]
        "current": getattr(match, "url_name", "") == "my-tasks",
    }
