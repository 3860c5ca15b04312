namespace PromptHub.Tests.Jobs;

public sealed class JobSettingsTests
{
    [Theory]
    [InlineData("PromptHub:Jobs:DailyAggregationCron", "0 0 1 * * ?")]  // seconds and '?': not a five-field cron
    [InlineData("PromptHub:Jobs:RetentionCron", "every night")]
    [InlineData("PromptHub:Jobs:NotificationDeliveryCron", "61 * * * *")]
    [InlineData("PromptHub:Jobs:Workers", "0")]
    public async Task A_job_setting_that_cannot_work_stops_the_start_with_one_line_naming_it(string setting, string value) =>
        Assert.StartsWith($"PromptHub cannot start: {setting} ", (await AppProcess.RefusedStartAsync(new Dictionary<string, string> { [setting] = value })).Line);
}
