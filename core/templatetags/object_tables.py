from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def render_object_table(context, table):
    """``{% render_table table %}`` inside the page's context.

    django-tables2's tag renders the table's template with a new request
    context, which runs every context processor a second time per page.
    """
    request = context.get("request")
    table.context = context
    try:
        table.before_render(request)
        with context.push(table=table):
            return context.template.engine.get_template(table.template_name).render(context)
    finally:
        del table.context
