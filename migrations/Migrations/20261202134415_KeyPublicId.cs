using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PromptHub.Migrations
{
    /// <inheritdoc />
    public partial class KeyPublicId : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "public_id",
                schema: "access",
                table: "api_keys",
                type: "character varying(64)",
                maxLength: 64,
                nullable: false,
                defaultValue: "");

            // Keys made before public ids existed get one each (32 random hex digits, as ApiKey.NewPublicId makes).
            migrationBuilder.Sql("UPDATE access.api_keys SET public_id = 'pk-ph-' || replace(gen_random_uuid()::text, '-', '') WHERE public_id = '';");

            migrationBuilder.CreateIndex(
                name: "ix_api_keys_public_id",
                schema: "access",
                table: "api_keys",
                column: "public_id",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_api_keys_public_id",
                schema: "access",
                table: "api_keys");

            migrationBuilder.DropColumn(
                name: "public_id",
                schema: "access",
                table: "api_keys");
        }
    }
}
