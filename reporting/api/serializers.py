"""The shape of ``GET /api/v1/metrics/summary/`` for the OpenAPI schema (read-only)."""

from rest_framework import serializers


class SegmentSerializer(serializers.Serializer):
    industry = serializers.CharField(allow_null=True)
    region = serializers.CharField(allow_null=True)
    product_line = serializers.CharField(allow_null=True)
    activity_type = serializers.CharField(allow_null=True)


class ActivityTimingSerializer(serializers.Serializer):
    activity_type = serializers.CharField()
    name = serializers.CharField()
    lead_time_days = serializers.IntegerField()
    fulfilled = serializers.IntegerField()
    median_days = serializers.FloatField(allow_null=True)
    p90_days = serializers.FloatField(allow_null=True)
    within_lead_time = serializers.IntegerField()
    within_lead_time_share = serializers.FloatField(allow_null=True)


class RequestFiguresSerializer(serializers.Serializer):
    received = serializers.IntegerField()
    fulfilled = serializers.IntegerField()
    unfulfilled = serializers.IntegerField()
    cancelled = serializers.IntegerField()
    unfulfilled_by_reason = serializers.DictField(child=serializers.IntegerField())
    fulfilment_rate = serializers.FloatField(
        allow_null=True, help_text="fulfilled / (fulfilled + unfulfilled)"
    )
    median_days_to_fulfil = serializers.FloatField(allow_null=True)
    p90_days_to_fulfil = serializers.FloatField(allow_null=True)
    fulfilled_on_time = serializers.IntegerField()
    on_time_share = serializers.FloatField(allow_null=True)
    by_activity_type = ActivityTimingSerializer(many=True)


class RequestsBlockSerializer(serializers.Serializer):
    current = RequestFiguresSerializer()
    previous = RequestFiguresSerializer()


class RevenueFiguresSerializer(serializers.Serializer):
    influenced_revenue = serializers.FloatField()
    won = serializers.IntegerField()
    lost = serializers.IntegerField()
    win_rate = serializers.FloatField(allow_null=True)
    average_deal_size = serializers.FloatField(allow_null=True)


class RevenueBlockSerializer(serializers.Serializer):
    current = RevenueFiguresSerializer()
    previous = RevenueFiguresSerializer()


class SupplyDemandSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    dimension = serializers.ChoiceField(choices=["industry", "product_line", "region", "activity_type"])
    value = serializers.CharField()
    label = serializers.CharField()
    requests = serializers.IntegerField()
    available = serializers.IntegerField()
    unmet = serializers.IntegerField()
    shortfall = serializers.IntegerField()
    short_by = serializers.IntegerField(help_text="requests beyond the available references (0 when covered)")
    requests_per_reference = serializers.FloatField(allow_null=True)


class HeatCellSerializer(serializers.Serializer):
    requests = serializers.IntegerField()
    available = serializers.IntegerField()
    gap = serializers.IntegerField()
    heat = serializers.IntegerField()


class HeatRowSerializer(serializers.Serializer):
    industry = serializers.CharField()
    label = serializers.CharField()
    cells = HeatCellSerializer(many=True)


class HeatRegionSerializer(serializers.Serializer):
    region = serializers.CharField()
    label = serializers.CharField()


class HeatmapSerializer(serializers.Serializer):
    regions = HeatRegionSerializer(many=True)
    rows = HeatRowSerializer(many=True)


class CoverageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    dimension = serializers.ChoiceField(choices=["product_line", "industry", "region"])
    value = serializers.CharField()
    target_share = serializers.FloatField()
    references = serializers.IntegerField()
    actual_share = serializers.FloatField(allow_null=True)
    gap = serializers.FloatField(allow_null=True)


class InventoryNowSerializer(serializers.Serializer):
    active = serializers.IntegerField()
    resting = serializers.IntegerField()
    resting_at_cap = serializers.IntegerField()
    stale = serializers.IntegerField()
    in_catalog = serializers.IntegerField()
    near_cap = serializers.IntegerField()
    at_cap = serializers.IntegerField()
    activated = serializers.IntegerField()
    retired = serializers.IntegerField()
    net_growth = serializers.IntegerField()
    asks = serializers.IntegerField()
    overrides = serializers.IntegerField()
    over_asks = serializers.IntegerField(help_text="Must be zero.")


class InventoryBeforeSerializer(serializers.Serializer):
    asks = serializers.IntegerField()
    overrides = serializers.IntegerField()
    over_asks = serializers.IntegerField()


class InventoryBlockSerializer(serializers.Serializer):
    current = InventoryNowSerializer()
    previous = InventoryBeforeSerializer()


class MostUsedSerializer(serializers.Serializer):
    customer_id = serializers.IntegerField(required=False)
    reference = serializers.IntegerField()
    contact = serializers.CharField()
    customer = serializers.CharField()
    asks = serializers.IntegerField()
    points = serializers.IntegerField()


class NominationSourceSerializer(serializers.Serializer):
    source = serializers.CharField()
    total = serializers.IntegerField()
    submitted = serializers.IntegerField()
    vetting = serializers.IntegerField()
    accepted = serializers.IntegerField()
    rejected = serializers.IntegerField()


class FunnelSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    submitted = serializers.IntegerField()
    vetting = serializers.IntegerField()
    accepted = serializers.IntegerField()
    rejected = serializers.IntegerField()


class NominationsSerializer(serializers.Serializer):
    by_source = NominationSourceSerializer(many=True)
    funnel = FunnelSerializer()
    aging = serializers.IntegerField()


class ApprovalsSerializer(serializers.Serializer):
    pending = serializers.IntegerField()
    expiring_30_days = serializers.IntegerField()
    declined = serializers.IntegerField()
    approved = serializers.IntegerField(help_text="Approved by the customer in the period.")


class AfterActivitySerializer(serializers.Serializer):
    """Feedback given in the period a day after the activity: ratings 1–5 by side, the share of
    references who would do it again (0–1), and how many said it did not happen."""

    requester_count = serializers.IntegerField()
    requester_average = serializers.FloatField(allow_null=True)
    reference_count = serializers.IntegerField()
    reference_average = serializers.FloatField(allow_null=True)
    would_do_again = serializers.FloatField(allow_null=True)
    did_not_happen = serializers.IntegerField()


class SatisfactionFiguresSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    average = serializers.FloatField(allow_null=True)
    distribution = serializers.DictField(child=serializers.IntegerField())
    after_activity = AfterActivitySerializer()


class SatisfactionBlockSerializer(serializers.Serializer):
    current = SatisfactionFiguresSerializer()
    previous = SatisfactionFiguresSerializer()


class TrendSerializer(serializers.Serializer):
    month = serializers.CharField()
    days = serializers.IntegerField()
    received = serializers.IntegerField()
    fulfilled = serializers.IntegerField()
    unfulfilled = serializers.IntegerField()
    cancelled = serializers.IntegerField()
    over_asks = serializers.IntegerField()
    overrides = serializers.IntegerField()
    active = serializers.IntegerField(allow_null=True, required=False)
    resting = serializers.IntegerField(allow_null=True, required=False)
    stale = serializers.IntegerField(allow_null=True, required=False)
    near_cap = serializers.IntegerField(allow_null=True, required=False)
    at_cap = serializers.IntegerField(allow_null=True, required=False)
    approvals_pending = serializers.IntegerField(allow_null=True, required=False)


class SeriesPointSerializer(serializers.Serializer):
    start = serializers.DateField(help_text="first day of the bucket (within the period)")
    received = serializers.IntegerField()
    fulfilled = serializers.IntegerField()
    asks = serializers.IntegerField()
    influenced_revenue = serializers.FloatField(required=False, help_text="absent without view_revenue")


class SeriesSerializer(serializers.Serializer):
    bucket = serializers.ChoiceField(choices=["day", "week", "month"])
    points = SeriesPointSerializer(many=True)


class PeriodSerializer(serializers.Serializer):
    """The period the figures cover and the one before it, of the same length."""

    previous_from = serializers.DateField()
    previous_to = serializers.DateField()
    days = serializers.IntegerField()

    def get_fields(self):
        fields = super().get_fields()
        # "from" and "to" are Python keywords: declared here rather than as attributes.
        return {"from": serializers.DateField(), "to": serializers.DateField(), **fields}


class DealSideSerializer(serializers.Serializer):
    closed = serializers.IntegerField(help_text="closed CRM opportunities (won + lost)")
    won = serializers.IntegerField()
    lost = serializers.IntegerField()
    win_rate = serializers.FloatField(allow_null=True, help_text="won / closed")
    average_cycle_days = serializers.FloatField(
        allow_null=True, help_text="days from the deal's creation in the CRM to its close date"
    )


class DealSegmentSerializer(serializers.Serializer):
    industry = serializers.CharField(help_text="industry code; empty when the CRM did not say")
    region = serializers.CharField(help_text="region code; empty when the CRM did not say")
    size_band = serializers.CharField(help_text="size band code; empty when the CRM did not say")
    # ``with`` is a Python keyword: the field is named through the class namespace.
    vars()["with"] = DealSideSerializer(help_text="deals with a fulfilled reference request")
    without = DealSideSerializer(help_text="deals without one")


class WithVsWithoutSerializer(DealSegmentSerializer):
    """Closed CRM opportunities of the period with a fulfilled reference request against those
    without, over the segments (industry, region, size band) that have both."""

    industry = None
    region = None
    size_band = None
    segments = DealSegmentSerializer(many=True)
    unmatched = serializers.IntegerField(help_text="closed deals of segments with one side only, left out")


class MetricsSummarySerializer(serializers.Serializer):
    period = PeriodSerializer(help_text="from, to, days, previous_from, previous_to (dates as YYYY-MM-DD)")
    segment = SegmentSerializer()
    requests = RequestsBlockSerializer()
    revenue = RevenueBlockSerializer(allow_null=True, help_text="null for roles without view_revenue")
    with_vs_without = WithVsWithoutSerializer(
        allow_null=True,
        help_text="win rate and sales cycle with references against without; null for roles "
        "without view_revenue",
    )
    supply_demand = SupplyDemandSerializer(many=True)
    heatmap = HeatmapSerializer()
    coverage = CoverageSerializer(many=True)
    inventory = InventoryBlockSerializer()
    most_used = MostUsedSerializer(many=True)
    nominations = NominationsSerializer()
    approvals = ApprovalsSerializer()
    satisfaction = SatisfactionBlockSerializer()
    trends = TrendSerializer(many=True)
    series = SeriesSerializer(
        help_text="the period bucket by bucket: days up to 31 days, weeks up to 26, else months"
    )
