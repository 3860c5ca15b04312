using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PromptHub.Migrations
{
    /// <inheritdoc />
    public partial class Analytics : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.EnsureSchema(
                name: "analytics");

            // The job scheduler of the time created its tables here itself at start-up, but not the schema.
            migrationBuilder.Sql("CREATE SCHEMA IF NOT EXISTS jobs;");

            migrationBuilder.CreateTable(
                name: "aggregated_days",
                schema: "analytics",
                columns: table => new
                {
                    day = table.Column<DateOnly>(type: "date", nullable: false),
                    aggregated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_aggregated_days", x => x.day);
                });

            migrationBuilder.CreateTable(
                name: "backfills",
                schema: "analytics",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    project_id = table.Column<Guid>(type: "uuid", nullable: false),
                    first_day = table.Column<DateOnly>(type: "date", nullable: false),
                    last_day = table.Column<DateOnly>(type: "date", nullable: false),
                    state = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    days_done = table.Column<int>(type: "integer", nullable: false),
                    error = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    requested_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    finished_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_backfills", x => x.id);
                    table.CheckConstraint("ck_backfills_state", "state IN ('queued', 'running', 'succeeded', 'failed')");
                    table.ForeignKey(
                        name: "fk_backfills_projects_project_id",
                        column: x => x.project_id,
                        principalSchema: "access",
                        principalTable: "projects",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "daily_stats",
                schema: "analytics",
                columns: table => new
                {
                    project_id = table.Column<Guid>(type: "uuid", nullable: false),
                    prompt_id = table.Column<Guid>(type: "uuid", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    experiment = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    variant = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    day = table.Column<DateOnly>(type: "date", nullable: false),
                    executions = table.Column<long>(type: "bigint", nullable: false),
                    successes = table.Column<long>(type: "bigint", nullable: false),
                    errors = table.Column<long>(type: "bigint", nullable: false),
                    latency_avg_ms = table.Column<double>(type: "double precision", nullable: false),
                    latency_p50_ms = table.Column<double>(type: "double precision", nullable: false),
                    latency_p95_ms = table.Column<double>(type: "double precision", nullable: false),
                    input_tokens = table.Column<long>(type: "bigint", nullable: false),
                    output_tokens = table.Column<long>(type: "bigint", nullable: false),
                    cost_usd = table.Column<decimal>(type: "numeric(20,10)", precision: 20, scale: 10, nullable: false),
                    score_sum = table.Column<double>(type: "double precision", nullable: false),
                    score_count = table.Column<long>(type: "bigint", nullable: false),
                    value_sum = table.Column<double>(type: "double precision", nullable: false),
                    value_count = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_daily_stats", x => new { x.project_id, x.prompt_id, x.version, x.experiment, x.variant, x.day });
                    table.ForeignKey(
                        name: "fk_daily_stats_projects_project_id",
                        column: x => x.project_id,
                        principalSchema: "access",
                        principalTable: "projects",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "dirty_days",
                schema: "analytics",
                columns: table => new
                {
                    day = table.Column<DateOnly>(type: "date", nullable: false),
                    marked_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_dirty_days", x => x.day);
                });

            migrationBuilder.CreateTable(
                name: "executions",
                schema: "analytics",
                columns: table => new
                {
                    project_id = table.Column<Guid>(type: "uuid", nullable: false),
                    id = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    prompt_id = table.Column<Guid>(type: "uuid", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    label = table.Column<string>(type: "character varying(36)", maxLength: 36, nullable: true),
                    experiment = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    variant = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    subject = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    latency_ms = table.Column<double>(type: "double precision", nullable: false),
                    input_tokens = table.Column<int>(type: "integer", nullable: false),
                    output_tokens = table.Column<int>(type: "integer", nullable: false),
                    cost_usd = table.Column<decimal>(type: "numeric(20,10)", precision: 20, scale: 10, nullable: false),
                    model = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    success = table.Column<bool>(type: "boolean", nullable: false),
                    score = table.Column<double>(type: "double precision", nullable: true),
                    value = table.Column<double>(type: "double precision", nullable: true),
                    error = table.Column<string>(type: "text", nullable: true),
                    occurred_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    rendered_prompt = table.Column<string>(type: "text", nullable: true),
                    response = table.Column<string>(type: "text", nullable: true),
                    metadata = table.Column<string>(type: "jsonb", nullable: true),
                    received_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    outcome_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_executions", x => new { x.project_id, x.id });
                    table.CheckConstraint("ck_executions_numbers", "latency_ms >= 0 AND input_tokens >= 0 AND output_tokens >= 0 AND cost_usd >= 0 AND version > 0");
                });

            migrationBuilder.CreateIndex(
                name: "ix_backfills_project_id",
                schema: "analytics",
                table: "backfills",
                column: "project_id");

            migrationBuilder.CreateIndex(
                name: "ix_daily_stats_project_id_day",
                schema: "analytics",
                table: "daily_stats",
                columns: new[] { "project_id", "day" });

            migrationBuilder.CreateIndex(
                name: "ix_executions_occurred_at",
                schema: "analytics",
                table: "executions",
                column: "occurred_at")
                .Annotation("Npgsql:IndexMethod", "brin");

            migrationBuilder.CreateIndex(
                name: "ix_executions_project_id_prompt_id_occurred_at",
                schema: "analytics",
                table: "executions",
                columns: new[] { "project_id", "prompt_id", "occurred_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "aggregated_days",
                schema: "analytics");

            migrationBuilder.DropTable(
                name: "backfills",
                schema: "analytics");

            migrationBuilder.DropTable(
                name: "daily_stats",
                schema: "analytics");

            migrationBuilder.DropTable(
                name: "dirty_days",
                schema: "analytics");

            migrationBuilder.DropTable(
                name: "executions",
                schema: "analytics");
        }
    }
}
