app_name = "instruments"

urlpatterns: list = []
