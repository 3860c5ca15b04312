using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PromptHub.Migrations
{
    /// <inheritdoc />
    public partial class Guardrails : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.EnsureSchema(
                name: "guardrails");

            migrationBuilder.CreateTable(
                name: "guardrails",
                schema: "guardrails",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    project_id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    type = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    config = table.Column<string>(type: "jsonb", nullable: false),
                    action = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    active = table.Column<bool>(type: "boolean", nullable: false),
                    scope_prompts = table.Column<string[]>(type: "text[]", nullable: false),
                    scope_tags = table.Column<string[]>(type: "text[]", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_by = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_guardrails", x => x.id);
                    table.CheckConstraint("ck_guardrails_action", "action IN ('block', 'redact', 'warn', 'log')");
                    table.CheckConstraint("ck_guardrails_type", "type IN ('pii', 'prompt_injection', 'blocklist', 'max_length')");
                    table.ForeignKey(
                        name: "fk_guardrails_projects_project_id",
                        column: x => x.project_id,
                        principalSchema: "access",
                        principalTable: "projects",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "finding_counts",
                schema: "guardrails",
                columns: table => new
                {
                    guardrail_id = table.Column<Guid>(type: "uuid", nullable: false),
                    action = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    project_id = table.Column<Guid>(type: "uuid", nullable: false),
                    count = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_finding_counts", x => new { x.guardrail_id, x.action });
                    table.CheckConstraint("ck_finding_counts_action", "action IN ('block', 'redact', 'warn', 'log')");
                    table.ForeignKey(
                        name: "fk_finding_counts_guardrail_guardrail_id",
                        column: x => x.guardrail_id,
                        principalSchema: "guardrails",
                        principalTable: "guardrails",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_finding_counts_projects_project_id",
                        column: x => x.project_id,
                        principalSchema: "access",
                        principalTable: "projects",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_finding_counts_project_id",
                schema: "guardrails",
                table: "finding_counts",
                column: "project_id");

            migrationBuilder.CreateIndex(
                name: "ix_guardrails_project_id_name",
                schema: "guardrails",
                table: "guardrails",
                columns: new[] { "project_id", "name" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "finding_counts",
                schema: "guardrails");

            migrationBuilder.DropTable(
                name: "guardrails",
                schema: "guardrails");
        }
    }
}
