from django.urls import path

from contracts import views
from contracts.models import Contract, Domain

app_name = "contracts"

urlpatterns = [
    path("", views.ContractListView.as_view(), name="contract_list"),
    path("<int:pk>/", views.ContractDetailView.as_view(), name="contract_detail"),
    path("<int:pk>/plesk/", views.contract_plesk_sso_view, name="contract_plesk_sso"),
    path("<int:pk>/assign/", views.assign_view, {"model": Contract}, name="contract_assign"),
    path("bulk/", views.bulk_view, {"model": Contract}, name="contract_bulk"),
    path("domains/", views.DomainListView.as_view(), name="domain_list"),
    path("domains/<int:pk>/", views.DomainDetailView.as_view(), name="domain_detail"),
    path("domains/<int:pk>/assign/", views.assign_view, {"model": Domain}, name="domain_assign"),
    path("domains/bulk/", views.bulk_view, {"model": Domain}, name="domain_bulk"),
    path("customers/", views.endcustomer_autocomplete_view, name="endcustomer_autocomplete"),
    path("customers/<int:pk>/domains/", views.EndCustomerDomainsView.as_view(), name="endcustomer_domains"),
]
