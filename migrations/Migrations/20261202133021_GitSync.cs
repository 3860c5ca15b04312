using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace PromptHub.Migrations
{
    /// <inheritdoc />
    public partial class GitSync : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.EnsureSchema(
                name: "gitsync");

            migrationBuilder.CreateTable(
                name: "sources",
                schema: "gitsync",
                columns: table => new
                {
                    project_id = table.Column<Guid>(type: "uuid", nullable: false),
                    url = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    branch = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    path = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    username = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    protected_token = table.Column<string>(type: "text", nullable: true),
                    protected_webhook_secret = table.Column<string>(type: "text", nullable: false),
                    labels = table.Column<string[]>(type: "text[]", nullable: false),
                    archive_deleted = table.Column<bool>(type: "boolean", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_by = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    last_attempt_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    last_success_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    last_commit = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    last_result = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    last_error = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    failing_since = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    consecutive_failures = table.Column<int>(type: "integer", nullable: false),
                    next_attempt_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    last_created = table.Column<int>(type: "integer", nullable: false),
                    last_unchanged = table.Column<int>(type: "integer", nullable: false),
                    last_rejected = table.Column<int>(type: "integer", nullable: false),
                    last_labels_moved = table.Column<int>(type: "integer", nullable: false),
                    file_errors = table.Column<string>(type: "jsonb", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sources", x => x.project_id);
                    table.CheckConstraint("ck_sources_last_result", "last_result IN ('succeeded', 'partial', 'failed')");
                    table.ForeignKey(
                        name: "fk_sources_projects_project_id",
                        column: x => x.project_id,
                        principalSchema: "access",
                        principalTable: "projects",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "fetches",
                schema: "gitsync",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    project_id = table.Column<Guid>(type: "uuid", nullable: false),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    duration_ms = table.Column<int>(type: "integer", nullable: false),
                    trigger = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    commit = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    result = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    error = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    created = table.Column<int>(type: "integer", nullable: false),
                    unchanged = table.Column<int>(type: "integer", nullable: false),
                    rejected = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_fetches", x => x.id);
                    table.CheckConstraint("ck_fetches_result", "result IN ('succeeded', 'partial', 'failed')");
                    table.CheckConstraint("ck_fetches_trigger", "trigger IN ('manual', 'schedule', 'webhook', 'preview')");
                    table.ForeignKey(
                        name: "fk_fetches_sources_project_id",
                        column: x => x.project_id,
                        principalSchema: "gitsync",
                        principalTable: "sources",
                        principalColumn: "project_id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "files",
                schema: "gitsync",
                columns: table => new
                {
                    project_id = table.Column<Guid>(type: "uuid", nullable: false),
                    file_path = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    blob_sha = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    prompt_name = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    commit_sha = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    imported_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_files", x => new { x.project_id, x.file_path });
                    table.ForeignKey(
                        name: "fk_files_sources_project_id",
                        column: x => x.project_id,
                        principalSchema: "gitsync",
                        principalTable: "sources",
                        principalColumn: "project_id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_fetches_project_id_started_at",
                schema: "gitsync",
                table: "fetches",
                columns: new[] { "project_id", "started_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "fetches",
                schema: "gitsync");

            migrationBuilder.DropTable(
                name: "files",
                schema: "gitsync");

            migrationBuilder.DropTable(
                name: "sources",
                schema: "gitsync");
        }
    }
}
