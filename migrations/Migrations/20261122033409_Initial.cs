using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace PromptHub.Migrations
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.EnsureSchema(
                name: "access");

            migrationBuilder.EnsureSchema(
                name: "prompts");

            migrationBuilder.CreateTable(
                name: "projects",
                schema: "access",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    slug = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_projects", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "api_keys",
                schema: "access",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    project_id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    role = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    secret_hash = table.Column<byte[]>(type: "bytea", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    last_used_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    revoked_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_api_keys", x => x.id);
                    table.CheckConstraint("ck_api_keys_role", "role IN ('admin', 'reader', 'ops')");
                    table.ForeignKey(
                        name: "fk_api_keys_projects_project_id",
                        column: x => x.project_id,
                        principalSchema: "access",
                        principalTable: "projects",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "prompts",
                schema: "prompts",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    project_id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    type = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    description = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    tags = table.Column<string[]>(type: "text[]", nullable: false),
                    latest_version = table.Column<int>(type: "integer", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    archived_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_prompts", x => x.id);
                    table.CheckConstraint("ck_prompts_latest_version", "latest_version >= 0");
                    table.CheckConstraint("ck_prompts_type", "type IN ('text', 'chat')");
                    table.ForeignKey(
                        name: "fk_prompts_projects_project_id",
                        column: x => x.project_id,
                        principalSchema: "access",
                        principalTable: "projects",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "prompt_versions",
                schema: "prompts",
                columns: table => new
                {
                    prompt_id = table.Column<Guid>(type: "uuid", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    project_id = table.Column<Guid>(type: "uuid", nullable: false),
                    type = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    template = table.Column<string>(type: "text", nullable: true),
                    messages = table.Column<string>(type: "jsonb", nullable: true),
                    config = table.Column<string>(type: "jsonb", nullable: false),
                    variables = table.Column<string[]>(type: "text[]", nullable: false),
                    includes = table.Column<string[]>(type: "text[]", nullable: false),
                    commit_message = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    author = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    change_type = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    parent_version = table.Column<int>(type: "integer", nullable: true),
                    content_hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_prompt_versions", x => new { x.prompt_id, x.version });
                    table.CheckConstraint("ck_prompt_versions_change_type", "change_type IN ('initial', 'prompt', 'config', 'both')");
                    table.CheckConstraint("ck_prompt_versions_content", "(template IS NULL) <> (messages IS NULL)");
                    table.CheckConstraint("ck_prompt_versions_type", "type IN ('text', 'chat')");
                    table.CheckConstraint("ck_prompt_versions_version", "version > 0");
                    table.ForeignKey(
                        name: "fk_prompt_versions_prompts_prompt_id",
                        column: x => x.prompt_id,
                        principalSchema: "prompts",
                        principalTable: "prompts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "label_moves",
                schema: "prompts",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    project_id = table.Column<Guid>(type: "uuid", nullable: false),
                    prompt_id = table.Column<Guid>(type: "uuid", nullable: false),
                    label = table.Column<string>(type: "character varying(36)", maxLength: 36, nullable: false),
                    from_version = table.Column<int>(type: "integer", nullable: true),
                    to_version = table.Column<int>(type: "integer", nullable: false),
                    action = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    reason = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    actor = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_label_moves", x => x.id);
                    table.CheckConstraint("ck_label_moves_action", "action IN ('activate', 'rollback')");
                    table.ForeignKey(
                        name: "fk_label_moves_prompt_versions_prompt_id_to_version",
                        columns: x => new { x.prompt_id, x.to_version },
                        principalSchema: "prompts",
                        principalTable: "prompt_versions",
                        principalColumns: new[] { "prompt_id", "version" },
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "labels",
                schema: "prompts",
                columns: table => new
                {
                    prompt_id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(36)", maxLength: 36, nullable: false),
                    project_id = table.Column<Guid>(type: "uuid", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_labels", x => new { x.prompt_id, x.name });
                    table.ForeignKey(
                        name: "fk_labels_prompt_versions_prompt_id_version",
                        columns: x => new { x.prompt_id, x.version },
                        principalSchema: "prompts",
                        principalTable: "prompt_versions",
                        principalColumns: new[] { "prompt_id", "version" },
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "ix_api_keys_project_id",
                schema: "access",
                table: "api_keys",
                column: "project_id");

            migrationBuilder.CreateIndex(
                name: "ix_api_keys_secret_hash",
                schema: "access",
                table: "api_keys",
                column: "secret_hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_label_moves_project_id",
                schema: "prompts",
                table: "label_moves",
                column: "project_id");

            migrationBuilder.CreateIndex(
                name: "ix_label_moves_prompt_id_label_id",
                schema: "prompts",
                table: "label_moves",
                columns: new[] { "prompt_id", "label", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_label_moves_prompt_id_to_version",
                schema: "prompts",
                table: "label_moves",
                columns: new[] { "prompt_id", "to_version" });

            migrationBuilder.CreateIndex(
                name: "ix_labels_project_id",
                schema: "prompts",
                table: "labels",
                column: "project_id");

            migrationBuilder.CreateIndex(
                name: "ix_labels_prompt_id_version",
                schema: "prompts",
                table: "labels",
                columns: new[] { "prompt_id", "version" });

            migrationBuilder.CreateIndex(
                name: "ix_projects_slug",
                schema: "access",
                table: "projects",
                column: "slug",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_prompt_versions_project_id",
                schema: "prompts",
                table: "prompt_versions",
                column: "project_id");

            migrationBuilder.CreateIndex(
                name: "ix_prompts_project_id_name",
                schema: "prompts",
                table: "prompts",
                columns: new[] { "project_id", "name" },
                unique: true,
                filter: "archived_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_prompts_tags",
                schema: "prompts",
                table: "prompts",
                column: "tags")
                .Annotation("Npgsql:IndexMethod", "gin");

            // Versions are immutable: the database refuses to change one, whatever the code does.
            migrationBuilder.Sql("""
                CREATE FUNCTION prompts.refuse_update() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION 'rows of %.% are immutable', TG_TABLE_SCHEMA, TG_TABLE_NAME
                        USING ERRCODE = 'restrict_violation';
                END $$;
                CREATE TRIGGER prompt_versions_immutable BEFORE UPDATE ON prompts.prompt_versions
                    FOR EACH ROW EXECUTE FUNCTION prompts.refuse_update();
                -- Label moves are the history of who did what: never rewritten either.
                CREATE TRIGGER label_moves_immutable BEFORE UPDATE ON prompts.label_moves
                    FOR EACH ROW EXECUTE FUNCTION prompts.refuse_update();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER label_moves_immutable ON prompts.label_moves; DROP TRIGGER prompt_versions_immutable ON prompts.prompt_versions; DROP FUNCTION prompts.refuse_update();");
            migrationBuilder.DropTable(
                name: "api_keys",
                schema: "access");

            migrationBuilder.DropTable(
                name: "label_moves",
                schema: "prompts");

            migrationBuilder.DropTable(
                name: "labels",
                schema: "prompts");

            migrationBuilder.DropTable(
                name: "prompt_versions",
                schema: "prompts");

            migrationBuilder.DropTable(
                name: "prompts",
                schema: "prompts");

            migrationBuilder.DropTable(
                name: "projects",
                schema: "access");
        }
    }
}
