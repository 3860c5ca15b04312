using System.Security.Cryptography;

namespace PromptHub.Tests.Access;

/// <summary>The bootstrap admin key must be a real secret: a short or public one would let anyone in.</summary>
public sealed class BootstrapKeyTests
{
    [Theory]
    [InlineData("0123456789abcdef0123456789abcde", "is shorter than 32 characters")]           // 31 characters
    [InlineData("change-me-this-admin-key-is-public", "is a documented placeholder")]          // the old docker-compose default
    [InlineData("phk_…your admin key…-pasted-from-the-README", "is a documented placeholder")]
    public async Task A_short_or_placeholder_bootstrap_key_stops_the_start_with_one_line_that_does_not_echo_it(string key, string reason)
    {
        var (line, output) = await AppProcess.RefusedStartAsync(new Dictionary<string, string> { ["PromptHub:BootstrapAdminKey"] = key });

        Assert.StartsWith($"PromptHub cannot start: PromptHub:BootstrapAdminKey {reason}", line);
        Assert.Contains("at least 32 characters", line, StringComparison.Ordinal);
        Assert.DoesNotContain(output, l => l.Contains(key, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_random_bootstrap_key_of_32_characters_is_the_admin_key_of_project_default()
    {
        var name = TestDatabase.NewName();
        try
        {
            var key = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)); // 32 characters
            await using var app = AppFactory.On(await TestDatabase.CreateAsync(name), key);
            var project = await (await app.As(key).GetAsync("/api/v1/projects/current")).ReadJsonAsync(HttpStatusCode.OK);
            Assert.Equal("default", (string?)project["slug"]);
        }
        finally
        {
            await TestDatabase.DropAsync(name);
        }
    }
}
