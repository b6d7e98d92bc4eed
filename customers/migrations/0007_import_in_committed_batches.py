from django.db import migrations, models


def count_rows(apps, schema_editor):
    """Keep ``row_count`` for imports made before it; a checked import that has no normalised rows yet is
    checked again (its mapping is kept), since importing now reads those instead of validating once more."""
    CustomerImport = apps.get_model("customers", "CustomerImport")
    for job in CustomerImport.objects.only("pk", "rows", "status").iterator(chunk_size=100):
        job.row_count = len(job.rows)
        fields = ["row_count"]
        if job.status == "validated":
            job.status, job.processed, job.errors, job.valid_count = "uploaded", 0, [], 0
            fields += ["status", "processed", "errors", "valid_count"]
        job.save(update_fields=fields)


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0006_search_and_sort_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="customerimport",
            name="cleaned",
            field=models.JSONField(default=list),
        ),
        migrations.AddField(
            model_name="customerimport",
            name="row_count",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.RunPython(count_rows, migrations.RunPython.noop),
    ]
