using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace PromptHub.Tests.Platform;

/// <summary>
/// Swagger UI in a real browser (Debian's chromium and chromium-driver, which .ci/run installs), against the
/// app on a real port: an admin authorizes with the key alone and executes the pre-filled examples.
/// Screenshots go where the dashboard test puts them (PROMPTHUB_SCREENSHOTS, else next to the binaries).
/// </summary>
public sealed class SwaggerBrowserTests : IAsyncLifetime
{
    readonly AppFactory _app = new();
    ChromeDriver _browser = null!;
    string _site = "";

    public async Task InitializeAsync()
    {
        await _app.InitializeAsync();
        _app.UseKestrel(0);
        _app.StartServer();
        _site = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');

        _browser = HeadlessBrowser.Start(1366, 1000);
    }

    public async Task DisposeAsync()
    {
        _browser?.Quit();
        await ((IAsyncLifetime)_app).DisposeAsync();
    }

    void Screenshot(string name) => _browser.Screenshot($"swagger-{name}");

    Task<IWebElement> FindAsync(By by, ISearchContext? within = null) => (within ?? _browser).FindAsync(by, shown: true);

    /// <summary>Opens an operation, executes it as pre-filled, and returns the status Swagger UI shows.</summary>
    async Task<string> ExecuteAsync(string tag, string operationId, string screenshot)
    {
        var block = await FindAsync(By.Id($"operations-{tag}-{operationId}"));
        var summary = block.FindElement(By.CssSelector(".opblock-summary"));
        ((IJavaScriptExecutor)_browser).ExecuteScript("arguments[0].scrollIntoView({block: 'start'});", summary);
        summary.Click();
        var execute = await FindAsync(By.CssSelector("button.execute"), block);
        if (block.FindElements(By.CssSelector("textarea.body-param__text")).FirstOrDefault() is { } body)
        {
            ((IJavaScriptExecutor)_browser).ExecuteScript("arguments[0].scrollIntoView({block: 'center'});", body);
        }
        Screenshot(screenshot + "-prefilled");
        execute.Click();
        var status = await FindAsync(By.CssSelector(".live-responses-table .response .response-col_status"), block);
        ((IJavaScriptExecutor)_browser).ExecuteScript("arguments[0].scrollIntoView({block: 'center'});", status);
        Screenshot(screenshot);
        return status.Text.Trim();
    }

    [Fact]
    public async Task An_admin_authorizes_with_the_key_alone_and_creates_a_prompt_and_uploads_a_version_from_the_prefilled_examples()
    {
        _browser.Navigate().GoToUrl($"{_site}/swagger");
        await FindAsync(By.CssSelector(".opblock-tag-section"));
        var tags = _browser.FindElements(By.CssSelector(".opblock-tag")).Select(t => t.GetAttribute("data-tag")).ToList();
        Assert.Equal(["Prompts", "Serving", "Experiments"], tags.Take(3));
        Assert.Contains("PromptHub API", _browser.FindElement(By.CssSelector(".info .title")).Text);
        Screenshot("01-overview");

        _browser.FindElement(By.CssSelector("button.authorize")).Click();
        var dialog = await FindAsync(By.CssSelector(".modal-ux"));
        Assert.Contains("without Bearer", dialog.Text);
        dialog.FindElement(By.CssSelector("input")).SendKeys(_app.AdminSecret);
        dialog.FindElement(By.CssSelector("button.modal-btn.auth.authorize")).Click();
        await FindAsync(By.XPath("//div[contains(@class,'modal-ux')]//button[normalize-space()='Logout']"));
        Screenshot("02-authorized");
        dialog.FindElement(By.CssSelector("button.btn-done")).Click();

        Assert.Equal("201", await ExecuteAsync("Prompts", "CreatePrompt", "03-create-prompt"));
        Assert.Equal("201", await ExecuteAsync("Prompts", "UploadVersion", "04-upload-version"));

        // What the browser did, seen through the API.
        var prompt = await (await _app.Admin().GetAsync("/api/v1/prompts/support%2Ftriage")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("chat", (string?)prompt["type"]);
        var version = await (await _app.Admin().GetAsync("/api/v1/prompts/support%2Ftriage/versions/1")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(["product", "ticket"], version["variables"]!.AsArray().Select(v => (string)v!));
    }
}
