from django import forms, template
from django.utils.http import urlencode

register = template.Library()


@register.filter
def bs(field):
    """Render a form field's widget with the Bootstrap class for its kind and its error state."""
    widget = field.field.widget
    if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple)):
        css = "form-check-input"
    elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
        css = "form-select"
    else:
        css = "form-control"
    if field.errors:
        css += " is-invalid"
    return field.as_widget(attrs={"class": css})


@register.filter
def is_checkbox(field):
    return isinstance(field.field.widget, forms.CheckboxInput)


@register.simple_tag(takes_context=True)
def sort_url(context, column):
    """The list URL sorted by a column (toggling the direction if it is already sorted by it)."""
    request = context["request"]
    params = request.GET.copy()
    current = params.get("sort", "")
    params["sort"] = f"-{column.sort}" if current == column.sort else column.sort
    params.pop("page", None)
    return "?" + urlencode(params)


@register.filter
def get_item(mapping, key):
    return mapping.get(key, "")
