namespace PromptHub.Tests.Jobs;

public sealed class JobSettingsTests
{
    [Theory]
    [InlineData("PromptHub:Jobs:DailyAggregationCron", "0 0 1 * * ?")]  // seconds and '?': not a five-field cron
    [InlineData("PromptHub:Jobs:RetentionCron", "every night")]
    [InlineData("PromptHub:Jobs:NotificationDeliveryCron", "61 * * * *")]
    [InlineData("PromptHub:Jobs:Workers", "0")]
    public async Task A_job_setting_that_cannot_work_stops_the_start_with_one_line_naming_it(string setting, string value)
    {
        var name = TestDatabase.NewName();
        try
        {
            using var app = new AppProcess(await TestDatabase.CreateAsync(name), new Dictionary<string, string> { [setting] = value });
            Assert.True(await app.ExitsWithinAsync(TimeSpan.FromSeconds(60)), "the app kept running");
            Assert.Equal(1, app.Process.ExitCode);
            var errors = app.Output.Where(l => l.StartsWith("stderr: ", StringComparison.Ordinal)).ToList();
            var line = Assert.Single(errors);
            Assert.StartsWith($"stderr: PromptHub cannot start: {setting} ", line);
        }
        finally
        {
            await TestDatabase.DropAsync(name);
        }
    }
}
