namespace PromptHub.Tests.Experiments;

public sealed class OptionsTests
{
    [Theory]
    [InlineData("PromptHub:Experiments:Alpha", "0.7")]
    [InlineData("PromptHub:Experiments:MinSamplesPerVariant", "0")]
    [InlineData("PromptHub:Experiments:MaxVariants", "1")]
    public async Task An_invalid_setting_stops_the_start_with_a_message_naming_it(string setting, string value) =>
        Assert.Contains(setting, (await AppProcess.RefusedStartAsync(new Dictionary<string, string> { [setting] = value })).Line, StringComparison.Ordinal);
}
