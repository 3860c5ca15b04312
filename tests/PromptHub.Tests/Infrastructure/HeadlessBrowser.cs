using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace PromptHub.Tests.Infrastructure;

/// <summary>
/// Debian's chromium and chromium-driver, headless, for the browser tests (.ci/run installs them; explicit
/// paths, so Selenium Manager never tries a download). Screenshots go to PROMPTHUB_SCREENSHOTS (CI keeps them
/// with the test results), else next to the test binaries.
/// </summary>
static class HeadlessBrowser
{
    public static readonly string Screenshots = Environment.GetEnvironmentVariable("PROMPTHUB_SCREENSHOTS") is { Length: > 0 } configured
        ? configured : Path.Combine(AppContext.BaseDirectory, "screenshots");

    public static ChromeDriver Start(int width, int height)
    {
        var service = ChromeDriverService.CreateDefaultService(OnPath("chromedriver"));
        service.HideCommandPromptWindow = true;
        var options = new ChromeOptions { BinaryLocation = OnPath("chromium") };
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", $"--window-size={width},{height}");
        Directory.CreateDirectory(Screenshots);
        return new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
    }

    public static void Screenshot(this ChromeDriver browser, string name) =>
        browser.GetScreenshot().SaveAsFile(Path.Combine(Screenshots, $"{name}.png"));

    /// <summary>The element, once the page has it (and, with <paramref name="shown"/>, shows it): pages render after load.</summary>
    public static async Task<IWebElement> FindAsync(this ISearchContext within, By by, bool shown = false)
    {
        IWebElement? found = null;
        await HttpAssertions.EventuallyAsync(() =>
        {
            found = within.FindElement(by);
            if (shown) Assert.True(found.Displayed, $"{by} is not shown");
            return Task.CompletedTask;
        }, TimeSpan.FromSeconds(20));
        return found!;
    }

    static string OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(dir => Path.Combine(dir, program)).FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException($"{program} is not installed (Debian: apt-get install chromium chromium-driver; .ci/run does it)");
}
