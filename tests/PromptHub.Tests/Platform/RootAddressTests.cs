namespace PromptHub.Tests.Platform;

public sealed class RootAddressTests(AppFactory app) : IClassFixture<AppFactory>
{
    [Fact]
    public async Task The_bare_address_leads_a_browser_to_swagger_ui()
    {
        var root = await app.CreateClient(new() { AllowAutoRedirect = false }).GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, root.StatusCode);
        Assert.Equal("/swagger", root.Headers.Location?.OriginalString);

        var followed = await app.Anonymous().GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, followed.StatusCode);
        Assert.Equal("text/html", followed.Content.Headers.ContentType?.MediaType);
        Assert.Contains("swagger-ui", await followed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
