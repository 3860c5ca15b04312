using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using PromptHub.Modules.Analytics;
using PromptHub.Tests.Notifications;
using PromptHub.Tests.Prompts;

namespace PromptHub.Tests.Jobs;

/// <summary>
/// The dashboard in a real browser (Debian's chromium and chromium-driver, which .ci/run installs),
/// against the app on a real port. Screenshots go to PROMPTHUB_SCREENSHOTS (set by .ci/run to the
/// test results), else next to the test binaries.
/// </summary>
public sealed class DashboardBrowserTests : IAsyncLifetime
{
    readonly FakeDiscord _discord = new();
    readonly AppFactory _app = new();
    ChromeDriver _browser = null!;
    string _site = "";

    public async Task InitializeAsync()
    {
        await _discord.StartAsync();
        await _app.InitializeAsync();
        _app.With["PromptHub:DeploymentEnvironment"] = "production";
        _app.With["PromptHub:Discord:WebhookUrl"] = _discord.Webhook();
        _app.UseKestrel(0);
        _app.StartServer();
        _site = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');

        _browser = HeadlessBrowser.Start(1366, 900);
    }

    public async Task DisposeAsync()
    {
        _browser?.Quit();
        await ((IAsyncLifetime)_app).DisposeAsync();
        await _discord.DisposeAsync();
    }

    void Screenshot(string name) => _browser.Screenshot($"{name}");

    Task<IWebElement> FindAsync(By by) => _browser.FindAsync(by);

    [Fact]
    public async Task An_admin_signs_in_triggers_the_roll_up_sees_it_succeed_pauses_a_job_reads_the_outbox_and_signs_out()
    {
        // Something for the Notifications page: an upload Discord refused.
        _discord.Then(FakeDiscord.Reply.BadRequest);
        await _app.Admin().CreatePromptAsync("browser/refused");
        await _app.Admin().UploadAsync("browser/refused", new { template = "hi" });

        _browser.Navigate().GoToUrl($"{_site}/hangfire");
        Assert.StartsWith($"{_site}/ops/sign-in", _browser.Url);
        Screenshot("01-sign-in");
        _browser.FindElement(By.Id("key")).SendKeys(_app.AdminSecret);
        _browser.FindElement(By.Id("submit")).Click();
        await FindAsync(By.PartialLinkText("Recurring Jobs"));
        Assert.Equal($"{_site}/hangfire", _browser.Url.TrimEnd('/'));
        Screenshot("02-dashboard");

        _browser.FindElement(By.PartialLinkText("Recurring Jobs")).Click();
        var checkbox = await FindAsync(By.CssSelector($"input.js-jobs-list-checkbox[value='{DailyRollUpJob.Name}']"));
        Assert.Contains("0 1 * * *", _browser.PageSource, StringComparison.Ordinal); // the cron, with its next and last run
        Screenshot("03-recurring-jobs");
        checkbox.Click();
        _browser.FindElement(By.CssSelector("button.js-jobs-list-command[data-url$='/recurring/trigger']")).Click();
        await HttpAssertions.EventuallyAsync(() =>
        {
            _browser.Navigate().GoToUrl($"{_site}/hangfire/jobs/succeeded");
            Assert.Contains($"{DailyRollUpJob.Name}:", _browser.PageSource, StringComparison.Ordinal);
            return Task.CompletedTask;
        }, TimeSpan.FromSeconds(30));
        Screenshot("04-roll-up-succeeded");

        _browser.FindElement(By.PartialLinkText("Pause / resume")).Click();
        var row = await FindAsync(By.CssSelector($"tr[data-job='{RetentionJob.Name}']"));
        row.FindElement(By.Name("reason")).SendKeys("restoring last night's backup");
        row.FindElement(By.CssSelector("button[type=submit]")).Click();
        var reason = await FindAsync(By.CssSelector($"tr[data-job='{RetentionJob.Name}'] .pause-reason"));
        Assert.Equal("restoring last night's backup", reason.Text);
        Assert.True((bool)(await _app.Admin().JobAsync(RetentionJob.Name))["paused"]!);
        Screenshot("05-paused");

        _browser.FindElement(By.PartialLinkText("Notifications")).Click();
        var message = await FindAsync(By.XPath("//table[@id='notifications']//td[text()='browser/refused v1']/.."));
        Assert.Contains("failed", message.Text, StringComparison.Ordinal);
        Assert.Contains("Discord answered 400", message.Text, StringComparison.Ordinal);
        Screenshot("06-notifications");

        _browser.FindElement(By.PartialLinkText("Sign out")).Click();
        (await FindAsync(By.Id("submit"))).Click();
        await FindAsync(By.Id("key"));
        _browser.Navigate().GoToUrl($"{_site}/hangfire/recurring");
        Assert.StartsWith($"{_site}/ops/sign-in", _browser.Url);
        Screenshot("07-signed-out");
    }
}
