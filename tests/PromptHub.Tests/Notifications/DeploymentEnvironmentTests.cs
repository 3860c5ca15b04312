using System.Net.Http.Headers;
using PromptHub.Tests.Prompts;

namespace PromptHub.Tests.Notifications;

/// <summary>
/// Which deployment announces, seen from a real process (only there do environment variables reach the
/// configuration as in a container): `ASPNETCORE_ENVIRONMENT=Production`, which images set, is not enough.
/// </summary>
public sealed class DeploymentEnvironmentTests
{
    [Fact]
    public async Task Aspnetcore_environment_production_alone_announces_nothing()
    {
        var (settings, queued) = await RunAsync(new Dictionary<string, string> { ["DOTNET_ENVIRONMENT"] = "Production" });
        Assert.False((bool)settings["enabled"]!);
        Assert.Equal("", (string?)settings["deploymentEnvironment"]);
        Assert.Equal(0, queued);
    }

    [Fact]
    public async Task The_environment_variable_turns_announcements_on_and_the_seeded_examples_are_not_announced()
    {
        var (settings, queued) = await RunAsync(new Dictionary<string, string> { ["ENVIRONMENT"] = "production" });
        Assert.True((bool)settings["enabled"]!);
        Assert.Equal("production", (string?)settings["deploymentEnvironment"]);
        Assert.Equal(1, queued); // the upload of the test, not the examples project `default` was given
    }

    /// <summary>
    /// Starts the app (ASPNETCORE_ENVIRONMENT=Production, examples seeded, a webhook set) with <paramref name="environment"/>,
    /// uploads one version, and returns the notification settings and how many messages the outbox holds.
    /// </summary>
    static async Task<(JsonNode Settings, long Queued)> RunAsync(Dictionary<string, string> environment)
    {
        await using var discord = new FakeDiscord();
        await discord.StartAsync();
        var database = TestDatabase.NewName();
        try
        {
            var connectionString = await TestDatabase.CreateAsync(database);
            environment["PromptHub:SeedExamples"] = "true";
            environment["PromptHub:Discord:WebhookUrl"] = discord.Webhook();
            using var app = new AppProcess(connectionString, environment);
            await app.WaitUntilReadyAsync();
            using var admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{app.Port}") };
            admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AppProcess.AdminKey);
            Assert.Equal(2, (int)(await admin.GetJsonAsync("/api/v1/prompts?tag=example"))["total"]!); // the examples are there
            await admin.CreatePromptAsync("env/check");
            await admin.UploadAsync("env/check", new { template = "x" });
            var settings = await admin.GetJsonAsync("/api/v1/notifications/settings");

            await using var connection = new Npgsql.NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var count = new Npgsql.NpgsqlCommand("SELECT count(*) FROM notifications.outbox", connection);
            return (settings, (long)(await count.ExecuteScalarAsync())!);
        }
        finally
        {
            await TestDatabase.DropAsync(database);
        }
    }
}

/// <summary>Announcements name their project, and a new project's examples are never announced.</summary>
public sealed class ProjectAnnouncementTests : DiscordApp
{
    protected override void Configure(Dictionary<string, string?> settings)
    {
        settings["PromptHub:SeedExamples"] = "true";
        settings["PromptHub:Discord:AnnounceProductionLabelMoves"] = "true";
    }

    [Fact]
    public async Task A_new_projects_examples_are_not_announced_and_each_announcement_names_its_project()
    {
        var billing = App.As(await App.CreateProjectAsync("billing"));
        Assert.Equal(2, (int)(await billing.GetJsonAsync("/api/v1/prompts?tag=example"))["total"]!);
        Assert.Equal(0, await App.ScalarAsync<long>("SELECT count(*) FROM notifications.outbox"));

        await billing.CreatePromptAsync("invoices/reminder");
        await billing.UploadAsync("invoices/reminder", new { template = "Pay {{ amount }}", labels = new[] { "production" } });
        await DeliverAsync();
        var embeds = Discord.Delivered.SelectMany(r => r.Body["embeds"]!.AsArray()).ToList();
        Assert.Equal(2, embeds.Count); // the upload and the production move
        foreach (var embed in embeds)
        {
            var project = Assert.Single(embed!["fields"]!.AsArray(), f => (string?)f!["name"] == "Project");
            Assert.Equal("billing", (string?)project!["value"]);
        }
    }
}
