using System.Net;
using Hangfire.Common;
using Hangfire.Dashboard;
using Hangfire.Dashboard.Pages;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PromptHub.Modules.Access;

namespace PromptHub.Modules.Jobs;

// What other modules may use of the Jobs module: this file, nothing else.

/// <summary>
/// A job a module declares with <see cref="JobDeclarations.AddRecurringJob{TJob}"/>. Hangfire builds it
/// from the app's services for each run and passes its shutdown token; the text returned is the
/// run's result, shown in the dashboard and in `GET /api/v1/ops/runs`. Throwing fails the run (retried).
/// </summary>
public interface IRecurringJob
{
    Task<string> RunAsync(CancellationToken cancellationToken);
}

/// <summary>How a module declares its jobs, in one line of its Add…Module.</summary>
public static class JobDeclarations
{
    /// <summary>
    /// A job run on a cron in UTC, read from <paramref name="cronSetting"/> (five fields, default
    /// <paramref name="defaultCron"/>; `-` switches it off). A firing missed while every instance was down
    /// runs once when one comes back.
    /// </summary>
    public static void AddRecurringJob<TJob>(this IHostApplicationBuilder builder, string id, string description, string cronSetting, string defaultCron)
        where TJob : class, IRecurringJob =>
        JobsModule.Catalog(builder).Add(new JobDeclaration(id, description, typeof(TJob), Job.FromExpression<TJob>(job => job.RunAsync(CancellationToken.None)),
            cronSetting, defaultCron));

    /// <summary>A job class run only when enqueued (`IBackgroundJobClient`); its runs are listed under <paramref name="id"/>.</summary>
    public static void AddOnDemandJob<TJob>(this IHostApplicationBuilder builder, string id, string description) where TJob : class =>
        JobsModule.Catalog(builder).Add(new JobDeclaration(id, description, typeof(TJob), null, null, null));
}

/// <summary>The declared jobs, as a module asks about its own.</summary>
public interface IJobCatalog
{
    /// <summary>False when the recurring job <paramref name="id"/> is switched off (its cron setting is `-`).</summary>
    bool IsOn(string id, IConfiguration configuration);
}

/// <summary>One run of a job: a Hangfire background job, with what its state history says (<c>Server</c>: the instance that ran it last).</summary>
public sealed record JobRun(string Id, string Job, string State, string? Reason, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt, long? DurationMs, int Attempt, string? Server, string? Error, string? Result);

/// <summary>Runs of jobs, for a module that shows the progress of a job it enqueued.</summary>
public interface IJobRuns
{
    /// <summary>The run of a Hangfire job id, or null once Hangfire has forgotten it.</summary>
    Task<JobRun?> FindAsync(string jobId, CancellationToken ct);
}

/// <summary>
/// Who may use the installation-wide ops pages and API (they show every project's jobs): `ops` and
/// `admin` keys of the home project read; only `admin` keys act (trigger, requeue, delete, pause)
/// unless PromptHub:Jobs:OpsMayAct is on. Any other project's key: 403.
/// </summary>
public static class OpsPolicies
{
    public const string Read = "ops:read";
    public const string Act = "ops:act";
}

/// <summary>A module's own pages inside the jobs dashboard (`/hangfire`).</summary>
public static class DashboardPages
{
    /// <summary>A page with an entry in the dashboard's top menu.</summary>
    public static void AddPage(string path, string menuText, Func<DashboardPage> page) => OpsDashboard.AddPage(path, menuText, page);

    /// <summary>
    /// A form post inside the dashboard: refused (401) in read-only mode like Hangfire's own commands,
    /// protected by the antiforgery token; the action answers where to go back to.
    /// </summary>
    public static void AddAction(string path, Func<HttpContext, Task<string>> action) => OpsDashboard.AddAction(path, action);
}

/// <summary>A PromptHub page inside Hangfire's layout, written in plain C#.</summary>
public abstract class DashboardPage(string title) : RazorPage
{
    protected HttpContext Http => Context.GetHttpContext();

    protected T Service<T>() where T : notnull => Http.RequestServices.GetRequiredService<T>();

    public sealed override void Execute()
    {
        Layout = new LayoutPage(title);
        WriteLiteral($"<div class=\"row\"><div class=\"col-md-12\"><h1 class=\"page-header\">{Encode(title)}</h1>");
        Body();
        WriteLiteral("</div></div>");
    }

    protected abstract void Body();

    protected static string Encode(string? text) => WebUtility.HtmlEncode(text ?? "");

    /// <summary>A form that posts to an action of <see cref="DashboardPages.AddAction"/>, with the antiforgery token.</summary>
    protected string Form(string action, string fields, string button, string buttonClass = "btn-primary")
    {
        var antiforgery = Service<IAntiforgery>().GetAndStoreTokens(Http);
        return $"""
            <form method="post" action="{Url.To(action)}" class="form-inline" style="display:inline">
            <input type="hidden" name="{antiforgery.FormFieldName}" value="{Encode(antiforgery.RequestToken)}">{fields}
            <button type="submit" class="btn btn-sm {buttonClass}">{Encode(button)}</button></form>
            """;
    }

    /// <summary>The actor recorded for what a key does here.</summary>
    protected static string Actor(HttpContext http) => http.Caller().KeyName;
}
