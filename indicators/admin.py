from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Indicator, IndicatorGroup, Metric, Observation, ParsedTarget, Period, Plan, Target


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["code", "province", "issued_on"]
    search_fields = ["code", "title"]


@admin.register(IndicatorGroup)
class IndicatorGroupAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "plan", "order"]
    list_filter = ["plan"]


class TargetInline(admin.StackedInline):
    model = Target
    extra = 0
    fields = ["year", "text", "qualitative"]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "group", "lead_list"]
    list_filter = ["plan", "group", "lead_agencies"]
    search_fields = ["code", "targets__text"]
    filter_horizontal = ["lead_agencies"]
    inlines = [TargetInline]

    @admin.display(description="Cơ quan chủ trì đánh giá")
    def lead_list(self, obj):
        return ", ".join(obj.lead_names)


class ParsedTargetInline(admin.TabularInline):
    model = ParsedTarget
    extra = 0
    autocomplete_fields = ["metric"]


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["indicator", "year", "short_text", "qualitative"]
    list_filter = ["year", "qualitative", "indicator__group"]
    search_fields = ["text", "indicator__code"]
    list_select_related = ["indicator"]
    inlines = [ParsedTargetInline]

    @admin.display(description="Nội dung")
    def short_text(self, obj):
        return obj.text[:120]


@admin.register(Metric)
class MetricAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "unit", "kind", "direction", "frequency", "collection"]
    list_filter = ["kind", "frequency", "collection", "direction"]
    search_fields = ["code", "name"]
    filter_horizontal = ["reporters"]


@admin.register(Period)
class PeriodAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "starts_on", "ends_on", "due_on", "is_locked"]
    list_filter = ["kind", "year", "is_locked"]
    date_hierarchy = "ends_on"


@admin.register(Observation)
class ObservationAdmin(SimpleHistoryAdmin):
    list_display = ["metric", "agency", "period", "value", "numerator", "denominator", "status", "updated_at"]
    list_filter = ["status", "period__kind", "metric", "agency__kind"]
    search_fields = ["metric__code", "metric__name", "agency__name"]
    list_select_related = ["metric", "agency", "period"]
    autocomplete_fields = ["metric", "agency"]
    raw_id_fields = ["period", "entered_by", "reviewed_by"]
