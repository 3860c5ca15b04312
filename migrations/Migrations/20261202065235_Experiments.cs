using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PromptHub.Migrations
{
    /// <inheritdoc />
    public partial class Experiments : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropCheckConstraint(
                name: "ck_label_moves_action",
                schema: "prompts",
                table: "label_moves");

            migrationBuilder.EnsureSchema(
                name: "experiments");

            migrationBuilder.AddColumn<string>(
                name: "experiment",
                schema: "prompts",
                table: "label_moves",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "percent",
                schema: "prompts",
                table: "label_moves",
                type: "integer",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "experiments",
                schema: "experiments",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    project_id = table.Column<Guid>(type: "uuid", nullable: false),
                    key = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    prompt_id = table.Column<Guid>(type: "uuid", nullable: false),
                    prompt_name = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    label = table.Column<string>(type: "character varying(36)", maxLength: 36, nullable: false),
                    description = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    seed = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    primary_metric = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    min_samples_per_variant = table.Column<int>(type: "integer", nullable: false),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    variants = table.Column<string>(type: "jsonb", nullable: false),
                    rollout_percents = table.Column<int[]>(type: "integer[]", nullable: false),
                    winner = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    stop_reason = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    created_by = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    started_by = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    stopped_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    stopped_by = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_experiments", x => x.id);
                    table.CheckConstraint("ck_experiments_kind", "kind IN ('experiment', 'rollout')");
                    table.CheckConstraint("ck_experiments_min_samples", "min_samples_per_variant > 0");
                    table.CheckConstraint("ck_experiments_primary_metric", "primary_metric IN ('successrate', 'score', 'latencyms', 'tokens', 'costusd')");
                    table.CheckConstraint("ck_experiments_status", "status IN ('draft', 'running', 'stopped')");
                    table.ForeignKey(
                        name: "fk_experiments_projects_project_id",
                        column: x => x.project_id,
                        principalSchema: "access",
                        principalTable: "projects",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_experiments_prompts_prompt_id",
                        column: x => x.prompt_id,
                        principalSchema: "prompts",
                        principalTable: "prompts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.AddCheckConstraint(
                name: "ck_label_moves_action",
                schema: "prompts",
                table: "label_moves",
                sql: "action IN ('activate', 'rollback', 'promote', 'rollout', 'complete', 'abort')");

            migrationBuilder.AddCheckConstraint(
                name: "ck_label_moves_percent",
                schema: "prompts",
                table: "label_moves",
                sql: "percent BETWEEN 0 AND 100");

            migrationBuilder.CreateIndex(
                name: "ix_executions_project_id_experiment_variant",
                schema: "analytics",
                table: "executions",
                columns: new[] { "project_id", "experiment", "variant" },
                filter: "experiment IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_experiments_project_id_key",
                schema: "experiments",
                table: "experiments",
                columns: new[] { "project_id", "key" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_experiments_prompt_id_label",
                schema: "experiments",
                table: "experiments",
                columns: new[] { "prompt_id", "label" },
                unique: true,
                filter: "status = 'running'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "experiments",
                schema: "experiments");

            migrationBuilder.DropCheckConstraint(
                name: "ck_label_moves_action",
                schema: "prompts",
                table: "label_moves");

            migrationBuilder.DropCheckConstraint(
                name: "ck_label_moves_percent",
                schema: "prompts",
                table: "label_moves");

            migrationBuilder.DropIndex(
                name: "ix_executions_project_id_experiment_variant",
                schema: "analytics",
                table: "executions");

            migrationBuilder.DropColumn(
                name: "experiment",
                schema: "prompts",
                table: "label_moves");

            migrationBuilder.DropColumn(
                name: "percent",
                schema: "prompts",
                table: "label_moves");

            migrationBuilder.AddCheckConstraint(
                name: "ck_label_moves_action",
                schema: "prompts",
                table: "label_moves",
                sql: "action IN ('activate', 'rollback')");
        }
    }
}
