"""Veelgestelde vragen: topics with questions and their answers, maintained by
HartingBank's staff and readable by anyone, also without logging in. Only what is
published (the question and its topic) is shown."""

import re

from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import search_key


class FaqTopicQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)


class FaqTopic(models.Model):
    title = models.CharField(_("onderwerp"), max_length=100)
    slug = models.SlugField(
        _("adres"), max_length=60, unique=True, help_text=_("Het deel van het webadres, bijvoorbeeld 'bestellen'.")
    )
    intro = models.TextField(_("inleiding"), max_length=1000, blank=True)
    order = models.PositiveSmallIntegerField(_("volgorde"), default=0)
    is_published = models.BooleanField(_("gepubliceerd"), default=True)

    objects = FaqTopicQuerySet.as_manager()

    class Meta:
        db_table = "support_faqtopic"  # the table it had in the app "support", which it left
        verbose_name = _("onderwerp van de veelgestelde vragen")
        verbose_name_plural = _("onderwerpen van de veelgestelde vragen")
        ordering = ["order", "title", "id"]
        constraints = [models.UniqueConstraint(Lower("title"), name="faq_topic_title_unique")]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # The topic's title is searched with each of its questions.
        for question in self.questions.all():
            question.topic = self
            question.save(update_fields=["search_text"])


class FaqQuestionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True, topic__is_published=True)

    def matching(self, query):
        """Questions whose question, answer or topic holds every word of ``query``,
        ignoring case and accents ("geïnstalleerd" is found by "geinstalleerd"). The
        words are compared with a stored lower-case, accent-free copy, so it works the
        same on SQLite and PostgreSQL."""
        words = search_key(query).split()
        if not words:
            return self.none()
        queryset = self
        for word in words:
            queryset = queryset.filter(search_text__contains=word)
        return queryset


class FaqQuestion(models.Model):
    topic = models.ForeignKey(FaqTopic, on_delete=models.PROTECT, related_name="questions", verbose_name=_("onderwerp"))
    question = models.CharField(_("vraag"), max_length=200)
    slug = models.SlugField(_("adres"), max_length=80)
    # Plain text with a little markup (see portal.help.faq.render_answer): a blank
    # line between paragraphs, lines starting with "1." or "-" as lists, and links
    # written as [text](page), where page is the name of a portal page such as
    # accounts:my_account, or an address.
    answer = models.TextField(_("antwoord"), max_length=10000)
    order = models.PositiveSmallIntegerField(_("volgorde"), default=0)
    is_published = models.BooleanField(_("gepubliceerd"), default=True)
    updated_at = models.DateTimeField(_("laatst bijgewerkt"), auto_now=True)
    search_text = models.TextField(editable=False, default="")

    objects = FaqQuestionQuerySet.as_manager()

    class Meta:
        db_table = "support_faqquestion"  # the table it had in the app "support", which it left
        verbose_name = _("veelgestelde vraag")
        verbose_name_plural = _("veelgestelde vragen")
        ordering = ["topic__order", "topic_id", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["topic", "slug"], name="faq_question_slug_unique_in_topic")]

    def __str__(self):
        return self.question

    def save(self, *args, update_fields=None, **kwargs):
        self.search_text = faq_search_text(self.question, self.answer, self.topic.title)
        if update_fields is not None and {"question", "answer"} & set(update_fields):
            update_fields = {*update_fields, "search_text"}
        super().save(*args, update_fields=update_fields, **kwargs)


def faq_search_text(question, answer, topic_title):
    """What a search compares with: the words people read, so the target of a link
    ([text](accounts:my_account)) is left out."""
    readable = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", answer)
    return search_key(question, readable, topic_title)
