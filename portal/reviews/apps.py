from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    """Access reviews (*toegangscontrole*) of Accountbeheer."""

    name = "portal.reviews"
    label = "reviews"
    verbose_name = _("Toegangscontrole")

    def ready(self):
        from portal.core.home import register_home_panel
        from portal.core.jobs import register_job

        from . import home, services

        register_home_panel(home.open_review_panel, order=25)
        register_job("start_quarterly_access_reviews", services.start_quarterly_reviews)
        register_job("remind_access_reviews", services.send_review_reminders)
