using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using PromptHub.Modules.Analytics;
using PromptHub.Tests.Prompts;

namespace PromptHub.Tests.Jobs;

public sealed class OpsApp : AppFactory
{
    /// <summary>The app's clock, moved by the test (Hangfire keeps its own).</summary>
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
    }

    /// <summary>A browser: keeps cookies, does not follow redirects.</summary>
    public HttpClient Browser() => CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
}

public sealed partial class OpsAccessTests(OpsApp app) : IClassFixture<OpsApp>
{
    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex FormToken();

    [GeneratedRegex("<meta name=\"csrf-token\" content=\"([^\"]+)\">")]
    private static partial Regex DashboardToken();

    [GeneratedRegex("<meta name=\"csrf-header\" content=\"([^\"]+)\">")]
    private static partial Regex DashboardTokenHeader();

    static async Task<string> FormTokenAsync(HttpClient browser, string page) =>
        FormToken().Match(await (await browser.GetAsync(page)).Content.ReadAsStringAsync()).Groups[1].Value;

    static async Task<HttpResponseMessage> SignInAsync(HttpClient browser, string key, string returnUrl = "/hangfire/recurring")
    {
        var token = await FormTokenAsync(browser, "/ops/sign-in");
        return await browser.PostAsync("/ops/sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["key"] = key, ["returnUrl"] = returnUrl, ["__RequestVerificationToken"] = token,
        }));
    }

    async Task<Dictionary<string, string>> KeysAsync()
    {
        var ops = await app.CreateKeyAsync("ops", "ops-matrix");
        var revoked = await app.CreateKeyAsync("ops", "ops-revoked");
        var keys = await app.Admin().GetJsonAsync("/api/v1/keys?pageSize=200");
        var revokedId = keys["items"]!.AsArray().First(k => (string?)k!["name"] == "ops-revoked")!["id"];
        await (await app.Admin().DeleteAsync($"/api/v1/keys/{revokedId}")).ReadJsonAsync(HttpStatusCode.OK);
        var otherAdmin = await app.CreateProjectAsync($"ops-other-{Guid.NewGuid():N}"[..20]);
        var otherOps = (string)(await (await app.As(otherAdmin).PostAsJsonAsync("/api/v1/keys", new { name = "other-ops", role = "ops" }))
            .ReadJsonAsync(HttpStatusCode.Created))["secret"]!;
        return new()
        {
            ["reader"] = await app.CreateKeyAsync("reader", "reader-matrix"), ["ops"] = ops, ["admin"] = app.AdminSecret,
            ["other-admin"] = otherAdmin, ["other-ops"] = otherOps, ["revoked"] = revoked,
        };
    }

    [Fact]
    public async Task Only_ops_and_admin_keys_of_the_home_project_open_the_dashboard_and_the_ops_api_and_only_admin_acts()
    {
        var keys = await KeysAsync();
        var expected = new Dictionary<string, (HttpStatusCode Dashboard, HttpStatusCode Api, HttpStatusCode Trigger, HttpStatusCode SignIn)>
        {
            ["none"] = (HttpStatusCode.Found, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized),
            ["reader"] = (HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden),
            ["ops"] = (HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.Forbidden, HttpStatusCode.Found),
            ["admin"] = (HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.Accepted, HttpStatusCode.Found),
            ["other-admin"] = (HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden),
            ["other-ops"] = (HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden),
            ["revoked"] = (HttpStatusCode.Found, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized),
        };
        foreach (var (who, want) in expected)
        {
            var bearer = app.Browser();
            if (who != "none") bearer.DefaultRequestHeaders.Authorization = new("Bearer", keys[who]);
            var dashboard = await bearer.GetAsync("/hangfire");
            Assert.True(want.Dashboard == dashboard.StatusCode, $"{who}: /hangfire answered {(int)dashboard.StatusCode}");
            if (dashboard.StatusCode == HttpStatusCode.Found) Assert.Equal("/ops/sign-in?returnUrl=%2Fhangfire", dashboard.Headers.Location!.OriginalString);
            var api = await bearer.GetAsync("/api/v1/ops/jobs");
            Assert.True(want.Api == api.StatusCode, $"{who}: /api/v1/ops/jobs answered {(int)api.StatusCode}");
            if (want.Api != HttpStatusCode.OK) await api.ReadProblemAsync(want.Api);
            var runs = await bearer.GetAsync("/api/v1/ops/runs");
            Assert.True(want.Api == runs.StatusCode, $"{who}: /api/v1/ops/runs answered {(int)runs.StatusCode}");
            var trigger = await bearer.PostAsync($"/api/v1/ops/jobs/{RetentionJob.Name}/trigger", null);
            Assert.True(want.Trigger == trigger.StatusCode, $"{who}: trigger answered {(int)trigger.StatusCode}");
            var pause = await bearer.PostAsJsonAsync($"/api/v1/ops/jobs/{RetentionJob.Name}/pause", new { reason = "matrix" });
            Assert.True((want.Trigger == HttpStatusCode.Accepted ? HttpStatusCode.OK : want.Trigger) == pause.StatusCode, $"{who}: pause answered {(int)pause.StatusCode}");
            if (pause.IsSuccessStatusCode) await (await bearer.PostAsync($"/api/v1/ops/jobs/{RetentionJob.Name}/resume", null)).ReadJsonAsync(HttpStatusCode.OK);

            var browser = app.Browser();
            var form = await browser.GetAsync("/ops/sign-in");
            Assert.Equal(HttpStatusCode.OK, form.StatusCode);
            Assert.Contains("name=\"key\"", await form.Content.ReadAsStringAsync());
            var signIn = await SignInAsync(browser, who == "none" ? "" : keys[who]);
            Assert.True(want.SignIn == signIn.StatusCode, $"{who}: sign-in answered {(int)signIn.StatusCode}");
            if (signIn.StatusCode == HttpStatusCode.Found)
            {
                Assert.Equal("/hangfire/recurring", signIn.Headers.Location!.OriginalString);
                var cookie = signIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("prompthub_key=", StringComparison.Ordinal));
                Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
                Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain("secure", cookie, StringComparison.OrdinalIgnoreCase); // plain http here; Secure on https
                Assert.DoesNotContain(keys[who], cookie);
                var recurring = await browser.GetAsync("/hangfire/recurring");
                Assert.Equal(HttpStatusCode.OK, recurring.StatusCode);
                var html = await recurring.Content.ReadAsStringAsync();
                Assert.Contains(RetentionJob.Name, html);
                Assert.Equal(who == "admin", html.Contains("recurring/trigger", StringComparison.Ordinal)); // read-only for ops
                Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/v1/ops/jobs")).StatusCode);
            }
            else
            {
                Assert.Equal(HttpStatusCode.Found, (await browser.GetAsync("/hangfire")).StatusCode);
            }
        }
        Assert.Equal(HttpStatusCode.Found, (await app.Browser().GetAsync("/ops")).StatusCode);
        Assert.Equal("/hangfire", (await app.Browser().GetAsync("/ops")).Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task The_dashboard_refuses_posts_without_its_antiforgery_token_and_from_read_only_keys()
    {
        var admin = app.Browser();
        Assert.Equal(HttpStatusCode.Found, (await SignInAsync(admin, app.AdminSecret)).StatusCode);
        var page = await (await admin.GetAsync("/hangfire/recurring")).Content.ReadAsStringAsync();
        var token = DashboardToken().Match(page).Groups[1].Value;
        var header = DashboardTokenHeader().Match(page).Groups[1].Value;
        Assert.NotEmpty(token);
        Assert.NotEmpty(header);
        HttpContent Trigger() => new FormUrlEncodedContent([new("jobs[]", RetentionJob.Name)]);

        Assert.Equal(HttpStatusCode.Forbidden, (await admin.PostAsync("/hangfire/recurring/trigger", Trigger())).StatusCode);
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/hangfire/recurring/trigger") { Content = Trigger() })
        {
            request.Headers.Add(header, token);
            Assert.Equal(HttpStatusCode.NoContent, (await admin.SendAsync(request)).StatusCode);
        }
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.PostAsync("/ops/sign-out", new FormUrlEncodedContent([]))).StatusCode);

        var ops = app.Browser();
        Assert.Equal(HttpStatusCode.Found, (await SignInAsync(ops, await app.CreateKeyAsync("ops", "ops-read-only"))).StatusCode);
        var opsToken = DashboardToken().Match(await (await ops.GetAsync("/hangfire/pauses")).Content.ReadAsStringAsync()).Groups[1].Value;
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/hangfire/recurring/trigger") { Content = Trigger() })
        {
            request.Headers.Add(header, opsToken);
            Assert.Equal(HttpStatusCode.Unauthorized, (await ops.SendAsync(request)).StatusCode);
        }
        // The read-only page shows no pause form; a hand-made post with the page's token is still refused.
        var pause = await ops.PostAsync("/hangfire/pauses/pause", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["job"] = RetentionJob.Name, ["reason"] = "not allowed", ["__RequestVerificationToken"] = opsToken,
        }));
        Assert.Equal(HttpStatusCode.Unauthorized, pause.StatusCode);
        Assert.False((bool)(await app.Admin().JobAsync(RetentionJob.Name))["paused"]!);

        // Signing out ends the cookie.
        var signOut = await admin.PostAsync("/ops/sign-out", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = await FormTokenAsync(admin, "/ops/sign-out"),
        }));
        Assert.Equal(HttpStatusCode.Found, signOut.StatusCode);
        Assert.Equal(HttpStatusCode.Found, (await admin.GetAsync("/hangfire")).StatusCode);
    }

    [Fact]
    public async Task A_revoked_keys_cookie_stops_working_within_a_minute_and_ops_may_act_when_the_setting_says_so()
    {
        var secret = await app.CreateKeyAsync("ops", "ops-to-revoke");
        var browser = app.Browser();
        Assert.Equal(HttpStatusCode.Found, (await SignInAsync(browser, secret)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/hangfire")).StatusCode);
        var id = (await app.Admin().GetJsonAsync("/api/v1/keys?pageSize=200"))["items"]!.AsArray().First(k => (string?)k!["name"] == "ops-to-revoke")!["id"];
        await (await app.Admin().DeleteAsync($"/api/v1/keys/{id}")).ReadJsonAsync(HttpStatusCode.OK);
        app.Clock.Advance(TimeSpan.FromSeconds(31));
        var after = await browser.GetAsync("/hangfire");
        Assert.Equal(HttpStatusCode.Found, after.StatusCode);
        Assert.StartsWith("/ops/sign-in", after.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/api/v1/ops/jobs")).StatusCode);

        await using var acting = AppFactory.Joining(app);
        acting.With["PromptHub:Jobs:OpsMayAct"] = "true";
        var ops = acting.As(await acting.CreateKeyAsync("ops", "ops-acting"));
        await (await ops.PostAsync($"/api/v1/ops/jobs/{RetentionJob.Name}/trigger", null)).ReadJsonAsync(HttpStatusCode.Accepted);
        Assert.Contains("recurring/trigger", await (await ops.GetAsync("/hangfire/recurring")).Content.ReadAsStringAsync());
    }
}
