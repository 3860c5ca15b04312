using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace PromptHub.Migrations
{
    /// <inheritdoc />
    public partial class HangfireJobs : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropCheckConstraint(
                name: "ck_backfills_state",
                schema: "analytics",
                table: "backfills");

            migrationBuilder.DropColumn(
                name: "error",
                schema: "analytics",
                table: "backfills");

            migrationBuilder.DropColumn(
                name: "finished_at",
                schema: "analytics",
                table: "backfills");

            migrationBuilder.DropColumn(
                name: "started_at",
                schema: "analytics",
                table: "backfills");

            migrationBuilder.DropColumn(
                name: "state",
                schema: "analytics",
                table: "backfills");

            // The earlier job scheduler's tables (jobs.qrtz_*, created at run time, so never in the model)
            // go with their schema; the schema comes back for the pause log. Hangfire creates and
            // migrates its own schema, `hangfire`, at start.
            migrationBuilder.Sql("DROP SCHEMA IF EXISTS jobs CASCADE;");
            migrationBuilder.EnsureSchema(
                name: "jobs");

            migrationBuilder.AddColumn<string>(
                name: "job_id",
                schema: "analytics",
                table: "backfills",
                type: "character varying(32)",
                maxLength: 32,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "data_protection_keys",
                schema: "access",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    friendly_name = table.Column<string>(type: "text", nullable: true),
                    xml = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_data_protection_keys", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "pause_log",
                schema: "jobs",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    job_id = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    paused = table.Column<bool>(type: "boolean", nullable: false),
                    reason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    actor = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_pause_log", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_pause_log_job_id_id",
                schema: "jobs",
                table: "pause_log",
                columns: new[] { "job_id", "id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "data_protection_keys",
                schema: "access");

            migrationBuilder.DropTable(
                name: "pause_log",
                schema: "jobs");

            migrationBuilder.DropColumn(
                name: "job_id",
                schema: "analytics",
                table: "backfills");

            migrationBuilder.AddColumn<string>(
                name: "error",
                schema: "analytics",
                table: "backfills",
                type: "character varying(2000)",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "finished_at",
                schema: "analytics",
                table: "backfills",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "started_at",
                schema: "analytics",
                table: "backfills",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "state",
                schema: "analytics",
                table: "backfills",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddCheckConstraint(
                name: "ck_backfills_state",
                schema: "analytics",
                table: "backfills",
                sql: "state IN ('queued', 'running', 'succeeded', 'failed')");
        }
    }
}
