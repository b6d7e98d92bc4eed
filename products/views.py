from django.utils.translation import gettext_lazy

from core.views import ObjectDeleteView, ObjectDetailView, ObjectEditView, ObjectListView
from products import services
from products.filters import ResellerProductFilterSet
from products.forms import ResellerProductEditForm, ResellerProductForm
from products.models import ResellerProduct
from products.tables import ResellerProductTable


class ResellerProductListView(ObjectListView):
    model = ResellerProduct
    table_class = ResellerProductTable
    filterset_class = ResellerProductFilterSet
    add_url_name = "products:resellerproduct_add"
    title = gettext_lazy("Products")

    def get_base_queryset(self):
        return ResellerProduct.objects.with_usage().select_related("shop_product")

    def export_filename(self) -> str:
        return "products"


class ResellerProductDetailView(ObjectDetailView):
    model = ResellerProduct
    template_name = "products/resellerproduct_detail.html"

    def get_base_queryset(self):
        return ResellerProduct.objects.with_usage().select_related("shop_product", "contract")


class ResellerProductEditView(ObjectEditView):
    model = ResellerProduct
    template_name = "products/resellerproduct_edit.html"

    def get_form_class(self):
        return ResellerProductEditForm if self.object else ResellerProductForm

    def save_form(self, form):
        if form.instance.pk is None:
            return services.create_product(self.actor, form.instance)
        return services.update_product(self.actor, form.instance)


class ResellerProductDeleteView(ObjectDeleteView):
    model = ResellerProduct
    success_url_name = "products:resellerproduct_list"
    template_name = "products/resellerproduct_delete.html"

    def get_base_queryset(self):
        return ResellerProduct.objects.with_usage()

    def perform_delete(self, obj):
        services.delete_product(self.actor, obj)
