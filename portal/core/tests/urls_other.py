"""Another URL configuration, for the tests that the templates follow a change of it."""

from django.http import HttpResponse
from django.urls import path

urlpatterns = [path("elders/", lambda request: HttpResponse(), name="home")]
