"""Baseline: every table of the first release, written out so later schema changes never rewrite it.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("episode_key", sa.String(length=64), nullable=False),
        sa.Column("raised_at", sa.String(length=32), nullable=False),
        sa.Column("resolved_at", sa.String(length=32), nullable=True),
        sa.Column("metrics_json", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
    )
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.create_index("ix_alerts_code_open", ["code", "resolved_at"], unique=False)

    op.create_table(
        "app_config",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_app_config")),
    )
    op.create_table(
        "content_types",
        sa.Column("content_type_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("type_name", sa.String(length=64), nullable=False),
        sa.Column("type_category", sa.String(length=32), nullable=False),
        sa.Column("is_explicit", sa.Boolean(), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("content_type_id", name=op.f("pk_content_types")),
        sa.UniqueConstraint("type_name", name=op.f("uq_content_types_type_name")),
    )
    op.create_table(
        "creators",
        sa.Column("creator_id", sa.String(length=64), nullable=False),
        sa.Column("page_name", sa.String(length=100), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("page_type", sa.String(length=8), nullable=False),
        sa.Column("subscription_price", sa.Float(), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("content_category", sa.String(length=32), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("current_fan_count", sa.Integer(), nullable=False),
        sa.Column("current_active_fans", sa.Integer(), nullable=True),
        sa.Column("current_total_earnings", sa.Float(), nullable=True),
        sa.Column("current_message_net", sa.Float(), nullable=True),
        sa.Column("current_posts_net", sa.Float(), nullable=True),
        sa.Column("current_subscription_net", sa.Float(), nullable=True),
        sa.Column("current_tips_net", sa.Float(), nullable=True),
        sa.Column("current_renew_on_pct", sa.Float(), nullable=True),
        sa.Column("extra_metrics", sa.Text(), nullable=True),
        sa.Column("metrics_snapshot_date", sa.String(length=32), nullable=True),
        sa.Column("base_price", sa.Float(), nullable=True),
        sa.Column("ab_test_running", sa.Boolean(), nullable=False),
        sa.Column("previous_tier", sa.String(length=16), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=True),
        sa.Column("updated_at", sa.String(length=32), nullable=True),
        sa.CheckConstraint("page_type IN ('paid', 'free')", name=op.f("ck_creators_page_type")),
        sa.CheckConstraint(
            "previous_tier IS NULL OR previous_tier IN ('MINIMAL','LITE','STANDARD','HIGH_VALUE','PREMIUM')",
            name=op.f("ck_creators_previous_tier"),
        ),
        sa.PrimaryKeyConstraint("creator_id", name=op.f("pk_creators")),
        sa.UniqueConstraint("page_name", name=op.f("uq_creators_page_name")),
    )
    op.create_table(
        "flag_audit",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("old_value", sa.String(length=500), nullable=True),
        sa.Column("new_value", sa.String(length=500), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flag_audit")),
    )
    op.create_table(
        "flag_overrides",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=500), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_flag_overrides")),
    )
    op.create_table(
        "learning_signals",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("creator_id", sa.String(length=64), nullable=True),
        sa.Column("schedule_id", sa.Integer(), nullable=True),
        sa.Column("code", sa.String(length=48), nullable=True),
        sa.Column("payload_json", sa.Text(), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("processed_at", sa.String(length=32), nullable=True),
        sa.CheckConstraint(
            "source IN ('validation','user','performance')", name=op.f("ck_learning_signals_source")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learning_signals")),
    )
    op.create_table(
        "pipeline_runs",
        sa.Column("run_id", sa.String(length=40), nullable=False),
        sa.Column("pipeline", sa.String(length=8), nullable=False),
        sa.Column("creator_id", sa.String(length=64), nullable=False),
        sa.Column("week_start", sa.String(length=10), nullable=True),
        sa.Column("started_at", sa.String(length=32), nullable=False),
        sa.Column("finished_at", sa.String(length=32), nullable=True),
        sa.Column("duration_ms", sa.Float(), nullable=True),
        sa.Column("success", sa.Boolean(), nullable=True),
        sa.Column("validation_status", sa.String(length=16), nullable=True),
        sa.Column("quality_score", sa.Float(), nullable=True),
        sa.Column("hard_gate_violations", sa.Integer(), nullable=False),
        sa.Column("mcp_calls", sa.Integer(), nullable=False),
        sa.Column("expected_revenue", sa.Float(), nullable=True),
        sa.Column("schedule_id", sa.Integer(), nullable=True),
        sa.Column("shadow", sa.Boolean(), nullable=False),
        sa.Column("route_reason", sa.String(length=32), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("trace_id", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("run_id", name=op.f("pk_pipeline_runs")),
    )
    with op.batch_alter_table("pipeline_runs", schema=None) as batch_op:
        batch_op.create_index("ix_pipeline_runs_pipeline_started", ["pipeline", "started_at"], unique=False)

    op.create_table(
        "rollback_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("initiator", sa.String(length=100), nullable=False),
        sa.Column("automatic", sa.Boolean(), nullable=False),
        sa.Column("metrics_json", sa.Text(), nullable=True),
        sa.Column("drain_ms", sa.Float(), nullable=True),
        sa.Column("in_flight_at_start", sa.Integer(), nullable=True),
        sa.Column("state_before", sa.String(length=16), nullable=True),
        sa.Column("state_after", sa.String(length=16), nullable=False),
        sa.Column("verified", sa.Boolean(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rollback_events")),
    )
    op.create_table(
        "rollback_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rollback_state")),
    )
    op.create_table(
        "rollout_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("phase", sa.Integer(), nullable=False),
        sa.Column("phase_started_at", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rollout_state")),
    )
    op.create_table(
        "rollout_transitions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("from_phase", sa.Integer(), nullable=True),
        sa.Column("to_phase", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("forced", sa.Boolean(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("analysis_json", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rollout_transitions")),
    )
    op.create_table(
        "send_types",
        sa.Column("send_type_key", sa.String(length=32), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("page_restriction", sa.String(length=8), nullable=False),
        sa.Column("max_per_day", sa.Integer(), nullable=False),
        sa.Column("max_per_week", sa.Integer(), nullable=True),
        sa.Column("gap_minutes", sa.Integer(), nullable=False),
        sa.Column("requires_media", sa.Boolean(), nullable=False),
        sa.Column("requires_price", sa.Boolean(), nullable=False),
        sa.Column("requires_flyer", sa.Boolean(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("display_name", sa.String(length=64), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("send_type_key", name=op.f("pk_send_types")),
    )
    op.create_table(
        "shadow_comparisons",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("creator_id", sa.String(length=64), nullable=False),
        sa.Column("week_start", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("v4_run_id", sa.String(length=40), nullable=True),
        sa.Column("v5_run_id", sa.String(length=40), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("v4_quality", sa.Float(), nullable=True),
        sa.Column("v5_quality", sa.Float(), nullable=True),
        sa.Column("quality_diff", sa.Float(), nullable=True),
        sa.Column("v4_hard_gate_violations", sa.Integer(), nullable=True),
        sa.Column("v5_hard_gate_violations", sa.Integer(), nullable=True),
        sa.Column("hard_gate_false_positives", sa.Integer(), nullable=False),
        sa.Column("revenue_diff", sa.Float(), nullable=True),
        sa.Column("v4_duration_ms", sa.Float(), nullable=True),
        sa.Column("v5_duration_ms", sa.Float(), nullable=True),
        sa.Column("v4_mcp_calls", sa.Integer(), nullable=True),
        sa.Column("v5_mcp_calls", sa.Integer(), nullable=True),
        sa.Column("v5_error", sa.Text(), nullable=True),
        sa.Column("details_json", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shadow_comparisons")),
    )
    with op.batch_alter_table("shadow_comparisons", schema=None) as batch_op:
        batch_op.create_index("ix_shadow_created", ["created_at"], unique=False)

    op.create_table(
        "alert_deliveries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("sink", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("delivered", sa.Boolean(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["alerts.id"], name=op.f("fk_alert_deliveries_alert_id_alerts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_deliveries")),
    )
    op.create_table(
        "captions",
        sa.Column("caption_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("caption_text", sa.Text(), nullable=False),
        sa.Column("caption_hash", sa.String(length=64), nullable=False),
        sa.Column("send_type_key", sa.String(length=32), nullable=False),
        sa.Column("content_type_id", sa.Integer(), nullable=True),
        sa.Column("slot_class", sa.String(length=16), nullable=True),
        sa.Column("performance_tier", sa.Integer(), nullable=False),
        sa.Column("suggested_price", sa.Float(), nullable=True),
        sa.Column("price_min", sa.Float(), nullable=True),
        sa.Column("price_max", sa.Float(), nullable=True),
        sa.Column("avg_purchase_rate", sa.Float(), nullable=True),
        sa.Column("is_paid_page_only", sa.Boolean(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("global_times_used", sa.Integer(), nullable=False),
        sa.Column("global_last_used_date", sa.String(length=10), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=True),
        sa.CheckConstraint("performance_tier BETWEEN 1 AND 4", name=op.f("ck_captions_tier")),
        sa.ForeignKeyConstraint(
            ["content_type_id"],
            ["content_types.content_type_id"],
            name=op.f("fk_captions_content_type_id_content_types"),
        ),
        sa.PrimaryKeyConstraint("caption_id", name=op.f("pk_captions")),
        sa.UniqueConstraint("caption_hash", name=op.f("uq_captions_caption_hash")),
    )
    with op.batch_alter_table("captions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_captions_selection", ["send_type_key", "content_type_id", "is_active"], unique=False
        )

    op.create_table(
        "content_type_rankings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("creator_id", sa.String(length=64), nullable=False),
        sa.Column("analysis_date", sa.String(length=10), nullable=False),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("performance_tier", sa.String(length=8), nullable=False),
        sa.Column("revenue_per_send", sa.Float(), nullable=False),
        sa.Column("conversion", sa.Float(), nullable=False),
        sa.Column("sends_30d", sa.Integer(), nullable=False),
        sa.Column("earnings", sa.Float(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.CheckConstraint(
            "performance_tier IN ('TOP','MID','LOW','AVOID')", name=op.f("ck_content_type_rankings_tier")
        ),
        sa.ForeignKeyConstraint(
            ["creator_id"],
            ["creators.creator_id"],
            name=op.f("fk_content_type_rankings_creator_id_creators"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_type_rankings")),
        sa.UniqueConstraint(
            "creator_id", "analysis_date", "content_type", name=op.f("uq_content_type_rankings_creator_id")
        ),
    )
    op.create_table(
        "creator_personas",
        sa.Column("creator_id", sa.String(length=64), nullable=False),
        sa.Column("primary_tone", sa.String(length=32), nullable=False),
        sa.Column("secondary_tone", sa.String(length=32), nullable=True),
        sa.Column("emoji_frequency", sa.String(length=16), nullable=False),
        sa.Column("favorite_emojis", sa.Text(), nullable=True),
        sa.Column("slang_level", sa.String(length=16), nullable=False),
        sa.Column("avg_sentiment", sa.Float(), nullable=True),
        sa.Column("avg_caption_length", sa.Integer(), nullable=True),
        sa.Column("last_analyzed", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["creator_id"],
            ["creators.creator_id"],
            name=op.f("fk_creator_personas_creator_id_creators"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("creator_id", name=op.f("pk_creator_personas")),
    )
    op.create_table(
        "mass_messages",
        sa.Column("message_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("creator_id", sa.String(length=64), nullable=False),
        sa.Column("sent_at", sa.String(length=32), nullable=False),
        sa.Column("sent_date", sa.String(length=10), nullable=False),
        sa.Column("sent_hour", sa.Integer(), nullable=False),
        sa.Column("send_type_key", sa.String(length=32), nullable=False),
        sa.Column("content_type", sa.String(length=64), nullable=True),
        sa.Column("caption_id", sa.Integer(), nullable=True),
        sa.Column("price", sa.Float(), nullable=True),
        sa.Column("sent_count", sa.Integer(), nullable=False),
        sa.Column("viewed_count", sa.Integer(), nullable=False),
        sa.Column("purchased_count", sa.Integer(), nullable=False),
        sa.Column("earnings", sa.Float(), nullable=False),
        sa.Column("imported_at", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["creator_id"],
            ["creators.creator_id"],
            name=op.f("fk_mass_messages_creator_id_creators"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("message_id", name=op.f("pk_mass_messages")),
    )
    with op.batch_alter_table("mass_messages", schema=None) as batch_op:
        batch_op.create_index("ix_mass_messages_creator_date", ["creator_id", "sent_date"], unique=False)

    op.create_table(
        "schedules",
        sa.Column("schedule_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("creator_id", sa.String(length=64), nullable=False),
        sa.Column("week_start", sa.String(length=10), nullable=False),
        sa.Column("week_end", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("schedule_hash", sa.String(length=32), nullable=False),
        sa.Column("items_json", sa.Text(), nullable=False),
        sa.Column("certificate_json", sa.Text(), nullable=True),
        sa.Column("warnings_json", sa.Text(), nullable=True),
        sa.Column("generator", sa.String(length=16), nullable=True),
        sa.Column("total_items", sa.Integer(), nullable=False),
        sa.Column("total_ppvs", sa.Integer(), nullable=False),
        sa.Column("total_bumps", sa.Integer(), nullable=False),
        sa.Column("quality_score", sa.Float(), nullable=True),
        sa.Column("expected_revenue", sa.Float(), nullable=True),
        sa.Column("health_status", sa.String(length=16), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.Column("queued_at", sa.String(length=32), nullable=True),
        sa.Column("completed_at", sa.String(length=32), nullable=True),
        sa.CheckConstraint(
            "status IN ('draft','approved','queued','completed')", name=op.f("ck_schedules_status")
        ),
        sa.ForeignKeyConstraint(
            ["creator_id"],
            ["creators.creator_id"],
            name=op.f("fk_schedules_creator_id_creators"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("schedule_id", name=op.f("pk_schedules")),
        sa.UniqueConstraint("creator_id", "week_start", name=op.f("uq_schedules_creator_id")),
    )
    op.create_table(
        "tier_history",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("creator_id", sa.String(length=64), nullable=False),
        sa.Column("tier", sa.String(length=16), nullable=False),
        sa.Column("mm_revenue", sa.Float(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("recorded_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["creator_id"],
            ["creators.creator_id"],
            name=op.f("fk_tier_history_creator_id_creators"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tier_history")),
    )
    op.create_table(
        "vault_matrix",
        sa.Column("creator_id", sa.String(length=64), nullable=False),
        sa.Column("content_type_id", sa.Integer(), nullable=False),
        sa.Column("has_content", sa.Boolean(), nullable=False),
        sa.Column("quantity_available", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["content_type_id"],
            ["content_types.content_type_id"],
            name=op.f("fk_vault_matrix_content_type_id_content_types"),
        ),
        sa.ForeignKeyConstraint(
            ["creator_id"],
            ["creators.creator_id"],
            name=op.f("fk_vault_matrix_creator_id_creators"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("creator_id", "content_type_id", name=op.f("pk_vault_matrix")),
    )
    op.create_table(
        "volume_triggers",
        sa.Column("trigger_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("creator_id", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("trigger_type", sa.String(length=20), nullable=False),
        sa.Column("adjustment_multiplier", sa.Float(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("confidence", sa.String(length=10), nullable=False),
        sa.Column("metrics_json", sa.Text(), nullable=True),
        sa.Column("detected_at", sa.String(length=32), nullable=False),
        sa.Column("expires_at", sa.String(length=32), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("detection_count", sa.Integer(), nullable=False),
        sa.Column("first_detected_at", sa.String(length=32), nullable=False),
        sa.CheckConstraint(
            "confidence IN ('low','moderate','high')", name=op.f("ck_volume_triggers_confidence")
        ),
        sa.CheckConstraint(
            "adjustment_multiplier BETWEEN 0.5 AND 2.0", name=op.f("ck_volume_triggers_multiplier")
        ),
        sa.ForeignKeyConstraint(
            ["creator_id"],
            ["creators.creator_id"],
            name=op.f("fk_volume_triggers_creator_id_creators"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("trigger_id", name=op.f("pk_volume_triggers")),
        sa.UniqueConstraint(
            "creator_id", "content_type", "trigger_type", name=op.f("uq_volume_triggers_creator_id")
        ),
    )
    op.create_table(
        "caption_creator_usage",
        sa.Column("caption_id", sa.Integer(), nullable=False),
        sa.Column("creator_id", sa.String(length=64), nullable=False),
        sa.Column("times_used", sa.Integer(), nullable=False),
        sa.Column("first_used_date", sa.String(length=10), nullable=True),
        sa.Column("last_used_date", sa.String(length=10), nullable=True),
        sa.Column("total_revenue", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["caption_id"],
            ["captions.caption_id"],
            name=op.f("fk_caption_creator_usage_caption_id_captions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["creator_id"],
            ["creators.creator_id"],
            name=op.f("fk_caption_creator_usage_creator_id_creators"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("caption_id", "creator_id", name=op.f("pk_caption_creator_usage")),
    )
    with op.batch_alter_table("caption_creator_usage", schema=None) as batch_op:
        batch_op.create_index("ix_caption_usage_creator", ["creator_id", "last_used_date"], unique=False)

    op.create_table(
        "schedule_revisions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("schedule_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("schedule_hash", sa.String(length=32), nullable=False),
        sa.Column("items_json", sa.Text(), nullable=False),
        sa.Column("certificate_json", sa.Text(), nullable=True),
        sa.Column("quality_score", sa.Float(), nullable=True),
        sa.Column("replaced_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["schedules.schedule_id"],
            name=op.f("fk_schedule_revisions_schedule_id_schedules"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule_revisions")),
        sa.UniqueConstraint("schedule_id", "revision", name=op.f("uq_schedule_revisions_schedule_id")),
    )


def downgrade() -> None:
    op.drop_table("schedule_revisions")
    with op.batch_alter_table("caption_creator_usage", schema=None) as batch_op:
        batch_op.drop_index("ix_caption_usage_creator")

    op.drop_table("caption_creator_usage")
    op.drop_table("volume_triggers")
    op.drop_table("vault_matrix")
    op.drop_table("tier_history")
    op.drop_table("schedules")
    with op.batch_alter_table("mass_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_mass_messages_creator_date")

    op.drop_table("mass_messages")
    op.drop_table("creator_personas")
    op.drop_table("content_type_rankings")
    with op.batch_alter_table("captions", schema=None) as batch_op:
        batch_op.drop_index("ix_captions_selection")

    op.drop_table("captions")
    op.drop_table("alert_deliveries")
    with op.batch_alter_table("shadow_comparisons", schema=None) as batch_op:
        batch_op.drop_index("ix_shadow_created")

    op.drop_table("shadow_comparisons")
    op.drop_table("send_types")
    op.drop_table("rollout_transitions")
    op.drop_table("rollout_state")
    op.drop_table("rollback_state")
    op.drop_table("rollback_events")
    with op.batch_alter_table("pipeline_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_pipeline_runs_pipeline_started")

    op.drop_table("pipeline_runs")
    op.drop_table("learning_signals")
    op.drop_table("flag_overrides")
    op.drop_table("flag_audit")
    op.drop_table("creators")
    op.drop_table("content_types")
    op.drop_table("app_config")
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_index("ix_alerts_code_open")

    op.drop_table("alerts")
