using Microsoft.Extensions.Options;

namespace PromptHub.Tests.Experiments;

public sealed class OptionsTests
{
    [Theory]
    [InlineData("PromptHub:Experiments:Alpha", "0.7")]
    [InlineData("PromptHub:Experiments:MinSamplesPerVariant", "0")]
    [InlineData("PromptHub:Experiments:MaxVariants", "1")]
    public async Task An_invalid_setting_stops_the_start_with_a_message_naming_it(string setting, string value)
    {
        var app = new AppFactory();
        await app.InitializeAsync();
        try
        {
            app.With[setting] = value;
            var error = await Assert.ThrowsAnyAsync<OptionsValidationException>(() => Task.Run(() => app.CreateClient()));
            Assert.Contains(setting, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            await ((IAsyncLifetime)app).DisposeAsync();
        }
    }
}
