# Data for 0011 in a migration of its own: on PostgreSQL, rows updated in the transaction that added the
# foreign key leave deferred trigger events that forbid creating its index.

from django.db import migrations


def designate(apps, schema_editor):
    """Existing plans: the scales and designated agencies that fixtures/plan_65_kh_tu.yaml now states."""
    Metric = apps.get_model("indicators", "Metric")
    Agency = apps.get_model("agencies", "Agency")
    ParsedTarget = apps.get_model("indicators", "ParsedTarget")
    TargetStatus = apps.get_model("indicators", "TargetStatus")
    Metric.objects.filter(code="researchers_per_10k").update(ratio_scale=1)
    by_name = {}
    for agency in Agency.objects.all():
        for name in (agency.name, agency.short_name):
            if name:
                by_name.setdefault(name.casefold(), agency)
    for metric in Metric.objects.filter(collection="province"):
        explicit = {
            "digital_economy_grdp_share": "Sở Công Thương",
            "adults_regular_digital_services_use": "Sở Khoa học và Công nghệ",
        }
        names = [explicit[metric.code]] if metric.code in explicit else []
        for parsed in ParsedTarget.objects.filter(metric=metric).select_related("target__indicator"):
            names += parsed.target.indicator.lead_names or []
        agency = next((by_name[n.casefold()] for n in names if n.casefold() in by_name), None)
        if agency is not None:
            metric.reporting_agency = agency
            metric.save(update_fields=["reporting_agency"])
            metric.reporters.set([agency])
    TargetStatus.objects.filter(latest_value__isnull=False).update(freshness="current")



class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0001_initial"),
        ("indicators", "0011_truth_scales_freshness"),
    ]

    operations = [migrations.RunPython(designate, migrations.RunPython.noop)]
