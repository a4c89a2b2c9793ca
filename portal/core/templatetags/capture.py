"""``{% capture as name %}…{% endcapture %}``: render a part of a template once and use
it more than once (the main menu, shown in the phone's menu and on a wide screen)."""

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


class CaptureNode(template.Node):
    def __init__(self, nodelist, name):
        self.nodelist = nodelist
        self.name = name

    def render(self, context):
        # What the template rendered is escaped already, as it would be in place.
        context[self.name] = mark_safe(self.nodelist.render(context))  # noqa: S308
        return ""


@register.tag
def capture(parser, token):
    bits = token.split_contents()
    if len(bits) != 3 or bits[1] != "as":
        raise template.TemplateSyntaxError("usage: {% capture as name %}…{% endcapture %}")
    nodelist = parser.parse(("endcapture",))
    parser.delete_first_token()
    return CaptureNode(nodelist, bits[2])
