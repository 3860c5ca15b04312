namespace PromptHub.Tests.Experiments;

public sealed class OptionsTests
{
    [Theory]
    [InlineData("PromptHub:Experiments:Alpha", "0.7")]
    [InlineData("PromptHub:Experiments:MinSamplesPerVariant", "0")]
    [InlineData("PromptHub:Experiments:MaxVariants", "1")]
    public async Task An_invalid_setting_stops_the_start_with_a_message_naming_it(string setting, string value)
    {
        // The real process: it prints one line naming the setting and exits with 1 (see Program.cs).
        var name = TestDatabase.NewName();
        try
        {
            using var app = new AppProcess(await TestDatabase.CreateAsync(name), new Dictionary<string, string> { [setting] = value });
            Assert.True(await app.ExitsWithinAsync(TimeSpan.FromSeconds(60)), "the app kept running");
            Assert.Equal(1, app.Process.ExitCode);
            var line = Assert.Single(app.Output, l => l.StartsWith("stderr: ", StringComparison.Ordinal));
            Assert.Contains(setting, line, StringComparison.Ordinal);
        }
        finally
        {
            await TestDatabase.DropAsync(name);
        }
    }
}
