"""SQLAlchemy Core schema (DOMAIN §14, ARCHITECTURE §3 operational tables).

Timestamps are stored as UTC ISO-8601 strings with a Z (`eros.clock.iso_z`) so string
comparison is time comparison; schedule dates are `YYYY-MM-DD` in the creator's zone.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

#: Widths the code checks against before writing: PostgreSQL enforces a VARCHAR's length (SQLite
#: does not), so a longer value must be refused or shortened first, the same on both backends.
GENERATOR_CHARS = 16
SIGNAL_CODE_CHARS = 48

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _ts(name: str, nullable: bool = True) -> Column[str]:
    return Column(name, String(32), nullable=nullable)


# --- creators and what they have -------------------------------------------------

creators = Table(
    "creators",
    metadata,
    Column("creator_id", String(64), primary_key=True),
    Column("page_name", String(100), nullable=False, unique=True),
    Column("display_name", String(200), nullable=False, default=""),
    Column("page_type", String(8), nullable=False),
    Column("subscription_price", Float, nullable=True),
    Column("timezone", String(64), nullable=False, default="America/New_York"),
    Column("content_category", String(32), nullable=False, default="softcore"),
    Column("is_active", Boolean, nullable=False, default=True),
    Column("current_fan_count", Integer, nullable=False, default=0),
    Column("current_active_fans", Integer, nullable=True),
    Column("current_total_earnings", Float, nullable=True),
    Column("current_message_net", Float, nullable=True),
    Column("current_posts_net", Float, nullable=True),
    Column("current_subscription_net", Float, nullable=True),
    Column("current_tips_net", Float, nullable=True),
    Column("current_renew_on_pct", Float, nullable=True),
    Column("extra_metrics", Text, nullable=True),
    Column("metrics_snapshot_date", String(32), nullable=True),
    Column("base_price", Float, nullable=True),
    Column("ab_test_running", Boolean, nullable=False, default=False),
    Column("previous_tier", String(16), nullable=True),
    _ts("created_at"),
    _ts("updated_at"),
    CheckConstraint("page_type IN ('paid', 'free')", name="page_type"),
    CheckConstraint(
        "previous_tier IS NULL OR previous_tier IN ('MINIMAL','LITE','STANDARD','HIGH_VALUE','PREMIUM')",
        name="previous_tier",
    ),
)

content_types = Table(
    "content_types",
    metadata,
    Column("content_type_id", Integer, primary_key=True, autoincrement=True),
    Column("type_name", String(64), nullable=False, unique=True),
    Column("type_category", String(32), nullable=False, default="softcore"),
    Column("is_explicit", Boolean, nullable=False, default=False),
    Column("description", String(200), nullable=True),
)

vault_matrix = Table(
    "vault_matrix",
    metadata,
    Column("creator_id", String(64), ForeignKey("creators.creator_id", ondelete="CASCADE"), primary_key=True),
    Column("content_type_id", Integer, ForeignKey("content_types.content_type_id"), primary_key=True),
    Column("has_content", Boolean, nullable=False, default=True),
    Column("quantity_available", Integer, nullable=True),
    _ts("updated_at"),
)

content_type_rankings = Table(
    "content_type_rankings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("creator_id", String(64), ForeignKey("creators.creator_id", ondelete="CASCADE"), nullable=False),
    Column("analysis_date", String(10), nullable=False),
    Column("content_type", String(64), nullable=False),
    Column("performance_tier", String(8), nullable=False),
    Column("revenue_per_send", Float, nullable=False, default=0.0),
    Column("conversion", Float, nullable=False, default=0.0),
    Column("sends_30d", Integer, nullable=False, default=0),
    Column("earnings", Float, nullable=False, default=0.0),
    Column("confidence", Float, nullable=False, default=0.0),
    UniqueConstraint("creator_id", "analysis_date", "content_type"),
    CheckConstraint("performance_tier IN ('TOP','MID','LOW','AVOID')", name="tier"),
)

mass_messages = Table(
    "mass_messages",
    metadata,
    Column("message_id", Integer, primary_key=True, autoincrement=True),
    Column("creator_id", String(64), ForeignKey("creators.creator_id", ondelete="CASCADE"), nullable=False),
    Column("sent_at", String(32), nullable=False),
    Column("sent_date", String(10), nullable=False),
    Column("sent_hour", Integer, nullable=False),
    Column("send_type_key", String(32), nullable=False, default="ppv_unlock"),
    Column("content_type", String(64), nullable=True),
    Column("caption_id", Integer, nullable=True),
    Column("price", Float, nullable=True),
    Column("sent_count", Integer, nullable=False, default=0),
    Column("viewed_count", Integer, nullable=False, default=0),
    Column("purchased_count", Integer, nullable=False, default=0),
    Column("earnings", Float, nullable=False, default=0.0),
    _ts("imported_at"),
    Index("ix_mass_messages_creator_date", "creator_id", "sent_date"),
)

creator_personas = Table(
    "creator_personas",
    metadata,
    Column("creator_id", String(64), ForeignKey("creators.creator_id", ondelete="CASCADE"), primary_key=True),
    Column("primary_tone", String(32), nullable=False, default="playful"),
    Column("secondary_tone", String(32), nullable=True),
    Column("emoji_frequency", String(16), nullable=False, default="moderate"),
    Column("favorite_emojis", Text, nullable=True),
    Column("slang_level", String(16), nullable=False, default="light"),
    Column("avg_sentiment", Float, nullable=True),
    Column("avg_caption_length", Integer, nullable=True),
    _ts("last_analyzed"),
)

captions = Table(
    "captions",
    metadata,
    Column("caption_id", Integer, primary_key=True, autoincrement=True),
    Column("caption_text", Text, nullable=False),
    Column("caption_hash", String(64), nullable=False, unique=True),
    Column("send_type_key", String(32), nullable=False),
    Column("content_type_id", Integer, ForeignKey("content_types.content_type_id"), nullable=True),
    Column("slot_class", String(16), nullable=True),
    Column("performance_tier", Integer, nullable=False, default=3),
    Column("suggested_price", Float, nullable=True),
    Column("price_min", Float, nullable=True),
    Column("price_max", Float, nullable=True),
    Column("avg_purchase_rate", Float, nullable=True),
    Column("is_paid_page_only", Boolean, nullable=False, default=False),
    Column("is_active", Boolean, nullable=False, default=True),
    Column("global_times_used", Integer, nullable=False, default=0),
    Column("global_last_used_date", String(10), nullable=True),
    _ts("created_at"),
    CheckConstraint("performance_tier BETWEEN 1 AND 4", name="tier"),
    Index("ix_captions_selection", "send_type_key", "content_type_id", "is_active"),
)

caption_creator_usage = Table(
    "caption_creator_usage",
    metadata,
    Column("caption_id", Integer, ForeignKey("captions.caption_id", ondelete="CASCADE"), primary_key=True),
    Column("creator_id", String(64), ForeignKey("creators.creator_id", ondelete="CASCADE"), primary_key=True),
    Column("times_used", Integer, nullable=False, default=0),
    Column("first_used_date", String(10), nullable=True),
    Column("last_used_date", String(10), nullable=True),
    Column("total_revenue", Float, nullable=False, default=0.0),
    Index("ix_caption_usage_creator", "creator_id", "last_used_date"),
)

send_types = Table(
    "send_types",
    metadata,
    Column("send_type_key", String(32), primary_key=True),
    Column("category", String(16), nullable=False),
    Column("page_restriction", String(8), nullable=False),
    Column("max_per_day", Integer, nullable=False),
    Column("max_per_week", Integer, nullable=True),
    Column("gap_minutes", Integer, nullable=False),
    Column("requires_media", Boolean, nullable=False),
    Column("requires_price", Boolean, nullable=False),
    Column("requires_flyer", Boolean, nullable=False),
    Column("channel", String(20), nullable=False),
    Column("display_name", String(64), nullable=False),
    Column("sort_order", Integer, nullable=False),
)

volume_triggers = Table(
    "volume_triggers",
    metadata,
    Column("trigger_id", Integer, primary_key=True, autoincrement=True),
    Column("creator_id", String(64), ForeignKey("creators.creator_id", ondelete="CASCADE"), nullable=False),
    Column("content_type", String(64), nullable=False),
    Column("trigger_type", String(20), nullable=False),
    Column("adjustment_multiplier", Float, nullable=False),
    Column("reason", String(500), nullable=False, default=""),
    Column("confidence", String(10), nullable=False, default="moderate"),
    Column("metrics_json", Text, nullable=True),
    _ts("detected_at", nullable=False),
    _ts("expires_at", nullable=False),
    Column("is_active", Boolean, nullable=False, default=True),
    Column("detection_count", Integer, nullable=False, default=1),
    _ts("first_detected_at", nullable=False),
    UniqueConstraint("creator_id", "content_type", "trigger_type"),
    CheckConstraint("adjustment_multiplier BETWEEN 0.5 AND 2.0", name="multiplier"),
    CheckConstraint("confidence IN ('low','moderate','high')", name="confidence"),
)

tier_history = Table(
    "tier_history",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("creator_id", String(64), ForeignKey("creators.creator_id", ondelete="CASCADE"), nullable=False),
    Column("tier", String(16), nullable=False),
    Column("mm_revenue", Float, nullable=False),
    Column("source", String(32), nullable=False),
    _ts("recorded_at", nullable=False),
)

# --- schedules ------------------------------------------------------------------

schedules = Table(
    "schedules",
    metadata,
    Column("schedule_id", Integer, primary_key=True, autoincrement=True),
    Column("creator_id", String(64), ForeignKey("creators.creator_id", ondelete="CASCADE"), nullable=False),
    Column("week_start", String(10), nullable=False),
    Column("week_end", String(10), nullable=False),
    Column("status", String(12), nullable=False),
    Column("revision", Integer, nullable=False, default=1),
    Column("schedule_hash", String(32), nullable=False),
    Column("items_json", Text, nullable=False),
    Column("certificate_json", Text, nullable=True),
    Column("warnings_json", Text, nullable=True),
    Column("generator", String(GENERATOR_CHARS), nullable=True),
    # Who saved this revision: a generator (its name) or a person (`--by`, the login name); NULL
    # for rows saved before migration 0002. Generation refuses to replace a person's revision.
    Column("saved_by", String(100), nullable=True),
    Column("saved_by_kind", String(10), nullable=True),
    Column("total_items", Integer, nullable=False, default=0),
    Column("total_ppvs", Integer, nullable=False, default=0),
    Column("total_bumps", Integer, nullable=False, default=0),
    Column("quality_score", Float, nullable=True),
    Column("expected_revenue", Float, nullable=True),
    Column("health_status", String(16), nullable=True),
    _ts("created_at", nullable=False),
    _ts("updated_at", nullable=False),
    _ts("queued_at"),
    _ts("completed_at"),
    UniqueConstraint("creator_id", "week_start"),
    CheckConstraint("status IN ('draft','approved','queued','completed')", name="status"),
)

schedule_revisions = Table(
    "schedule_revisions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("schedule_id", Integer, ForeignKey("schedules.schedule_id", ondelete="CASCADE"), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("status", String(12), nullable=False),
    Column("schedule_hash", String(32), nullable=False),
    Column("items_json", Text, nullable=False),
    Column("certificate_json", Text, nullable=True),
    Column("quality_score", Float, nullable=True),
    Column("saved_by", String(100), nullable=True),
    Column("saved_by_kind", String(10), nullable=True),
    _ts("replaced_at", nullable=False),
    UniqueConstraint("schedule_id", "revision"),
)

#: Installation settings kept outside the schedule tables (the signing key lives here).
app_config = Table(
    "app_config",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
    _ts("updated_at"),
)

# --- rollout operations (ARCHITECTURE D4: operational state is rows) -------------

flag_overrides = Table(
    "flag_overrides",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", String(500), nullable=False),
    Column("updated_by", String(100), nullable=False),
    _ts("updated_at", nullable=False),
    Column("reason", String(500), nullable=True),
)

flag_audit = Table(
    "flag_audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(64), nullable=False),
    Column("old_value", String(500), nullable=True),
    Column("new_value", String(500), nullable=True),
    Column("actor", String(100), nullable=False),
    _ts("at", nullable=False),
    Column("reason", String(500), nullable=True),
)

pipeline_runs = Table(
    "pipeline_runs",
    metadata,
    Column("run_id", String(40), primary_key=True),
    Column("pipeline", String(8), nullable=False),
    Column("creator_id", String(64), nullable=False),
    Column("week_start", String(10), nullable=True),
    _ts("started_at", nullable=False),
    _ts("finished_at"),
    # Unfinished and past its lease: the process running it died (kill -9); never "in flight".
    _ts("lease_expires_at"),
    Column("duration_ms", Float, nullable=True),
    Column("success", Boolean, nullable=True),
    Column("validation_status", String(16), nullable=True),
    Column("quality_score", Float, nullable=True),
    Column("hard_gate_violations", Integer, nullable=False, default=0),
    Column("mcp_calls", Integer, nullable=False, default=0),
    Column("expected_revenue", Float, nullable=True),
    Column("schedule_id", Integer, nullable=True),
    Column("shadow", Boolean, nullable=False, default=False),
    Column("route_reason", String(32), nullable=True),
    Column("error", Text, nullable=True),
    Column("trace_id", String(40), nullable=True),
    Index("ix_pipeline_runs_pipeline_started", "pipeline", "started_at"),
)

shadow_comparisons = Table(
    "shadow_comparisons",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("creator_id", String(64), nullable=False),
    Column("week_start", String(10), nullable=False),
    _ts("created_at", nullable=False),
    Column("v4_run_id", String(40), nullable=True),
    Column("v5_run_id", String(40), nullable=True),
    Column("outcome", String(16), nullable=False),
    Column("v4_quality", Float, nullable=True),
    Column("v5_quality", Float, nullable=True),
    Column("quality_diff", Float, nullable=True),
    Column("v4_hard_gate_violations", Integer, nullable=True),
    Column("v5_hard_gate_violations", Integer, nullable=True),
    Column("hard_gate_false_positives", Integer, nullable=False, default=0),
    Column("revenue_diff", Float, nullable=True),
    Column("v4_duration_ms", Float, nullable=True),
    Column("v5_duration_ms", Float, nullable=True),
    Column("v4_mcp_calls", Integer, nullable=True),
    Column("v5_mcp_calls", Integer, nullable=True),
    Column("v5_error", Text, nullable=True),
    Column("details_json", Text, nullable=True),
    Index("ix_shadow_created", "created_at"),
)

#: Singleton (id = 1): where v5 stands after rollbacks and restores.
rollback_state = Table(
    "rollback_state",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("state", String(16), nullable=False),
    _ts("updated_at", nullable=False),
    Column("updated_by", String(100), nullable=False),
    Column("reason", String(500), nullable=True),
)

rollback_events = Table(
    "rollback_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    _ts("at", nullable=False),
    Column("action", String(16), nullable=False),
    Column("reason", String(500), nullable=False),
    Column("initiator", String(100), nullable=False),
    Column("automatic", Boolean, nullable=False, default=False),
    Column("metrics_json", Text, nullable=True),
    Column("drain_ms", Float, nullable=True),
    Column("in_flight_at_start", Integer, nullable=True),
    Column("state_before", String(16), nullable=True),
    Column("state_after", String(16), nullable=False),
    Column("verified", Boolean, nullable=True),
)

#: Singleton (id = 1): the rollout phase the plan is in.
rollout_state = Table(
    "rollout_state",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("phase", Integer, nullable=False),
    _ts("phase_started_at", nullable=False),
    _ts("updated_at", nullable=False),
    Column("updated_by", String(100), nullable=False),
)

rollout_transitions = Table(
    "rollout_transitions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    _ts("at", nullable=False),
    Column("from_phase", Integer, nullable=True),
    Column("to_phase", Integer, nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("forced", Boolean, nullable=False, default=False),
    Column("actor", String(100), nullable=False),
    Column("reason", String(500), nullable=True),
    Column("analysis_json", Text, nullable=True),
)

#: Rollout plan Phase 4's pre-cutover confirmations (on-call briefed, rollback procedure tested):
#: who attested what, when. Append-only: a confirmation is never edited, a newer one is added.
cutover_confirmations = Table(
    "cutover_confirmations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("item", String(32), nullable=False),
    Column("actor", String(100), nullable=False),
    _ts("at", nullable=False),
    Column("note", String(500), nullable=True),
    Index("ix_cutover_confirmations_item_at", "item", "at"),
)

alerts = Table(
    "alerts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("code", String(32), nullable=False),
    Column("severity", String(10), nullable=False),
    Column("message", Text, nullable=False),
    Column("episode_key", String(64), nullable=False),
    _ts("raised_at", nullable=False),
    _ts("resolved_at"),
    Column("metrics_json", Text, nullable=True),
    _ts("acknowledged_at"),
    Column("acknowledged_by", String(100), nullable=True),
    Index("ix_alerts_code_open", "code", "resolved_at"),
)

alert_deliveries = Table(
    "alert_deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("alert_id", Integer, ForeignKey("alerts.id", ondelete="CASCADE"), nullable=False),
    Column("sink", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("delivered", Boolean, nullable=False, default=False),
    Column("last_error", Text, nullable=True),
    _ts("updated_at", nullable=False),
)

learning_signals = Table(
    "learning_signals",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(16), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("creator_id", String(64), nullable=True),
    Column("schedule_id", Integer, nullable=True),
    Column("code", String(SIGNAL_CODE_CHARS), nullable=True),
    Column("payload_json", Text, nullable=True),
    _ts("created_at", nullable=False),
    _ts("processed_at"),
    CheckConstraint("source IN ('validation','user','performance')", name="source"),
)

# --- people and API tokens of the web app (issue 13) ------------------------------

users = Table(
    "users",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("disabled", Boolean, nullable=False, default=False),
    _ts("created_at", nullable=False),
    Column("created_by", String(100), nullable=False),
    _ts("updated_at"),
    CheckConstraint("role IN ('viewer','scheduler','operator','admin')", name="role"),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_by", String(100), nullable=False),
    _ts("created_at", nullable=False),
    _ts("last_used_at"),
    _ts("revoked_at"),
    CheckConstraint("role IN ('viewer','scheduler','operator','admin')", name="role"),
)

#: One row per failed login (user name as typed, client address); old rows are pruned on write.
login_failures = Table(
    "login_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False),
    Column("client", String(64), nullable=False),
    _ts("at", nullable=False),
    Index("ix_login_failures_username_client_at", "username", "client", "at"),
)

#: Who added, disabled or re-roled a user, made or revoked a token (the access audit trail).
access_audit = Table(
    "access_audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("actor", String(100), nullable=False),
    Column("action", String(32), nullable=False),
    Column("subject", String(64), nullable=False),
    Column("detail", String(500), nullable=True),
    _ts("at", nullable=False),
)
