using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PromptHub.Migrations
{
    /// <inheritdoc />
    public partial class TemplateFormat : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "template_format",
                schema: "prompts",
                table: "prompt_versions",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "scriban"); // versions written before formats existed are Scriban

            migrationBuilder.AddCheckConstraint(
                name: "ck_prompt_versions_template_format",
                schema: "prompts",
                table: "prompt_versions",
                sql: "template_format IN ('scriban', 'liquid')");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropCheckConstraint(
                name: "ck_prompt_versions_template_format",
                schema: "prompts",
                table: "prompt_versions");

            migrationBuilder.DropColumn(
                name: "template_format",
                schema: "prompts",
                table: "prompt_versions");
        }
    }
}
