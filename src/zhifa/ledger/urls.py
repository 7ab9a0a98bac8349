from django.urls import path

from zhifa.ledger import views

app_name = "ledger"

urlpatterns = [
    path("ledger/", views.ledger_state_view, name="state"),
    path("ledger/verify/", views.ledger_verify_view, name="verify"),
]
