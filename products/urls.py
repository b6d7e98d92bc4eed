from django.urls import path

from products import views

app_name = "products"

urlpatterns = [
    path("", views.ResellerProductListView.as_view(), name="resellerproduct_list"),
    path("add/", views.ResellerProductEditView.as_view(), name="resellerproduct_add"),
    path("<int:pk>/", views.ResellerProductDetailView.as_view(), name="resellerproduct_detail"),
    path("<int:pk>/edit/", views.ResellerProductEditView.as_view(), name="resellerproduct_edit"),
    path("<int:pk>/delete/", views.ResellerProductDeleteView.as_view(), name="resellerproduct_delete"),
]
