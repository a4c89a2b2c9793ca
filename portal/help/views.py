"""Veelgestelde vragen, the manual and the steps to put the portal on a phone: readable
by anyone, also without logging in. Only published topics and questions are shown."""

from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from portal.accounts.staff import is_staff_member
from portal.core.fields import LineField
from portal.core.scoping import membership_of

from .models import FaqQuestion, FaqTopic

SEARCH_MAX_LENGTH = 100


class FaqSearchForm(forms.Form):
    q = LineField(required=False, max_length=SEARCH_MAX_LENGTH)


def _published_questions():
    return FaqQuestion.objects.published().order_by("order", "id")


@require_safe
@login_not_required
def faq(request):
    topics = FaqTopic.objects.published().prefetch_related(Prefetch("questions", queryset=_published_questions()))
    return render(request, "help/faq.html", {"topics": topics})


@require_safe
@login_not_required
def faq_topic(request, topic):
    topic = get_object_or_404(FaqTopic.objects.published(), slug=topic)
    return render(request, "help/faq_topic.html", {"topic": topic, "questions": _published_questions().filter(topic=topic)})


@require_safe
@login_not_required
def faq_question(request, topic, question):
    question = get_object_or_404(_published_questions().select_related("topic"), topic__slug=topic, slug=question)
    others = _published_questions().filter(topic=question.topic).exclude(pk=question.pk)
    return render(request, "help/faq_question.html", {"question": question, "topic": question.topic, "others": others})


@require_safe
@login_not_required
def faq_search(request):
    form = FaqSearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""  # a refused search is shown with its error
    results = _published_questions().matching(query).select_related("topic").order_by("topic__order", "topic_id", "order", "id")
    return render(
        request,
        "help/faq_search.html",
        {"form": form, "query": query, "typed": request.GET.get("q", "")[:SEARCH_MAX_LENGTH], "results": results},
    )


@require_safe
@login_not_required
def shortcut(request):
    # The portal's address as people type it (the configured one, not the request's Host).
    site = urlsplit(settings.SITE_URL).netloc
    return render(request, "help/shortcut.html", {"site": site})


@require_safe
@login_not_required
def manual(request):
    """The manual, a part per role; a logged-in customer sees their own part first."""
    membership = membership_of(request.user)
    if is_staff_member(request.user):
        mine = "hartingbank"  # a part of its own, shown to staff only
    elif membership is None:
        mine = None
    elif membership.is_administrator:
        mine = "administrator"
    elif membership.may_order:
        mine = "bestellen"
    else:
        mine = "medewerker"
    return render(request, "help/manual.html", {"mine": mine})
