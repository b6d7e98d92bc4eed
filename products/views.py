from django.utils.translation import gettext_lazy

from core.views import ObjectDeleteView, ObjectDetailView, ObjectEditView, ObjectListView
from products import services
from products.filters import ResellerProductFilterSet
from products.forms import ResellerHostingProductForm, ResellerProductEditForm, ResellerProductForm
from products.models import ResellerProduct
from products.tables import ResellerProductTable


class ResellerProductListView(ObjectListView):
    model = ResellerProduct
    table_class = ResellerProductTable
    filterset_class = ResellerProductFilterSet
    add_url_name = "products:resellerproduct_add"
    title = gettext_lazy("Products")

    def refine_queryset(self, queryset):
        return queryset.with_usage().select_related("shop_product")

    def export_filename(self) -> str:
        return "products"


class ResellerProductDetailView(ObjectDetailView):
    model = ResellerProduct
    template_name = "products/resellerproduct_detail.html"

    def refine_queryset(self, queryset):
        return queryset.with_usage().select_related("shop_product", "contract")


class ResellerProductEditView(ObjectEditView):
    model = ResellerProduct
    template_name = "products/resellerproduct_edit.html"

    def get_form_class(self):
        if self.object:
            return ResellerProductEditForm
        return ResellerHostingProductForm if self.creating_hosting_product() else ResellerProductForm

    def creating_hosting_product(self) -> bool:
        kind = self.request.POST.get("kind") or self.request.GET.get("kind")
        return kind == ResellerProduct.Kind.RESELLER_HOSTING

    def get_initial(self):
        initial = super().get_initial()
        if self.request.GET.get("contract"):
            initial["contract"] = self.request.GET["contract"]
        return initial

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if not self.object:
            context["hosting"] = self.creating_hosting_product()
            context["has_reseller_contracts"] = services.reseller_contracts(self.actor).exists()
        return context

    def save_form(self, form):
        if form.instance.pk is None:
            return services.create_product(self.actor, form.instance)
        return services.update_product(self.actor, form.instance)


class ResellerProductDeleteView(ObjectDeleteView):
    model = ResellerProduct
    success_url_name = "products:resellerproduct_list"
    template_name = "products/resellerproduct_delete.html"

    def refine_queryset(self, queryset):
        return queryset.with_usage()

    def perform_delete(self, obj):
        services.delete_product(self.actor, obj)
