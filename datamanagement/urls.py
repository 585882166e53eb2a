app_name = "datamanagement"

urlpatterns: list = []
